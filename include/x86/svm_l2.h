/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L1 guest code running L2s with AMD SVM (APM Vol. 2, chapter 15): SVM
 * enabled (EFER.SVME, VM_HSAVE_PA), vmcb12s that L1 builds for a long-mode
 * or a 32-bit PAE L2, with or without nested paging, and the L2 run loop,
 * which keeps L2's general-purpose registers in memory (VMRUN and #VMEXIT
 * switch only RAX, RSP and RIP through the VMCB) and switches the state
 * VMLOAD and VMSAVE handle.  The counterpart of x86/vmx_l2.h; extends the
 * KVM selftests library's svm.h and svm_util.h (whose generic_svm_setup()
 * sets up one long-mode L2 that shares L1's page tables).
 *
 * A minimal L1:
 *
 *	struct l1_svm *svm = svm_enable();
 *	struct l2_vmcb *v = l2_vmcb_create(svm, &(struct svm_l2_setup){
 *			.mode = L2_LONG_MODE, .entry = l2_code });
 *	GUEST_ASSERT_EQ(svm_run(svm, v), SVM_EXIT_VMMCALL);
 *	svm_skip_instruction(v, 3);
 *	svm_disable(svm);
 */
#ifndef SELFTEST_KVM_SVM_L2_H
#define SELFTEST_KVM_SVM_L2_H

#include <stdbool.h>
#include <stdint.h>

#include "processor.h"
#include "svm_util.h"
#include "ucall_common.h"
#include "x86/guest_skip.h"
#include "x86/svm_arch.h"
/* enum l2_mode and struct vmx_l2_regs: L2's modes and GPRs are the same for both vendors. */
#include "x86/vmx_l2.h"

/* VMLOAD and VMSAVE of the VMCB at physical address @pa (APM 15.5.2). */
static inline void svm_vmload(uint64_t pa)
{
	asm volatile("vmload %%rax" : : "a"(pa) : "memory");
}

static inline void svm_vmsave(uint64_t pa)
{
	asm volatile("vmsave %%rax" : : "a"(pa) : "memory");
}

/*
 * INVLPGA (APM Vol. 3): invalidates the translation of @va in @asid, for
 * L1 to flush an L2's translations of one page.
 */
static inline void svm_invlpga(uint64_t va, uint32_t asid)
{
	asm volatile("invlpga %%rax, %%ecx" : : "a"(va), "c"(asid) : "memory");
}

/* L1's SVM state: what every vmcb12 of it shares. */
struct l1_svm {
	uint64_t hsave_pa;		/* VM_HSAVE_PA: where VMRUN keeps L1's state */
	uint64_t host_save_pa;		/* L1's VMSAVE state across each VMRUN */
	uint64_t msrpm_pa;		/* SVM_MSRPM_SIZE, all zero: no MSR exits */
	uint64_t iopm_pa;		/* SVM_IOPM_SIZE, all zero: no I/O exits */
	bool npt;			/* CPUID Fn8000_000A EDX[0]: nested paging */
	bool nrips;			/* CPUID Fn8000_000A EDX[3]: NRIP save */
	bool flush_by_asid;		/* CPUID Fn8000_000A EDX[6]: TLB_CONTROL 3 and 7 */
	uint32_t nr_asids;		/* CPUID Fn8000_000A EBX */
};

/* One vmcb12 of L1's, for one L2. */
struct l2_vmcb {
	struct vmcb *vmcb;		/* identity mapped: its address is its physical one */
	enum l2_mode mode;
	/*
	 * L2's GPRs, rax included: svm_run() gives vmcb->save.rax this value
	 * before VMRUN and copies it back after #VMEXIT.
	 */
	struct vmx_l2_regs regs;
};

/* What L1 asks of a new vmcb12. */
struct svm_l2_setup {
	enum l2_mode mode;
	void *entry;			/* L2's first instruction */
	uint64_t stack_top;		/* 0: a new stack */
	uint64_t cr3;			/* L2's paging root; 0: L1's CR3 (long mode only) */
	uint64_t ncr3;			/* non-zero: nested paging with this nCR3 */
	uint32_t asid;			/* 0: ASID 1 */
	uint64_t intercept;		/* INTERCEPT_* bits besides the defaults */
	uint8_t tlb_ctl;		/* TLB_CONTROL_* */
};

/* Intercepts every vmcb12 gets (VMRUN must be: APM 15.5.1, the VMRUN checks). */
#define SVM_L2_DEFAULT_INTERCEPTS						\
	(BIT_ULL(INTERCEPT_INTR) | BIT_ULL(INTERCEPT_NMI) | BIT_ULL(INTERCEPT_HLT) |	\
	 BIT_ULL(INTERCEPT_SHUTDOWN) | BIT_ULL(INTERCEPT_VMRUN) | BIT_ULL(INTERCEPT_VMMCALL) | \
	 BIT_ULL(INTERCEPT_MSR_PROT) | BIT_ULL(INTERCEPT_IOIO_PROT))

/*
 * Enables SVM: EFER.SVME, VM_HSAVE_PA, the permission maps.  Skips the
 * scenario (GUEST_SKIP) when the vCPU has no SVM or SVM is disabled.
 */
struct l1_svm *svm_enable(void);
/* Clears EFER.SVME. */
void svm_disable(struct l1_svm *svm);
/* GUEST_SKIPs unless the vCPU offers nested paging to L1 (kvm_amd npt=1). */
void svm_require_npt(const struct l1_svm *svm);

/* Allocates and fills a vmcb12 for @setup. */
struct l2_vmcb *l2_vmcb_create(struct l1_svm *svm, const struct svm_l2_setup *setup);
/*
 * Switches @v's L2 to @mode with paging root @cr3 (EFER, CR4, CS, IDTR).
 * L2's RIP is left to the caller: its code must suit the new mode.
 */
void l2_vmcb_set_mode(struct l2_vmcb *v, enum l2_mode mode, uint64_t cr3);

/*
 * VMRUN of @v's L2 and back: returns the exit code after #VMEXIT
 * (SVM_EXIT_ERR, -1, when VMRUN found the vmcb12 invalid).  L1's FS, GS,
 * TR, LDTR and syscall MSRs are kept apart from L2's with VMSAVE and
 * VMLOAD around VMRUN, with GIF clear between them.
 */
uint64_t svm_run(struct l1_svm *svm, struct l2_vmcb *v);
/* Low level: loads @regs (not RAX), VMRUN of @vmcb_pa, saves @regs; see svm_l2_entry.S. */
void svm_enter(struct vmx_l2_regs *regs, uint64_t vmcb_pa, uint64_t host_save_pa);

/* Advances L2's RIP past the intercepted instruction, @len bytes long. */
void svm_skip_instruction(struct l2_vmcb *v, unsigned int len);

/*
 * The TLB_CONTROL value that flushes the translations of a vmcb12's ASID
 * at its next VMRUN (APM 15.16): TLB_CONTROL_FLUSH_ASID with FlushByAsid,
 * else TLB_CONTROL_FLUSH_ALL_ASID, the only other one defined then.  The
 * processor does not clear TLB_CONTROL: the caller sets it back.
 */
static inline uint8_t svm_flush_asid_ctl(const struct l1_svm *svm)
{
	return svm->flush_by_asid ? TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL_ASID;
}

/* Intercept vectors (APM 15.9-15.13, VMCB offsets 0x00-0x14). */
static inline void vmcb_set_intercept(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.intercept |= BIT_ULL(bit);
}

static inline void vmcb_clr_intercept(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.intercept &= ~BIT_ULL(bit);
}

static inline bool vmcb_is_intercept(const struct vmcb *vmcb, unsigned int bit)
{
	return vmcb->control.intercept & BIT_ULL(bit);
}

/* INTERCEPT_CR*_READ/WRITE: bits of the CR intercept vector. */
static inline void vmcb_set_cr_intercept(struct vmcb *vmcb, unsigned int bit, bool on)
{
	if (on)
		vmcb->control.intercept_cr |= BIT(bit);
	else
		vmcb->control.intercept_cr &= ~BIT(bit);
}

/* INTERCEPT_DR*_READ/WRITE: bits of the DR intercept vector. */
static inline void vmcb_set_dr_intercept(struct vmcb *vmcb, unsigned int bit, bool on)
{
	if (on)
		vmcb->control.intercept_dr |= BIT(bit);
	else
		vmcb->control.intercept_dr &= ~BIT(bit);
}

static inline void vmcb_set_exception_intercept(struct vmcb *vmcb, unsigned int vector, bool on)
{
	if (on)
		vmcb->control.intercept_exceptions |= BIT(vector);
	else
		vmcb->control.intercept_exceptions &= ~BIT(vector);
}

/* VMCB clean bits (VMCB_* of x86/svm_arch.h, APM 15.15.3). */
static inline void vmcb_mark_dirty(struct vmcb *vmcb, unsigned int bit)
{
	vmcb->control.clean &= ~BIT(bit);
}

static inline void vmcb_mark_all_dirty(struct vmcb *vmcb)
{
	vmcb->control.clean = 0;
}

static inline void vmcb_mark_all_clean(struct vmcb *vmcb)
{
	vmcb->control.clean = VMCB_ALL_CLEAN_MASK;
}

/*
 * Sets or clears the intercepts of RDMSR and WRMSR of @msr in L1's MSR
 * permission map, and of I/O to @port in its I/O permission map (APM 15.11,
 * 15.10.1).  They are memory, shared by every vmcb12 of @svm; a vmcb12
 * uses them with INTERCEPT_MSR_PROT and INTERCEPT_IOIO_PROT (defaults).
 */
void svm_intercept_msr(struct l1_svm *svm, uint32_t msr, bool read, bool write);
void svm_intercept_io(struct l1_svm *svm, uint16_t port, bool intercept);

/* The name of an exit code (SVM_EXIT_*), "?" if unknown. */
const char *svm_exit_name(uint64_t code);
/* Asserts that the last exit of @v was @want; describes the exit otherwise. */
void __svm_assert_exit(const char *file, int line, const struct l2_vmcb *v, uint64_t got,
		       uint64_t want);
#define svm_assert_exit(v, got, want)	__svm_assert_exit(__FILE__, __LINE__, v, got, want)
void __svm_assert_exit_rule(const char *file, int line, const struct l2_vmcb *v, uint64_t got,
			    uint64_t good, uint64_t bad);
/*
 * A scenario's rule that L2's exit is @good; an inverted run (--self-check)
 * expects @bad.  See GUEST_ASSERT_RULE().
 */
#define svm_assert_exit_rule(v, got, good, bad)					\
	__svm_assert_exit_rule(__FILE__, __LINE__, v, got, good, bad)

#endif /* SELFTEST_KVM_SVM_L2_H */
