/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A 32-bit L1: L1 code compiled for 32-bit protected mode with PAE paging,
 * linked as a flat image at L1_32_BASE and embedded in the 64-bit test
 * binary.  A test with x86/NAME.l1_32.c gets that file, with the 32-bit
 * builds of the guest library (ucall, asserts, page tables, VMX, the L2
 * agent), as the image in the symbols below; its entry is
 *
 *	void l1_32_main(uint32_t arg);
 *
 * and the host starts it with vm_add_vcpu_l1_32().
 */
#ifndef NST_X86_L1_32_H
#define NST_X86_L1_32_H

#define L1_32_BASE	0x100000
#define L1_32_MAX_SIZE	0x200000
#define L1_32_MAGIC	0x32334c31

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* At the start of the image (lib/x86_32/start.S). */
struct l1_32_header {
	uint32_t magic;
	uint32_t entry;
	uint32_t bss_start, bss_end;
	uint32_t page_pool;	/* the image's struct page_pool */
	uint32_t idt_stubs;	/* 256 stubs, 16 bytes apart */
	uint32_t inverted;	/* the image's guest_inverted (ucall.h) */
};

void l1_32_main(uint32_t arg);

#ifdef __x86_64__
struct kvm_vm;
struct kvm_vcpu;

/* The embedded image of this test (generated from x86/NAME.l1_32.c). */
extern const char l1_32_image[], l1_32_image_end[];

/*
 * Loads the image, gives it a share of guest memory as its page pool, and
 * adds a vCPU in 32-bit protected mode with PAE paging (identity mapped)
 * that starts at the image's entry with EAX = @arg.
 */
struct kvm_vcpu *vm_add_vcpu_l1_32(struct kvm_vm *vm, uint32_t arg);
#endif
#endif /* __ASSEMBLER__ */

#endif /* NST_X86_L1_32_H */
