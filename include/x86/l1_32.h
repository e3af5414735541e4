/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A 32-bit L1: L1 code compiled for 32-bit protected mode with PAE paging,
 * linked as a flat image at L1_32_BASE and embedded in the 64-bit test
 * binary (the KVM selftests library runs 64-bit guests only).  A test
 * with x86/NAME.l1_32.c gets that file, with the 32-bit builds of the
 * nested library, the library's string_override.c and the runtime in
 * lib/x86_32, as the image below; its entry is
 *
 *	void l1_32_main(uint32_t arg);
 *
 * The image has a memslot of its own, identity mapped by PAE tables the
 * host builds; the rest of the slot is its page pool.  Its ucalls carry
 * guest-physical addresses: the host runs it with l1_32_run_ucall().
 */
#ifndef SELFTEST_KVM_L1_32_H
#define SELFTEST_KVM_L1_32_H

#define L1_32_SLOT		11
#define L1_32_BASE		0x80000000	/* the slot's start and the image's */
#define L1_32_MAX_SIZE		0x200000
#define L1_32_MEM_SIZE		0x3000000	/* 48 MiB */
#define L1_32_MAGIC		0x32334c31

#ifndef __ASSEMBLER__
#include <stdint.h>

/* At the start of the image (lib/x86_32/start.S). */
struct l1_32_header {
	uint32_t magic;
	uint32_t entry;
	uint32_t bss_start, bss_end;
	uint32_t page_pool;	/* the image's struct guest_page_pool */
	uint32_t memory;	/* the image's struct l1_memory */
	uint32_t idt_stubs;	/* 256 stubs, 16 bytes apart */
	uint32_t inverted;	/* the image's guest_inverted (self_check.h) */
};

void l1_32_main(uint32_t arg);

#ifdef __x86_64__
#include "kvm_util.h"

/*
 * A VM whose vCPU runs this test's 32-bit L1 image, in 32-bit protected
 * mode with PAE paging, from its entry with EAX = @arg.
 */
struct kvm_vcpu *l1_32_vm_create(uint32_t arg);

/* vcpu_run_ucall() (x86/l1_vm.h) for a 32-bit L1. */
uint64_t l1_32_run_ucall(struct kvm_vcpu *vcpu, struct ucall *uc);
#endif
#endif /* __ASSEMBLER__ */

#endif /* SELFTEST_KVM_L1_32_H */
