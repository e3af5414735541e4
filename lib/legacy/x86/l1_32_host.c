// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host side of a 32-bit L1 (see x86/l1_32.h): the image in guest memory,
 * its page pool, identity-mapping PAE tables, a 32-bit IDT, and a vCPU in
 * 32-bit protected mode with PAE paging.
 */
#include <string.h>

#include "kvm_util.h"
#include "page_pool.h"
#include "ucall.h"
#include "x86/desc.h"
#include "x86/l1_32.h"

#define L1_32_POOL_PAGES	4096	/* 16 MiB of guest memory for the L1's allocator */
#define SEG_TYPE_CODE		0xb
#define SEG_TYPE_DATA		0x3
#define SEG_TYPE_TSS_BUSY	0xb

/* Weak: only tests with an x86/NAME.l1_32.c link an image. */
extern const char l1_32_image[] __attribute__((weak));
extern const char l1_32_image_end[] __attribute__((weak));

static void *pt_map_vm(void *ctx, uint64_t pa)
{
	return addr_gpa2hva(ctx, pa);
}

static uint64_t pt_alloc_vm(void *ctx)
{
	return vm_alloc_pages(ctx, 1);
}

static const struct l1_32_header *load_image(struct kvm_vm *vm)
{
	size_t size = l1_32_image_end - l1_32_image;
	struct l1_32_header *h = addr_gpa2hva(vm, L1_32_BASE);
	struct page_pool *pool;
	uint64_t start;

	TEST_ASSERT(l1_32_image && size >= sizeof(*h), "the test has no 32-bit L1 image");
	memcpy(h, l1_32_image, size);
	TEST_ASSERT_EQ(h->magic, L1_32_MAGIC);
	TEST_ASSERT(h->bss_end <= L1_32_BASE + L1_32_MAX_SIZE, "32-bit L1 image too large");
	memset(addr_gpa2hva(vm, h->bss_start), 0, h->bss_end - h->bss_start);
	*(bool *)addr_gpa2hva(vm, h->inverted) = guest_inverted;
	/* Untouched guest memory is zero, and the L1 zeroes what it allocates. */
	start = page_pool_alloc(&guest_global(vm, guest_page_pool), L1_32_POOL_PAGES);
	TEST_ASSERT(start, "no guest memory left for the 32-bit L1's page pool");
	pool = addr_gpa2hva(vm, h->page_pool);
	pool->next = start;
	pool->end = start + L1_32_POOL_PAGES * PAGE_SIZE;
	return h;
}

/* 32-bit interrupt gates (SDM Vol. 3A 6.11) to the image's stubs. */
static uint64_t build_idt32(struct kvm_vm *vm, uint32_t stubs)
{
	uint64_t idt = vm_alloc_pages(vm, 1);
	uint64_t *gate = addr_gpa2hva(vm, idt);

	for (int v = 0; v < 256; v++) {
		uint32_t handler = stubs + 16 * v;

		gate[v] = (handler & 0xffff) | ((uint64_t)GDT_SEL_CODE32 << 16) |
			  (0x8eull << 40) | ((uint64_t)(handler >> 16) << 48);
	}
	return idt;
}

static struct kvm_segment flat(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){
		.limit = 0xffffffff, .selector = selector, .type = type, .present = 1,
		.db = 1, .s = 1, .g = 1,
	};
}

static void pae32_sregs(struct kvm_vm *vm, struct kvm_sregs *sregs, uint64_t cr3, uint64_t idt)
{
	sregs->cs = flat(GDT_SEL_CODE32, SEG_TYPE_CODE);
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss =
		flat(GDT_SEL_DATA, SEG_TYPE_DATA);
	sregs->tr = (struct kvm_segment){
		.base = vm->tss, .limit = 0x67, .selector = GDT_SEL_TSS,
		.type = SEG_TYPE_TSS_BUSY, .present = 1,
	};
	sregs->ldt = (struct kvm_segment){ .type = 2, .present = 1, .unusable = 1 };
	sregs->gdt.base = vm->gdt;
	sregs->gdt.limit = GDT_ENTRIES * 8 - 1;
	sregs->idt.base = idt;
	sregs->idt.limit = 256 * 8 - 1;
	sregs->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP |
		     X86_CR0_PG;
	sregs->cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	sregs->cr3 = cr3;
	sregs->efer = 0;
}

struct kvm_vcpu *vm_add_vcpu_l1_32(struct kvm_vm *vm, uint32_t arg)
{
	const struct l1_32_header *h = load_image(vm);
	struct kvm_vcpu *vcpu = vm_add_vcpu_raw(vm);
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct page_table pt;
	uint64_t stack;

	TEST_ASSERT(vm->mem_size <= (1ull << 32), "a 32-bit L1 maps memory below 4 GiB only");
	TEST_ASSERT(pt_init(&pt, PT_PAE, pt_map_vm, pt_alloc_vm, vm) &&
		    pt_map_range(&pt, PAGE_SIZE, PAGE_SIZE, vm->mem_size - PAGE_SIZE, PTE_RW),
		    "PAE tables of the 32-bit L1");
	vcpu_sregs_get(vcpu, &sregs);
	pae32_sregs(vm, &sregs, pt.root, build_idt32(vm, h->idt_stubs));
	vcpu_sregs_set(vcpu, &sregs);

	stack = vm_alloc_pages(vm, GUEST_STACK_PAGES);
	memset(&regs, 0, sizeof(regs));
	regs.rip = h->entry;
	regs.rsp = stack + GUEST_STACK_PAGES * PAGE_SIZE;
	regs.rflags = GUEST_START_RFLAGS;
	regs.rax = arg;
	vcpu_regs_set(vcpu, &regs);
	return vcpu;
}
