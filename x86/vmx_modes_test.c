// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx_modes_test: the VMX library in every L2 configuration it offers.
 * For L2 in {long mode, 32-bit PAE} x {EPT off, on} x {VPID off, on}, L1
 * runs the L2 agent through reads, writes and a save and restore of the
 * whole vCPU into a new VM while L2 is active; the cr3_saved_on_exit_*
 * rows add L2's own CR3 switch before it, as L1 sees it: the VM exit saves
 * L2's CR3.
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_memory.h"
#include "x86/l1_vm.h"
#include "x86/l2_agent.h"
#include "x86/l2_paging.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

/* A linear address outside guest memory, below 4 GiB for PAE. */
#define WINDOW		0xc0000000ull
#define MARK_A		0xaaaa0000aaaa0000ull
#define MARK_B		0xbbbb0000bbbb0000ull
#define STAGE_SAVE	1

struct modes {
	enum l2_mode mode;
	bool ept;
	bool vpid;
};

/* The scenario's row, copied into the guest before it runs. */
static struct modes cfg;

/* L2 with two page tables that map WINDOW to page A and to page B. */
struct two_tables {
	uint64_t *page_a, *page_b;
	struct page_table pt_a, pt_b;
};

static struct l2_vmcs *setup_l2(struct l1_vmx *vmx, struct two_tables *t)
{
	struct page_table ept;
	uint64_t eptp = 0;

	t->page_a = guest_alloc_pages(1);
	t->page_b = guest_alloc_pages(1);
	t->page_a[0] = MARK_A;
	t->page_b[0] = MARK_B;
	l2_pt_create(&t->pt_a, cfg.mode);
	l2_pt_map(&t->pt_a, WINDOW, (uintptr_t)t->page_a);
	l2_pt_create(&t->pt_b, cfg.mode);
	l2_pt_map(&t->pt_b, WINDOW, (uintptr_t)t->page_b);
	if (cfg.ept) {
		ept_create(&ept);
		eptp = ept_pointer(vmx->caps, &ept, false);
	}
	return l2_vmcs_create(vmx, &(struct l2_setup){
		.mode = cfg.mode, .entry = l2_agent_entry(cfg.mode), .cr3 = t->pt_a.root,
		.eptp = eptp, .vpid = cfg.vpid, .watchdog = true });
}

/*
 * The host saves the vCPU while L2 is active and restores it into a new VM
 * (test_row()).  api.rst, KVM_GET_NESTED_STATE/KVM_SET_NESTED_STATE and
 * KVM_GET_SREGS2/KVM_SET_SREGS2: the restored vCPU resumes L2 where it
 * stopped, so L2's sync request completes with its report, VMCALL; L2
 * resuming on lost PDPTRs faults instead (exit 0, an exception).
 */
static void save_restore_in_l2(struct l2_agent *agent)
{
	uint32_t exit_after_restore = l2_sync_host_submit(agent, STAGE_SAVE);

	GUEST_ASSERT_RULE(exit_after_restore, EXIT_REASON_VMCALL, EXIT_REASON_EXCEPTION_NMI);
}

/* Reads and writes through L2's own tables (and L1's EPT), and a save/restore. */
static void l1_modes(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_agent agent;
	struct two_tables t;

	l2_agent_start(&agent, vmx, setup_l2(vmx, &t));

	GUEST_ASSERT_EQ(l2_read(&agent, WINDOW), MARK_A);
	l2_write(&agent, WINDOW + 8, 0x1111);
	GUEST_ASSERT_EQ(t.page_a[1], 0x1111);

	save_restore_in_l2(&agent);
	GUEST_ASSERT_EQ(l2_read(&agent, WINDOW), MARK_A);
	l2_write(&agent, WINDOW + 16, 0x2222);
	GUEST_ASSERT_EQ(t.page_a[2], 0x2222);

	vmx_disable(vmx);
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 28.3.1 (saving control registers): a VM exit saves CR3 in the
 * guest-state area, and the next VM entry loads it from there (27.3.2.1), so
 * an L2 MOV to CR3 that L1 does not intercept outlives the round trip, and
 * a save/restore of the vCPU.
 */
static void l1_cr3_saved(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_agent agent;
	struct two_tables t;

	l2_agent_start(&agent, vmx, setup_l2(vmx, &t));
	l2_write_cr3(&agent, t.pt_b.root);
	GUEST_ASSERT_RULE(vmcs_read(GUEST_CR3), t.pt_b.root, t.pt_a.root);
	GUEST_ASSERT_EQ(l2_read(&agent, WINDOW), MARK_B);
	GUEST_ASSERT_EQ(l2_read_cr3(&agent), t.pt_b.root);

	save_restore_in_l2(&agent);
	GUEST_ASSERT_RULE(l2_read(&agent, WINDOW), MARK_B, MARK_A);
	l2_write(&agent, WINDOW + 16, 0x2222);
	GUEST_ASSERT_EQ(t.page_b[2], 0x2222);
	vmx_disable(vmx);
	GUEST_DONE();
}

static void require_row(const struct modes *m)
{
	const char *problem = vmx_needs_problem((m->ept ? NEED_EPT : 0) |
						(m->vpid ? NEED_VPID : 0) | NEED_NESTED_STATE);

	__TEST_REQUIRE(!problem, "%s", problem);
}

static struct kvm_vcpu *start_l1(const struct scenario *s, void *l1_code)
{
	struct kvm_vcpu *vcpu;

	require_row(s->arg);
	vcpu = l1_vm_create(l1_code, 0);
	cfg = *(const struct modes *)s->arg;
	sync_global_to_guest(vcpu->vm, cfg);
	return vcpu;
}

static void test_row(const struct scenario *s, void *l1_code)
{
	struct kvm_vcpu *vcpu = start_l1(s, l1_code);
	int cpu;

	vcpu_run_to_sync(vcpu, STAGE_SAVE);
	/* api.rst, KVM_GET_NESTED_STATE: KVM_STATE_NESTED_GUEST_MODE while L2 runs. */
	TEST_ASSERT(vcpu_in_guest_mode(vcpu), "L2's sync did not leave the vCPU in guest mode");
	vcpu = vm_migrate(vcpu, RESTORE_SREGS2);
	cpu = vcpu_thread_move_cpu();
	if (cpu >= 0)
		ksft_print_msg("vCPU thread moved to host CPU %d\n", cpu);
	vcpu_run_to_done(vcpu);
}

static void test_modes(const struct scenario *s)
{
	test_row(s, l1_modes);
}

static void test_cr3_saved(const struct scenario *s)
{
	test_row(s, l1_cr3_saved);
}

#define ROW(m, e, p)	(&(const struct modes){ m, e, p })

static const struct scenario scenarios[] = {
	{ "long_noept_novpid", "long-mode L2, no EPT, no VPID: reads, writes, save/restore",
	  test_modes, ROW(L2_LONG_MODE, false, false) },
	{ "long_noept_vpid", "long-mode L2, no EPT, VPID: reads, writes, save/restore",
	  test_modes, ROW(L2_LONG_MODE, false, true) },
	{ "long_ept_novpid", "long-mode L2, EPT, no VPID: reads, writes, save/restore",
	  test_modes, ROW(L2_LONG_MODE, true, false) },
	{ "long_ept_vpid", "long-mode L2, EPT, VPID: reads, writes, save/restore",
	  test_modes, ROW(L2_LONG_MODE, true, true) },
	{ "pae_noept_novpid", "32-bit PAE L2, no EPT, no VPID: reads, writes, save/restore",
	  test_modes, ROW(L2_PAE_MODE, false, false) },
	{ "pae_noept_vpid", "32-bit PAE L2, no EPT, VPID: reads, writes, save/restore",
	  test_modes, ROW(L2_PAE_MODE, false, true) },
	{ "pae_ept_novpid", "32-bit PAE L2, EPT, no VPID: reads, writes, save/restore",
	  test_modes, ROW(L2_PAE_MODE, true, false) },
	{ "pae_ept_vpid", "32-bit PAE L2, EPT, VPID: reads, writes, save/restore",
	  test_modes, ROW(L2_PAE_MODE, true, true) },
	{ "cr3_saved_on_exit_long_noept_novpid",
	  "VM exit saves a long-mode L2's own CR3 load (no EPT, no VPID)", test_cr3_saved,
	  ROW(L2_LONG_MODE, false, false) },
	{ "cr3_saved_on_exit_long_noept_vpid",
	  "VM exit saves a long-mode L2's own CR3 load (no EPT, VPID)", test_cr3_saved,
	  ROW(L2_LONG_MODE, false, true) },
	{ "cr3_saved_on_exit_long_ept_novpid",
	  "VM exit saves a long-mode L2's own CR3 load (EPT, no VPID)", test_cr3_saved,
	  ROW(L2_LONG_MODE, true, false) },
	{ "cr3_saved_on_exit_long_ept_vpid",
	  "VM exit saves a long-mode L2's own CR3 load (EPT, VPID)", test_cr3_saved,
	  ROW(L2_LONG_MODE, true, true) },
	{ "cr3_saved_on_exit_pae_noept_novpid",
	  "VM exit saves a 32-bit PAE L2's own CR3 load (no EPT, no VPID)", test_cr3_saved,
	  ROW(L2_PAE_MODE, false, false) },
	{ "cr3_saved_on_exit_pae_noept_vpid",
	  "VM exit saves a 32-bit PAE L2's own CR3 load (no EPT, VPID)", test_cr3_saved,
	  ROW(L2_PAE_MODE, false, true) },
	{ "cr3_saved_on_exit_pae_ept_novpid",
	  "VM exit saves a 32-bit PAE L2's own CR3 load (EPT, no VPID)", test_cr3_saved,
	  ROW(L2_PAE_MODE, true, false) },
	{ "cr3_saved_on_exit_pae_ept_vpid",
	  "VM exit saves a 32-bit PAE L2's own CR3 load (EPT, VPID)", test_cr3_saved,
	  ROW(L2_PAE_MODE, true, true) },
};

SCENARIO_MAIN(vmx_requirements, scenarios)
