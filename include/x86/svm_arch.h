/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SVM names the KVM selftests library's svm.h lacks (AMD APM Vol. 2,
 * chapter 15, and Appendix B "Layout of VMCB"), in the kernel's
 * vocabulary, and the newest library's names on an older one.
 */
#ifndef SELFTEST_KVM_SVM_ARCH_H
#define SELFTEST_KVM_SVM_ARCH_H

#include <stdint.h>
#include <string.h>

#include "svm_util.h"

/*
 * The 7.x library calls the VMCB's "nested paging enable" quadword
 * misc_ctl and its bit 0 SVM_MISC_ENABLE_NP; older ones nested_ctl and
 * SVM_NESTED_CTL_NP_ENABLE.  Code here uses the newer names.
 */
#ifndef SVM_MISC_ENABLE_NP
#define SVM_MISC_ENABLE_NP	SVM_NESTED_CTL_NP_ENABLE
#define misc_ctl		nested_ctl
#endif

/*
 * VMCB clean bits (APM 15.15.3, Table 15-9): a set bit tells the processor
 * it may use its cached copy of that group of fields.  Kernel names
 * (arch/x86/kvm/svm/svm.h).
 */
enum {
	VMCB_INTERCEPTS,	/* intercept vectors, TSC offset, pause filter */
	VMCB_PERM_MAP,		/* IOPM_BASE_PA, MSRPM_BASE_PA */
	VMCB_ASID,
	VMCB_INTR,		/* V_TPR .. V_INTR_VECTOR */
	VMCB_NPT,		/* nested paging enable, N_CR3, G_PAT */
	VMCB_CR,		/* CR0, CR3, CR4, EFER */
	VMCB_DR,		/* DR6, DR7 */
	VMCB_DT,		/* GDTR, IDTR */
	VMCB_SEG,		/* CS, DS, SS, ES, CPL */
	VMCB_CR2,
	VMCB_LBR,		/* DbgCtlMsr, last-branch records */
	VMCB_AVIC,
	VMCB_DIRTY_MAX,
};
/* Every defined clean bit set: the processor may use every cached group. */
#define VMCB_ALL_CLEAN_MASK	((1u << VMCB_DIRTY_MAX) - 1)

/* TLB_CONTROL values other than 0 and 1 need FlushByAsid (APM 15.16, CPUID Fn8000_000A EDX[6]). */
#ifndef X86_FEATURE_FLUSHBYASID
#define X86_FEATURE_FLUSHBYASID	KVM_X86_CPU_FEATURE(0x8000000A, 0, EDX, 6)
#endif

/* The ASID count, CPUID Fn8000_000A EBX (APM 15.16 "TLB Control"). */
#define SVM_CPUID_NR_ASIDS	0x8000000a

/*
 * EXITINFO1 of SVM_EXIT_NPF (APM 15.25.6 "Nested versus Guest Page Faults,
 * Fault Ordering"): a page-fault error code in bits 31:0 (PFERR_* in the
 * library's processor.h), bit 32 set when the fault was on the final
 * guest-physical address, bit 33 when it was on a guest page-table access.
 */
#define SVM_NPF_ERROR_CODE_MASK	0xffffffffull

/*
 * EXITINFO1 of SVM_EXIT_IOIO (APM 15.10.2, Figure 15-2): the port in bits
 * 31:16, IN (1) or OUT (0) in bit 0; EXITINFO2 is the rIP of the next
 * instruction.
 */
#define SVM_IOIO_PORT_SHIFT	16
#define SVM_IOIO_PORT(info1)	((uint16_t)((info1) >> SVM_IOIO_PORT_SHIFT))

/* EXITINFO1 of SVM_EXIT_MSR (APM 15.11): 0 for RDMSR, 1 for WRMSR. */
#define SVM_EXITINFO1_MSR_READ	0
#define SVM_EXITINFO1_MSR_WRITE	1

/* Sizes of the permission maps (APM 15.10.1 "I/O Permissions Map", 15.11 "MSR Intercepts"). */
#define SVM_IOPM_SIZE		(12 * 1024)
#define SVM_MSRPM_SIZE		(8 * 1024)

/* Bits of the exception intercept vector for every vector. */
#define SVM_ALL_EXCEPTIONS	0xffffffffu

/* The VM_CR MSR and its SVMDIS bit (APM 15.30.1). */
#ifndef MSR_VM_CR
#define MSR_VM_CR		0xc0010114
#endif

/*
 * EXITCODE (VMCB offset 0x70) is 64 bits (APM Appendix B, Table B-1);
 * older libraries split it into exit_code and exit_code_hi, newer ones
 * have one u64.  Read the quadword either way: SVM_EXIT_ERR is -1.
 */
static inline uint64_t svm_exit_code(const struct vmcb *vmcb)
{
	uint64_t code;

	memcpy(&code, (const char *)&vmcb->control.exit_code, sizeof(code));
	return code;
}

#endif /* SELFTEST_KVM_SVM_ARCH_H */
