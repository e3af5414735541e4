// SPDX-License-Identifier: GPL-2.0-only
/*
 * L1 enables SVM (AMD APM Vol. 2 15.4 "Enabling SVM", 15.30.4 VM_HSAVE_PA)
 * and allocates what its vmcb12s share.
 */
#include "x86/l1_memory.h"
#include "x86/svm_l2.h"

static uint32_t nr_asids(void)
{
	uint32_t eax, ebx, ecx, edx;

	cpuid(SVM_CPUID_NR_ASIDS, &eax, &ebx, &ecx, &edx);
	return ebx;
}

struct l1_svm *svm_enable(void)
{
	struct l1_svm *svm;

	/* KVM offers SVM to L1 only with kvm_amd nested=1 (CPUID Fn8000_0001 ECX[2]). */
	if (!this_cpu_has(X86_FEATURE_SVM))
		GUEST_SKIP("the vCPU has no SVM (CPUID Fn8000_0001 ECX[2]; kvm_amd nested=0?)");
	/* 15.30.1: EFER.SVME cannot be set while VM_CR.SVMDIS is. */
	if (rdmsr(MSR_VM_CR) & SVM_VM_CR_SVM_DIS_MASK)
		GUEST_SKIP("SVM is disabled (VM_CR.SVMDIS)");

	svm = guest_alloc_pages(1);
	svm->hsave_pa = guest_alloc_page();
	svm->host_save_pa = guest_alloc_page();
	svm->msrpm_pa = (uintptr_t)guest_alloc_pages(SVM_MSRPM_SIZE / PAGE_SIZE);
	svm->iopm_pa = (uintptr_t)guest_alloc_pages(SVM_IOPM_SIZE / PAGE_SIZE);
	svm->npt = this_cpu_has(X86_FEATURE_NPT);
	svm->nrips = this_cpu_has(X86_FEATURE_NRIPS);
	svm->flush_by_asid = this_cpu_has(X86_FEATURE_FLUSHBYASID);
	svm->nr_asids = nr_asids();

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, svm->hsave_pa);
	return svm;
}

void svm_disable(struct l1_svm *svm)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_SVME);
}

void svm_require_npt(const struct l1_svm *svm)
{
	if (!svm->npt)
		GUEST_SKIP("the vCPU has no nested paging (CPUID Fn8000_000A EDX[0]; "
			   "kvm_amd npt=0?)");
}
