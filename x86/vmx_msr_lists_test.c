// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx_msr_lists_test: the VM-entry MSR-load, VM-exit MSR-store and VM-exit
 * MSR-load lists of L1's VMCS (Intel SDM Vol. 3C 25.7.2 "VM-Exit Controls
 * for MSRs", 25.8.2 "VM-Entry Controls for MSRs"), which KVM emulates with
 * its own MSR accesses on every nested VM entry and VM exit.
 *
 * L2 shares L1's page tables and memory, and its RDMSR and WRMSR never
 * exit to L1 (L1's MSR bitmap is all zero): it reads and writes the MSRs
 * the lists name and reports with VMCALL.  The MSRs used are ones neither
 * L1 nor L2 depends on (IA32_KERNEL_GS_BASE, IA32_LSTAR, IA32_STAR,
 * IA32_SYSENTER_ESP).  The scenarios check:
 * - values loaded at VM entry, stored at VM exit and loaded at VM exit;
 * - counts of 0 (any address is accepted) and the recommended maximum
 *   512 * (IA32_VMX_MISC[27:25] + 1), and the address checks: 16-byte
 *   alignment and the last byte within the physical-address width;
 * - a bad entry in the VM-entry list: the VM entry fails with exit reason
 *   34 and the entry's index as exit qualification, then loads the VM-exit
 *   MSR-load list and stores nothing;
 * - a bad entry in a VM-exit list: a VMX abort, which shuts the logical
 *   processor down; KVM reports it to the host as KVM_EXIT_SHUTDOWN.
 */
#include "kvm_util.h"
#include "processor.h"
#include "apic.h"
#include "scenario_harness.h"
#include "x86/l1_memory.h"
#include "x86/l1_vm.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

/* Canonical values that no code of L1 or L2 uses. */
#define VAL(i)			(0x00001234abcd0000ull + ((uint64_t)(i) << 4))
#define L1_VAL(i)		(0x00005678ef000000ull + ((uint64_t)(i) << 4))
#define NONCANONICAL		0x8000000000000000ull
#define X2APIC_MSR_TPR		0x808
#define MAX_PROBES		4

/* The three lists (SDM Vol. 3C 25.7.2, 25.8.2). */
enum msr_list { ENTRY_LOAD, EXIT_STORE, EXIT_LOAD, NR_LISTS };

static const struct {
	uint32_t addr, count;
} list_fields[NR_LISTS] = {
	[ENTRY_LOAD] = { VM_ENTRY_MSR_LOAD_ADDR, VM_ENTRY_MSR_LOAD_COUNT },
	[EXIT_STORE] = { VM_EXIT_MSR_STORE_ADDR, VM_EXIT_MSR_STORE_COUNT },
	[EXIT_LOAD] = { VM_EXIT_MSR_LOAD_ADDR, VM_EXIT_MSR_LOAD_COUNT },
};

/* The MSRs of the value scenarios. */
static const uint32_t probe_msrs[MAX_PROBES] = {
	MSR_KERNEL_GS_BASE, MSR_LSTAR, MSR_STAR, MSR_IA32_SYSENTER_ESP,
};

/*
 * What L2 does: read (or write) probe_msrs[] into (from) vals[], then
 * VMCALL.  Shared with L1 through the same memory.
 */
struct l2_job {
	bool write;
	uint64_t vals[MAX_PROBES];
};

static volatile struct l2_job job;

/* A row's parameters, copied into the guest. */
struct row {
	enum msr_list list;
	uint32_t bad_msr;	/* the bad entry: its MSR index... */
	uint32_t bad_reserved;	/* ...its bits 63:32... */
	uint64_t bad_value;	/* ...and the value it loads */
	uint32_t bad_index;	/* 1-based position of the bad entry */
	bool x2apic;		/* L1 puts its local APIC in x2APIC mode first */
	bool abort_indicator;	/* VMX aborts: the rule is the indicator, not the shutdown */
};

static struct row cfg;
/* The VMCS region whose VM exit aborts, for the host to read after the shutdown. */
static uint64_t abort_vmcs_pa;

static void l2_msrs(void)
{
	for (int i = 0; i < MAX_PROBES; i++) {
		if (job.write)
			wrmsr(probe_msrs[i], job.vals[i]);
		else
			job.vals[i] = rdmsr(probe_msrs[i]);
	}
	for (;;)
		asm volatile("vmcall" ::: "memory");
}

/* ---- L1 ---- */

static struct l2_vmcs *create_l2(struct l1_vmx *vmx)
{
	return l2_vmcs_create(vmx, &(struct l2_setup){ .mode = L2_LONG_MODE, .entry = l2_msrs });
}

/* A list of @n entries in fresh pool pages (16-byte aligned: page aligned). */
static struct vmx_msr_entry *alloc_list(uint32_t n)
{
	return guest_alloc_pages((n * sizeof(struct vmx_msr_entry) + PAGE_SIZE - 1) / PAGE_SIZE);
}

static void set_list(enum msr_list l, uint64_t addr, uint32_t count)
{
	vmcs_write(list_fields[l].addr, addr);
	vmcs_write(list_fields[l].count, count);
}

/* @n entries for probe_msrs[0..n) with values @val(i), at @e. */
static void fill_probes(struct vmx_msr_entry *e, uint32_t n, uint64_t (*val)(int))
{
	for (uint32_t i = 0; i < n; i++)
		e[i] = (struct vmx_msr_entry){ .index = probe_msrs[i], .value = val(i) };
}

static uint64_t val_l2(int i)
{
	return VAL(i);
}

static uint64_t val_l1(int i)
{
	return L1_VAL(i);
}

static uint64_t val_zero(int i)
{
	return 0;
}

static void set_l1_probes(void)
{
	for (int i = 0; i < MAX_PROBES; i++)
		wrmsr(probe_msrs[i], L1_VAL(i));
}

/* The VM-instruction error of a VMfailValid, or 0 after a VM exit. */
static uint32_t entry_error(struct l1_vmx *vmx, struct l2_vmcs *v)
{
	uint32_t reason;
	int r = vmx_run_once(vmx, v, &reason);

	__GUEST_ASSERT(r != VMX_FAIL_INVALID, "VM entry: VMfailInvalid");
	return r ? vmx_instruction_error() : 0;
}

/*
 * SDM Vol. 3C 27.4 "Loading MSRs" (VM entries): each entry of the VM-entry
 * MSR-load area is processed in order, as WRMSR would write it; L2 runs
 * with the values.
 */
static void l1_entry_load_values(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);
	struct vmx_msr_entry *e = alloc_list(MAX_PROBES);

	set_l1_probes();
	fill_probes(e, MAX_PROBES, val_l2);
	set_list(ENTRY_LOAD, (uintptr_t)e, MAX_PROBES);
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_RULE(job.vals[0], VAL(0), L1_VAL(0));
	for (int i = 1; i < MAX_PROBES; i++)
		GUEST_ASSERT_EQ(job.vals[i], VAL(i));
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 27.3.2.1 "Loading Guest Control Registers, Debug Registers,
 * and MSRs": IA32_SYSENTER_ESP is loaded from the guest-state field, and
 * "subsequently overwritten if it appears in the VM-entry MSR-load area"
 * (27.4 loads MSRs after guest state).
 */
static void l1_entry_load_after_guest_state(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);
	struct vmx_msr_entry *e = alloc_list(1);

	*e = (struct vmx_msr_entry){ .index = MSR_IA32_SYSENTER_ESP, .value = VAL(1) };
	vmcs_write(GUEST_SYSENTER_ESP, VAL(2));
	set_list(ENTRY_LOAD, (uintptr_t)e, 1);
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_RULE(job.vals[3], VAL(1), VAL(2));
	/* A VM exit saves the MSR into the field (SDM Vol. 3C 28.3.1). */
	GUEST_ASSERT_EQ(vmcs_read(GUEST_SYSENTER_ESP), VAL(1));
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 28.4 "Saving MSRs": a VM exit stores into bits 127:64 of
 * each entry of the VM-exit MSR-store area the MSR its bits 31:0 name, as
 * RDMSR would read it: here the values L2 wrote.
 */
static void l1_exit_store_values(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);
	struct vmx_msr_entry *e = alloc_list(MAX_PROBES);

	fill_probes(e, MAX_PROBES, val_zero);
	set_list(EXIT_STORE, (uintptr_t)e, MAX_PROBES);
	job.write = true;
	for (int i = 0; i < MAX_PROBES; i++)
		job.vals[i] = VAL(i);
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_RULE(e[0].value, VAL(0), 0);
	for (int i = 1; i < MAX_PROBES; i++)
		GUEST_ASSERT_EQ(e[i].value, VAL(i));
	/* The store leaves the entries' other bits alone. */
	GUEST_ASSERT_EQ(e[1].index, probe_msrs[1]);
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 28.6 "Loading MSRs" (VM exits): after loading host state, a
 * VM exit loads each entry of the VM-exit MSR-load area; L1 continues with
 * those values, not with the ones L2 wrote.
 */
static void l1_exit_load_values(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);
	struct vmx_msr_entry *e = alloc_list(MAX_PROBES);

	fill_probes(e, MAX_PROBES, val_l1);
	set_list(EXIT_LOAD, (uintptr_t)e, MAX_PROBES);
	job.write = true;
	for (int i = 0; i < MAX_PROBES; i++)
		job.vals[i] = VAL(i);
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_RULE(rdmsr(probe_msrs[0]), L1_VAL(0), VAL(0));
	for (int i = 1; i < MAX_PROBES; i++)
		GUEST_ASSERT_EQ(rdmsr(probe_msrs[i]), L1_VAL(i));
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 27.2.1.2 "VM-Exit Control Fields" and 27.2.1.3 "VM-Entry
 * Control Fields": the address checks on the MSR areas apply only when
 * their count is not 0.  Every address here would fail them.
 */
static void l1_counts_zero(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);

	for (int l = 0; l < NR_LISTS; l++)
		set_list(l, ~0ull - 7, 0);
	GUEST_ASSERT_RULE(entry_error(vmx, v), 0, VMXERR_ENTRY_INVALID_CONTROL_FIELD);
	vmx_assert_exit(vmcs_read(VM_EXIT_REASON), EXIT_REASON_VMCALL);
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 27.2.1.2 / 27.2.1.3: with a non-zero count, bits 3:0 of the
 * area's address must be 0; else VMLAUNCH fails with VMfailValid and
 * VM-instruction error 7 (31.4 "VM Instruction Error Numbers").
 */
static void l1_unaligned(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);
	struct vmx_msr_entry *e = alloc_list(2);

	fill_probes(e, 2, val_zero);
	set_list(cfg.list, (uintptr_t)e + 8, 1);
	GUEST_ASSERT_RULE(entry_error(vmx, v), VMXERR_ENTRY_INVALID_CONTROL_FIELD, 0);
	GUEST_DONE();
}

static uint64_t maxphyaddr(void)
{
	return this_cpu_property(X86_PROPERTY_MAX_PHY_ADDR);
}

/*
 * SDM Vol. 3C 27.2.1.3: the address of the last byte of the VM-entry
 * MSR-load area must not set bits beyond the physical-address width.  A
 * one-entry area ending at the last byte of that width passes the check
 * (what VM entry then reads there is no concern of this rule).
 */
static void l1_last_byte_in_width(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);
	uint64_t top = 1ull << maxphyaddr();

	set_list(ENTRY_LOAD, top - sizeof(struct vmx_msr_entry), 1);
	GUEST_ASSERT_RULE(entry_error(vmx, v), 0, VMXERR_ENTRY_INVALID_CONTROL_FIELD);
	GUEST_DONE();
}

/* ... and a second entry puts the last byte beyond it: VMfailValid, error 7. */
static void l1_beyond_width(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);
	uint64_t top = 1ull << maxphyaddr();

	set_list(cfg.list, top - sizeof(struct vmx_msr_entry), 2);
	GUEST_ASSERT_RULE(entry_error(vmx, v), VMXERR_ENTRY_INVALID_CONTROL_FIELD, 0);
	GUEST_DONE();
}

/*
 * SDM Vol. 3C A.6 "Miscellaneous Data": up to 512 * (IA32_VMX_MISC[27:25]
 * + 1) entries per list is within the recommended maximum, so a list that
 * long is processed in full, in order (27.4, 28.4, 28.6).  Every entry
 * names IA32_KERNEL_GS_BASE: the last one loaded wins; every one is stored.
 */
static void l1_max_count(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);
	uint32_t n = VMX_MISC_MSR_LIST_MAX(vmx->caps->misc);
	struct vmx_msr_entry *e = alloc_list(n);
	uint32_t stored = 0;

	for (uint32_t i = 0; i < n; i++)
		e[i] = (struct vmx_msr_entry){
			.index = MSR_KERNEL_GS_BASE,
			.value = cfg.list == EXIT_LOAD ? L1_VAL(i) : VAL(i),
		};
	set_list(cfg.list, (uintptr_t)e, n);
	set_l1_probes();
	job.write = cfg.list != ENTRY_LOAD;
	job.vals[0] = VAL(n);
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	switch (cfg.list) {
	case ENTRY_LOAD:
		GUEST_ASSERT_RULE(job.vals[0], VAL(n - 1), L1_VAL(0));
		break;
	case EXIT_STORE:
		for (uint32_t i = 0; i < n; i++)
			stored += e[i].value == VAL(n);
		GUEST_ASSERT_RULE(stored, n, 0);
		break;
	default:
		GUEST_ASSERT_RULE(rdmsr(MSR_KERNEL_GS_BASE), L1_VAL(n - 1), VAL(n));
	}
	GUEST_DONE();
}

/* Entries 1..bad_index-1 are good, bad_index is the row's bad entry. */
static struct vmx_msr_entry *list_with_bad_entry(void)
{
	struct vmx_msr_entry *e = alloc_list(cfg.bad_index);

	fill_probes(e, cfg.bad_index - 1, cfg.list == EXIT_LOAD ? val_l1 : val_l2);
	e[cfg.bad_index - 1] = (struct vmx_msr_entry){
		.index = cfg.bad_msr, .reserved = cfg.bad_reserved, .value = cfg.bad_value,
	};
	return e;
}

#define REASON_AND_QUAL(reason, qual)	((uint64_t)(reason) << 32 | (qual))

static void enable_x2apic(void)
{
	if (!this_cpu_has(X86_FEATURE_X2APIC))
		GUEST_SKIP("the vCPU has no x2APIC (CPUID.1:ECX[21])");
	x2apic_enable();
}

/*
 * SDM Vol. 3C 27.4 "Loading MSRs": processing of an entry fails for
 * IA32_FS_BASE or IA32_GS_BASE, an x2APIC MSR (bits 31:8 = 8H), bits 63:32
 * not 0, or a value WRMSR would refuse with #GP.  The VM entry then fails:
 * 27.8 "VM-Entry Failures During or After Loading Guest State": exit
 * reason 34 with bit 31 set, and the exit qualification is the index of
 * the entry (1 for the first).
 */
static void l1_entry_bad_entry(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);
	struct vmx_msr_entry *e;
	uint32_t reason = 0;

	if (cfg.x2apic)
		enable_x2apic();
	e = list_with_bad_entry();
	set_list(ENTRY_LOAD, (uintptr_t)e, cfg.bad_index);
	GUEST_ASSERT_EQ(vmx_run_once(vmx, v, &reason), 0);
	GUEST_ASSERT_RULE(REASON_AND_QUAL(reason, vmcs_read(EXIT_QUALIFICATION)),
			  REASON_AND_QUAL(EXIT_REASON_FAILED_VMENTRY | EXIT_REASON_MSR_LOAD_FAIL,
					  cfg.bad_index),
			  REASON_AND_QUAL(EXIT_REASON_VMCALL, 0));
	/* The VMCS stays clear: VMLAUNCH, not VMRESUME, enters it next. */
	e[cfg.bad_index - 1].index = probe_msrs[0];
	e[cfg.bad_index - 1].reserved = 0;
	e[cfg.bad_index - 1].value = VAL(0);
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 27.8: after a VM-entry failure due to MSR loading, "MSRs are
 * loaded as specified in the VM-exit MSR-load area" ...
 */
static void l1_entry_fail_loads_exit_list(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);
	struct vmx_msr_entry *exit_load = alloc_list(1);
	uint32_t reason = 0;

	set_list(ENTRY_LOAD, (uintptr_t)list_with_bad_entry(), cfg.bad_index);
	fill_probes(exit_load, 1, val_l1);
	set_list(EXIT_LOAD, (uintptr_t)exit_load, 1);
	wrmsr(probe_msrs[0], VAL(7));
	GUEST_ASSERT_EQ(vmx_run_once(vmx, v, &reason), 0);
	GUEST_ASSERT_EQ(reason, EXIT_REASON_FAILED_VMENTRY | EXIT_REASON_MSR_LOAD_FAIL);
	GUEST_ASSERT_RULE(rdmsr(probe_msrs[0]), L1_VAL(0), VAL(7));
	GUEST_DONE();
}

/* ... and "no MSRs are saved into the VM-exit MSR-store area". */
static void l1_entry_fail_skips_store(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);
	struct vmx_msr_entry *store = alloc_list(1);
	uint32_t reason = 0;

	set_list(ENTRY_LOAD, (uintptr_t)list_with_bad_entry(), cfg.bad_index);
	*store = (struct vmx_msr_entry){ .index = probe_msrs[0], .value = L1_VAL(3) };
	set_list(EXIT_STORE, (uintptr_t)store, 1);
	wrmsr(probe_msrs[0], VAL(3));
	GUEST_ASSERT_EQ(vmx_run_once(vmx, v, &reason), 0);
	GUEST_ASSERT_EQ(reason, EXIT_REASON_FAILED_VMENTRY | EXIT_REASON_MSR_LOAD_FAIL);
	GUEST_ASSERT_RULE(store->value, L1_VAL(3), VAL(3));
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 28.4 "Saving MSRs" and 28.6 "Loading MSRs": if processing of
 * an entry of the VM-exit MSR-store or MSR-load area fails, a VMX abort
 * occurs (28.7 "VMX Aborts"): the logical processor shuts down and L1 runs
 * no further.  KVM emulates the abort as a triple fault of L1
 * (nested_vmx_abort()), which the host sees as KVM_EXIT_SHUTDOWN.  L1
 * reports anything else it gets to run.
 */
static void l1_exit_bad_entry(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);

	abort_vmcs_pa = v->pa;
	set_list(cfg.list, (uintptr_t)list_with_bad_entry(), cfg.bad_index);
	vmx_run(vmx, v);
	GUEST_DONE();
}

/* ---- host ---- */

static struct kvm_vcpu *create_vm(const struct scenario *s, void (*l1)(void))
{
	struct kvm_vcpu *vcpu = l1_vm_create(l1, 0);

	cfg = s->arg ? *(const struct row *)s->arg : (struct row){ 0 };
	sync_global_to_guest(vcpu->vm, cfg);
	return vcpu;
}

static void test_entry_load_values(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_entry_load_values));
}

static void test_entry_load_after_guest_state(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_entry_load_after_guest_state));
}

static void test_exit_store_values(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_exit_store_values));
}

static void test_exit_load_values(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_exit_load_values));
}

static void test_counts_zero(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_counts_zero));
}

static void test_unaligned(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_unaligned));
}

static void test_last_byte_in_width(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_last_byte_in_width));
}

static void test_beyond_width(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_beyond_width));
}

static void test_max_count(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_max_count));
}

static void test_entry_bad_entry(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_entry_bad_entry));
}

static void test_entry_fail_loads_exit_list(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_entry_fail_loads_exit_list));
}

static void test_entry_fail_skips_store(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_entry_fail_skips_store));
}

/*
 * SDM Vol. 3C 28.7 "VMX Aborts": "a logical processor saves a nonzero
 * 32-bit VMX-abort indicator field at byte offset 4 in the VMCS region of
 * the VMCS whose misconfiguration caused the failure": 1 for a failure in
 * saving guest MSRs, 4 for one in loading host MSRs.
 */
static void assert_abort_indicator(struct kvm_vcpu *vcpu)
{
	uint32_t want = cfg.list == EXIT_STORE ? VMX_ABORT_SAVE_GUEST_MSR_FAIL :
						 VMX_ABORT_LOAD_HOST_MSR_FAIL;
	uint32_t revision = VMX_BASIC_REVISION(vcpu_get_msr(vcpu, MSR_IA32_VMX_BASIC));
	uint32_t *region, indicator;

	sync_global_from_guest(vcpu->vm, abort_vmcs_pa);
	TEST_ASSERT(abort_vmcs_pa, "L1 did not record its VMCS region");
	region = addr_gpa2hva(vcpu->vm, abort_vmcs_pa);
	/* Bits 30:0 of the region's first word are its revision identifier (25.2). */
	TEST_ASSERT_EQ(VMX_BASIC_REVISION(region[0]), revision);
	indicator = region[1];
	TEST_ASSERT_RULE(indicator, want, 0);
}

/* The VMX abort: L1 must stop with a shutdown, never reach its GUEST_DONE. */
static void test_exit_bad_entry(const struct scenario *s)
{
	struct kvm_vcpu *vcpu = create_vm(s, l1_exit_bad_entry);
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason != KVM_EXIT_IO)
			break;
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_ABORT:
		case UCALL_UNHANDLED:
			REPORT_GUEST_ASSERT(uc);
		case UCALL_NONE:
			TEST_FAIL("unexpected I/O exit to the host");
		}
		/* GUEST_PRINTF goes on; GUEST_DONE means L1 ran on after the VM exit. */
		if (l1_ucall_returns(&uc))
			break;
	}
	if (cfg.abort_indicator) {
		TEST_ASSERT_EQ(vcpu->run->exit_reason, KVM_EXIT_SHUTDOWN);
		assert_abort_indicator(vcpu);
	} else {
		TEST_ASSERT_RULE(vcpu->run->exit_reason, KVM_EXIT_SHUTDOWN, KVM_EXIT_IO);
	}
	kvm_vm_free(vcpu->vm);
}

static const struct row unaligned_entry_load = { .list = ENTRY_LOAD };
static const struct row unaligned_exit_store = { .list = EXIT_STORE };
static const struct row unaligned_exit_load = { .list = EXIT_LOAD };

static const struct row bad_fs_base = { .list = ENTRY_LOAD, .bad_msr = MSR_FS_BASE,
					.bad_index = 3 };
static const struct row bad_gs_base = { .list = ENTRY_LOAD, .bad_msr = MSR_GS_BASE,
					.bad_index = 1 };
static const struct row bad_reserved = { .list = ENTRY_LOAD, .bad_msr = MSR_KERNEL_GS_BASE,
					 .bad_reserved = 1, .bad_index = 2 };
static const struct row bad_x2apic = { .list = ENTRY_LOAD, .bad_msr = X2APIC_MSR_TPR,
				       .bad_index = 2, .x2apic = true };
static const struct row bad_value = { .list = ENTRY_LOAD, .bad_msr = MSR_LSTAR,
				      .bad_value = NONCANONICAL, .bad_index = 4 };

static const struct row abort_load_fs_base = { .list = EXIT_LOAD, .bad_msr = MSR_FS_BASE,
					       .bad_index = 2 };
static const struct row abort_load_reserved = { .list = EXIT_LOAD,
						.bad_msr = MSR_KERNEL_GS_BASE,
						.bad_reserved = 1, .bad_index = 1 };
static const struct row abort_store_reserved = { .list = EXIT_STORE,
						 .bad_msr = MSR_KERNEL_GS_BASE,
						 .bad_reserved = 1, .bad_index = 3 };
static const struct row indicator_load = { .list = EXIT_LOAD, .bad_msr = MSR_FS_BASE,
					   .bad_index = 2, .abort_indicator = true };
static const struct row indicator_store = { .list = EXIT_STORE, .bad_msr = MSR_KERNEL_GS_BASE,
					    .bad_reserved = 1, .bad_index = 3,
					    .abort_indicator = true };

static const struct scenario scenarios[] = {
	{ "entry_load_values", "VM entry loads the VM-entry MSR-load list; L2 reads the values",
	  test_entry_load_values },
	{ "entry_load_after_guest_state",
	  "an MSR in the VM-entry list overrides its guest-state field (SYSENTER_ESP)",
	  test_entry_load_after_guest_state },
	{ "exit_store_values", "VM exit stores the MSRs L2 wrote into the VM-exit MSR-store list",
	  test_exit_store_values },
	{ "exit_load_values", "VM exit loads the VM-exit MSR-load list's values for L1",
	  test_exit_load_values },
	{ "counts_zero_any_address", "lists of count 0 are not checked: any address enters L2",
	  test_counts_zero },
	{ "entry_load_unaligned", "VM-entry MSR-load address not 16-byte aligned: VMfailValid 7",
	  test_unaligned, &unaligned_entry_load },
	{ "exit_store_unaligned", "VM-exit MSR-store address not 16-byte aligned: VMfailValid 7",
	  test_unaligned, &unaligned_exit_store },
	{ "exit_load_unaligned", "VM-exit MSR-load address not 16-byte aligned: VMfailValid 7",
	  test_unaligned, &unaligned_exit_load },
	{ "entry_load_last_byte_in_width",
	  "a list ending at the last byte of the physical-address width passes the check",
	  test_last_byte_in_width },
	{ "entry_load_beyond_width", "a VM-entry list crossing MAXPHYADDR: VMfailValid 7",
	  test_beyond_width, &unaligned_entry_load },
	{ "exit_store_beyond_width", "a VM-exit MSR-store list crossing MAXPHYADDR: VMfailValid 7",
	  test_beyond_width, &unaligned_exit_store },
	{ "exit_load_beyond_width", "a VM-exit MSR-load list crossing MAXPHYADDR: VMfailValid 7",
	  test_beyond_width, &unaligned_exit_load },
	{ "entry_load_max_count", "a VM-entry list of the recommended maximum is loaded in full",
	  test_max_count, &unaligned_entry_load },
	{ "exit_store_max_count", "a VM-exit MSR-store list of the maximum is stored in full",
	  test_max_count, &unaligned_exit_store },
	{ "exit_load_max_count", "a VM-exit MSR-load list of the maximum is loaded in full",
	  test_max_count, &unaligned_exit_load },
	{ "entry_bad_fs_base", "IA32_FS_BASE as entry 3: VM entry fails, reason 34, qual 3",
	  test_entry_bad_entry, &bad_fs_base },
	{ "entry_bad_gs_base", "IA32_GS_BASE as entry 1: VM entry fails, reason 34, qual 1",
	  test_entry_bad_entry, &bad_gs_base },
	{ "entry_bad_reserved", "entry 2 with bits 63:32 set: VM entry fails, reason 34, qual 2",
	  test_entry_bad_entry, &bad_reserved },
	{ "entry_bad_x2apic", "an x2APIC MSR as entry 2: VM entry fails, reason 34, qual 2",
	  test_entry_bad_entry, &bad_x2apic },
	{ "entry_bad_value", "a non-canonical IA32_LSTAR as entry 4: VM entry fails, qual 4",
	  test_entry_bad_entry, &bad_value },
	{ "entry_fail_loads_exit_list", "a VM entry failing on its MSR list loads the exit list",
	  test_entry_fail_loads_exit_list, &bad_fs_base },
	{ "entry_fail_skips_store", "a VM entry failing on its MSR list stores no MSRs",
	  test_entry_fail_skips_store, &bad_reserved },
	{ "abort_exit_load_fs_base", "IA32_FS_BASE in the VM-exit MSR-load list: VMX abort",
	  test_exit_bad_entry, &abort_load_fs_base },
	{ "abort_exit_load_reserved", "a VM-exit MSR-load entry with bits 63:32 set: VMX abort",
	  test_exit_bad_entry, &abort_load_reserved },
	{ "abort_exit_store_reserved", "a VM-exit MSR-store entry with bits 63:32 set: VMX abort",
	  test_exit_bad_entry, &abort_store_reserved },
	{ "abort_indicator_exit_load", "a VMX abort loading host MSRs saves abort indicator 4",
	  test_exit_bad_entry, &indicator_load },
	{ "abort_indicator_exit_store", "a VMX abort saving guest MSRs saves abort indicator 1",
	  test_exit_bad_entry, &indicator_store },
};

SCENARIO_MAIN(vmx_requirements, scenarios)
