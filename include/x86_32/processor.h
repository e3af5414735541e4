/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The part of the KVM selftests library's processor.h that the nested
 * library uses, for a 32-bit L1 (the library is 64-bit only): the same
 * names and meanings, 32-bit instructions.  MSR and CR names come from the
 * tools headers, as the library's do.
 */
#ifndef SELFTEST_KVM_X86_32_PROCESSOR_H
#define SELFTEST_KVM_X86_32_PROCESSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <asm/msr-index.h>
#include <linux/bits.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1ul << PAGE_SHIFT)

#define X86_EFLAGS_FIXED	BIT(1)

#define X86_CR0_PE		BIT(0)
#define X86_CR0_MP		BIT(1)
#define X86_CR0_ET		BIT(4)
#define X86_CR0_NE		BIT(5)
#define X86_CR0_WP		BIT(16)
#define X86_CR0_PG		BIT(31)
#define X86_CR4_PAE		BIT(5)
#define X86_CR4_PGE		BIT(7)
#define X86_CR4_OSFXSR		BIT(9)
#define X86_CR4_OSXMMEXCPT	BIT(10)
#define X86_CR4_VMXE		BIT(13)
#define X86_CR4_LA57		BIT(12)
#define X86_CR4_FSGSBASE	BIT(16)
#define X86_CR4_PCIDE		BIT(17)

#define UD_VECTOR		6
#define GP_VECTOR		13
#define PF_VECTOR		14

/* A CPUID feature bit, as the library's X86_FEATURE_* name one. */
struct x86_cpu_feature {
	uint32_t function, index;
	uint8_t reg;			/* 0-3: EAX, EBX, ECX, EDX */
	uint8_t bit;
};

#define X86_FEATURE_VMX		((struct x86_cpu_feature){ 1, 0, 2, 5 })

static inline void cpuid(uint32_t function, uint32_t index, uint32_t regs[4])
{
	asm volatile("cpuid" : "=a"(regs[0]), "=b"(regs[1]), "=c"(regs[2]), "=d"(regs[3])
		     : "a"(function), "c"(index));
}

static inline bool this_cpu_has(struct x86_cpu_feature f)
{
	uint32_t regs[4];

	cpuid(f.function, f.index, regs);
	return regs[f.reg] & (1u << f.bit);
}

#define DEFINE_CR_ACCESSORS(n)							\
static inline uint64_t get_cr##n(void)						\
{										\
	unsigned long v;							\
										\
	asm volatile("mov %%cr" #n ", %0" : "=r"(v));				\
	return v;								\
}										\
static inline void set_cr##n(uint64_t v)					\
{										\
	asm volatile("mov %0, %%cr" #n : : "r"((unsigned long)v) : "memory");	\
}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)

#define DEFINE_SEG_ACCESSOR(s)							\
static inline uint16_t get_##s(void)						\
{										\
	uint16_t v;								\
										\
	asm volatile("mov %%" #s ", %0" : "=r"(v));				\
	return v;								\
}
DEFINE_SEG_ACCESSOR(cs)
DEFINE_SEG_ACCESSOR(ds)
DEFINE_SEG_ACCESSOR(es)
DEFINE_SEG_ACCESSOR(fs)
DEFINE_SEG_ACCESSOR(gs)
DEFINE_SEG_ACCESSOR(ss)

static inline uint16_t get_tr(void)
{
	uint16_t tr;

	asm volatile("str %0" : "=r"(tr));
	return tr;
}

struct desc_ptr {
	uint16_t size;
	uint64_t address;	/* SGDT/SIDT store 32 bits of it */
} __attribute__((packed));

static inline struct desc_ptr get_gdt(void)
{
	struct desc_ptr gdt = { 0 };

	asm volatile("sgdt %0" : "=m"(gdt));
	return gdt;
}

static inline struct desc_ptr get_idt(void)
{
	struct desc_ptr idt = { 0 };

	asm volatile("sidt %0" : "=m"(idt));
	return idt;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
	asm volatile("wrmsr" : : "a"((uint32_t)value), "d"((uint32_t)(value >> 32)), "c"(msr)
		     : "memory");
}

static inline void invlpg(uint32_t addr)
{
	asm volatile("invlpg (%0)" : : "r"(addr) : "memory");
}

/* RDMSR; returns the vector of the exception it raised, 0 if none. */
uint8_t rdmsr_safe(uint32_t msr, uint64_t *val);

#endif /* SELFTEST_KVM_X86_32_PROCESSOR_H */
