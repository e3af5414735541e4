// SPDX-License-Identifier: GPL-2.0-only
/* Host side: does this KVM offer nested VMX to its guests? */
#include "kvm_util.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

/* False when KVM does not list @msr among the feature MSRs (KVM_GET_MSR_FEATURE_INDEX_LIST). */
static bool host_feature_msr(uint32_t msr, uint64_t *val)
{
	const struct kvm_msr_list *list = kvm_get_feature_msr_index_list();

	for (uint32_t i = 0; i < list->nmsrs; i++) {
		if (list->indices[i] == msr) {
			*val = kvm_get_feature_msr(msr);
			return true;
		}
	}
	return false;
}

bool host_vmx_caps(struct vmx_caps *caps)
{
	return vmx_caps_read(caps, host_feature_msr);
}

const char *vmx_requirement_problem(void)
{
	struct vmx_caps caps;

	if (!kvm_cpu_has(X86_FEATURE_VMX))
		return "KVM offers no VMX to guests (needs an Intel host with kvm_intel nested=1)";
	if (!kvm_has_cap(KVM_CAP_GET_MSR_FEATURES) || !host_vmx_caps(&caps))
		return "KVM does not report the VMX capability MSRs (KVM_GET_MSR_FEATURE_INDEX_LIST)";
	return NULL;
}

void vmx_requirements(void)
{
	const char *problem = vmx_requirement_problem();

	__TEST_REQUIRE(!problem, "%s", problem);
}

const char *vmx_needs_problem(unsigned int needs)
{
	struct vmx_caps caps;

	if (!host_vmx_caps(&caps))
		return "KVM does not report the VMX capability MSRs";
	if ((needs & NEED_EPT) && !vmx_has_proc2(&caps, SECONDARY_EXEC_ENABLE_EPT))
		return "KVM offers no EPT to L1 (L0 runs with kvm_intel ept=0)";
	if ((needs & NEED_VPID) && !vmx_has_proc2(&caps, SECONDARY_EXEC_ENABLE_VPID))
		return "KVM offers no VPID to L1 (L0 runs with kvm_intel vpid=0)";
	if ((needs & NEED_UG) && !vmx_has_proc2(&caps, SECONDARY_EXEC_UNRESTRICTED_GUEST))
		return "KVM offers no unrestricted guest to L1";
	if ((needs & NEED_TIMER) &&
	    !vmx_ctl_allowed1(&caps, VMX_CTL_PIN, PIN_BASED_VMX_PREEMPTION_TIMER))
		return "KVM offers no VMX-preemption timer to L1";
	if ((needs & NEED_NESTED_STATE) && !kvm_has_cap(KVM_CAP_NESTED_STATE))
		return "KVM lacks KVM_CAP_NESTED_STATE";
	return NULL;
}
