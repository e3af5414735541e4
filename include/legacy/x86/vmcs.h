/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMCS field encodings, VMX control bits, exit reasons and exit
 * qualification layouts (Intel SDM Vol. 3C, Appendix B and C, chapters 25-28).
 */
#ifndef NST_X86_VMCS_H
#define NST_X86_VMCS_H

/* 16-bit fields (SDM Vol. 3C B.1). */
#define VIRTUAL_PROCESSOR_ID		0x0000
#define POSTED_INTR_NV			0x0002
#define EPTP_INDEX			0x0004
#define GUEST_ES_SELECTOR		0x0800
#define GUEST_CS_SELECTOR		0x0802
#define GUEST_SS_SELECTOR		0x0804
#define GUEST_DS_SELECTOR		0x0806
#define GUEST_FS_SELECTOR		0x0808
#define GUEST_GS_SELECTOR		0x080a
#define GUEST_LDTR_SELECTOR		0x080c
#define GUEST_TR_SELECTOR		0x080e
#define GUEST_INTR_STATUS		0x0810
#define GUEST_PML_INDEX			0x0812
#define HOST_ES_SELECTOR		0x0c00
#define HOST_CS_SELECTOR		0x0c02
#define HOST_SS_SELECTOR		0x0c04
#define HOST_DS_SELECTOR		0x0c06
#define HOST_FS_SELECTOR		0x0c08
#define HOST_GS_SELECTOR		0x0c0a
#define HOST_TR_SELECTOR		0x0c0c

/* 64-bit fields (SDM Vol. 3C B.2); the _HIGH encoding is the full one + 1. */
#define IO_BITMAP_A			0x2000
#define IO_BITMAP_B			0x2002
#define MSR_BITMAP			0x2004
#define VM_EXIT_MSR_STORE_ADDR		0x2006
#define VM_EXIT_MSR_LOAD_ADDR		0x2008
#define VM_ENTRY_MSR_LOAD_ADDR		0x200a
#define PML_ADDRESS			0x200e
#define TSC_OFFSET			0x2010
#define VIRTUAL_APIC_PAGE_ADDR		0x2012
#define APIC_ACCESS_ADDR		0x2014
#define POSTED_INTR_DESC_ADDR		0x2016
#define VM_FUNCTION_CONTROL		0x2018
#define EPT_POINTER			0x201a
#define EPTP_LIST_ADDRESS		0x2024
#define VMREAD_BITMAP			0x2026
#define VMWRITE_BITMAP			0x2028
#define XSS_EXIT_BITMAP			0x202c
#define TSC_MULTIPLIER			0x2032
#define GUEST_PHYSICAL_ADDRESS		0x2400
#define VMCS_LINK_POINTER		0x2800
#define GUEST_IA32_DEBUGCTL		0x2802
#define GUEST_IA32_PAT			0x2804
#define GUEST_IA32_EFER			0x2806
#define GUEST_IA32_PERF_GLOBAL_CTRL	0x2808
#define GUEST_PDPTR0			0x280a
#define GUEST_PDPTR1			0x280c
#define GUEST_PDPTR2			0x280e
#define GUEST_PDPTR3			0x2810
#define GUEST_PDPTR(n)			(GUEST_PDPTR0 + 2 * (n))
#define GUEST_BNDCFGS			0x2812
#define HOST_IA32_PAT			0x2c00
#define HOST_IA32_EFER			0x2c02
#define HOST_IA32_PERF_GLOBAL_CTRL	0x2c04
#define VMCS_FIELD_HIGH(f)		((f) + 1)

/* 32-bit fields (SDM Vol. 3C B.3). */
#define PIN_BASED_VM_EXEC_CONTROL	0x4000
#define CPU_BASED_VM_EXEC_CONTROL	0x4002
#define EXCEPTION_BITMAP		0x4004
#define PAGE_FAULT_ERROR_CODE_MASK	0x4006
#define PAGE_FAULT_ERROR_CODE_MATCH	0x4008
#define CR3_TARGET_COUNT		0x400a
#define VM_EXIT_CONTROLS		0x400c
#define VM_EXIT_MSR_STORE_COUNT		0x400e
#define VM_EXIT_MSR_LOAD_COUNT		0x4010
#define VM_ENTRY_CONTROLS		0x4012
#define VM_ENTRY_MSR_LOAD_COUNT		0x4014
#define VM_ENTRY_INTR_INFO_FIELD	0x4016
#define VM_ENTRY_EXCEPTION_ERROR_CODE	0x4018
#define VM_ENTRY_INSTRUCTION_LEN	0x401a
#define TPR_THRESHOLD			0x401c
#define SECONDARY_VM_EXEC_CONTROL	0x401e
#define PLE_GAP				0x4020
#define PLE_WINDOW			0x4022
#define VM_INSTRUCTION_ERROR		0x4400
#define VM_EXIT_REASON			0x4402
#define VM_EXIT_INTR_INFO		0x4404
#define VM_EXIT_INTR_ERROR_CODE		0x4406
#define IDT_VECTORING_INFO_FIELD	0x4408
#define IDT_VECTORING_ERROR_CODE	0x440a
#define VM_EXIT_INSTRUCTION_LEN		0x440c
#define VMX_INSTRUCTION_INFO		0x440e
#define GUEST_ES_LIMIT			0x4800
#define GUEST_CS_LIMIT			0x4802
#define GUEST_SS_LIMIT			0x4804
#define GUEST_DS_LIMIT			0x4806
#define GUEST_FS_LIMIT			0x4808
#define GUEST_GS_LIMIT			0x480a
#define GUEST_LDTR_LIMIT		0x480c
#define GUEST_TR_LIMIT			0x480e
#define GUEST_GDTR_LIMIT		0x4810
#define GUEST_IDTR_LIMIT		0x4812
#define GUEST_ES_AR_BYTES		0x4814
#define GUEST_CS_AR_BYTES		0x4816
#define GUEST_SS_AR_BYTES		0x4818
#define GUEST_DS_AR_BYTES		0x481a
#define GUEST_FS_AR_BYTES		0x481c
#define GUEST_GS_AR_BYTES		0x481e
#define GUEST_LDTR_AR_BYTES		0x4820
#define GUEST_TR_AR_BYTES		0x4822
#define GUEST_INTERRUPTIBILITY_INFO	0x4824
#define GUEST_ACTIVITY_STATE		0x4826
#define GUEST_SYSENTER_CS		0x482a
#define VMX_PREEMPTION_TIMER_VALUE	0x482e
#define HOST_IA32_SYSENTER_CS		0x4c00

/* Natural-width fields (SDM Vol. 3C B.4). */
#define CR0_GUEST_HOST_MASK		0x6000
#define CR4_GUEST_HOST_MASK		0x6002
#define CR0_READ_SHADOW			0x6004
#define CR4_READ_SHADOW			0x6006
#define CR3_TARGET_VALUE0		0x6008
#define EXIT_QUALIFICATION		0x6400
#define GUEST_LINEAR_ADDRESS		0x640a
#define GUEST_CR0			0x6800
#define GUEST_CR3			0x6802
#define GUEST_CR4			0x6804
#define GUEST_ES_BASE			0x6806
#define GUEST_CS_BASE			0x6808
#define GUEST_SS_BASE			0x680a
#define GUEST_DS_BASE			0x680c
#define GUEST_FS_BASE			0x680e
#define GUEST_GS_BASE			0x6810
#define GUEST_LDTR_BASE			0x6812
#define GUEST_TR_BASE			0x6814
#define GUEST_GDTR_BASE			0x6816
#define GUEST_IDTR_BASE			0x6818
#define GUEST_DR7			0x681a
#define GUEST_RSP			0x681c
#define GUEST_RIP			0x681e
#define GUEST_RFLAGS			0x6820
#define GUEST_PENDING_DBG_EXCEPTIONS	0x6822
#define GUEST_SYSENTER_ESP		0x6824
#define GUEST_SYSENTER_EIP		0x6826
#define HOST_CR0			0x6c00
#define HOST_CR3			0x6c02
#define HOST_CR4			0x6c04
#define HOST_FS_BASE			0x6c06
#define HOST_GS_BASE			0x6c08
#define HOST_TR_BASE			0x6c0a
#define HOST_GDTR_BASE			0x6c0c
#define HOST_IDTR_BASE			0x6c0e
#define HOST_IA32_SYSENTER_ESP		0x6c10
#define HOST_IA32_SYSENTER_EIP		0x6c12
#define HOST_RSP			0x6c14
#define HOST_RIP			0x6c16

/* Pin-based VM-execution controls (SDM Vol. 3C 25.6.1). */
#define PIN_EXT_INTR_EXITING		(1u << 0)
#define PIN_NMI_EXITING			(1u << 3)
#define PIN_VIRTUAL_NMIS		(1u << 5)
#define PIN_PREEMPTION_TIMER		(1u << 6)
#define PIN_POSTED_INTR			(1u << 7)

/* Primary processor-based VM-execution controls (SDM Vol. 3C 25.6.2). */
#define CPU_INTR_WINDOW_EXITING		(1u << 2)
#define CPU_USE_TSC_OFFSETTING		(1u << 3)
#define CPU_HLT_EXITING			(1u << 7)
#define CPU_INVLPG_EXITING		(1u << 9)
#define CPU_MWAIT_EXITING		(1u << 10)
#define CPU_RDPMC_EXITING		(1u << 11)
#define CPU_RDTSC_EXITING		(1u << 12)
#define CPU_CR3_LOAD_EXITING		(1u << 15)
#define CPU_CR3_STORE_EXITING		(1u << 16)
#define CPU_CR8_LOAD_EXITING		(1u << 19)
#define CPU_CR8_STORE_EXITING		(1u << 20)
#define CPU_TPR_SHADOW			(1u << 21)
#define CPU_NMI_WINDOW_EXITING		(1u << 22)
#define CPU_MOV_DR_EXITING		(1u << 23)
#define CPU_UNCOND_IO_EXITING		(1u << 24)
#define CPU_USE_IO_BITMAPS		(1u << 25)
#define CPU_MONITOR_TRAP_FLAG		(1u << 27)
#define CPU_USE_MSR_BITMAPS		(1u << 28)
#define CPU_MONITOR_EXITING		(1u << 29)
#define CPU_PAUSE_EXITING		(1u << 30)
#define CPU_ACTIVATE_SECONDARY		(1u << 31)

/* Secondary processor-based VM-execution controls (SDM Vol. 3C 25.6.2). */
#define SEC_VIRT_APIC_ACCESSES		(1u << 0)
#define SEC_ENABLE_EPT			(1u << 1)
#define SEC_DESC_TABLE_EXITING		(1u << 2)
#define SEC_ENABLE_RDTSCP		(1u << 3)
#define SEC_VIRT_X2APIC			(1u << 4)
#define SEC_ENABLE_VPID			(1u << 5)
#define SEC_WBINVD_EXITING		(1u << 6)
#define SEC_UNRESTRICTED_GUEST		(1u << 7)
#define SEC_APIC_REGISTER_VIRT		(1u << 8)
#define SEC_VIRT_INTR_DELIVERY		(1u << 9)
#define SEC_PAUSE_LOOP_EXITING		(1u << 10)
#define SEC_RDRAND_EXITING		(1u << 11)
#define SEC_ENABLE_INVPCID		(1u << 12)
#define SEC_ENABLE_VMFUNC		(1u << 13)
#define SEC_SHADOW_VMCS			(1u << 14)
#define SEC_RDSEED_EXITING		(1u << 16)
#define SEC_ENABLE_PML			(1u << 17)
#define SEC_EPT_VIOLATION_VE		(1u << 18)
#define SEC_ENABLE_XSAVES		(1u << 20)
#define SEC_TSC_SCALING			(1u << 25)

/* VM-exit controls (SDM Vol. 3C 25.7.1). */
#define EXIT_SAVE_DEBUG_CONTROLS	(1u << 2)
#define EXIT_HOST_ADDR_SPACE_SIZE	(1u << 9)
#define EXIT_LOAD_PERF_GLOBAL_CTRL	(1u << 12)
#define EXIT_ACK_INTR_ON_EXIT		(1u << 15)
#define EXIT_SAVE_IA32_PAT		(1u << 18)
#define EXIT_LOAD_IA32_PAT		(1u << 19)
#define EXIT_SAVE_IA32_EFER		(1u << 20)
#define EXIT_LOAD_IA32_EFER		(1u << 21)
#define EXIT_SAVE_PREEMPTION_TIMER	(1u << 22)

/* VM-entry controls (SDM Vol. 3C 25.8.1). */
#define ENTRY_LOAD_DEBUG_CONTROLS	(1u << 2)
#define ENTRY_IA32E_MODE		(1u << 9)
#define ENTRY_LOAD_PERF_GLOBAL_CTRL	(1u << 13)
#define ENTRY_LOAD_IA32_PAT		(1u << 14)
#define ENTRY_LOAD_IA32_EFER		(1u << 15)

/* Basic exit reasons (SDM Vol. 3C Appendix C). */
#define EXIT_REASON_EXCEPTION_NMI	0
#define EXIT_REASON_EXTERNAL_INTERRUPT	1
#define EXIT_REASON_TRIPLE_FAULT	2
#define EXIT_REASON_INIT		3
#define EXIT_REASON_INTR_WINDOW		7
#define EXIT_REASON_NMI_WINDOW		8
#define EXIT_REASON_TASK_SWITCH		9
#define EXIT_REASON_CPUID		10
#define EXIT_REASON_HLT			12
#define EXIT_REASON_INVD		13
#define EXIT_REASON_INVLPG		14
#define EXIT_REASON_RDPMC		15
#define EXIT_REASON_RDTSC		16
#define EXIT_REASON_VMCALL		18
#define EXIT_REASON_VMCLEAR		19
#define EXIT_REASON_VMLAUNCH		20
#define EXIT_REASON_VMPTRLD		21
#define EXIT_REASON_VMPTRST		22
#define EXIT_REASON_VMREAD		23
#define EXIT_REASON_VMRESUME		24
#define EXIT_REASON_VMWRITE		25
#define EXIT_REASON_VMXOFF		26
#define EXIT_REASON_VMXON		27
#define EXIT_REASON_CR_ACCESS		28
#define EXIT_REASON_DR_ACCESS		29
#define EXIT_REASON_IO_INSTRUCTION	30
#define EXIT_REASON_MSR_READ		31
#define EXIT_REASON_MSR_WRITE		32
#define EXIT_REASON_INVALID_STATE	33
#define EXIT_REASON_MSR_LOAD_FAIL	34
#define EXIT_REASON_MWAIT		36
#define EXIT_REASON_MONITOR_TRAP_FLAG	37
#define EXIT_REASON_MONITOR		39
#define EXIT_REASON_PAUSE		40
#define EXIT_REASON_MCE_DURING_ENTRY	41
#define EXIT_REASON_TPR_BELOW_THRESHOLD	43
#define EXIT_REASON_APIC_ACCESS		44
#define EXIT_REASON_EOI_INDUCED		45
#define EXIT_REASON_GDTR_IDTR		46
#define EXIT_REASON_LDTR_TR		47
#define EXIT_REASON_EPT_VIOLATION	48
#define EXIT_REASON_EPT_MISCONFIG	49
#define EXIT_REASON_INVEPT		50
#define EXIT_REASON_RDTSCP		51
#define EXIT_REASON_PREEMPTION_TIMER	52
#define EXIT_REASON_INVVPID		53
#define EXIT_REASON_WBINVD		54
#define EXIT_REASON_XSETBV		55
#define EXIT_REASON_APIC_WRITE		56
#define EXIT_REASON_RDRAND		57
#define EXIT_REASON_INVPCID		58
#define EXIT_REASON_VMFUNC		59
#define EXIT_REASON_RDSEED		61
#define EXIT_REASON_XSAVES		63
#define EXIT_REASON_XRSTORS		64

#define EXIT_REASON_BASIC(r)		((r) & 0xffff)
#define EXIT_REASON_FAILED_ENTRY	(1u << 31)

/* Exit qualification for VM-entry failures (SDM Vol. 3C 27.8). */
#define ENTRY_FAIL_DEFAULT		0
#define ENTRY_FAIL_PDPTE		2
#define ENTRY_FAIL_NMI_INJECTION	3
#define ENTRY_FAIL_VMCS_LINK_PTR	4

/* VM-exit interruption information (SDM Vol. 3C 25.9.2). */
#define INTR_INFO_VECTOR_MASK		0xffu
#define INTR_INFO_TYPE_SHIFT		8
#define INTR_INFO_TYPE_MASK		(7u << INTR_INFO_TYPE_SHIFT)
#define INTR_TYPE_EXT_INTR		0
#define INTR_TYPE_NMI			2
#define INTR_TYPE_HARD_EXCEPTION	3
#define INTR_TYPE_SOFT_EXCEPTION	6
#define INTR_INFO_ERROR_CODE_VALID	(1u << 11)
#define INTR_INFO_VALID			(1u << 31)

/* Exit qualification for control-register accesses (SDM Vol. 3C Table 28-3). */
#define CR_QUAL_CR(q)			((q) & 0xf)
#define CR_QUAL_TYPE(q)			(((q) >> 4) & 3)
#define CR_QUAL_TYPE_MOV_TO_CR		0
#define CR_QUAL_TYPE_MOV_FROM_CR	1
#define CR_QUAL_TYPE_CLTS		2
#define CR_QUAL_TYPE_LMSW		3
#define CR_QUAL_GPR(q)			(((q) >> 8) & 0xf)

/* Exit qualification for I/O instructions (SDM Vol. 3C Table 28-5). */
#define IO_QUAL_SIZE(q)			(((q) & 7) + 1)
#define IO_QUAL_IN			(1u << 3)
#define IO_QUAL_STRING			(1u << 4)
#define IO_QUAL_REP			(1u << 5)
#define IO_QUAL_PORT(q)			(((q) >> 16) & 0xffff)

/* Exit qualification for EPT violations (SDM Vol. 3C Table 28-7). */
#define EPT_VIOL_READ			(1ull << 0)
#define EPT_VIOL_WRITE			(1ull << 1)
#define EPT_VIOL_FETCH			(1ull << 2)
#define EPT_VIOL_READABLE		(1ull << 3)
#define EPT_VIOL_WRITABLE		(1ull << 4)
#define EPT_VIOL_EXECUTABLE		(1ull << 5)
#define EPT_VIOL_GLA_VALID		(1ull << 7)
#define EPT_VIOL_GLA_TRANSLATION	(1ull << 8)	/* 0: paging-structure access */
#define EPT_VIOL_NMI_UNBLOCKING		(1ull << 12)

/* VM-instruction error numbers (SDM Vol. 3C 31.4). */
#define VMXERR_VMLAUNCH_NONCLEAR	4
#define VMXERR_VMRESUME_NONLAUNCHED	5
#define VMXERR_ENTRY_INVALID_CONTROL	7
#define VMXERR_ENTRY_INVALID_HOST_STATE	8
#define VMXERR_VMPTRLD_INVALID_ADDRESS	9
#define VMXERR_UNSUPPORTED_FIELD	12
#define VMXERR_INVALID_OPERAND_INVEPT	28

/* INVEPT and INVVPID types (SDM Vol. 3C 31.3). */
#define INVEPT_SINGLE_CONTEXT		1
#define INVEPT_GLOBAL			2
#define INVVPID_INDIVIDUAL_ADDR		0
#define INVVPID_SINGLE_CONTEXT		1
#define INVVPID_ALL_CONTEXT		2
#define INVVPID_SINGLE_NON_GLOBAL	3

/* Guest activity states and interruptibility (SDM Vol. 3C 25.4.2). */
#define GUEST_ACTIVITY_ACTIVE		0
#define GUEST_ACTIVITY_HLT		1

/* Segment access rights as the VMCS holds them (SDM Vol. 3C 25.4.1). */
#define VMX_AR_UNUSABLE			(1u << 16)
#define VMX_AR_CODE64			0xa09b	/* exec/read accessed, S, P, L, G */
#define VMX_AR_CODE32			0xc09b	/* exec/read accessed, S, P, D, G */
#define VMX_AR_DATA			0xc093	/* read/write accessed, S, P, D/B, G */
#define VMX_AR_TSS64_BUSY		0x008b
#define VMX_AR_LDT_UNUSABLE		(VMX_AR_UNUSABLE | 0x82)

#endif /* NST_X86_VMCS_H */
