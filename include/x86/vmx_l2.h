/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * L1 guest code running L2s: VMX operation, VMCSs that L1 builds for a
 * long-mode or a 32-bit PAE L2, and the L2 run loop, which keeps L2's
 * general-purpose registers in memory and resumes an L2 that still makes
 * progress when the VMX-preemption timer watchdog fires.  Extends the KVM
 * selftests library's vmx.h (whose prepare_vmcs() sets up one long-mode
 * L2 that shares L1's page tables).
 *
 * A minimal L1:
 *
 *	struct l1_vmx *vmx = vmx_enable();
 *	struct l2_vmcs *v = l2_vmcs_create(vmx, &(struct l2_setup){
 *			.mode = L2_LONG_MODE, .entry = l2_code });
 *	GUEST_ASSERT_EQ(vmx_run(vmx, v), EXIT_REASON_VMCALL);
 *	vmx_skip_instruction();
 *	vmx_disable(vmx);
 */
#ifndef SELFTEST_KVM_VMX_L2_H
#define SELFTEST_KVM_VMX_L2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "processor.h"
#include "ucall_common.h"
#include "vmx.h"
#include "x86/guest_skip.h"
#include "x86/vmx_arch.h"
#include "x86/vmx_regs_abi.h"

_Static_assert(VMX_HOST_RSP_FIELD == HOST_RSP, "VMX_HOST_RSP_FIELD");

/* L2 starts with interrupts enabled, so that interrupt-window exits can happen. */
#define L2_START_RFLAGS		(X86_EFLAGS_FIXED | BIT(9) /* IF */)

/* The VM-instruction error of the current VMCS (SDM Vol. 3C 31.4). */
static inline uint32_t vmx_instruction_error(void)
{
	uint64_t err = 0;

	vmread(VM_INSTRUCTION_ERROR, &err);
	return err;
}

/* VMREAD and VMWRITE that assert VMsucceed (SDM Vol. 3C 31.2). */
static inline uint64_t vmcs_read(uint64_t field)
{
	uint64_t value;

	__GUEST_ASSERT(!vmread(field, &value), "VMREAD of field %#lx failed (error %u)",
		       field, vmx_instruction_error());
	return value;
}

static inline void vmcs_write(uint64_t field, uint64_t value)
{
	__GUEST_ASSERT(!vmwrite(field, value), "VMWRITE of %#lx to field %#lx failed (error %u)",
		       value, field, vmx_instruction_error());
}

/* VMXOFF; 0 on VMsucceed (the library's vmxoff() does not tell). */
static inline int __vmxoff(void)
{
	uint8_t fail;

	asm volatile("vmxoff; setna %[fail]" : [fail] "=rm"(fail) : : "cc", "memory");
	return fail;
}

/* INVEPT and INVVPID; 0 on VMsucceed (SDM Vol. 3C 31.3). */
static inline int __invept(uint64_t type, uint64_t eptp)
{
	struct { uint64_t eptp, reserved; } desc = { eptp, 0 };
	uint8_t fail;

	asm volatile("invept %[desc], %[type]; setna %[fail]"
		     : [fail] "=rm"(fail) : [desc] "m"(desc), [type] "r"((unsigned long)type)
		     : "cc", "memory");
	return fail;
}

static inline int __invvpid(uint64_t type, uint16_t vpid, uint64_t gla)
{
	struct { uint64_t vpid, gla; } desc = { vpid, gla };
	uint8_t fail;

	asm volatile("invvpid %[desc], %[type]; setna %[fail]"
		     : [fail] "=rm"(fail) : [desc] "m"(desc), [type] "r"((unsigned long)type)
		     : "cc", "memory");
	return fail;
}

/* A snapshot of the VMX capability MSRs (SDM Vol. 3C Appendix A). */
struct vmx_caps {
	uint64_t basic;
	uint64_t pin, proc, proc2, exit, entry;	/* allowed-0 low, allowed-1 high */
	uint64_t misc;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_vpid;
	uint64_t vmcs_enum;
};


/* Which control field a capability query is about. */
enum vmx_ctl {
	VMX_CTL_PIN,
	VMX_CTL_PROC,
	VMX_CTL_PROC2,
	VMX_CTL_EXIT,
	VMX_CTL_ENTRY,
};

/*
 * Fills @caps with @read_msr (rdmsr in L1, the feature MSRs on the host);
 * the TRUE_* controls MSRs are used when IA32_VMX_BASIC[55] says they exist.
 * Returns false if an MSR cannot be read.
 */
bool vmx_caps_read(struct vmx_caps *caps, bool (*read_msr)(uint32_t msr, uint64_t *val));
/* The capabilities, read by rdmsr in L1 (cached). */
const struct vmx_caps *vmx_caps(void);
bool vmx_ctl_allowed1(const struct vmx_caps *caps, enum vmx_ctl ctl, uint32_t bits);
bool vmx_ctl_allowed0(const struct vmx_caps *caps, enum vmx_ctl ctl, uint32_t bits);
/*
 * @want plus the bits that must be 1.  A bit of @want that must be 0 skips
 * the scenario, naming the control field and the bits: it is never dropped.
 */
uint32_t vmx_ctl_value(const struct vmx_caps *caps, enum vmx_ctl ctl, uint32_t want);
/* Secondary controls are usable only if "activate secondary controls" may be 1. */
bool vmx_has_proc2(const struct vmx_caps *caps, uint32_t bits);

/*
 * L2's general-purpose registers, saved and loaded around each VM entry by
 * the stubs, at the offsets of x86/vmx_regs_abi.h.
 */
struct vmx_l2_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

#define VMX_L2_REG_OFFSET(r, R)							\
	_Static_assert(offsetof(struct vmx_l2_regs, r) == VMX_L2_##R, "VMX_L2_" #R)
VMX_L2_REG_OFFSET(rax, RAX); VMX_L2_REG_OFFSET(rbx, RBX); VMX_L2_REG_OFFSET(rcx, RCX);
VMX_L2_REG_OFFSET(rdx, RDX); VMX_L2_REG_OFFSET(rsi, RSI); VMX_L2_REG_OFFSET(rdi, RDI);
VMX_L2_REG_OFFSET(rbp, RBP); VMX_L2_REG_OFFSET(r8, R8); VMX_L2_REG_OFFSET(r9, R9);
VMX_L2_REG_OFFSET(r10, R10); VMX_L2_REG_OFFSET(r11, R11); VMX_L2_REG_OFFSET(r12, R12);
VMX_L2_REG_OFFSET(r13, R13); VMX_L2_REG_OFFSET(r14, R14); VMX_L2_REG_OFFSET(r15, R15);
_Static_assert(sizeof(struct vmx_l2_regs) == VMX_L2_REGS_SIZE, "VMX_L2_REGS_SIZE");

/* The paging mode L2 starts in. */
enum l2_mode {
	L2_LONG_MODE,	/* IA-32e mode guest, 4-level paging */
	L2_PAE_MODE,	/* 32-bit protected mode, PAE paging, PDPTEs in the VMCS */
};

/* One VMCS of L1's, for one L2. */
struct l2_vmcs {
	uint64_t pa;			/* the VMCS region */
	bool launched;			/* VMLAUNCH succeeded since the last VMCLEAR */
	enum l2_mode mode;
	bool watchdog;			/* vmx_run() sees only an L2 stuck in place */
	uint64_t host_rsp;		/* HOST_RSP as last written */
	struct vmx_l2_regs regs;
};

/* What L1 asks of a new VMCS. */
struct l2_setup {
	enum l2_mode mode;
	void *entry;			/* L2's first instruction */
	uint64_t stack_top;		/* 0: a new stack */
	uint64_t cr3;			/* L2's paging root; 0: L1's CR3 (long mode only) */
	uint64_t eptp;			/* non-zero: "enable EPT" with this EPTP */
	uint16_t vpid;			/* non-zero: "enable VPID" with this VPID */
	bool watchdog;			/* VMX-preemption timer: a stuck L2 exits */
	uint32_t pin, proc, proc2;	/* controls wanted besides the defaults */
	uint32_t exit, entry_ctls;
};

/*
 * Preemption-timer value of the watchdog, in timer ticks (TSC >> MISC[4:0]).
 * Its exits are L0's host time, not L2's: vmx_run() resumes L2 as long as
 * its RIP or GPRs changed since the last one, up to VMX_WATCHDOG_SLICES.
 */
#define VMX_WATCHDOG_TICKS	(1u << 27)
#define VMX_WATCHDOG_SLICES	1000

/* L1's VMX state: VMXON region and the capability snapshot. */
struct l1_vmx {
	uint64_t vmxon_pa;
	const struct vmx_caps *caps;
	struct l2_vmcs *current;
	uint64_t msr_bitmap;		/* all zero: no MSR access exits */
	uint64_t io_bitmap_a, io_bitmap_b;
};

/*
 * Enters VMX operation: IA32_FEATURE_CONTROL, CR0/CR4 fixed bits, CR4.VMXE,
 * VMXON.  Skips the scenario (GUEST_SKIP) when VMX is not usable.
 */
struct l1_vmx *vmx_enable(void);
void vmx_disable(struct l1_vmx *vmx);

/* Allocates, VMCLEARs, VMPTRLDs and fills a VMCS for @setup. */
struct l2_vmcs *l2_vmcs_create(struct l1_vmx *vmx, const struct l2_setup *setup);
/*
 * Switches @v's L2 to @mode with paging root @cr3 (entry control, EFER, CS,
 * CR4, IDT, and with EPT the PDPTEs from the PDPT at @cr3).  L2's RIP is
 * left to the caller: its code must suit the new mode.
 */
void l2_vmcs_set_mode(struct l1_vmx *vmx, struct l2_vmcs *v, enum l2_mode mode,
		       uint64_t cr3);
/* VMPTRLD of @v (after which it is the current VMCS). */
void l2_vmcs_load(struct l1_vmx *vmx, struct l2_vmcs *v);
/* VMCLEAR of @v: its launch state becomes "clear". */
void l2_vmcs_clear(struct l1_vmx *vmx, struct l2_vmcs *v);

/*
 * Enters L2 with @v (VMLAUNCH or VMRESUME as its launch state requires)
 * and returns the full exit reason after the VM exit.  A VMfail asserts,
 * with the VM-instruction error; a failed VM entry returns the exit
 * reason with EXIT_REASON_FAILED_VMENTRY set.
 */
uint32_t vmx_run(struct l1_vmx *vmx, struct l2_vmcs *v);
/* Low level: 0 after a VM exit, else VMX_FAIL_INVALID or VMX_FAIL_VALID; regs in/out. */
#define VMX_FAIL_INVALID	1	/* CF=1: no current VMCS (SDM Vol. 3C 31.2) */
#define VMX_FAIL_VALID		2	/* ZF=1: see VM_INSTRUCTION_ERROR */
int vmx_enter(struct vmx_l2_regs *regs, int resume, uint64_t *host_rsp);
/*
 * One VM entry of @v, without vmx_run()'s assert and watchdog, for tests of
 * VM-entry failures: 0 after a VM exit (the full exit reason in *@reason,
 * the launch state set unless the entry failed), else VMX_FAIL_INVALID or
 * VMX_FAIL_VALID (vmx_instruction_error() tells which error).
 */
int vmx_run_once(struct l1_vmx *vmx, struct l2_vmcs *v, uint32_t *reason);

/*
 * Sets or clears the exits for RDMSR and WRMSR of @msr in L1's MSR bitmap,
 * and for I/O to @port in its I/O bitmaps (SDM Vol. 3C 25.6.4, 25.6.9);
 * they are memory, shared by every VMCS of @vmx, and take effect at the
 * next VM entry.  The I/O bitmaps need CPU_BASED_USE_IO_BITMAPS.
 */
void vmx_intercept_msr(struct l1_vmx *vmx, uint32_t msr, bool read, bool write);
void vmx_intercept_io(struct l1_vmx *vmx, uint16_t port, bool intercept);

/* Advances GUEST_RIP past the instruction that caused the exit. */
void vmx_skip_instruction(void);
/*
 * L1 takes over the VMX-preemption timer of @v, the current VMCS: from the
 * next VM entry it counts down from @ticks, and vmx_run() returns its exits
 * (@v's watchdog is off).  l2_vmcs_timer_stop() clears the control.
 */
void l2_vmcs_timer_start(struct l2_vmcs *v, uint32_t ticks);
void l2_vmcs_timer_stop(struct l2_vmcs *v);
/* Asserts that the last exit had basic reason @reason; reports L2 exceptions. */
void __vmx_assert_exit(const char *file, int line, uint32_t got, uint32_t want);
#define vmx_assert_exit(got, want)	__vmx_assert_exit(__FILE__, __LINE__, got, want)
void __vmx_assert_exit_rule(const char *file, int line, uint32_t got, uint32_t good,
			    uint32_t bad);
/*
 * A scenario's rule that L2's exit is @good; an inverted run (--self-check)
 * expects @bad.  See GUEST_ASSERT_RULE().
 */
#define vmx_assert_exit_rule(got, good, bad)					\
	__vmx_assert_exit_rule(__FILE__, __LINE__, got, good, bad)
const char *vmx_exit_reason_name(uint32_t reason);

/* The host address L1 must give HOST_RIP: where VM exits land. */
extern char vmx_exit_landing[];

/* IA32_VMX_EPT_VPID_CAP allows INVEPT / INVVPID of @type (SDM Vol. 3C A.10). */
bool vmx_has_invept(const struct vmx_caps *caps, uint64_t type);
bool vmx_has_invvpid(const struct vmx_caps *caps, uint64_t type);
/* INVEPT and INVVPID that assert VMsucceed (SDM Vol. 3C 31.3). */
void ept_invalidate(uint64_t type, uint64_t eptp);
void vpid_invalidate(uint64_t type, uint16_t vpid, uint64_t gla);

#endif /* SELFTEST_KVM_VMX_L2_H */
