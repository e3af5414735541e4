// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host side of a 32-bit L1 (see x86/l1_32.h): its memslot with the image,
 * a GDT, TSS and IDT of its own, identity-mapping PAE tables and a stack,
 * the rest of the slot as its page pool, and its ucalls.
 */
#include <errno.h>
#include <string.h>

#include "kvm_util.h"
#include "page_table.h"
#include "processor.h"
#include "self_check.h"
#include "ucall_common.h"
#include "x86/l1_32.h"
#include "x86/l1_memory.h"
#include "x86/l1_vm.h"
#include "x86/l2_agent_abi.h"

#define L1_32_STACK_PAGES	16

/* GDT selectors of the 32-bit L1. */
#define L1_32_CS		0x08
#define L1_32_DS		0x10
#define L1_32_TSS		0x18

#define SEG_TYPE_CODE		0xb	/* execute/read, accessed */
#define SEG_TYPE_DATA		0x3	/* read/write, accessed */
#define SEG_TYPE_TSS32_BUSY	0xb

/* Weak: only tests with an x86/NAME.l1_32.c link an image. */
extern const char l1_32_image[] __attribute__((weak));
extern const char l1_32_image_end[] __attribute__((weak));

/* Pages of the slot past the image, handed out from the bottom. */
struct l1_32_alloc {
	struct kvm_vm *vm;
	uint64_t next;
};

static void *slot_map(void *ctx, uint64_t pa)
{
	return addr_gpa2hva(((struct l1_32_alloc *)ctx)->vm, pa);
}

static uint64_t slot_alloc(void *ctx)
{
	struct l1_32_alloc *a = ctx;
	uint64_t pa = a->next;

	a->next += PAGE_SIZE;
	TEST_ASSERT(a->next <= L1_32_BASE + L1_32_MEM_SIZE, "32-bit L1's memslot is full");
	memset(addr_gpa2hva(a->vm, pa), 0, PAGE_SIZE);
	return pa;
}

/* A flat descriptor (SDM Vol. 3A 3.4.5): base 0, limit 4 GiB, 32-bit. */
static uint64_t flat_desc(uint8_t type)
{
	return 0xffffull | (0xfull << 48) | ((uint64_t)type << 40) | (1ull << 44) |
	       (1ull << 47) | (1ull << 54) | (1ull << 55);
}

static uint64_t tss_desc(uint32_t base)
{
	return 0x67 | ((uint64_t)(base & 0xffffff) << 16) | ((uint64_t)SEG_TYPE_TSS32_BUSY << 40) |
	       (1ull << 47) | ((uint64_t)(base >> 24) << 56);
}

static struct kvm_segment segment(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){
		.limit = 0xffffffff, .selector = selector, .type = type, .present = 1,
		.db = 1, .s = 1, .g = 1,
	};
}

static const struct l1_32_header *load_image(struct kvm_vm *vm)
{
	size_t size = l1_32_image_end - l1_32_image;
	struct l1_32_header *h = addr_gpa2hva(vm, L1_32_BASE);

	TEST_ASSERT(l1_32_image && size >= sizeof(*h), "the test has no 32-bit L1 image");
	TEST_ASSERT(size <= L1_32_MAX_SIZE, "the 32-bit L1 image is too large");
	memcpy(h, l1_32_image, size);
	TEST_ASSERT_EQ(h->magic, L1_32_MAGIC);
	TEST_ASSERT(h->bss_end <= L1_32_BASE + L1_32_MAX_SIZE, "32-bit L1 image too large");
	memset(addr_gpa2hva(vm, h->bss_start), 0, h->bss_end - h->bss_start);
	*(bool *)addr_gpa2hva(vm, h->inverted) = guest_inverted;
	return h;
}

/* GDT, TSS and 32-bit interrupt gates to the image's stubs (SDM Vol. 3A 6.11). */
static void descriptor_tables(struct kvm_vm *vm, struct l1_32_alloc *a,
			      const struct l1_32_header *h, struct kvm_sregs *sregs)
{
	uint64_t gdt = slot_alloc(a), tss = slot_alloc(a), idt = slot_alloc(a);
	uint64_t *d = addr_gpa2hva(vm, gdt), *gate = addr_gpa2hva(vm, idt);

	d[L1_32_CS / 8] = flat_desc(SEG_TYPE_CODE);
	d[L1_32_DS / 8] = flat_desc(SEG_TYPE_DATA);
	d[L1_32_TSS / 8] = tss_desc(tss);
	for (int v = 0; v < 256; v++) {
		uint32_t handler = h->idt_stubs + 16 * v;

		gate[v] = (handler & 0xffff) | ((uint64_t)L1_32_CS << 16) | (0x8eull << 40) |
			  ((uint64_t)(handler >> 16) << 48);
	}
	sregs->cs = segment(L1_32_CS, SEG_TYPE_CODE);
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss =
		segment(L1_32_DS, SEG_TYPE_DATA);
	sregs->tr = (struct kvm_segment){
		.base = tss, .limit = 0x67, .selector = L1_32_TSS, .type = SEG_TYPE_TSS32_BUSY,
		.present = 1,
	};
	sregs->ldt = (struct kvm_segment){ .type = 2, .present = 1, .unusable = 1 };
	sregs->gdt = (struct kvm_dtable){ .base = gdt, .limit = 4 * 8 - 1 };
	sregs->idt = (struct kvm_dtable){ .base = idt, .limit = 256 * 8 - 1 };
}

/* The image's pool and memory description: its slot, identity mapped. */
static void describe_memory(struct kvm_vm *vm, const struct l1_32_header *h, uint64_t pool)
{
	struct guest_page_pool *p = addr_gpa2hva(vm, h->page_pool);
	struct l1_memory *m = addr_gpa2hva(vm, h->memory);
	const struct l1_range slot = {
		.gva = L1_32_BASE, .gpa = L1_32_BASE, .npages = L1_32_MEM_SIZE / PAGE_SIZE,
	};

	*p = (struct guest_page_pool){ .next = pool, .end = L1_32_BASE + L1_32_MEM_SIZE };
	*m = (struct l1_memory){ .nr_mapped = 1, .mapped = { slot }, .nr_slots = 1,
				 .slots = { slot } };
}

struct kvm_vcpu *l1_32_vm_create(uint32_t arg)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	const struct l1_32_header *h;
	struct l1_32_alloc a;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct page_table pt;
	uint64_t stack;

	/* The vCPU's 64-bit setup is replaced below; the guest code is never run. */
	vm = vm_create_with_one_vcpu(&vcpu, NULL);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, L1_32_BASE, L1_32_SLOT,
				    L1_32_MEM_SIZE / PAGE_SIZE, 0);
	h = load_image(vm);
	a = (struct l1_32_alloc){ .vm = vm, .next = L1_32_BASE + L1_32_MAX_SIZE };

	vcpu_sregs_get(vcpu, &sregs);
	descriptor_tables(vm, &a, h, &sregs);
	TEST_ASSERT(pt_init(&pt, PT_PAE, slot_map, slot_alloc, &a) &&
		    pt_map_range(&pt, L1_32_BASE, L1_32_BASE, L1_32_MEM_SIZE, 1ull << 1),
		    "PAE tables of the 32-bit L1");
	sregs.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	sregs.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	sregs.cr3 = pt.root;
	sregs.efer = 0;
	vcpu_sregs_set(vcpu, &sregs);

	stack = a.next;
	a.next += L1_32_STACK_PAGES * PAGE_SIZE;
	describe_memory(vm, h, a.next);
	regs = (struct kvm_regs){
		.rip = h->entry, .rsp = stack + L1_32_STACK_PAGES * PAGE_SIZE,
		.rflags = X86_EFLAGS_FIXED, .rax = arg,
	};
	vcpu_regs_set(vcpu, &regs);
	return vcpu;
}

/* A NUL-terminated string of the image, at guest address @gpa. */
static const char *image_string(struct kvm_vm *vm, uint64_t gpa)
{
	const char *s = gpa ? addr_gpa2hva(vm, gpa) : NULL;

	return s && memchr(s, 0, 4096) ? s : "?";
}

uint64_t l1_32_run_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	do {
		struct kvm_regs regs;
		int r;

		/*
		 * Not vcpu_run(): it takes an exit to the ucall port for one of
		 * the library's ucalls, whose RDI is a host address.
		 */
		do {
			r = __vcpu_run(vcpu);
		} while (r == -1 && errno == EINTR);
		TEST_ASSERT(!r, KVM_IOCTL_ERROR(KVM_RUN, r));
		TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO &&
			    vcpu->run->io.port == L2_UCALL_PORT,
			    "unexpected exit to the host: %s", exit_reason_str(vcpu->run->exit_reason));
		vcpu_regs_get(vcpu, &regs);
		memcpy(uc, addr_gpa2hva(vcpu->vm, (uint32_t)regs.rdi), sizeof(*uc));
		vcpu_run_complete_io(vcpu);

		/* The strings of an assert are the image's. */
		if (uc->cmd == UCALL_ABORT || uc->cmd == UCALL_UNHANDLED)
			test_assert(false, image_string(vcpu->vm, uc->args[GUEST_ERROR_STRING]),
				    image_string(vcpu->vm, uc->args[GUEST_FILE]),
				    uc->args[GUEST_LINE], "%s", uc->buffer);
	} while (!l1_ucall_returns(uc));
	return uc->cmd;
}
