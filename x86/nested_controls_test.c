// SPDX-License-Identifier: GPL-2.0-only
/*
 * nested_controls_test: KVM's cached copies of vmcs02's controls (the
 * controls shadow) and its lazy copy of vmcs12 must never let L2
 * run with controls L1 did not ask for.
 *
 * A table of rows: each names one control bit (or exception-bitmap/CR-mask
 * bit) and a probe, an L2 instruction whose outcome depends on it.  After
 * every change L2 runs every probe and L1 checks every outcome against the
 * SDM rules (Vol. 3C 26.1 "Instructions that cause VM exits", 25.6 the
 * controls, 26.3 "Changes to instruction behavior in VMX non-root
 * operation").  Scenarios: each row toggled alone and back (L1 writes only
 * that control field between entries, plus GUEST_RIP to skip the VMCALL
 * that ends a probe: a field KVM shadows, whose VMWRITE does not mark
 * vmcs12 dirty), a seeded random walk over all rows, and walks interleaved
 * with events that reload or recreate vmcs02.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "ucall_common.h"
#include "x86/control_walk.h"
#include "x86/l1_vm.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

#define TSC_OFFSET_VALUE	(1ull << 50)
#define TIMER_TICKS		500
#define SPIN_LOOPS		300000
/* With the timer on, L2 spins until its exit; this only bounds a broken timer. */
#define SPIN_UNTIL_TIMER	(1u << 30)
#define MAX_TIMER_TICKS		(1u << 30)
#define IO_PORT			0x21		/* the in-kernel PIC: L0 handles it */
#define CR0_SHADOWED		X86_CR0_TS	/* real 0, read shadow 1 */
#define CR4_SHADOWED		X86_CR4_PCE	/* real 0, read shadow 1 */
#define MAX_EXITS_PER_PROBE	64		/* exits other than the timer's */
#define MAX_TIMER_EXITS		64		/* doubling slices reach MAX_TIMER_TICKS */
#define DEFAULT_STEPS		60
#define EVENT_STEPS		8
#define EVENT_EVERY		4
#define NO_EXIT			0xffffffffu

enum probe {
	PR_RDTSC, PR_INVLPG, PR_MOV_DR, PR_CR3_LOAD, PR_CR3_STORE, PR_CR8_LOAD,
	PR_CR8_STORE, PR_IO, PR_RDMSR, PR_WRMSR, PR_PAUSE, PR_NOP, PR_RDPMC, PR_SGDT,
	PR_RDRAND, PR_RDSEED, PR_WBINVD, PR_RDTSCP, PR_INVPCID, PR_INT3, PR_READ_CR0,
	PR_READ_CR4, PR_EFER, PR_PAT, PR_SPIN, PR_HLT,	/* HLT last: see run_probe() */
	NR_PROBES,
};

/* The control fields rows toggle. */
enum field { F_PIN, F_PROC, F_PROC2, F_EXIT, F_ENTRY, F_EXC, F_CR0_MASK, F_CR4_MASK, NR_FIELDS };

static const uint32_t field_encoding[NR_FIELDS] = {
	PIN_BASED_VM_EXEC_CONTROL, CPU_BASED_VM_EXEC_CONTROL, SECONDARY_VM_EXEC_CONTROL,
	VM_EXIT_CONTROLS, VM_ENTRY_CONTROLS, EXCEPTION_BITMAP, CR0_GUEST_HOST_MASK,
	CR4_GUEST_HOST_MASK,
};

/* The library names no RDSEED feature (CPUID.(EAX=7,ECX=0):EBX[18], SDM Vol. 2B RDSEED). */
#ifndef X86_FEATURE_RDSEED
#define X86_FEATURE_RDSEED	KVM_X86_CPU_FEATURE(0x7, 0, EBX, 18)
#endif

/* An instruction a row's probe needs the vCPU to have (CPUID). */
enum insn { INSN_ANY, INSN_RDRAND, INSN_RDSEED, INSN_INVPCID };

struct row {
	const char *name;
	enum field field;
	uint32_t bit;
	enum insn insn;		/* the CPU feature the probe needs, if any */
	uint32_t needs_pin;	/* pin controls without which setting the bit is invalid */
	uint32_t toggle_pin;	/* pin controls its toggle scenario sets first, to see it */
	bool no_walk;		/* left out of random walks */
};

#define ROW(n, f, b)	{ #n, f, b }

static const struct row rows[] = {
	ROW(rdtsc_exiting, F_PROC, CPU_BASED_RDTSC_EXITING),
	/* An un-intercepted HLT is seen only if the timer wakes it (SDM Vol. 3C 26.7.4). */
	{ "hlt_exiting", F_PROC, CPU_BASED_HLT_EXITING,
	  .toggle_pin = PIN_BASED_VMX_PREEMPTION_TIMER },
	ROW(invlpg_exiting, F_PROC, CPU_BASED_INVLPG_EXITING),
	ROW(mov_dr_exiting, F_PROC, CPU_BASED_MOV_DR_EXITING),
	ROW(cr3_load_exiting, F_PROC, CPU_BASED_CR3_LOAD_EXITING),
	ROW(cr3_store_exiting, F_PROC, CPU_BASED_CR3_STORE_EXITING),
	ROW(cr8_load_exiting, F_PROC, CPU_BASED_CR8_LOAD_EXITING),
	ROW(cr8_store_exiting, F_PROC, CPU_BASED_CR8_STORE_EXITING),
	ROW(uncond_io_exiting, F_PROC, CPU_BASED_UNCOND_IO_EXITING),
	ROW(use_io_bitmaps, F_PROC, CPU_BASED_USE_IO_BITMAPS),
	ROW(use_msr_bitmaps, F_PROC, CPU_BASED_USE_MSR_BITMAPS),
	ROW(pause_exiting, F_PROC, CPU_BASED_PAUSE_EXITING),
	ROW(monitor_trap_flag, F_PROC, CPU_BASED_MONITOR_TRAP),
	ROW(rdpmc_exiting, F_PROC, CPU_BASED_RDPMC_EXITING),
	ROW(use_tsc_offsetting, F_PROC, CPU_BASED_USE_TSC_OFFSETTING),
	ROW(activate_secondary, F_PROC, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS),
	ROW(desc_table_exiting, F_PROC2, SECONDARY_EXEC_DESC),
	{ "rdrand_exiting", F_PROC2, SECONDARY_EXEC_RDRAND_EXITING, INSN_RDRAND },
	{ "rdseed_exiting", F_PROC2, SECONDARY_EXEC_RDSEED_EXITING, INSN_RDSEED },
	ROW(wbinvd_exiting, F_PROC2, SECONDARY_EXEC_WBINVD_EXITING),
	ROW(enable_rdtscp, F_PROC2, SECONDARY_EXEC_ENABLE_RDTSCP),
	{ "enable_invpcid", F_PROC2, SECONDARY_EXEC_ENABLE_INVPCID, INSN_INVPCID },
	ROW(exception_bitmap_bp, F_EXC, 1u << BP_VECTOR),
	ROW(cr0_mask_ts, F_CR0_MASK, CR0_SHADOWED),
	ROW(cr4_mask_pce, F_CR4_MASK, CR4_SHADOWED),
	ROW(preemption_timer, F_PIN, PIN_BASED_VMX_PREEMPTION_TIMER),
	/* SDM Vol. 3C 27.2.1.2: "save VMX-preemption timer value" needs the timer active. */
	{ "save_preemption_timer", F_EXIT, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER, .needs_pin =
	  PIN_BASED_VMX_PREEMPTION_TIMER },
	ROW(entry_load_efer, F_ENTRY, VM_ENTRY_LOAD_IA32_EFER),
	ROW(exit_save_efer, F_EXIT, VM_EXIT_SAVE_IA32_EFER),
	ROW(exit_load_efer, F_EXIT, VM_EXIT_LOAD_IA32_EFER),
	ROW(entry_load_pat, F_ENTRY, VM_ENTRY_LOAD_IA32_PAT),
	ROW(exit_save_pat, F_EXIT, VM_EXIT_SAVE_IA32_PAT),
	ROW(exit_load_pat, F_EXIT, VM_EXIT_LOAD_IA32_PAT),
	/* While it is clear no probe runs: toggled alone only, not in walks. */
	{ "ia32e_mode_guest", F_ENTRY, VM_ENTRY_IA32E_MODE, .no_walk = true },
};

#define NR_ROWS		ARRAY_SIZE(rows)

/* Shared by L1 and L2 (same memory): the probe L2 runs next. */
struct probe_req {
	uint32_t probe;
	uint32_t skip;		/* L1: do not run it (an un-intercepted HLT could sleep) */
	uint64_t fixup;		/* L2: where to resume after a faulting instruction */
	uint64_t bp_count;	/* L2's own #BP handler */
	uint64_t cr3;
	uint64_t invpcid_desc[2];
	uint32_t stop_spin;	/* L1: the spin probe may end */
	uint32_t spin_loops;	/* L1: the spin probe's bound */
	uint64_t msr_bits;	/* L1: the value L2 writes into the loaded/saved MSR's bits */
};

static volatile struct probe_req preq;

/* The walks' events of vmcs12's own, after the library's (control_walk.h). */
enum event { EV_VMPTRLD = WALK_EV_TEST, EV_VMCLEAR, EV_VMXOFF };

/* What the host asks of L1 (set before the VM starts). */
static struct walk_plan plan;
static uint64_t opt_seed = 1;
static uint64_t opt_steps = DEFAULT_STEPS;

/* ---- L2 ---- */

/*
 * MSRs that VM entry may load and VM exit may save and load (SDM Vol. 3C
 * 27.3.2.1, 28.3.1, 28.5.1): their controls, fields, and the bits the probe
 * flips (EFER.SCE; PAT entry 7, between UC and WC, which no mapping uses).
 */
struct loaded_msr {
	uint32_t msr, guest_field, host_field;
	uint32_t entry_load, exit_save, exit_load;
	uint64_t bits;
};

static const struct loaded_msr loaded_msrs[] = {
	{ MSR_EFER, GUEST_IA32_EFER, HOST_IA32_EFER, VM_ENTRY_LOAD_IA32_EFER,
	  VM_EXIT_SAVE_IA32_EFER, VM_EXIT_LOAD_IA32_EFER, EFER_SCE },
	{ MSR_IA32_CR_PAT, GUEST_IA32_PAT, HOST_IA32_PAT, VM_ENTRY_LOAD_IA32_PAT,
	  VM_EXIT_SAVE_IA32_PAT, VM_EXIT_LOAD_IA32_PAT, 1ull << 56 },
};

static uint64_t l2_swap_msr(const struct loaded_msr *m)
{
	uint64_t old = rdmsr(m->msr);

	wrmsr(m->msr, (old & ~m->bits) | preq.msr_bits);
	return old;
}

static uint64_t l2_probe_io_msr(enum probe p)
{
	uint32_t lo = 0, hi = 0;
	uint8_t al = 0;

	switch (p) {
	case PR_IO:
		asm volatile("inb %1, %0" : "=a"(al) : "i"(IO_PORT));
		return al;
	case PR_RDMSR:
		asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_IA32_SYSENTER_CS));
		return lo;
	case PR_WRMSR:
		asm volatile("wrmsr" : : "a"(0), "d"(0), "c"(MSR_IA32_SYSENTER_CS));
		return 0;
	default:	/* PR_EFER, PR_PAT: the MSR as L2 found it; then it writes the bits */
		return l2_swap_msr(&loaded_msrs[p == PR_PAT]);
	}
}

static uint64_t l2_probe_cr(enum probe p)
{
	uint64_t v = 0;

	switch (p) {
	case PR_CR3_LOAD:
		asm volatile("mov %0, %%cr3" : : "r"(preq.cr3) : "memory");
		return 0;
	case PR_CR3_STORE:
		asm volatile("mov %%cr3, %0" : "=r"(v));
		return v;
	case PR_CR8_LOAD:
		asm volatile("mov %0, %%cr8" : : "r"(0ull));
		return 0;
	case PR_CR8_STORE:
		asm volatile("mov %%cr8, %0" : "=r"(v));
		return v;
	case PR_READ_CR0:
		asm volatile("mov %%cr0, %0" : "=r"(v));
		return v;
	default:
		asm volatile("mov %%cr4, %0" : "=r"(v));
		return v;
	}
}

/* Instructions that may fault: L1 resumes L2 at the label after them. */
static uint64_t l2_probe_faulting(enum probe p)
{
	uint32_t lo = 0, hi = 0, aux;
	uint64_t type = 2;

	switch (p) {
	case PR_RDPMC:
		asm volatile("movq $1f, %0\n\trdpmc\n1:" : "=m"(preq.fixup), "+a"(lo), "+d"(hi)
			     : "c"(0) : "memory");
		return lo;
	case PR_RDTSCP:
		asm volatile("movq $1f, %0\n\trdtscp\n1:"
			     : "=m"(preq.fixup), "+a"(lo), "+d"(hi), "=c"(aux) : : "memory");
		return lo | (uint64_t)hi << 32;
	default:	/* PR_INVPCID, type 2: all contexts, globals included */
		asm volatile("movq $1f, %0\n\tinvpcid (%1), %2\n1:" : "=m"(preq.fixup)
			     : "r"(preq.invpcid_desc), "r"(type) : "memory");
		return 0;
	}
}

static uint64_t l2_probe_other(enum probe p)
{
	uint64_t v = 0;
	uint32_t lo, hi;
	uint8_t gdt[10];

	switch (p) {
	case PR_RDTSC:
		asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
		return lo | (uint64_t)hi << 32;
	case PR_INVLPG:
		/* Not the library's invlpg(): older libraries lack it. */
		asm volatile("invlpg (%0)" : : "r"(&preq) : "memory");
		return 0;
	case PR_MOV_DR:
		asm volatile("mov %%dr7, %0" : "=r"(v));
		return v;
	case PR_PAUSE:
		cpu_relax();
		return 0;
	case PR_SGDT:
		asm volatile("sgdt %0" : "=m"(gdt));
		return 0;
	case PR_RDRAND:
		asm volatile("rdrand %0" : "=r"(v) : : "cc");
		return 0;
	case PR_RDSEED:
		asm volatile("rdseed %0" : "=r"(v) : : "cc");
		return 0;
	case PR_WBINVD:
		asm volatile("wbinvd" : : : "memory");
		return 0;
	case PR_INT3:
		asm volatile("int3" : : : "memory");
		return preq.bp_count;
	case PR_SPIN:
		for (uint32_t i = 0; i < preq.spin_loops && !preq.stop_spin; i++)
			asm volatile("" : : : "memory");
		return 0;
	case PR_HLT:
		if (!preq.skip)
			asm volatile("hlt" : : : "memory");
		return 0;
	default:	/* PR_NOP */
		asm volatile("nop");
		return 0;
	}
}

static uint64_t l2_run_probe(enum probe p)
{
	switch (p) {
	case PR_IO: case PR_RDMSR: case PR_WRMSR: case PR_EFER: case PR_PAT:
		return l2_probe_io_msr(p);
	case PR_CR3_LOAD: case PR_CR3_STORE: case PR_CR8_LOAD: case PR_CR8_STORE:
	case PR_READ_CR0: case PR_READ_CR4:
		return l2_probe_cr(p);
	case PR_RDPMC: case PR_RDTSCP: case PR_INVPCID:
		return l2_probe_faulting(p);
	default:
		return l2_probe_other(p);
	}
}

/* L2: runs the probe L1 asks for, reports with VMCALL (RBX = its value), forever. */
static void l2_main(void)
{
	for (;;) {
		uint64_t value = l2_run_probe(preq.probe);

		asm volatile("vmcall" : : "b"(value) : "memory");
	}
}

/* L2's own #BP handler, reached when the exception bitmap lets #BP through. */
static void l2_bp_handler(struct ex_regs *regs)
{
	preq.bp_count++;
}

/* ---- L1: the model of what each probe must do (the SDM rules) ---- */

/*
 * f[] is what L1 wrote to the control fields; model[] is what L1 expects L2
 * to run with.  They are the same, except in an inverted run (--self-check),
 * where the model keeps a toggled bit's old value: every check then expects
 * the outcome of a control L1 did not set.
 */
struct ctx {
	struct l1_vmx *vmx;
	struct l2_vmcs *v, *other;
	uint32_t f[NR_FIELDS];
	uint32_t model[NR_FIELDS];
	unsigned int probes_checked;
};

struct outcome {
	uint32_t exit;		/* the first exit other than MTF/timer/VMCALL, or NO_EXIT */
	uint8_t vector;		/* for exception exits */
	bool mtf, timer, hlt_state, entry_failed;
	uint64_t value;
	uint64_t timer_value;	/* VMX_PREEMPTION_TIMER_VALUE at the first timer exit */
	uint64_t field_before, l1_before;	/* PR_EFER, PR_PAT */
	uint64_t bp_before;	/* PR_INT3: L2's #BP count before the probe */
};

static bool control_set(const uint32_t *fields, enum field f, uint32_t bit)
{
	if (f == F_PROC2 && !(fields[F_PROC] & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS))
		return false;	/* SDM Vol. 3C 25.6.2: then all secondary controls act as 0 */
	return fields[f] & bit;
}

/* Whether L1's model has the control set: what the checks expect. */
static bool has(const struct ctx *c, enum field f, uint32_t bit)
{
	return control_set(c->model, f, bit);
}

/* Whether the VMCS has the control set: what keeps L2 safe to run. */
static bool in_vmcs(const struct ctx *c, enum field f, uint32_t bit)
{
	return control_set(c->f, f, bit);
}

static uint32_t exit_if(bool cond, uint32_t reason)
{
	return cond ? reason : NO_EXIT;
}

/* The exit a probe must cause under the current controls (SDM Vol. 3C 26.1.2, 26.1.3). */
static uint32_t expected_exit(const struct ctx *c, enum probe p)
{
	switch (p) {
	case PR_RDTSC: return exit_if(has(c, F_PROC, CPU_BASED_RDTSC_EXITING), EXIT_REASON_RDTSC);
	case PR_INVLPG:
		return exit_if(has(c, F_PROC, CPU_BASED_INVLPG_EXITING), EXIT_REASON_INVLPG);
	case PR_MOV_DR:
		return exit_if(has(c, F_PROC, CPU_BASED_MOV_DR_EXITING), EXIT_REASON_DR_ACCESS);
	case PR_CR3_LOAD:
		return exit_if(has(c, F_PROC, CPU_BASED_CR3_LOAD_EXITING), EXIT_REASON_CR_ACCESS);
	case PR_CR3_STORE:
		return exit_if(has(c, F_PROC, CPU_BASED_CR3_STORE_EXITING), EXIT_REASON_CR_ACCESS);
	case PR_CR8_LOAD:
		return exit_if(has(c, F_PROC, CPU_BASED_CR8_LOAD_EXITING), EXIT_REASON_CR_ACCESS);
	case PR_CR8_STORE:
		return exit_if(has(c, F_PROC, CPU_BASED_CR8_STORE_EXITING), EXIT_REASON_CR_ACCESS);
	case PR_IO:	/* the I/O bitmap has IO_PORT's bit set; it overrides unconditional */
		return exit_if(has(c, F_PROC, CPU_BASED_USE_IO_BITMAPS) ||
			       has(c, F_PROC, CPU_BASED_UNCOND_IO_EXITING),
			       EXIT_REASON_IO_INSTRUCTION);
	case PR_RDMSR:	/* the MSR bitmap does not intercept SYSENTER_CS */
		return exit_if(!has(c, F_PROC, CPU_BASED_USE_MSR_BITMAPS), EXIT_REASON_MSR_READ);
	case PR_WRMSR:
		return exit_if(!has(c, F_PROC, CPU_BASED_USE_MSR_BITMAPS), EXIT_REASON_MSR_WRITE);
	case PR_PAUSE:
		return exit_if(has(c, F_PROC, CPU_BASED_PAUSE_EXITING),
			       EXIT_REASON_PAUSE_INSTRUCTION);
	case PR_SGDT:
		return exit_if(has(c, F_PROC2, SECONDARY_EXEC_DESC), EXIT_REASON_GDTR_IDTR);
	case PR_RDRAND:
		return exit_if(has(c, F_PROC2, SECONDARY_EXEC_RDRAND_EXITING), EXIT_REASON_RDRAND);
	case PR_RDSEED:
		return exit_if(has(c, F_PROC2, SECONDARY_EXEC_RDSEED_EXITING), EXIT_REASON_RDSEED);
	case PR_WBINVD:
		return exit_if(has(c, F_PROC2, SECONDARY_EXEC_WBINVD_EXITING), EXIT_REASON_WBINVD);
	case PR_RDTSCP:	/* #UD unless enabled (26.3); else like RDTSC */
		if (!has(c, F_PROC2, SECONDARY_EXEC_ENABLE_RDTSCP))
			return EXIT_REASON_EXCEPTION_NMI;
		return exit_if(has(c, F_PROC, CPU_BASED_RDTSC_EXITING), EXIT_REASON_RDTSCP);
	case PR_INVPCID:	/* #UD unless enabled; then "INVLPG exiting" decides */
		if (!has(c, F_PROC2, SECONDARY_EXEC_ENABLE_INVPCID))
			return EXIT_REASON_EXCEPTION_NMI;
		return exit_if(has(c, F_PROC, CPU_BASED_INVLPG_EXITING), EXIT_REASON_INVPCID);
	case PR_INT3:
		return exit_if(has(c, F_EXC, 1u << BP_VECTOR), EXIT_REASON_EXCEPTION_NMI);
	case PR_HLT: return exit_if(has(c, F_PROC, CPU_BASED_HLT_EXITING), EXIT_REASON_HLT);
	default:
		return NO_EXIT;
	}
}

/* 27.3.2.1 (load on entry), 28.3.1 (save on exit), 28.5.1 (load on exit). */
static void check_loaded_msr(const struct ctx *c, const struct loaded_msr *m,
			     const struct outcome *o)
{
	uint64_t in = has(c, F_ENTRY, m->entry_load) ? o->field_before : o->l1_before;

	GUEST_ASSERT_RULE_EQ(o->value & m->bits, in & m->bits);
	GUEST_ASSERT_RULE_EQ(vmcs_read(m->guest_field) & m->bits,
			     has(c, F_EXIT, m->exit_save) ? preq.msr_bits :
							    o->field_before & m->bits);
	GUEST_ASSERT_RULE_EQ(rdmsr(m->msr) & m->bits,
			     has(c, F_EXIT, m->exit_load) ? vmcs_read(m->host_field) & m->bits :
							    preq.msr_bits);
}

/* Checks the probe's value and side effects (26.3 and the entry/exit controls). */
static void check_value(const struct ctx *c, enum probe p, const struct outcome *o)
{
	bool offset = has(c, F_PROC, CPU_BASED_USE_TSC_OFFSETTING);

	switch (p) {
	case PR_RDTSC:	/* L2's TSC includes TSC_OFFSET only with "use TSC offsetting" */
		if (o->exit == NO_EXIT)
			GUEST_ASSERT_RULE_EQ(o->value >= TSC_OFFSET_VALUE, offset);
		break;
	case PR_READ_CR0:	/* masked bits read from the read shadow */
		GUEST_ASSERT_RULE_EQ(!!(o->value & CR0_SHADOWED),
				     has(c, F_CR0_MASK, CR0_SHADOWED));
		break;
	case PR_READ_CR4:
		GUEST_ASSERT_RULE_EQ(!!(o->value & CR4_SHADOWED),
				     has(c, F_CR4_MASK, CR4_SHADOWED));
		break;
	case PR_INT3:
		/*
		 * Let through, #BP reaches L2's handler (25.6.3: a clear bit of
		 * the exception bitmap delivers the exception through L2's
		 * IDT): its count, which L2 reports after INT3, went up by one.
		 * A #BP that reached no one leaves the count as L1 saw it.
		 */
		if (o->exit == NO_EXIT)
			GUEST_ASSERT_RULE_EQ(o->value, o->bp_before + 1);
		break;
	case PR_NOP:
		GUEST_ASSERT_RULE_EQ(o->mtf, has(c, F_PROC, CPU_BASED_MONITOR_TRAP));
		break;
	case PR_SPIN:
		GUEST_ASSERT_RULE_EQ(o->timer, has(c, F_PIN, PIN_BASED_VMX_PREEMPTION_TIMER));
		/* 25.7.1: "save VMX-preemption timer value" stores 0 at a timer exit. */
		if (o->timer)
			GUEST_ASSERT_RULE_EQ(o->timer_value,
					     has(c, F_EXIT, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER) ?
					     0 : TIMER_TICKS);
		break;
	case PR_EFER:
	case PR_PAT:
		/*
		 * Every exit and entry loads or saves the MSR: with an extra exit
		 * (timer, MTF) inside the probe, which of them L2's RDMSR followed
		 * is unknown, so the probe proves nothing that time.
		 */
		if (!o->timer && !o->mtf)
			check_loaded_msr(c, &loaded_msrs[p == PR_PAT], o);
		break;
	default:
		break;
	}
}

/* ---- L1: running probes ---- */

static uint64_t *gpr(struct vmx_l2_regs *r, unsigned int index)
{
	uint64_t *by_index[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, NULL, &r->rbp, &r->rsi, &r->rdi,
		&r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
	};

	__GUEST_ASSERT(by_index[index], "L2 used RSP as a probe register");
	return by_index[index];
}

/* L1's minimal emulation of an intercepted probe instruction, then skips it. */
static void emulate(struct ctx *c, uint32_t reason)
{
	struct vmx_l2_regs *r = &c->v->regs;
	uint64_t qual = vmcs_read(EXIT_QUALIFICATION);

	switch (reason) {
	case EXIT_REASON_CR_ACCESS:	/* loads wrote the value L2 had: nothing to do */
		if (CR_QUAL_TYPE(qual) == CR_QUAL_TYPE_MOV_FROM_CR)
			*gpr(r, CR_QUAL_GPR(qual)) = CR_QUAL_CR(qual) == 3 ?
						     vmcs_read(GUEST_CR3) : 0;
		break;
	case EXIT_REASON_DR_ACCESS:	/* Table 28-4: bits 11:8 name the GPR */
		*gpr(r, (qual >> 8) & 0xf) = 0x400;
		break;
	case EXIT_REASON_RDTSC:
	case EXIT_REASON_RDTSCP:
	case EXIT_REASON_RDPMC:
	case EXIT_REASON_MSR_READ:
		r->rax = 0;
		r->rdx = 0;
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		r->rax &= ~0xffull;
		break;
	default:
		break;
	}
	vmx_skip_instruction();
}

/* An exception exit: #BP (a software exception) is skipped, faults resume at the fixup. */
static void handle_exception(struct outcome *o)
{
	uint32_t info = vmcs_read(VM_EXIT_INTR_INFO);

	o->vector = info & INTR_INFO_VECTOR_MASK;
	if (((info & INTR_INFO_INTR_TYPE_MASK) >> INTR_INFO_INTR_TYPE_SHIFT) ==
	    INTR_TYPE_SOFT_EXCEPTION)
		vmx_skip_instruction();
	else
		vmcs_write(GUEST_RIP, preq.fixup);
}

/*
 * Makes the three controls of a loaded MSR visible in one probe when the
 * field's bits equal the host field's: L1's own bits (what L2 gets without
 * "load" at entry) and the bits L2 writes (what "save" stores and, without
 * "load" at exit, L1 gets back) are both the opposite of the field's.
 */
static void prepare_loaded_msr(const struct loaded_msr *m, struct outcome *o)
{
	uint64_t opposite = (vmcs_read(m->guest_field) & m->bits) ^ m->bits;

	wrmsr(m->msr, (rdmsr(m->msr) & ~m->bits) | opposite);
	preq.msr_bits = opposite;
	o->field_before = vmcs_read(m->guest_field);
	o->l1_before = rdmsr(m->msr);
}

/*
 * Every timer exit doubles L2's next slice (up to MAX_TIMER_TICKS): a slow L0
 * (tracing, a debug kernel) that uses up L2's slices costs timer exits, never
 * the verdict, and timer exits are not counted against MAX_EXITS_PER_PROBE.
 * The VMWRITE is of a field KVM shadows, like GUEST_RIP: it does not mark
 * vmcs12 dirty.
 */
static void lengthen_slice(uint32_t *ticks)
{
	if (*ticks < MAX_TIMER_TICKS) {
		*ticks *= 2;
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, *ticks);
	}
}

static void timer_exit(struct outcome *o)
{
	o->timer = true;
	preq.stop_spin = 1;
	if (vmcs_read(GUEST_ACTIVITY_STATE) == GUEST_ACTIVITY_HLT) {
		o->hlt_state = true;
		vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	}
}

static void prepare_probe(const struct ctx *c, enum probe p, struct outcome *o)
{
	bool timer = in_vmcs(c, F_PIN, PIN_BASED_VMX_PREEMPTION_TIMER);

	preq.probe = p;
	preq.stop_spin = 0;
	preq.spin_loops = timer ? SPIN_UNTIL_TIMER : SPIN_LOOPS;
	/* An HLT nobody intercepts must have the timer to wake it; MTF is kept apart. */
	preq.skip = p == PR_HLT && ((!in_vmcs(c, F_PROC, CPU_BASED_HLT_EXITING) && !timer) ||
				    in_vmcs(c, F_PROC, CPU_BASED_MONITOR_TRAP));
	if (p == PR_EFER || p == PR_PAT)
		prepare_loaded_msr(&loaded_msrs[p == PR_PAT], o);
	o->bp_before = preq.bp_count;
}

/*
 * With "monitor trap flag" every L2 instruction ends in exit 37 (SDM Vol. 3C
 * 26.5.2); the first one shows the control took effect.  The rest of the
 * probe (a spin loop is 10^6 instructions) runs without it: run_probe()
 * puts the control back once the probe is over.
 */
static void mtf_pause(const struct ctx *c)
{
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, c->f[F_PROC] & ~CPU_BASED_MONITOR_TRAP);
}

/* Runs one probe in L2 until its VMCALL, collecting what happened on the way. */
static struct outcome run_probe(struct ctx *c, enum probe p)
{
	bool save_timer = in_vmcs(c, F_PIN, PIN_BASED_VMX_PREEMPTION_TIMER) &&
			  in_vmcs(c, F_EXIT, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER);
	struct outcome o = { .exit = NO_EXIT };
	uint32_t ticks = TIMER_TICKS;
	int exits = 0, timer_exits = 0;
	bool done = false;

	prepare_probe(c, p, &o);
	while (!done) {
		uint32_t r = vmx_run(c->vmx, c->v);

		if (r == EXIT_REASON_PREEMPTION_TIMER) {
			__GUEST_ASSERT(++timer_exits <= MAX_TIMER_EXITS,
				       "probe %d: more than %d timer exits", p, MAX_TIMER_EXITS);
			if (!o.timer)
				o.timer_value = vmcs_read(VMX_PREEMPTION_TIMER_VALUE);
			lengthen_slice(&ticks);
		} else {
			__GUEST_ASSERT(++exits <= MAX_EXITS_PER_PROBE,
				       "probe %d: more than %d exits", p, MAX_EXITS_PER_PROBE);
		}
		/* Software reloads the timer when the exit saved it (25.7.1). */
		if (save_timer)
			vmcs_write(VMX_PREEMPTION_TIMER_VALUE, ticks);
		if (r & EXIT_REASON_FAILED_VMENTRY) {
			o.entry_failed = true;
			o.exit = r;
			done = true;
			continue;
		}
		if (r == EXIT_REASON_VMCALL) {
			o.value = c->v->regs.rbx;
			vmx_skip_instruction();
			done = true;
			continue;
		}
		if (r == EXIT_REASON_MONITOR_TRAP_FLAG) {
			o.mtf = true;
			mtf_pause(c);
			continue;
		}
		if (r == EXIT_REASON_PREEMPTION_TIMER) {
			timer_exit(&o);
			continue;
		}
		__GUEST_ASSERT(o.exit == NO_EXIT, "probe %d: exit %u (%s) after exit %u", p, r,
				 vmx_exit_reason_name(r), o.exit);
		o.exit = r;
		if (r == EXIT_REASON_EXCEPTION_NMI)
			handle_exception(&o);
		else
			emulate(c, r);
	}
	if (ticks != TIMER_TICKS)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, TIMER_TICKS);
	if (o.mtf)
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, c->f[F_PROC]);
	return o;
}

static bool vcpu_has_insn(enum insn insn)
{
	switch (insn) {
	case INSN_RDRAND: return this_cpu_has(X86_FEATURE_RDRAND);
	case INSN_RDSEED: return this_cpu_has(X86_FEATURE_RDSEED);
	case INSN_INVPCID: return this_cpu_has(X86_FEATURE_INVPCID);
	default: return true;
	}
}

static bool probe_usable(const struct ctx *c, enum probe p)
{
	switch (p) {
	case PR_RDRAND: return vcpu_has_insn(INSN_RDRAND);
	case PR_RDSEED: return vcpu_has_insn(INSN_RDSEED);
	case PR_INVPCID: return vcpu_has_insn(INSN_INVPCID);
	case PR_EFER:	/* L2's accesses must not exit: checked through the bitmap */
	case PR_PAT:
		return in_vmcs(c, F_PROC, CPU_BASED_USE_MSR_BITMAPS);
	default: return true;
	}
}

static void check_outcome(const struct ctx *c, enum probe p, const struct outcome *o)
{
	uint32_t want = expected_exit(c, p);

	if (p == PR_RDPMC) {	/* not exiting: it executes or faults, never exits as RDPMC */
		GUEST_ASSERT_RULE_EQ(o->exit == EXIT_REASON_RDPMC,
				     has(c, F_PROC, CPU_BASED_RDPMC_EXITING));
	} else if (p == PR_HLT && preq.skip) {
		GUEST_ASSERT_EQ(o->exit, NO_EXIT);
	} else {
		if (o->exit != want)
			GUEST_PRINTF("probe %d: exit %u (%s), the controls say %u (%s)\n", p,
				     o->exit, vmx_exit_reason_name(o->exit), want,
				     vmx_exit_reason_name(want));
		GUEST_ASSERT_RULE_EQ(o->exit, want);
	}
	if (want == EXIT_REASON_EXCEPTION_NMI)
		GUEST_ASSERT_RULE_EQ(o->vector, p == PR_INT3 ? BP_VECTOR : UD_VECTOR);
	/* An un-intercepted HLT sleeps until the preemption timer (25.5.1, 26.7.4). */
	if (p == PR_HLT && !preq.skip && want == NO_EXIT)
		GUEST_ASSERT_RULE_EQ(o->hlt_state, true);
	check_value(c, p, o);
}

/* L1's own view is not L2's: no TSC offset, no CR read shadows (SDM Vol. 3C 26.3). */
static void check_l1_view(void)
{
	GUEST_ASSERT(rdtsc() < TSC_OFFSET_VALUE);
	GUEST_ASSERT(!(get_cr0() & CR0_SHADOWED));
	GUEST_ASSERT(!(get_cr4() & CR4_SHADOWED));
}

/* Runs every probe and checks it; returns false if the VM entry failed (checked). */
static bool run_cycle(struct ctx *c)
{
	for (int p = 0; p < NR_PROBES; p++) {
		struct outcome o;

		if (!probe_usable(c, p))
			continue;
		o = run_probe(c, p);
		check_l1_view();
		/* 27.3.1.1: with "IA-32e mode guest" 0, a 64-bit CS fails the entry. */
		GUEST_ASSERT_RULE_EQ(o.entry_failed, !has(c, F_ENTRY, VM_ENTRY_IA32E_MODE));
		if (o.entry_failed) {
			GUEST_ASSERT_RULE_EQ(EXIT_REASON_BASIC(o.exit), EXIT_REASON_INVALID_STATE);
			return false;
		}
		check_outcome(c, p, &o);
		c->probes_checked++;
	}
	return true;
}

/* ---- L1: setting up, toggling, walking ---- */

/* NULL if the row's bit can be both set and cleared on this vCPU, else why not. */
static const char *row_problem(const struct ctx *c, const struct row *r)
{
	static const enum vmx_ctl ctl[] = {
		[F_PIN] = VMX_CTL_PIN, [F_PROC] = VMX_CTL_PROC, [F_PROC2] = VMX_CTL_PROC2,
		[F_EXIT] = VMX_CTL_EXIT, [F_ENTRY] = VMX_CTL_ENTRY,
	};
	const struct vmx_caps *caps = c->vmx->caps;

	if (!vcpu_has_insn(r->insn))
		return "the vCPU lacks the instruction the probe needs (CPUID)";
	if (r->field > F_ENTRY)
		return NULL;	/* exception bitmap and CR masks: every bit is free */
	if (r->field == F_PROC2 &&
	    !vmx_ctl_allowed1(caps, VMX_CTL_PROC, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS))
		return "no secondary controls";
	/* The bit must be free both ways (SDM Vol. 3C A.3-A.5). */
	if (!vmx_ctl_allowed1(caps, ctl[r->field], r->bit))
		return "KVM does not allow the control to be 1 (its allowed-1 bit is 0)";
	if (!vmx_ctl_allowed0(caps, ctl[r->field], r->bit))
		return "KVM requires the control to be 1";
	if (!vmx_ctl_allowed1(caps, VMX_CTL_PIN, r->needs_pin | r->toggle_pin))
		return "KVM does not allow the pin control the row needs";
	return NULL;
}

/* Setting a row's bit without its prerequisite makes VM entry VMfail: walks avoid that. */
static bool toggle_valid(const struct ctx *c, const struct row *r)
{
	if (r->needs_pin && !(c->f[r->field] & r->bit))
		return c->f[F_PIN] & r->needs_pin;
	/* Clearing a pin control that a set bit of another row needs. */
	for (unsigned int i = 0; i < NR_ROWS; i++)
		if (r->field == F_PIN && (rows[i].needs_pin & r->bit) &&
		    (c->f[r->field] & r->bit) && (c->f[rows[i].field] & rows[i].bit))
			return false;
	return true;
}

/*
 * Flips one row's bit and VMWRITEs that field alone.  An inverted run
 * leaves the model as it was: L1 then expects what it did not set.
 */
static void toggle(struct ctx *c, const struct row *r)
{
	c->f[r->field] ^= r->bit;
	vmcs_write(field_encoding[r->field], c->f[r->field]);
	if (!guest_inverted)
		c->model[r->field] = c->f[r->field];
}

static void read_controls(struct ctx *c)
{
	for (int f = 0; f < NR_FIELDS; f++)
		c->model[f] = c->f[f] = vmcs_read(field_encoding[f]);
}

static void setup(struct ctx *c)
{
	const struct l2_setup s = {
		.mode = L2_LONG_MODE, .entry = l2_main,
		.proc = CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
	};

	c->vmx = vmx_enable();
	preq.cr3 = get_cr3();
	vmx_intercept_io(c->vmx, IO_PORT, true);
	c->other = l2_vmcs_create(c->vmx, &s);
	c->v = l2_vmcs_create(c->vmx, &s);
	vmcs_write(TSC_OFFSET, TSC_OFFSET_VALUE);
	vmcs_write(VMX_PREEMPTION_TIMER_VALUE, TIMER_TICKS);
	vmcs_write(CR0_READ_SHADOW, vmcs_read(GUEST_CR0) | CR0_SHADOWED);
	vmcs_write(CR4_READ_SHADOW, vmcs_read(GUEST_CR4) | CR4_SHADOWED);
	/* A secondary control is on by default, so "activate secondary controls" shows. */
	if (vmx_has_proc2(c->vmx->caps, SECONDARY_EXEC_ENABLE_RDTSCP))
		vmcs_write(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_ENABLE_RDTSCP);
	read_controls(c);
}

/* VMPTRLD of another vmcs12, one probe there, and back. */
static void event_vmptrld(struct ctx *c)
{
	struct ctx other = *c;

	other.v = c->other;
	l2_vmcs_load(c->vmx, c->other);
	read_controls(&other);
	GUEST_ASSERT_EQ(run_probe(&other, PR_NOP).exit, NO_EXIT);
	l2_vmcs_load(c->vmx, c->v);
}

/* VMCLEAR (and VMXOFF/VMXON): KVM frees or rebuilds vmcs02; VMLAUNCH follows. */
static void event_vmclear(struct ctx *c, bool vmxoff_too)
{
	l2_vmcs_clear(c->vmx, c->v);
	l2_vmcs_clear(c->vmx, c->other);
	if (vmxoff_too) {
		GUEST_ASSERT_EQ(__vmxoff(), 0);
		c->vmx->current = NULL;
		GUEST_ASSERT_EQ(vmxon(c->vmx->vmxon_pa), 0);
	}
	l2_vmcs_load(c->vmx, c->v);
}

static void do_event(void *ctx, int event)
{
	if (event == EV_VMPTRLD)
		event_vmptrld(ctx);
	else
		event_vmclear(ctx, event == EV_VMXOFF);
}

static void l1_toggle(void)
{
	const struct row *r = &rows[plan.row];
	const char *problem;
	struct ctx c;

	setup(&c);
	problem = row_problem(&c, r);
	if (problem)
		GUEST_SKIP("%s: %s", r->name, problem);
	/*
	 * 25.6.2: with "activate secondary controls" 0 the secondary controls
	 * all act as 0.  The toggle shows only through one that is 1: setup()
	 * sets "enable RDTSCP", and RDTSCP is #UD while it acts as 0 (26.3).
	 * Without one, every probe has the same outcome both ways.
	 */
	if (r->field == F_PROC && r->bit == CPU_BASED_ACTIVATE_SECONDARY_CONTROLS &&
	    !c.f[F_PROC2])
		GUEST_SKIP("%s: no secondary control is 1 (KVM offers L1 no \"enable RDTSCP\"): "
			   "toggling it changes no probe's outcome", r->name);
	if (r->needs_pin | r->toggle_pin) {	/* first, outside the measured toggles */
		c.f[F_PIN] |= r->needs_pin | r->toggle_pin;
		c.model[F_PIN] = c.f[F_PIN];
		vmcs_write(PIN_BASED_VM_EXEC_CONTROL, c.f[F_PIN]);
	}
	for (int i = 0; i < 2; i++) {	/* away from the default, and back */
		toggle(&c, r);
		run_cycle(&c);
	}
	vmx_disable(c.vmx);
	GUEST_DONE();
}

static bool walk_toggle(void *ctx, int row)
{
	if (!toggle_valid(ctx, &rows[row]))
		return false;
	toggle(ctx, &rows[row]);
	return true;
}

static void walk_run_cycle(void *ctx)
{
	run_cycle(ctx);
}

static const struct walk_ops walk_ops = {
	.toggle = walk_toggle, .run_cycle = walk_run_cycle, .event = do_event,
};

static void l1_walk(void)
{
	int usable[NR_ROWS], nr = 0;
	struct ctx c;

	setup(&c);
	for (unsigned int i = 0; i < NR_ROWS; i++)
		if (!rows[i].no_walk && !row_problem(&c, &rows[i]))
			usable[nr++] = i;
	l1_control_walk(&c, usable, nr, &plan, &walk_ops);
	GUEST_PRINTF("%u probes checked\n", c.probes_checked);
	vmx_disable(c.vmx);
	GUEST_DONE();
}

/* ---- host ---- */

static void run_plan(void *l1_code, const struct walk_plan *p)
{
	struct kvm_vcpu *vcpu = l1_vm_create(l1_code, 0);
	struct ucall uc;

	/* L2 shares L1's IDT: its #BP, when let through, ends in this handler. */
	vm_install_exception_handler(vcpu->vm, BP_VECTOR, l2_bp_handler);

	/*
	 * L1's TSC starts far below TSC_OFFSET_VALUE, whatever the host's uptime
	 * (api.rst, KVM_SET_MSRS: the guest's IA32_TSC is writable), so RDTSC
	 * shows whether the offset was applied.
	 */
	vcpu_set_msr(vcpu, MSR_IA32_TSC, 0);
	plan = *p;
	sync_global_to_guest(vcpu->vm, plan);
	while (vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC)
		vcpu = walk_host_event(vcpu, &uc, &plan);
	kvm_vm_free(vcpu->vm);
}

static int row_index(const char *name)
{
	for (unsigned int i = 0; i < NR_ROWS; i++)
		if (!strcmp(rows[i].name, name))
			return i;
	return -1;
}

static void test_toggle(const struct scenario *s)
{
	int row = row_index(s->arg);

	TEST_ASSERT(row >= 0, "no row '%s'", (const char *)s->arg);
	run_plan(l1_toggle, &(struct walk_plan){ .row = row });
}

static void test_walk(const struct scenario *s)
{
	int event = (intptr_t)s->arg;

	ksft_print_msg("seed %llu (--seed to reproduce)\n", (unsigned long long)opt_seed);
	walk_host_require(event);
	if (event == WALK_EV_MIGRATE)
		__TEST_REQUIRE(kvm_has_cap(KVM_CAP_NESTED_STATE), "KVM lacks KVM_CAP_NESTED_STATE");
	run_plan(l1_walk, &(struct walk_plan){ .row = -1, .seed = opt_seed, .event = event,
		 .steps = event == WALK_EV_NONE ? opt_steps : EVENT_STEPS,
		 .event_every = EVENT_EVERY });
}

#define TOGGLE(row, purpose)	{ "toggle_" #row, purpose, test_toggle, #row }
#define WALK(n, ev, purpose)	{ n, purpose, test_walk, (void *)(intptr_t)(ev) }

static const struct scenario scenarios[] = {
	TOGGLE(rdtsc_exiting, "RDTSC exiting toggled alone: every probe follows"),
	TOGGLE(hlt_exiting, "HLT exiting toggled alone (an un-intercepted HLT ends by the timer)"),
	TOGGLE(invlpg_exiting, "INVLPG exiting toggled alone"),
	TOGGLE(mov_dr_exiting, "MOV-DR exiting toggled alone"),
	TOGGLE(cr3_load_exiting, "CR3-load exiting toggled alone"),
	TOGGLE(cr3_store_exiting, "CR3-store exiting toggled alone"),
	TOGGLE(cr8_load_exiting, "CR8-load exiting toggled alone"),
	TOGGLE(cr8_store_exiting, "CR8-store exiting toggled alone"),
	TOGGLE(uncond_io_exiting, "unconditional I/O exiting toggled alone"),
	TOGGLE(use_io_bitmaps, "use I/O bitmaps toggled alone"),
	TOGGLE(use_msr_bitmaps, "use MSR bitmaps toggled alone (RDMSR and WRMSR)"),
	TOGGLE(pause_exiting, "PAUSE exiting toggled alone"),
	TOGGLE(monitor_trap_flag, "monitor trap flag toggled alone"),
	TOGGLE(rdpmc_exiting, "RDPMC exiting toggled alone"),
	TOGGLE(use_tsc_offsetting, "use TSC offsetting toggled alone: L2's RDTSC has the offset, L1's not"),
	TOGGLE(activate_secondary, "activate secondary controls toggled alone"),
	TOGGLE(desc_table_exiting, "descriptor-table exiting toggled alone"),
	TOGGLE(rdrand_exiting, "RDRAND exiting toggled alone"),
	TOGGLE(rdseed_exiting, "RDSEED exiting toggled alone"),
	TOGGLE(wbinvd_exiting, "WBINVD exiting toggled alone"),
	TOGGLE(enable_rdtscp, "enable RDTSCP toggled alone (#UD when clear)"),
	TOGGLE(enable_invpcid, "enable INVPCID toggled alone (#UD when clear)"),
	TOGGLE(exception_bitmap_bp, "exception bitmap #BP bit toggled alone"),
	TOGGLE(cr0_mask_ts, "CR0 guest/host mask (TS) toggled alone: reads follow the shadow"),
	TOGGLE(cr4_mask_pce, "CR4 guest/host mask (PCE) toggled alone: reads follow the shadow"),
	TOGGLE(preemption_timer, "VMX-preemption timer toggled alone"),
	TOGGLE(save_preemption_timer, "save VMX-preemption timer value toggled alone"),
	TOGGLE(entry_load_efer, "VM-entry load EFER toggled alone"),
	TOGGLE(exit_save_efer, "VM-exit save EFER toggled alone"),
	TOGGLE(exit_load_efer, "VM-exit load EFER toggled alone"),
	TOGGLE(entry_load_pat, "VM-entry load PAT toggled alone"),
	TOGGLE(exit_save_pat, "VM-exit save PAT toggled alone"),
	TOGGLE(exit_load_pat, "VM-exit load PAT toggled alone"),
	TOGGLE(ia32e_mode_guest, "IA-32e mode guest toggled alone: the entry fails while it is clear"),
	WALK("walk", WALK_EV_NONE, "seeded random walk over every row, every probe checked"),
	WALK("walk_vmptrld", EV_VMPTRLD, "random walk with VMPTRLD of another vmcs12 and back"),
	WALK("walk_vmclear", EV_VMCLEAR, "random walk with VMCLEAR and VMPTRLD of the vmcs12"),
	WALK("walk_vmxoff", EV_VMXOFF, "random walk with VMXOFF and VMXON (vmcs02 recreated)"),
	WALK("walk_migrate", WALK_EV_MIGRATE, "random walk with save/restore into a new VM"),
	WALK("walk_cpu_move", WALK_EV_CPU_MOVE, "random walk with the vCPU thread moved between CPUs"),
};

/* The test's own options, which the scenario harness does not know. */
static const struct scenario_option options[] = {
	{ "seed", "seed of the random walks (default 1)", &opt_seed, 1, UINT64_MAX },
	{ "steps", "steps of the plain random walk (default 60; a soak: thousands)",
	  &opt_steps, 1, 1000000 },
};

int main(int argc, char **argv)
{
	unsigned int toggles = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(scenarios); i++)
		toggles += scenarios[i].run == test_toggle && row_index(scenarios[i].arg) >= 0;
	TEST_ASSERT(toggles == NR_ROWS, "every row needs its own TOGGLE() scenario");
	return scenario_main(scenarios, ARRAY_SIZE(scenarios), options, ARRAY_SIZE(options),
			     vmx_requirements, argc, argv);
}
