// SPDX-License-Identifier: GPL-2.0-only
/*
 * nested_pdptr_test: coherence of a PAE L2's PDPTEs across nested VM entry
 * and VM exit (Intel SDM Vol. 3C):
 *  - 27.3.2.4: with "enable EPT" = 1 and PAE paging, VM entry loads the
 *    PDPTEs from GUEST_PDPTR0-3; otherwise from the PDPT at CR3;
 *  - 28.3.1 / 29.3.4: a VM exit of such a guest saves the PDPTEs in use
 *    into GUEST_PDPTR0-3 (and CR3);
 *  - 27.3.1.6 and 27.8: PDPTEs with reserved bits set make VM entry fail
 *    with basic exit reason 33, bit 31 set, exit qualification 2.
 * Unless said otherwise L2 runs in 32-bit PAE mode.  Its page tables map
 * WINDOW (PDPTE 3) to page A, B or C, each holding its own marker: what
 * L2 reads there tells which PDPTE it uses.
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

#define WINDOW		0xc0000000ull	/* PDPTE 3 */
#define WINDOW_PDPTE	3
#define NR_TABLES	3
#define MARK(i)		(0x1000000000000000ull * (i + 1) + 0xabcd)
#define LOOP_COUNT	0x7fffffff
#define TIMER_TICKS	20000
#define TIMER_DOUBLINGS	16
#define STAGE_SAVE	1
/* A PDPTE with bit 1 set: bits 2:1 of a PAE PDPTE are reserved (SDM Vol. 3A 4.4.1). */
#define PDPTE_RSVD	(1ull << 1)
#define GARBAGE_PDPTE	0xdead0000f00df1e7ull

struct row {
	void (*l1)(void);
	unsigned int needs;
	enum sregs_restore restore;	/* save/restore rows */
};


/* L1's view: three PAE tables, WINDOW -> page i in table i, and one vmcs12. */
struct fixture {
	struct l1_vmx *vmx;
	uint64_t *page[NR_TABLES];
	struct page_table pt[NR_TABLES];
	struct l2_vmcs *v;
	struct l2_agent agent;
};

static void make_tables(struct fixture *f)
{
	for (int i = 0; i < NR_TABLES; i++) {
		f->page[i] = guest_alloc_pages(1);
		f->page[i][0] = MARK(i);
		l2_pt_create(&f->pt[i], L2_PAE_MODE);
		l2_pt_map(&f->pt[i], WINDOW, (uintptr_t)f->page[i]);
	}
}

static uint64_t eptp_for(struct fixture *f, bool ept)
{
	struct page_table t;

	if (!ept)
		return 0;
	ept_create(&t);
	return ept_pointer(f->vmx->caps, &t, false);
}

static struct l2_vmcs *new_vmcs(struct fixture *f, bool ept, struct l2_setup extra)
{
	extra.mode = L2_PAE_MODE;
	extra.entry = l2_agent_entry(L2_PAE_MODE);
	extra.cr3 = f->pt[0].root;
	extra.eptp = eptp_for(f, ept);
	extra.watchdog = true;
	return l2_vmcs_create(f->vmx, &extra);
}

/* Enters VMX operation and starts the agent in a PAE L2 on table 0. */
static void setup(struct fixture *f, bool ept, struct l2_setup extra)
{
	f->vmx = vmx_enable();
	make_tables(f);
	f->v = new_vmcs(f, ept, extra);
}

static void start(struct fixture *f)
{
	l2_agent_start(&f->agent, f->vmx, f->v);
}

static void write_pdptes_of(struct fixture *f, int table)
{
	for (int i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTR(i), pae_pdpte(&f->pt[table], i));
}

/* The rule: GUEST_PDPTR0-3 hold @table's PDPTEs; an inverted run expects @stale's. */
static void assert_pdptes_of(struct fixture *f, int table, int stale)
{
	for (int i = 0; i < 4; i++)
		GUEST_ASSERT_RULE(vmcs_read(GUEST_PDPTR(i)), pae_pdpte(&f->pt[table], i),
				  pae_pdpte(&f->pt[stale], i));
}

static void finish(struct fixture *f)
{
	vmx_disable(f->vmx);
	GUEST_DONE();
}

/* 1. EPT: the PDPTEs come from vmcs12, not from the PDPT in memory at CR3. */
static void l1_vmcs_pdptes_used(void)
{
	struct fixture f;

	setup(&f, true, (struct l2_setup){ 0 });
	write_pdptes_of(&f, 1);
	start(&f);
	GUEST_ASSERT_RULE(l2_read(&f.agent, WINDOW), MARK(1), MARK(0));
	finish(&f);
}

/* 2. EPT: L2's own MOV to CR3 loads new PDPTEs; the VM exit saves them and CR3. */
static void l1_exit_saves_pdptes(void)
{
	struct fixture f;

	setup(&f, true, (struct l2_setup){ 0 });
	start(&f);
	l2_write_cr3(&f.agent, f.pt[1].root);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_CR3), f.pt[1].root);
	assert_pdptes_of(&f, 1, 0);
	GUEST_ASSERT_EQ(l2_read(&f.agent, WINDOW), MARK(1));
	finish(&f);
}

/*
 * L2 reads WINDOW in a loop until the preemption timer exits; returns what
 * it read after the last VM entry (so no VMWRITE of GUEST_RIP is needed).
 * The first call arms the timer, after the agent reached its first VMCALL
 * under the watchdog: a slow L0 cannot end that start with a timer exit.
 * A slice in which L2 read nothing (L0 used it up) is retried with twice
 * the timer value, so a slow L0 costs time, never the verdict; the first
 * retry comes after the entry under test, so its VMWRITE changes nothing
 * that entry loaded.
 */
static uint64_t loop_read(struct fixture *f, bool first)
{
	uint32_t ticks = TIMER_TICKS;

	for (int tries = 0; tries < TIMER_DOUBLINGS; tries++, ticks *= 2) {
		uint32_t reason;

		if (first && !tries) {
			l2_vmcs_timer_start(f->v, ticks);
			reason = l2_agent_submit(&f->agent, L2_OP_READ_LOOP, WINDOW, LOOP_COUNT);
		} else {
			if (tries)
				vmcs_write(VMX_PREEMPTION_TIMER_VALUE, ticks);
			f->agent.req->result = 0;
			reason = vmx_run(f->vmx, f->v);
		}
		vmx_assert_exit(reason, EXIT_REASON_PREEMPTION_TIMER);
		if (f->agent.req->result)
			return f->agent.req->result;
	}
	GUEST_FAIL("L2 never read WINDOW in a preemption-timer slice of up to 0x%x ticks", ticks);
	return 0;	/* not reached: the host ends the scenario at the ucall */
}

/* Ends L2's read loop: its last iteration, then VMCALL, with the timer off. */
static void loop_stop(struct fixture *f)
{
	l2_vmcs_timer_stop(f->v);
	f->v->regs.rcx = 1;
	vmx_assert_exit(l2_agent_resume(&f->agent), EXIT_REASON_VMCALL);
}

enum vmwrite_set { PDPTES_ONLY, PDPTES_AND_CR3, ONE_PDPTE };

/*
 * 3. EPT: between two VM entries of the same vmcs12 L1 VMWRITEs only the
 * PDPTE fields (and CR3, or one PDPTE); the next entry loads them.
 */
static void vmwrite_pdptes(enum vmwrite_set set)
{
	struct fixture f;

	setup(&f, true, (struct l2_setup){ 0 });
	start(&f);
	GUEST_ASSERT_EQ(loop_read(&f, true), MARK(0));
	if (set == ONE_PDPTE) {
		vmcs_write(GUEST_PDPTR(WINDOW_PDPTE), pae_pdpte(&f.pt[1], WINDOW_PDPTE));
	} else {
		write_pdptes_of(&f, 1);
		if (set == PDPTES_AND_CR3)
			vmcs_write(GUEST_CR3, f.pt[1].root);
	}
	GUEST_ASSERT_RULE(loop_read(&f, false), MARK(1), MARK(0));
	loop_stop(&f);
	finish(&f);
}

static void l1_vmwrite_pdptes_only(void)
{
	vmwrite_pdptes(PDPTES_ONLY);
}

static void l1_vmwrite_pdptes_and_cr3(void)
{
	vmwrite_pdptes(PDPTES_AND_CR3);
}

static void l1_vmwrite_one_pdpte(void)
{
	vmwrite_pdptes(ONE_PDPTE);
}

/* 4. EPT: two vmcs12s with different PDPTEs alternate; each L2 keeps its own. */
static void l1_two_vmcs12(void)
{
	struct l2_agent agent[2];
	struct l2_vmcs *v[2];
	struct fixture f;

	setup(&f, true, (struct l2_setup){ 0 });
	v[0] = f.v;
	v[1] = new_vmcs(&f, true, (struct l2_setup){ 0 });
	write_pdptes_of(&f, 1);
	for (int i = 0; i < 2; i++)
		l2_agent_start(&agent[i], f.vmx, v[i]);
	for (int round = 0; round < 50; round++) {
		int i = round % 2;

		GUEST_ASSERT_RULE(l2_read(&agent[i], WINDOW), MARK(i), MARK(1 - i));
	}
	finish(&f);
}

/* 5. No EPT: the PDPTEs come from memory at CR3 on every entry; the fields are ignored. */
static void l1_noept_pdptes_from_memory(void)
{
	uint64_t *pdpt;
	struct fixture f;

	setup(&f, false, (struct l2_setup){ 0 });
	for (int i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTR(i), GARBAGE_PDPTE);
	start(&f);
	GUEST_ASSERT_EQ(l2_read(&f.agent, WINDOW), MARK(0));
	/* VPID is off: VM entry also invalidates cached translations (29.4.3.1). */
	pdpt = (uint64_t *)(uintptr_t)f.pt[0].root;
	pdpt[WINDOW_PDPTE] = pae_pdpte(&f.pt[1], WINDOW_PDPTE);
	GUEST_ASSERT_RULE(l2_read(&f.agent, WINDOW), MARK(1), MARK(0));
	finish(&f);
}

/* The entry must fail with reason 33 and qualification 2, L2 untouched (27.8). */
static void assert_pdpte_entry_failure(struct fixture *f)
{
	uint64_t rip = vmcs_read(GUEST_RIP);
	uint32_t reason;

	reason = l2_agent_submit(&f->agent, L2_OP_READ, WINDOW, 0);
	vmx_assert_exit_rule(reason, EXIT_REASON_FAILED_VMENTRY | EXIT_REASON_INVALID_STATE,
			     EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(vmcs_read(EXIT_QUALIFICATION), ENTRY_FAIL_PDPTE);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_RIP), rip);
	GUEST_ASSERT_EQ(f->agent.req->result, 0);
}

/* 6a. No EPT: a present in-memory PDPTE with a reserved bit fails the entry. */
static void l1_invalid_pdpte_memory(void)
{
	uint64_t *pdpt;
	struct fixture f;

	setup(&f, false, (struct l2_setup){ 0 });
	start(&f);
	pdpt = (uint64_t *)(uintptr_t)f.pt[0].root;
	pdpt[WINDOW_PDPTE] |= PDPTE_RSVD;
	assert_pdpte_entry_failure(&f);
	pdpt[WINDOW_PDPTE] &= ~PDPTE_RSVD;
	vmx_assert_exit(l2_agent_resume(&f.agent), EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(f.agent.req->result, MARK(0));
	finish(&f);
}

/* 6b. EPT: the same reserved bit in GUEST_PDPTR3 fails the entry. */
static void l1_invalid_pdpte_vmcs(void)
{
	uint64_t good;
	struct fixture f;

	setup(&f, true, (struct l2_setup){ 0 });
	start(&f);
	good = vmcs_read(GUEST_PDPTR(WINDOW_PDPTE));
	vmcs_write(GUEST_PDPTR(WINDOW_PDPTE), good | PDPTE_RSVD);
	assert_pdpte_entry_failure(&f);
	vmcs_write(GUEST_PDPTR(WINDOW_PDPTE), good);
	vmx_assert_exit(l2_agent_resume(&f.agent), EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(f.agent.req->result, MARK(0));
	finish(&f);
}

/*
 * 7. EPT: a long-mode L2 ignores the PDPTE fields; the same vmcs12 in PAE
 * mode uses them (27.3.2.4).  In PAE mode CR3 is table 0's and the fields
 * are table 1's: L2 reads page 1 only through the fields, page 0 if the
 * entry loaded the PDPTEs from memory at CR3, page 2 if it stayed in long
 * mode.
 */
static void l1_long_mode_ignores_pdptes(void)
{
	struct page_table pt_long;
	struct fixture f;

	f.vmx = vmx_enable();
	make_tables(&f);
	l2_pt_create(&pt_long, L2_LONG_MODE);
	l2_pt_map(&pt_long, WINDOW, (uintptr_t)f.page[2]);
	f.v = l2_vmcs_create(f.vmx, &(struct l2_setup){
		.mode = L2_LONG_MODE, .entry = l2_agent_entry(L2_LONG_MODE), .cr3 = pt_long.root,
		.eptp = eptp_for(&f, true), .watchdog = true });
	for (int i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTR(i), GARBAGE_PDPTE);
	start(&f);
	GUEST_ASSERT_EQ(l2_read(&f.agent, WINDOW), MARK(2));

	l2_vmcs_set_mode(f.vmx, f.v, L2_PAE_MODE, f.pt[0].root);
	write_pdptes_of(&f, 1);
	l2_agent_restart(&f.agent);
	GUEST_ASSERT_RULE(l2_read(&f.agent, WINDOW), MARK(1), MARK(2));

	l2_vmcs_set_mode(f.vmx, f.v, L2_LONG_MODE, pt_long.root);
	for (int i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTR(i), GARBAGE_PDPTE);
	l2_agent_restart(&f.agent);
	GUEST_ASSERT_EQ(l2_read(&f.agent, WINDOW), MARK(2));
	finish(&f);
}

/*
 * 8. EPT: MOV to CR4 changing PGE, or to CR0 changing PG, reloads the
 * PDPTEs from memory (SDM Vol. 3A 4.4.1).  L1 changed the PDPT in memory
 * beforehand; L2 exits with an intercepted #UD, the VM exit saves the
 * reloaded PDPTEs, and L2 keeps using them after the next entry.
 */
static void reload_by(unsigned int op, uint32_t proc2)
{
	uint64_t *pdpt, old, new;
	uint32_t info;
	struct fixture f;

	setup(&f, true, (struct l2_setup){ .proc2 = proc2 });
	start(&f);
	pdpt = (uint64_t *)(uintptr_t)f.pt[0].root;
	old = pdpt[WINDOW_PDPTE];
	new = pae_pdpte(&f.pt[1], WINDOW_PDPTE);
	pdpt[WINDOW_PDPTE] = new;
	/* The PDPTEs in use still come from the VM entry (the fields). */
	GUEST_ASSERT_EQ(l2_read(&f.agent, WINDOW), MARK(0));

	vmx_assert_exit(l2_agent_submit(&f.agent, op, 0, 0), EXIT_REASON_EXCEPTION_NMI);
	info = vmcs_read(VM_EXIT_INTR_INFO);
	GUEST_ASSERT_EQ(info & INTR_INFO_VECTOR_MASK, UD_VECTOR);
	GUEST_ASSERT_RULE(vmcs_read(GUEST_PDPTR(WINDOW_PDPTE)), new, old);
	l2_agent_skip_ud2();
	vmx_assert_exit(l2_agent_resume(&f.agent), EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(l2_read(&f.agent, WINDOW), MARK(1));
	finish(&f);
}

static void l1_pge_toggle_reloads(void)
{
	reload_by(L2_OP_TOGGLE_PGE, 0);
}

static void l1_pg_toggle_reloads(void)
{
	reload_by(L2_OP_TOGGLE_PG, SECONDARY_EXEC_UNRESTRICTED_GUEST);
}

/* 9. EPT with CR3-load exiting: L1 emulates L2's MOV to CR3 with PDPTEs of its choice. */
static void l1_cr3_exiting_emulated(void)
{
	struct fixture f;
	uint64_t qual;

	setup(&f, true, (struct l2_setup){ .proc = CPU_BASED_CR3_LOAD_EXITING });
	start(&f);
	vmx_assert_exit(l2_agent_submit(&f.agent, L2_OP_WRITE_CR3, f.pt[1].root, 0),
			EXIT_REASON_CR_ACCESS);
	qual = vmcs_read(EXIT_QUALIFICATION);
	GUEST_ASSERT_EQ(CR_QUAL_CR(qual), 3);
	GUEST_ASSERT_EQ(CR_QUAL_TYPE(qual), CR_QUAL_TYPE_MOV_TO_CR);
	GUEST_ASSERT_EQ(CR_QUAL_GPR(qual), 0);		/* the agent uses RAX */
	GUEST_ASSERT_EQ(f.v->regs.rax, f.pt[1].root);
	vmcs_write(GUEST_CR3, f.v->regs.rax);
	write_pdptes_of(&f, 2);
	vmx_skip_instruction();
	vmx_assert_exit(l2_agent_resume(&f.agent), EXIT_REASON_VMCALL);
	GUEST_ASSERT_RULE(l2_read(&f.agent, WINDOW), MARK(2), MARK(1));
	GUEST_ASSERT_EQ(l2_read_cr3(&f.agent), f.pt[1].root);
	finish(&f);
}

/*
 * 10. EPT: the state of scenario 1 (vmcs12 PDPTEs differ from memory) is
 * saved while L2 runs and restored into a new VM.  With KVM_SET_SREGS2 the
 * PDPTRs travel in sregs2; with KVM_SET_SREGS there are none, but with EPT
 * in vmcs12 L2's PDPTEs are vmcs12 fields, part of the nested state
 * (api.rst, KVM_GET_NESTED_STATE), so L2 must keep them either way.
 */
static void l1_save_restore(void)
{
	struct fixture f;

	setup(&f, true, (struct l2_setup){ 0 });
	write_pdptes_of(&f, 1);
	start(&f);
	GUEST_ASSERT_EQ(l2_read(&f.agent, WINDOW), MARK(1));
	l2_sync_host(&f.agent, STAGE_SAVE);
	GUEST_ASSERT_RULE(l2_read(&f.agent, WINDOW), MARK(1), MARK(0));
	assert_pdptes_of(&f, 1, 0);
	finish(&f);
}

static void test_row(const struct scenario *s)
{
	const struct row *r = s->arg;
	const char *problem = vmx_needs_problem(r->needs);
	struct kvm_vcpu *vcpu;
	struct ucall uc;

	__TEST_REQUIRE(!problem, "%s", problem);
	vcpu = l1_vm_create(r->l1, 0);
	while (vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC) {
		TEST_ASSERT_EQ(uc.args[1], STAGE_SAVE);
		TEST_ASSERT(vcpu_in_guest_mode(vcpu), "L2's sync left the vCPU out of guest mode");
		vcpu = vm_migrate(vcpu, r->restore);
	}
	kvm_vm_free(vcpu->vm);
}

#define ROW(fn, n)		(&(const struct row){ fn, n })
#define SAVE_ROW(how)		(&(const struct row){ l1_save_restore, \
				 NEED_EPT | NEED_NESTED_STATE, how })

static const struct scenario scenarios[] = {
	{ "vmcs_pdptes_used", "EPT: VM entry loads the PDPTEs from vmcs12, not memory",
	  test_row, ROW(l1_vmcs_pdptes_used, NEED_EPT) },
	{ "exit_saves_pdptes", "EPT: after L2's MOV to CR3 the exit saves CR3 and the new PDPTEs",
	  test_row, ROW(l1_exit_saves_pdptes, NEED_EPT) },
	{ "vmwrite_pdptes_only", "EPT: a VMWRITE of only GUEST_PDPTR0-3 takes effect at VMRESUME",
	  test_row, ROW(l1_vmwrite_pdptes_only, NEED_EPT | NEED_TIMER) },
	{ "vmwrite_pdptes_and_cr3", "EPT: VMWRITEs of GUEST_PDPTR0-3 and GUEST_CR3 take effect",
	  test_row, ROW(l1_vmwrite_pdptes_and_cr3, NEED_EPT | NEED_TIMER) },
	{ "vmwrite_one_pdpte", "EPT: a VMWRITE of GUEST_PDPTR3 alone takes effect at VMRESUME",
	  test_row, ROW(l1_vmwrite_one_pdpte, NEED_EPT | NEED_TIMER) },
	{ "two_vmcs12", "EPT: two vmcs12s with different PDPTEs alternate, each keeps its own",
	  test_row, ROW(l1_two_vmcs12, NEED_EPT) },
	{ "noept_pdptes_from_memory", "no EPT: PDPTEs come from memory on every entry",
	  test_row, ROW(l1_noept_pdptes_from_memory, 0) },
	{ "invalid_pdpte_memory", "no EPT: a reserved bit in a PDPTE in memory fails VM entry",
	  test_row, ROW(l1_invalid_pdpte_memory, 0) },
	{ "invalid_pdpte_vmcs", "EPT: a reserved bit in GUEST_PDPTR3 fails VM entry",
	  test_row, ROW(l1_invalid_pdpte_vmcs, NEED_EPT) },
	{ "long_mode_ignores_pdptes", "EPT: long mode ignores the fields; PAE mode uses them",
	  test_row, ROW(l1_long_mode_ignores_pdptes, NEED_EPT) },
	{ "pge_toggle_reloads", "EPT: CR4.PGE toggle reloads PDPTEs; a #UD exit saves them",
	  test_row, ROW(l1_pge_toggle_reloads, NEED_EPT) },
	{ "pg_toggle_reloads", "EPT: CR0.PG off/on reloads PDPTEs; a #UD exit saves them",
	  test_row, ROW(l1_pg_toggle_reloads, NEED_EPT | NEED_UG) },
	{ "cr3_exiting_emulated", "EPT: L1 emulates MOV to CR3 with PDPTEs of its choice",
	  test_row, ROW(l1_cr3_exiting_emulated, NEED_EPT) },
	{ "save_restore_sregs2", "EPT: L2 keeps vmcs12 PDPTEs across restore with SREGS2",
	  test_row, SAVE_ROW(RESTORE_SREGS2) },
	{ "save_restore_sregs", "EPT: L2 keeps vmcs12 PDPTEs across restore with SREGS",
	  test_row, SAVE_ROW(RESTORE_SREGS) },
};

SCENARIO_MAIN(vmx_requirements, scenarios)
