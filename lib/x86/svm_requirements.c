// SPDX-License-Identifier: GPL-2.0-only
/* Host side: does this KVM offer nested SVM to its guests? */
#include "kvm_util.h"
#include "processor.h"
#include "x86/svm_requirements.h"

/*
 * KVM lists SVM in KVM_GET_SUPPORTED_CPUID only on an AMD (or Hygon) host
 * with kvm_amd nested=1, and NPT only with npt=1 as well.
 */
const char *svm_requirement_problem(void)
{
	if (!kvm_cpu_has(X86_FEATURE_SVM))
		return "KVM offers no SVM to guests (needs an AMD host with kvm_amd nested=1)";
	return NULL;
}

void svm_requirements(void)
{
	const char *problem = svm_requirement_problem();

	__TEST_REQUIRE(!problem, "%s", problem);
}

const char *svm_needs_problem(unsigned int needs)
{
	if ((needs & SVM_NEED_NPT) && !kvm_cpu_has(X86_FEATURE_NPT))
		return "KVM offers no nested paging to L1 (L0 runs with kvm_amd npt=0)";
	if ((needs & SVM_NEED_NESTED_STATE) && !kvm_has_cap(KVM_CAP_NESTED_STATE))
		return "KVM lacks KVM_CAP_NESTED_STATE";
	return NULL;
}
