/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Descriptor tables of 64-bit guests (GDT, TSS, IDT) and the register
 * state that starts a vCPU in 64-bit mode on them.
 */
#ifndef NST_X86_DESC_H
#define NST_X86_DESC_H

#include <linux/kvm.h>

#include "x86/processor.h"

struct kvm_vm;

/* Builds the GDT, TSS and IDT in guest memory. */
void vm_setup_descriptors(struct kvm_vm *vm);
/* Fills @sregs for 64-bit mode with the VM's tables and page tables. */
void vm_long_mode_sregs(struct kvm_vm *vm, struct kvm_sregs *sregs);

/* Encodes a code or data segment descriptor (SDM Vol. 3A 3.4.5). */
uint64_t gdt_segment_desc(uint32_t base, uint32_t limit, uint8_t type, bool code_or_data,
			  uint8_t dpl, bool l, bool db, bool g);

#endif /* NST_X86_DESC_H */
