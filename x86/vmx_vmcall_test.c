// SPDX-License-Identifier: GPL-2.0-only
/* vmx_vmcall_test: the smallest nested test, shown in README.md ("Writing a test"). */
#include "kvm_util.h"
#include "processor.h"
#include "vmx.h"
#include "scenario_harness.h"
#include "x86/vmx_requirements.h"
#include "upstream_compat.h"

static void l2_guest_code(void)
{
	vmcall();
}

static void l1_guest_code(struct vmx_pages *vmx_pages)
{
	GUEST_ASSERT(prepare_for_vmx_operation(vmx_pages));
	GUEST_ASSERT(load_vmcs(vmx_pages));
	prepare_vmcs(vmx_pages, l2_guest_code);
	GUEST_ASSERT(!vmlaunch());

	/* SDM Vol. 3C 26.1.2: VMCALL in VMX non-root operation exits unconditionally. */
	GUEST_ASSERT_RULE(vmreadz(VM_EXIT_REASON), EXIT_REASON_VMCALL, EXIT_REASON_HLT);
	GUEST_DONE();
}

static void vmcall_exits(const struct scenario *s)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	gva_t vmx_gva;

	vm = vm_create_with_one_vcpu(&vcpu, l1_guest_code);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	sync_global_to_guest(vm, guest_inverted);

	vcpu_run(vcpu);
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
	case UCALL_DONE:
		break;
	default:
		TEST_FAIL("Unexpected ucall %lu", uc.cmd);
	}
	kvm_vm_free(vm);
}

static const struct scenario scenarios[] = {
	{ "vmcall_exits", "VMCALL in L2 exits to L1", vmcall_exits },
};

SCENARIO_MAIN(vmx_requirements, scenarios)
