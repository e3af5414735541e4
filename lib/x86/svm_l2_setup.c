// SPDX-License-Identifier: GPL-2.0-only
/*
 * L1 builds vmcb12s for L2s (AMD APM Vol. 2 15.5 "VMRUN Instruction",
 * 15.5.1 for the state VMRUN checks, Appendix B for the VMCB layout).
 */
#include "x86/l1_memory.h"
#include "x86/l2_paging.h"
#include "x86/svm_l2.h"

#define L2_STACK_PAGES	4

/* VMCB segment attributes (APM 15.5.1: descriptor bits 55:52 and 47:40). */
#define SEG_TYPE_CODE	0xb		/* execute/read, accessed */
#define SEG_TYPE_DATA	0x3		/* read/write, accessed */
#define SEG_ATTR_FLAT	(SVM_SELECTOR_S_MASK | SVM_SELECTOR_P_MASK | SVM_SELECTOR_G_MASK)
#define SEG_ATTR_CODE64	(SEG_TYPE_CODE | SEG_ATTR_FLAT | SVM_SELECTOR_L_MASK)
#define SEG_ATTR_CODE32	(SEG_TYPE_CODE | SEG_ATTR_FLAT | SVM_SELECTOR_DB_MASK)
#define SEG_ATTR_DATA	(SEG_TYPE_DATA | SEG_ATTR_FLAT | SVM_SELECTOR_DB_MASK)

/* DR6 and DR7 as after reset (APM Vol. 2 13.1.1.5, 13.1.1.6). */
#define DR6_INIT	0xffff0ff0ull
#define DR7_INIT	0x400ull

static void set_seg(struct vmcb_seg *seg, uint16_t selector, uint64_t base, uint32_t limit,
		    uint16_t attrib)
{
	*seg = (struct vmcb_seg){ .selector = selector, .attrib = attrib, .limit = limit,
				  .base = base };
}

/*
 * What distinguishes a long-mode L2 from a PAE one (APM 15.5.1, and Vol. 2
 * 14.6-14.7 for the modes): EFER.LME/LMA, CR4.PCIDE, CS.L/D and the IDT
 * (L1's is in 64-bit format: a 32-bit L2 gets none, all its exceptions are
 * intercepted).  EFER.SVME stays set: VMRUN fails with it clear (15.5.1).
 */
static void write_mode_state(struct vmcb *vmcb, enum l2_mode mode, uint64_t cr3)
{
	struct vmcb_save_area *save = &vmcb->save;
	uint64_t efer = rdmsr(MSR_EFER) & (EFER_NX | EFER_SVME | EFER_SCE);
	uint64_t cr4 = l2_mode_cr4(get_cr4(), mode, cr3);
	bool lm = mode == L2_LONG_MODE;
	struct desc_ptr idt = get_idt();

	__GUEST_ASSERT(lm || (cr3 && cr3 < (1ull << 32)), "a PAE L2 needs a PDPT below 4 GiB");
	if (lm)
		efer |= EFER_LME | EFER_LMA;
	save->efer = efer | EFER_SVME;
	save->cr4 = cr4;
	save->cr3 = cr3 ? cr3 : get_cr3();
	set_seg(&save->cs, get_cs(), 0, 0xffffffff, lm ? SEG_ATTR_CODE64 : SEG_ATTR_CODE32);
	set_seg(&save->idtr, 0, lm ? idt.address : 0, lm ? idt.size : 0, 0);
}

static void write_control(struct l1_svm *svm, struct vmcb *vmcb, const struct svm_l2_setup *s)
{
	struct vmcb_control_area *ctl = &vmcb->control;

	ctl->intercept = SVM_L2_DEFAULT_INTERCEPTS | s->intercept;
	/* Every L2 exception exits to L1, which reports it: L2 has no handlers. */
	ctl->intercept_exceptions = SVM_ALL_EXCEPTIONS;
	ctl->iopm_base_pa = svm->iopm_pa;
	ctl->msrpm_base_pa = svm->msrpm_pa;
	/* ASID 0 is the host's: VMRUN fails with it (15.5.1). */
	ctl->asid = s->asid ? s->asid : 1;
	ctl->tlb_ctl = s->tlb_ctl;
	/*
	 * Virtual interrupt masking: L2's RFLAGS.IF masks only virtual
	 * interrupts, L1's physical ones stay under L1's IF and are
	 * intercepted (15.21.1), as KVM's own VMCBs do.
	 */
	ctl->int_ctl = V_INTR_MASKING_MASK;
	if (s->ncr3) {
		svm_require_npt(svm);
		ctl->misc_ctl |= SVM_MISC_ENABLE_NP;
		ctl->nested_cr3 = s->ncr3;
	}
	/* No clean bits: the processor reloads every field at VMRUN (15.15.3). */
	vmcb_mark_all_dirty(vmcb);
}

static void write_save(struct vmcb *vmcb, const struct svm_l2_setup *s, uint64_t stack)
{
	struct vmcb_save_area *save = &vmcb->save;
	struct desc_ptr gdt = get_gdt();

	/* FS, GS, TR, LDTR and the syscall/sysenter MSRs: L1's, as VMSAVE stores them. */
	svm_vmsave((uintptr_t)vmcb);
	set_seg(&save->es, get_ds(), 0, 0xffffffff, SEG_ATTR_DATA);
	set_seg(&save->ss, get_ds(), 0, 0xffffffff, SEG_ATTR_DATA);
	set_seg(&save->ds, get_ds(), 0, 0xffffffff, SEG_ATTR_DATA);
	set_seg(&save->gdtr, 0, gdt.address, gdt.size, 0);
	save->cpl = 0;
	save->cr0 = get_cr0();
	save->g_pat = rdmsr(MSR_IA32_CR_PAT);
	save->dr6 = DR6_INIT;
	save->dr7 = DR7_INIT;
	save->rflags = L2_START_RFLAGS;
	save->rip = (uintptr_t)s->entry;
	save->rsp = stack;
	write_mode_state(vmcb, s->mode, s->cr3);
}

void l2_vmcb_set_mode(struct l2_vmcb *v, enum l2_mode mode, uint64_t cr3)
{
	write_mode_state(v->vmcb, mode, cr3);
	vmcb_mark_dirty(v->vmcb, VMCB_CR);
	vmcb_mark_dirty(v->vmcb, VMCB_SEG);
	vmcb_mark_dirty(v->vmcb, VMCB_DT);
	v->mode = mode;
}

struct l2_vmcb *l2_vmcb_create(struct l1_svm *svm, const struct svm_l2_setup *setup)
{
	struct l2_vmcb *v = guest_alloc_pages(1);
	uint64_t stack = setup->stack_top;

	if (!stack)
		stack = (uintptr_t)guest_alloc_pages(L2_STACK_PAGES) + L2_STACK_PAGES * PAGE_SIZE;
	v->vmcb = guest_alloc_pages(1);
	v->mode = setup->mode;
	write_control(svm, v->vmcb, setup);
	write_save(v->vmcb, setup, stack);
	return v;
}
