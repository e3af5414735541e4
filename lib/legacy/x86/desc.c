// SPDX-License-Identifier: GPL-2.0-only
/* GDT, TSS and IDT of 64-bit guests, and their segment registers. */
#include <string.h>

#include "kvm_util.h"
#include "x86/desc.h"

#define TSS64_LIMIT	0x67
#define IDT_GATE_INTR	0xe	/* 64-bit interrupt gate */
#define SEG_TYPE_CODE	0xb	/* execute/read, accessed */
#define SEG_TYPE_DATA	0x3	/* read/write, accessed */
#define SEG_TYPE_TSS	0xb	/* busy 64-bit TSS: what VM entry requires of TR */

extern char guest_idt_stubs[];

uint64_t gdt_segment_desc(uint32_t base, uint32_t limit, uint8_t type, bool code_or_data,
			  uint8_t dpl, bool l, bool db, bool g)
{
	uint64_t d = 0;

	d |= limit & 0xffff;
	d |= (uint64_t)(base & 0xffffff) << 16;
	d |= (uint64_t)(type & 0xf) << 40;
	d |= (uint64_t)code_or_data << 44;
	d |= (uint64_t)(dpl & 3) << 45;
	d |= 1ull << 47;				/* present */
	d |= (uint64_t)((limit >> 16) & 0xf) << 48;
	d |= (uint64_t)l << 53;
	d |= (uint64_t)db << 54;
	d |= (uint64_t)g << 55;
	d |= (uint64_t)(base >> 24) << 56;
	return d;
}

static void write_gdt(struct kvm_vm *vm)
{
	uint64_t *gdt = addr_gpa2hva(vm, vm->gdt);

	gdt[GDT_SEL_CODE64 / 8] = gdt_segment_desc(0, 0xfffff, SEG_TYPE_CODE, true, 0,
						    true, false, true);
	gdt[GDT_SEL_DATA / 8] = gdt_segment_desc(0, 0xfffff, SEG_TYPE_DATA, true, 0,
						  false, true, true);
	gdt[GDT_SEL_CODE32 / 8] = gdt_segment_desc(0, 0xfffff, SEG_TYPE_CODE, true, 0,
						    false, true, true);
	/* A 64-bit TSS descriptor takes two slots; the second holds base 63:32. */
	gdt[GDT_SEL_TSS / 8] = gdt_segment_desc(vm->tss, TSS64_LIMIT, 0x9, false, 0,
						 false, false, false);
	gdt[GDT_SEL_TSS / 8 + 1] = vm->tss >> 32;
}

static void write_idt(struct kvm_vm *vm)
{
	uint64_t *idt = addr_gpa2hva(vm, vm->idt);

	for (int v = 0; v < 256; v++) {
		uint64_t handler = (uint64_t)(uintptr_t)guest_idt_stubs + 16 * v;

		idt[2 * v] = (handler & 0xffff) | ((uint64_t)GDT_SEL_CODE64 << 16) |
			     ((uint64_t)(0x80 | IDT_GATE_INTR) << 40) |
			     ((handler >> 16 & 0xffff) << 48);
		idt[2 * v + 1] = handler >> 32;
	}
}

void vm_setup_descriptors(struct kvm_vm *vm)
{
	vm->gdt = vm_alloc_pages(vm, 1);
	vm->idt = vm_alloc_pages(vm, 1);
	vm->tss = vm_alloc_pages(vm, 1);
	write_gdt(vm);
	write_idt(vm);
}

static void flat_segment(struct kvm_segment *s, uint16_t selector, uint8_t type, bool l)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = selector, .type = type,
		.present = 1, .dpl = 0, .db = !l, .s = 1, .l = l, .g = 1,
	};
}

void vm_long_mode_sregs(struct kvm_vm *vm, struct kvm_sregs *sregs)
{
	flat_segment(&sregs->cs, GDT_SEL_CODE64, SEG_TYPE_CODE, true);
	flat_segment(&sregs->ds, GDT_SEL_DATA, SEG_TYPE_DATA, false);
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	sregs->tr = (struct kvm_segment){
		.base = vm->tss, .limit = TSS64_LIMIT, .selector = GDT_SEL_TSS,
		.type = SEG_TYPE_TSS, .present = 1,
	};
	sregs->ldt = (struct kvm_segment){ .type = 2, .present = 1, .unusable = 1 };
	sregs->gdt.base = vm->gdt;
	sregs->gdt.limit = GDT_ENTRIES * 8 - 1;
	sregs->idt.base = vm->idt;
	sregs->idt.limit = 256 * 16 - 1;
	/* CR0.MP and CR4.OSFXSR/OSXMMEXCPT: guest C code may use SSE. */
	sregs->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP |
		     X86_CR0_PG;
	sregs->cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	sregs->cr3 = vm->pt.root;
	sregs->efer = EFER_LME | EFER_LMA;
}
