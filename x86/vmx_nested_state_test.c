// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx_nested_state_test: L2's triple faults, and the host taking L1 out of
 * VMX operation.
 *
 * A triple fault in VMX non-root operation is a VM exit with basic reason 2
 * (Intel SDM Vol. 3C 26.2 "Other Causes of VM Exits"), however it arises:
 * L2's exception meets an IDT whose limit is 0 (the processor's own
 * double fault), or an IDT that is not mapped (with shadow paging in L0,
 * KVM itself sees each page fault and turns the third into the triple
 * fault), or the host makes a triple fault pending with KVM_SET_VCPU_EVENTS
 * while L2 runs (Documentation/virt/kvm/api.rst, KVM_SET_VCPU_EVENTS,
 * KVM_CAP_X86_TRIPLE_FAULT_EVENT).
 *
 * KVM_SET_NESTED_STATE with no VMXON region (vmx.vmxon_pa = -1ull, flags
 * 0: the state KVM_GET_NESTED_STATE reports for a vCPU outside VMX
 * operation, api.rst 4.114 / 4.115) takes the vCPU out of VMX operation,
 * from VMX root operation or with L2 running; so does the host's write of
 * 0 to IA32_FEATURE_CONTROL, what a VMM does at vCPU RESET (the MSR is
 * cleared only by a reset, SDM Vol. 3C 24.7 "Enabling and Entering VMX
 * Operation").  Afterwards L1's VMREAD raises #UD (SDM Vol. 3C 31.3 VMREAD:
 * #UD outside VMX operation) and KVM_GET_NESTED_STATE reports vmxon_pa
 * -1ull.
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_vm.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

/* A canonical address L1's page tables leave unmapped (the library maps low memory). */
#define UNMAPPED_VA		0x00007ffff0000000ull
#define STAGE_L1_ROOT		1
#define STAGE_L2		2

/* How the host takes L1 out of VMX operation, and which outcome is the row's rule. */
enum leave_how { LEAVE_NESTED_STATE, LEAVE_FEAT_CTL };

struct row {
	enum leave_how how;
	bool host_rule;	/* the rule: KVM_GET_NESTED_STATE's vmxon_pa, else L1's #UD */
};

static struct row cfg;

/* ---- L2 ---- */

/* Loads an IDT of limit 0 and raises #UD: #GP, then #DF, cannot be delivered either. */
static void l2_idt_limit_zero(void)
{
	struct desc_ptr idt = { .size = 0, .address = 0 };

	asm volatile("lidt %0; ud2" : : "m"(idt));
}

static void l2_ud2(void)
{
	asm volatile("ud2");
}

/* Stops for the host in L2, then exits to L1 with VMCALL. */
static void l2_sync(void)
{
	GUEST_SYNC(STAGE_L2);
	for (;;)
		asm volatile("vmcall");
}

/* ---- L1 ---- */

/* An L2 whose exceptions L1 does not intercept: L2's own IDT delivers them. */
static struct l2_vmcs *create_l2(struct l1_vmx *vmx, void *entry)
{
	struct l2_vmcs *v = l2_vmcs_create(vmx, &(struct l2_setup){ .mode = L2_LONG_MODE,
								   .entry = entry });

	vmcs_write(EXCEPTION_BITMAP, 0);
	return v;
}

/*
 * SDM Vol. 3C 26.2: "A VM exit occurs if the logical processor encounters
 * an exception while attempting to call the double-fault handler and that
 * exception itself does not cause a VM exit due to the exception bitmap."
 */
static void l1_triple_fault_idt_limit(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx, l2_idt_limit_zero);

	vmx_assert_exit_rule(vmx_run(vmx, v), EXIT_REASON_TRIPLE_FAULT,
			     EXIT_REASON_EXCEPTION_NMI);
	GUEST_DONE();
}

static void l1_triple_fault_idt_unmapped(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx, l2_ud2);

	vmcs_write(GUEST_IDTR_BASE, UNMAPPED_VA);
	vmcs_write(GUEST_IDTR_LIMIT, 0xfff);
	vmx_assert_exit_rule(vmx_run(vmx, v), EXIT_REASON_TRIPLE_FAULT,
			     EXIT_REASON_EXCEPTION_NMI);
	GUEST_DONE();
}

/* The host makes a triple fault pending while L2 runs: a VM exit, reason 2. */
static void l1_triple_fault_event(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx, l2_sync);

	vmx_assert_exit_rule(vmx_run(vmx, v), EXIT_REASON_TRIPLE_FAULT, EXIT_REASON_VMCALL);
	GUEST_DONE();
}

/* The vector VMREAD raises (0: none). */
static uint8_t vmread_vector(void)
{
	return kvm_asm_safe("vmread %[field], %%r11", [field] "r"((uint64_t)GUEST_RIP));
}

static void assert_vmread_ud(void)
{
	if (cfg.host_rule)
		GUEST_ASSERT_EQ(vmread_vector(), UD_VECTOR);
	else
		GUEST_ASSERT_RULE(vmread_vector(), UD_VECTOR, 0);
}

/* The host takes L1 out of VMX root operation, a current VMCS loaded. */
static void l1_leave_from_root(void)
{
	struct l1_vmx *vmx = vmx_enable();

	create_l2(vmx, l2_sync);
	GUEST_ASSERT_EQ(vmread_vector(), 0);
	GUEST_SYNC(STAGE_L1_ROOT);
	assert_vmread_ud();
	GUEST_DONE();
}

/*
 * The host takes L1 out of VMX operation while L2 runs: KVM emulates a VM
 * exit to L1's host state without recording it in the VMCS (there is no
 * VMCS any more), so L1 comes back from vmx_enter() at its exit landing.
 */
static void l1_leave_from_l2(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx, l2_sync);

	GUEST_ASSERT_EQ(vmx_enter(&v->regs, 0, &v->host_rsp), 0);
	assert_vmread_ud();
	GUEST_DONE();
}

/* ---- host ---- */

static void require(unsigned int needs)
{
	const char *problem = vmx_needs_problem(needs);

	__TEST_REQUIRE(!problem, "%s", problem);
}

static struct kvm_vcpu *create_vm(const struct scenario *s, void (*l1)(void))
{
	struct kvm_vcpu *vcpu = l1_vm_create(l1, 0);

	cfg = s->arg ? *(const struct row *)s->arg : (struct row){ 0 };
	sync_global_to_guest(vcpu->vm, cfg);
	return vcpu;
}

static void test_triple_fault_idt_limit(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_triple_fault_idt_limit));
}

static void test_triple_fault_idt_unmapped(const struct scenario *s)
{
	vcpu_run_to_done(create_vm(s, l1_triple_fault_idt_unmapped));
}

static void test_triple_fault_event(const struct scenario *s)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vcpu_events events;

	__TEST_REQUIRE(kvm_has_cap(KVM_CAP_X86_TRIPLE_FAULT_EVENT),
		       "KVM lacks KVM_CAP_X86_TRIPLE_FAULT_EVENT");
	vcpu = create_vm(s, l1_triple_fault_event);
	vm_enable_cap(vcpu->vm, KVM_CAP_X86_TRIPLE_FAULT_EVENT, 1);
	vcpu_run_to_sync(vcpu, STAGE_L2);
	TEST_ASSERT(vcpu_in_guest_mode(vcpu), "GUEST_SYNC from L2 outside guest mode");
	vcpu_events_get(vcpu, &events);
	events.flags |= KVM_VCPUEVENT_VALID_TRIPLE_FAULT;
	events.triple_fault.pending = 1;
	vcpu_events_set(vcpu, &events);
	vcpu_run_to_done(vcpu);
}

static uint64_t nested_vmxon_pa(struct kvm_vcpu *vcpu)
{
	union {
		struct kvm_nested_state state;
		char buf[16384];
	} n = { .state.size = sizeof(n) };

	vcpu_nested_state_get(vcpu, &n.state);
	TEST_ASSERT_EQ(n.state.format, KVM_STATE_NESTED_FORMAT_VMX);
	return n.state.hdr.vmx.vmxon_pa;
}

static void leave_vmx_operation(struct kvm_vcpu *vcpu)
{
	struct kvm_nested_state state = {
		.format = KVM_STATE_NESTED_FORMAT_VMX,
		.size = sizeof(state),
		.hdr.vmx.vmxon_pa = -1ull,
		.hdr.vmx.vmcs12_pa = -1ull,
	};
	uint64_t before = nested_vmxon_pa(vcpu), after;

	TEST_ASSERT(before != -1ull, "L1 is not in VMX operation");
	if (cfg.how == LEAVE_NESTED_STATE)
		vcpu_nested_state_set(vcpu, &state);
	else
		vcpu_set_msr(vcpu, MSR_IA32_FEAT_CTL, 0);
	after = nested_vmxon_pa(vcpu);
	if (cfg.host_rule)
		TEST_ASSERT_RULE(after, -1ull, before);
	else
		TEST_ASSERT_EQ(after, -1ull);
	TEST_ASSERT(!vcpu_in_guest_mode(vcpu), "still in guest mode");
}

static void test_leave_from_root(const struct scenario *s)
{
	struct kvm_vcpu *vcpu;

	require(NEED_NESTED_STATE);
	vcpu = create_vm(s, l1_leave_from_root);
	vcpu_run_to_sync(vcpu, STAGE_L1_ROOT);
	leave_vmx_operation(vcpu);
	vcpu_run_to_done(vcpu);
}

static void test_leave_from_l2(const struct scenario *s)
{
	struct kvm_vcpu *vcpu;

	require(NEED_NESTED_STATE);
	vcpu = create_vm(s, l1_leave_from_l2);
	vcpu_run_to_sync(vcpu, STAGE_L2);
	TEST_ASSERT(vcpu_in_guest_mode(vcpu), "GUEST_SYNC from L2 outside guest mode");
	leave_vmx_operation(vcpu);
	vcpu_run_to_done(vcpu);
}

static const struct row state_vmread = { LEAVE_NESTED_STATE, false };
static const struct row state_get = { LEAVE_NESTED_STATE, true };
static const struct row feat_ctl_vmread = { LEAVE_FEAT_CTL, false };
static const struct row feat_ctl_get = { LEAVE_FEAT_CTL, true };

static const struct scenario scenarios[] = {
	{ "triple_fault_idt_limit", "L2's #UD with a zero-limit IDT: VM exit, reason 2",
	  test_triple_fault_idt_limit },
	{ "triple_fault_idt_unmapped", "L2's #UD with an unmapped IDT: VM exit, reason 2",
	  test_triple_fault_idt_unmapped },
	{ "triple_fault_event", "a triple fault the host makes pending in L2: VM exit, reason 2",
	  test_triple_fault_event },
	{ "set_state_root_vmread_ud", "SET_NESTED_STATE without VMXON region: L1's VMREAD #UD",
	  test_leave_from_root, &state_vmread },
	{ "set_state_root_get", "after SET_NESTED_STATE without VMXON, GET reports vmxon_pa -1",
	  test_leave_from_root, &state_get },
	{ "set_state_l2_vmread_ud", "the same while L2 runs: L1 resumes, its VMREAD #UD",
	  test_leave_from_l2, &state_vmread },
	{ "set_state_l2_get", "the same while L2 runs: GET reports vmxon_pa -1, not guest mode",
	  test_leave_from_l2, &state_get },
	{ "feat_ctl_reset_l2_vmread_ud", "host writes IA32_FEATURE_CONTROL 0 in L2: VMREAD #UD",
	  test_leave_from_l2, &feat_ctl_vmread },
	{ "feat_ctl_reset_l2_get", "host writes IA32_FEATURE_CONTROL 0 in L2: vmxon_pa -1",
	  test_leave_from_l2, &feat_ctl_get },
};

SCENARIO_MAIN(vmx_requirements, scenarios)
