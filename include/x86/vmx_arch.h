/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMX definitions that the KVM selftests library's vmx.h lacks: exit
 * qualification layouts, interruption information, capability bits,
 * INVEPT/INVVPID types, VM-instruction errors and segment access rights
 * (Intel SDM Vol. 3C, chapters 25-31 and Appendix A).  Names follow
 * arch/x86/include/asm/vmx.h where it has one.
 */
#ifndef SELFTEST_KVM_VMX_ARCH_H
#define SELFTEST_KVM_VMX_ARCH_H

#include "vmx.h"

/* The PDPTE fields, 64-bit: GUEST_PDPTR0 + 2 * n (SDM Vol. 3C B.2.3). */
#define GUEST_PDPTR(n)			(GUEST_PDPTR0 + 2 * (n))
/* The _HIGH encoding of a 64-bit field (SDM Vol. 3C 25.11.2). */
#define VMCS_FIELD_HIGH(f)		((f) + 1)

#define SECONDARY_EXEC_EPT_VIOLATION_VE	(1u << 18)
#define SECONDARY_EXEC_ENABLE_XSAVES	(1u << 20)

/* The basic exit reason; the names are the uapi's (asm/vmx.h). */
#define EXIT_REASON_BASIC(r)		((r) & 0xffff)

/* Exit qualification of a VM-entry failure (SDM Vol. 3C 27.8). */
#define ENTRY_FAIL_DEFAULT		0
#define ENTRY_FAIL_PDPTE		2
#define ENTRY_FAIL_NMI_INJECTION	3
#define ENTRY_FAIL_VMCS_LINK_PTR	4

/* VM-exit interruption information (SDM Vol. 3C 25.9.2). */
#define INTR_INFO_VECTOR_MASK		0xffu
#define INTR_INFO_INTR_TYPE_SHIFT	8
#define INTR_INFO_INTR_TYPE_MASK	(7u << INTR_INFO_INTR_TYPE_SHIFT)
#define INTR_TYPE_EXT_INTR		0
#define INTR_TYPE_NMI_INTR		2
#define INTR_TYPE_HARD_EXCEPTION	3
#define INTR_TYPE_SOFT_EXCEPTION	6
#define INTR_INFO_DELIVER_CODE_MASK	(1u << 11)
#define INTR_INFO_VALID_MASK		(1u << 31)

/* Exit qualification of a control-register access (SDM Vol. 3C Table 28-3). */
#define CR_QUAL_CR(q)			((q) & 0xf)
#define CR_QUAL_TYPE(q)			(((q) >> 4) & 3)
#define CR_QUAL_TYPE_MOV_TO_CR		0
#define CR_QUAL_TYPE_MOV_FROM_CR	1
#define CR_QUAL_TYPE_CLTS		2
#define CR_QUAL_TYPE_LMSW		3
#define CR_QUAL_GPR(q)			(((q) >> 8) & 0xf)

/* Exit qualification of an I/O instruction (SDM Vol. 3C Table 28-5). */
#define IO_QUAL_SIZE(q)			(((q) & 7) + 1)
#define IO_QUAL_IN			(1u << 3)
#define IO_QUAL_STRING			(1u << 4)
#define IO_QUAL_REP			(1u << 5)
#define IO_QUAL_PORT(q)			(((q) >> 16) & 0xffff)

/*
 * Exit qualification of an EPT violation (SDM Vol. 3C Table 28-7); newer
 * libraries define these in processor.h.
 */
#ifndef EPT_VIOLATION_ACC_READ
#define EPT_VIOLATION_ACC_READ		BIT(0)
#define EPT_VIOLATION_ACC_WRITE		BIT(1)
#define EPT_VIOLATION_ACC_INSTR		BIT(2)
#define EPT_VIOLATION_PROT_READ		BIT(3)
#define EPT_VIOLATION_PROT_WRITE	BIT(4)
#define EPT_VIOLATION_PROT_EXEC		BIT(5)
#define EPT_VIOLATION_GVA_IS_VALID	BIT(7)
#define EPT_VIOLATION_GVA_TRANSLATED	BIT(8)	/* 0: a paging-structure access */
#endif

/* VM-instruction error numbers (SDM Vol. 3C 31.4). */
#define VMXERR_VMLAUNCH_NONCLEAR_VMCS		4
#define VMXERR_VMRESUME_NONLAUNCHED_VMCS	5
#define VMXERR_ENTRY_INVALID_CONTROL_FIELD	7
#define VMXERR_ENTRY_INVALID_HOST_STATE_FIELD	8
#define VMXERR_VMPTRLD_INVALID_ADDRESS		9
#define VMXERR_UNSUPPORTED_VMCS_COMPONENT	12
#define VMXERR_INVALID_OPERAND_TO_INVEPT_INVVPID 28
#ifndef VMXERR_VMCLEAR_VMXON_POINTER
#define VMXERR_VMCLEAR_INVALID_ADDRESS		2
#define VMXERR_VMCLEAR_VMXON_POINTER		3
#define VMXERR_VMPTRLD_VMXON_POINTER		10
#define VMXERR_VMPTRLD_INCORRECT_VMCS_REVISION_ID 11
#define VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT	13
#define VMXERR_VMXON_IN_VMX_ROOT_OPERATION	15
#endif

/* INVEPT and INVVPID types (SDM Vol. 3C 31.3). */
#define VMX_EPT_EXTENT_CONTEXT			1
#define VMX_EPT_EXTENT_GLOBAL			2
#define VMX_VPID_EXTENT_INDIVIDUAL_ADDR		0
#define VMX_VPID_EXTENT_SINGLE_CONTEXT		1
#define VMX_VPID_EXTENT_ALL_CONTEXT		2
#define VMX_VPID_EXTENT_SINGLE_NON_GLOBAL	3

/* IA32_VMX_EPT_VPID_CAP (SDM Vol. 3C A.10). */
#define VMX_EPT_EXECUTE_ONLY_BIT		(1ull << 0)
#define VMX_EPT_PAGE_WALK_4_BIT			(1ull << 6)
#define VMX_EPTP_UC_BIT				(1ull << 8)
#define VMX_EPTP_WB_BIT				(1ull << 14)
#define VMX_EPT_2MB_PAGE_BIT			(1ull << 16)
#define VMX_EPT_1GB_PAGE_BIT			(1ull << 17)
#define VMX_EPT_INVEPT_BIT			(1ull << 20)
#define VMX_EPT_AD_BIT				(1ull << 21)
#define VMX_EPT_EXTENT_CONTEXT_BIT		(1ull << 25)
#define VMX_EPT_EXTENT_GLOBAL_BIT		(1ull << 26)
#define VMX_VPID_INVVPID_BIT			(1ull << 32)
#define VMX_VPID_EXTENT_INDIVIDUAL_ADDR_BIT	(1ull << 40)
#define VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT	(1ull << 41)
#define VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT	(1ull << 42)
#define VMX_VPID_EXTENT_SINGLE_NON_GLOBAL_BIT	(1ull << 43)

/* IA32_VMX_BASIC and IA32_VMX_MISC (SDM Vol. 3C A.1, A.6). */
#define VMX_BASIC_REVISION(b)		((uint32_t)(b) & 0x7fffffff)
#define VMX_BASIC_TRUE_CTLS		(1ull << 55)
#define VMX_MISC_PREEMPTION_TIMER_RATE(m)	((m) & 0x1f)
/* The recommended maximum of entries in each MSR list: 512 * (MISC[27:25] + 1). */
#define VMX_MISC_MSR_LIST_MAX(m)	(512 * ((((m) >> 25) & 7) + 1))
/* VMWRITE may write the VM-exit information fields (SDM Vol. 3C A.6). */
#define VMX_MISC_VMWRITE_ANY_FIELD	(1ull << 29)
/* IA32_VMX_VMCS_ENUM[9:1]: the highest index of any VMCS field encoding (A.9). */
#define VMX_VMCS_ENUM_MAX_INDEX(e)	(((e) >> 1) & 0x1ff)

/* Guest activity states (SDM Vol. 3C 25.4.2). */
#define GUEST_ACTIVITY_ACTIVE		0
#define GUEST_ACTIVITY_HLT		1

/* Segment access rights as the VMCS holds them (SDM Vol. 3C 25.4.1). */
#define VMX_AR_UNUSABLE_MASK		(1u << 16)
#define VMX_AR_CODE64			0xa09b	/* exec/read accessed, S, P, L, G */
#define VMX_AR_CODE32			0xc09b	/* exec/read accessed, S, P, D, G */
#define VMX_AR_DATA			0xc093	/* read/write accessed, S, P, D/B, G */
#define VMX_AR_TSS64_BUSY		0x008b
#define VMX_AR_LDT_UNUSABLE		(VMX_AR_UNUSABLE_MASK | 0x82)

/* VM functions (SDM Vol. 3C 25.6.14, 26.5.6; B.2.1 for the 64-bit fields). */
#define VM_FUNCTION_CONTROL		0x00002018
#define EPTP_LIST_ADDRESS		0x00002024
#define VMX_VMFUNC_EPTP_SWITCHING	(1ull << 0)
#define VMFUNC_EPTP_ENTRIES		512

/* Interruption types of event injection beyond those above (SDM Vol. 3C 25.8.3). */
#define INTR_TYPE_SOFT_INTR		4

/*
 * VM-exit instruction information of VMREAD and VMWRITE (SDM Vol. 3C
 * Table 28-13): bit 10 says the other operand is a register, given in bits
 * 6:3; bits 31:28 are the register holding the field encoding.
 */
#define VMX_INSN_INFO_REG1(i)		(((i) >> 3) & 0xf)
#define VMX_INSN_INFO_REG_OPERAND	(1u << 10)
#define VMX_INSN_INFO_REG2(i)		(((i) >> 28) & 0xf)
/* Shadow-VMCS indicator: bit 31 of a VMCS region's first word (SDM Vol. 3C 25.2). */
#define VMCS_SHADOW_INDICATOR		(1u << 31)

/* Single-step in GUEST_PENDING_DBG_EXCEPTIONS, as in DR6 (SDM Vol. 3C 25.4.2). */
#ifndef DR6_BS
#define DR6_BS				(1ull << 14)
#endif

/* LMSW in a control-register access qualification (SDM Vol. 3C Table 28-3). */
#define CR_QUAL_LMSW_MEMORY		(1u << 6)	/* 0: the source was a register */
#define CR_QUAL_LMSW_DATA(q)		(((q) >> 16) & 0xffff)

/*
 * I/O instructions: bit 6 of the exit qualification, the operand encoding
 * (SDM Vol. 3C Table 28-5); IA32_VMX_BASIC[54], VM exits for INS and OUTS
 * report instruction information (A.1), whose address size is in bits 9:7
 * and segment register (OUTS only) in bits 17:15 (28.2.5).
 */
#define IO_QUAL_IMM			(1u << 6)
#define VMX_BASIC_INOUT			(1ull << 54)
#define VMX_INSN_INFO_ADDR_SIZE(i)	(((i) >> 7) & 7)
#define VMX_INSN_INFO_SEG(i)		(((i) >> 15) & 7)

#endif /* SELFTEST_KVM_VMX_ARCH_H */
