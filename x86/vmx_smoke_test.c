// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx_smoke_test: L1 enters VMX operation, launches a 64-bit L2 that exits
 * with VMCALL, resumes it many times, and leaves VMX operation.
 */
#include "kvm_util.h"
#include "scenario.h"
#include "ucall.h"
#include "x86/exception.h"
#include "x86/vmx.h"
#include "x86/vmx_host.h"

#define NR_VMCALLS	500

static bool inverted;

/* L2: VMCALL with a counter in RAX and its double in RBX, NR_VMCALLS times. */
static void l2_vmcall_loop(void)
{
	for (uint64_t i = 1; i <= NR_VMCALLS; i++)
		asm volatile("vmcall" : : "a"(i), "b"(2 * i) : "memory");
	asm volatile("vmcall" : : "a"(0ull) : "memory");
}

static void l1_vmxon_vmxoff(void)
{
	struct vmx_vcpu *vmx = vmx_enable();
	uint8_t vector;

	vmx_disable(vmx);
	/* SDM Vol. 3C 31.3, VMXON: #UD if CR4.VMXE = 0. */
	vector = guest_asm_safe("vmxon %[pa]", : : [pa] "m"(vmx->vmxon_pa) : "memory");
	GUEST_ASSERT_EQ(vector, inverted ? NO_EXCEPTION : UD_VECTOR);
	vmx_disable(vmx_enable());
	GUEST_DONE();
}

static void l1_launch_resume(void)
{
	struct vmx_vcpu *vmx = vmx_enable();
	struct vmcs12 *v = vmx_vmcs_create(vmx, &(struct l2_setup){
		.mode = L2_LONG_MODE, .entry = l2_vmcall_loop });

	for (uint64_t i = 1; i <= NR_VMCALLS; i++) {
		vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
		/* L2's GPRs survive the round trip through L1 (SDM Vol. 3C 28.5: not saved). */
		GUEST_ASSERT_EQ(v->regs.rax, inverted ? i + 1 : i);
		GUEST_ASSERT_EQ(v->regs.rbx, 2 * i);
		vmx_skip_instruction();
	}
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(v->regs.rax, 0);
	vmx_disable(vmx);
	GUEST_DONE();
}

static void run_l1(void *l1_code)
{
	struct kvm_vcpu *vcpu = vm_add_vcpu(vm_create(), l1_code);

	inverted = scenario_inverted();
	sync_global_to_guest(vcpu->vm, inverted);
	vcpu_run_expect_done(vcpu);
}

static void test_vmxon_vmxoff(const struct scenario *s)
{
	run_l1(l1_vmxon_vmxoff);
}

static void test_launch_resume(const struct scenario *s)
{
	run_l1(l1_launch_resume);
}

static const struct scenario scenarios[] = {
	{ "vmxon_vmxoff", "L1 enters and leaves VMX operation, and can enter it again",
	  test_vmxon_vmxoff },
	{ "launch_resume", "a 64-bit L2 exits with VMCALL and is resumed 500 times",
	  test_launch_resume },
};

int main(int argc, char **argv)
{
	static const struct test_suite suite = {
		.name = "vmx_smoke_test",
		.requirements = vmx_requirement_problem,
		.scenarios = scenarios,
		.nr_scenarios = ARRAY_SIZE(scenarios),
	};

	return test_main(&suite, argc, argv);
}
