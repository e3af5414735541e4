/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 architectural definitions and instruction wrappers usable by guest
 * code (and, where harmless, by the host).  Values are from the Intel SDM.
 */
#ifndef NST_X86_PROCESSOR_H
#define NST_X86_PROCESSOR_H

#include <stdbool.h>
#include <stdint.h>

#define BIT(n)		(1u << (n))
#define BIT_ULL(n)	(1ull << (n))

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ull << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

/* Control registers (SDM Vol. 3A 2.5). */
#define X86_CR0_PE	BIT_ULL(0)
#define X86_CR0_MP	BIT_ULL(1)
#define X86_CR0_EM	BIT_ULL(2)
#define X86_CR0_TS	BIT_ULL(3)
#define X86_CR0_ET	BIT_ULL(4)
#define X86_CR0_NE	BIT_ULL(5)
#define X86_CR0_WP	BIT_ULL(16)
#define X86_CR0_AM	BIT_ULL(18)
#define X86_CR0_NW	BIT_ULL(29)
#define X86_CR0_CD	BIT_ULL(30)
#define X86_CR0_PG	BIT_ULL(31)

#define X86_CR4_VME		BIT_ULL(0)
#define X86_CR4_PVI		BIT_ULL(1)
#define X86_CR4_TSD		BIT_ULL(2)
#define X86_CR4_DE		BIT_ULL(3)
#define X86_CR4_PSE		BIT_ULL(4)
#define X86_CR4_PAE		BIT_ULL(5)
#define X86_CR4_MCE		BIT_ULL(6)
#define X86_CR4_PGE		BIT_ULL(7)
#define X86_CR4_PCE		BIT_ULL(8)
#define X86_CR4_OSFXSR		BIT_ULL(9)
#define X86_CR4_OSXMMEXCPT	BIT_ULL(10)
#define X86_CR4_UMIP		BIT_ULL(11)
#define X86_CR4_VMXE		BIT_ULL(13)
#define X86_CR4_FSGSBASE	BIT_ULL(16)
#define X86_CR4_PCIDE		BIT_ULL(17)
#define X86_CR4_OSXSAVE		BIT_ULL(18)
#define X86_CR4_SMEP		BIT_ULL(20)
#define X86_CR4_SMAP		BIT_ULL(21)

/* CR3 with CR4.PCIDE=1: bit 63 of the source operand means "no flush". */
#define X86_CR3_PCID_NOFLUSH	BIT_ULL(63)
#define X86_CR3_PCID_MASK	0xfffull

#define X86_EFLAGS_FIXED	BIT_ULL(1)
#define X86_EFLAGS_CF		BIT_ULL(0)
#define X86_EFLAGS_ZF		BIT_ULL(6)
#define X86_EFLAGS_TF		BIT_ULL(8)
#define X86_EFLAGS_IF		BIT_ULL(9)

/*
 * The RFLAGS every guest (L1 and L2) starts with: IF=1.  Bochs 2.7, which
 * runs the suite on machines without VMX, re-evaluates interrupt masks at
 * VM entry only when RFLAGS.IF changes; KVM enters its guests with the
 * host's IF=0, so a guest spinning with IF=0 never lets the host's timer
 * interrupt through and the emulated machine stalls.  IF=1 is safe: with
 * external-interrupt exiting, host interrupts go to L0, and the guests
 * have no interrupt sources of their own unless a test arms one.
 */
#define GUEST_START_RFLAGS	(X86_EFLAGS_FIXED | X86_EFLAGS_IF)

/* MSRs (SDM Vol. 4). */
#define MSR_IA32_TSC			0x00000010
#define MSR_IA32_APICBASE		0x0000001b
#define MSR_IA32_FEAT_CTL		0x0000003a
#define MSR_IA32_TSC_ADJUST		0x0000003b
#define MSR_IA32_SYSENTER_CS		0x00000174
#define MSR_IA32_SYSENTER_ESP		0x00000175
#define MSR_IA32_SYSENTER_EIP		0x00000176
#define MSR_IA32_DEBUGCTL		0x000001d9
#define MSR_IA32_CR_PAT			0x00000277
#define MSR_IA32_VMX_BASIC		0x00000480
#define MSR_IA32_VMX_PINBASED_CTLS	0x00000481
#define MSR_IA32_VMX_PROCBASED_CTLS	0x00000482
#define MSR_IA32_VMX_EXIT_CTLS		0x00000483
#define MSR_IA32_VMX_ENTRY_CTLS		0x00000484
#define MSR_IA32_VMX_MISC		0x00000485
#define MSR_IA32_VMX_CR0_FIXED0		0x00000486
#define MSR_IA32_VMX_CR0_FIXED1		0x00000487
#define MSR_IA32_VMX_CR4_FIXED0		0x00000488
#define MSR_IA32_VMX_CR4_FIXED1		0x00000489
#define MSR_IA32_VMX_VMCS_ENUM		0x0000048a
#define MSR_IA32_VMX_PROCBASED_CTLS2	0x0000048b
#define MSR_IA32_VMX_EPT_VPID_CAP	0x0000048c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	0x0000048d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x0000048e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	0x0000048f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	0x00000490
#define MSR_IA32_VMX_VMFUNC		0x00000491
#define MSR_EFER			0xc0000080
#define MSR_STAR			0xc0000081
#define MSR_LSTAR			0xc0000082
#define MSR_FS_BASE			0xc0000100
#define MSR_GS_BASE			0xc0000101
#define MSR_KERNEL_GS_BASE		0xc0000102
#define MSR_TSC_AUX			0xc0000103

#define FEAT_CTL_LOCKED			BIT_ULL(0)
#define FEAT_CTL_VMX_OUTSIDE_SMX	BIT_ULL(2)

#define EFER_SCE	BIT_ULL(0)
#define EFER_LME	BIT_ULL(8)
#define EFER_LMA	BIT_ULL(10)
#define EFER_NX		BIT_ULL(11)

/* CPUID feature bits: leaf, register, bit (SDM Vol. 2A, CPUID). */
#define CPUID_1_ECX_VMX		BIT(5)
#define CPUID_1_ECX_PCID	BIT(17)
#define CPUID_1_ECX_XSAVE	BIT(26)
#define CPUID_1_ECX_RDRAND	BIT(30)
#define CPUID_1_ECX_HYPERVISOR	BIT(31)
#define CPUID_7_EBX_INVPCID	BIT(10)
#define CPUID_7_EBX_RDSEED	BIT(18)
#define CPUID_80000001_EDX_NX	BIT(20)
#define CPUID_80000001_EDX_RDTSCP BIT(27)
#define CPUID_80000001_EDX_LM	BIT(29)

/* Paging-structure entry bits (SDM Vol. 3A 4.4, 4.5). */
#define PTE_P		BIT_ULL(0)
#define PTE_RW		BIT_ULL(1)
#define PTE_US		BIT_ULL(2)
#define PTE_PWT		BIT_ULL(3)
#define PTE_PCD		BIT_ULL(4)
#define PTE_A		BIT_ULL(5)
#define PTE_D		BIT_ULL(6)
#define PTE_PS		BIT_ULL(7)
#define PTE_G		BIT_ULL(8)
#define PTE_NX		BIT_ULL(63)
#define PTE_ADDR_MASK	0x000ffffffffff000ull

/* Exception vectors (SDM Vol. 3A 6.3.1). */
#define DE_VECTOR	0
#define DB_VECTOR	1
#define NMI_VECTOR	2
#define BP_VECTOR	3
#define OF_VECTOR	4
#define BR_VECTOR	5
#define UD_VECTOR	6
#define NM_VECTOR	7
#define DF_VECTOR	8
#define TS_VECTOR	10
#define NP_VECTOR	11
#define SS_VECTOR	12
#define GP_VECTOR	13
#define PF_VECTOR	14
#define MF_VECTOR	16
#define AC_VECTOR	17
#define MC_VECTOR	18
#define XM_VECTOR	19
#define VE_VECTOR	20

/* Selectors of the GDT that the library gives every guest. */
#define GDT_SEL_CODE64	0x08
#define GDT_SEL_DATA	0x10
#define GDT_SEL_CODE32	0x18
#define GDT_SEL_TSS	0x20
#define GDT_ENTRIES	6	/* null, code64, data, code32, tss (2 slots) */

/* Saved state of a guest exception, built by the IDT entry stubs. */
struct ex_regs {
	uint64_t rax, rcx, rdx, rbx;
	uint64_t rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf)
		     : "memory");
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return lo | ((uint64_t)hi << 32);
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" : : "a"((uint32_t)val), "d"((uint32_t)(val >> 32)), "c"(msr)
		     : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return lo | ((uint64_t)hi << 32);
}

#define DEFINE_CR_ACCESSORS(n)						\
static inline unsigned long read_cr##n(void)				\
{									\
	unsigned long val;						\
									\
	asm volatile("mov %%cr" #n ", %0" : "=r"(val) : : "memory");	\
	return val;							\
}									\
static inline void write_cr##n(unsigned long val)			\
{									\
	asm volatile("mov %0, %%cr" #n : : "r"(val) : "memory");	\
}

DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
DEFINE_CR_ACCESSORS(8)

static inline unsigned long read_rflags(void)
{
	unsigned long val;

	asm volatile("pushf; pop %0" : "=r"(val) : : "memory");
	return val;
}

static inline void invlpg(unsigned long addr)
{
	asm volatile("invlpg (%0)" : : "r"(addr) : "memory");
}

static inline void sti(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void cli(void)
{
	asm volatile("cli" : : : "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

static inline bool this_cpu_has(uint32_t leaf, int reg, uint32_t mask)
{
	struct cpuid_regs r = cpuid(leaf, 0);
	uint32_t v[4] = { r.eax, r.ebx, r.ecx, r.edx };

	return v[reg] & mask;
}

enum { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

#endif /* NST_X86_PROCESSOR_H */
