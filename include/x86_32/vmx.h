/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KVM selftests library's vmx.h for a 32-bit L1: its VMCS field and
 * control names (vmx_defs.h, extracted from that header at build time by
 * lib/upstream.mk) and its VMX instruction wrappers, same signatures, for
 * 32-bit operands.  VMREAD and VMWRITE move 32 bits in a 32-bit VMM: the
 * wrappers move a 64-bit field as its full encoding (low half) and its
 * _HIGH encoding (SDM Vol. 3C 25.11.2); a _HIGH encoding alone moves that
 * half only.
 */
#ifndef SELFTEST_KVM_X86_32_VMX_H
#define SELFTEST_KVM_X86_32_VMX_H

#include <stdint.h>

#include <asm/vmx.h>

#include "processor.h"
#include "vmx_defs.h"

/* The full encoding of a 64-bit field: width 1, access type 0 (SDM Vol. 3C 25.11.2). */
static inline bool vmcs_field_is_64bit_full(uint64_t field)
{
	return ((field >> 13) & 3) == 1 && !(field & 1);
}

#define VMX_INSN_PA(name, insn)							\
static inline int name(uint64_t pa)						\
{										\
	uint8_t fail;								\
										\
	asm volatile(insn " %[pa]; setna %[fail]"				\
		     : [fail] "=rm"(fail) : [pa] "m"(pa) : "cc", "memory");	\
	return fail;								\
}
VMX_INSN_PA(vmxon, "vmxon")
VMX_INSN_PA(vmclear, "vmclear")
VMX_INSN_PA(vmptrld, "vmptrld")

static inline int __vmread32(uint32_t field, uint32_t *value)
{
	uint8_t fail;

	asm volatile("vmread %[field], %[value]; setna %[fail]"
		     : [value] "=rm"(*value), [fail] "=rm"(fail) : [field] "r"(field)
		     : "cc", "memory");
	return fail;
}

static inline int __vmwrite32(uint32_t field, uint32_t value)
{
	uint8_t fail;

	asm volatile("vmwrite %[value], %[field]; setna %[fail]"
		     : [fail] "=rm"(fail) : [value] "rm"(value), [field] "r"(field)
		     : "cc", "memory");
	return fail;
}

static inline int vmread(uint64_t field, uint64_t *value)
{
	uint32_t lo = 0, hi = 0;
	int fail = __vmread32(field, &lo);

	if (!fail && vmcs_field_is_64bit_full(field))
		fail = __vmread32(field + 1, &hi);
	*value = lo | (uint64_t)hi << 32;
	return fail;
}

static inline uint64_t vmreadz(uint64_t field)
{
	uint64_t value = 0;

	vmread(field, &value);
	return value;
}

static inline int vmwrite(uint64_t field, uint64_t value)
{
	int fail = __vmwrite32(field, value);

	if (!fail && vmcs_field_is_64bit_full(field))
		fail = __vmwrite32(field + 1, value >> 32);
	return fail;
}

static inline void vmcall(void)
{
	asm volatile("vmcall" : : : "memory");
}

#endif /* SELFTEST_KVM_X86_32_VMX_H */
