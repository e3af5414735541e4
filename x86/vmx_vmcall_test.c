// SPDX-License-Identifier: GPL-2.0-only
/* vmx_vmcall_test: the smallest nested test, shown in README.md ("Writing a test"). */
#include "kvm_util.h"
#include "scenario.h"
#include "ucall.h"
#include "x86/vmx.h"
#include "x86/vmx_host.h"

static void l2_code(void)
{
	asm volatile("vmcall");
}

static void l1_code(void)
{
	struct vmx_vcpu *vmx = vmx_enable();
	struct vmcs12 *v = vmx_vmcs_create(vmx, &(struct l2_setup){
		.mode = L2_LONG_MODE, .entry = l2_code });

	/* SDM Vol. 3C 26.1.2: VMCALL in VMX non-root operation exits unconditionally. */
	vmx_assert_exit_rule(vmx_run(vmx, v), EXIT_REASON_VMCALL, EXIT_REASON_HLT);
	vmx_disable(vmx);
	GUEST_DONE();
}

static void test_vmcall(const struct scenario *s)
{
	vcpu_run_expect_done(vm_add_vcpu(vm_create(), l1_code));
}

static const struct scenario scenarios[] = {
	{ "vmcall_exits", "VMCALL in L2 exits to L1", test_vmcall },
};

TEST_MAIN("vmx_vmcall_test", vmx_requirement_problem, scenarios)
