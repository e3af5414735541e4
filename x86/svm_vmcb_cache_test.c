// SPDX-License-Identifier: GPL-2.0-only
/*
 * svm_vmcb_cache_test: KVM caches vmcb12's controls (its copy of them in
 * svm->nested.ctl, vmcb02 built from them) and may skip reloading what the
 * VMCB clean bits say is unchanged.  Whatever L1 changes between two VMRUNs
 * of the same vmcb12, with the clean bit of that field's group cleared,
 * must take effect for L2 at the next VMRUN (AMD APM Vol. 2 15.15 "VMCB
 * State Caching": a clear clean bit makes the processor reload the group
 * from the VMCB).  A field whose clean bit L1 left set while changing it
 * is undefined: it is never changed that way here, so never asserted.
 *
 * A table of rows: each names one intercept or control and a probe, an L2
 * instruction whose outcome depends on it (an #VMEXIT with a given exit
 * code, or a value L2 reads).  Scenarios: each row toggled alone and back,
 * L1 clearing only that row's clean bit before the next VMRUN (the SVM
 * counterpart of nested_controls_test), and seeded random walks over the
 * rows in which every probe is checked after every change, interleaved
 * with VMSAVE/VMLOAD of the vmcb12, save/restore of L1 into a new VM and
 * moves of the vCPU thread to another host CPU.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator_flaws.h"
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "ucall_common.h"
#include "x86/control_walk.h"
#include "x86/l1_memory.h"
#include "x86/l1_vm.h"
#include "x86/l2_paging.h"
#include "x86/svm_l2.h"
#include "x86/svm_npt.h"
#include "x86/svm_requirements.h"

#define NO_EXIT			((uint64_t)SVM_EXIT_VMMCALL)
#define PROBE_PORT		0x5a5
#define PROBE_MSR		0x174	/* MSR_IA32_SYSENTER_CS, a number for the asm */
#define TSC_OFFSET_VALUE	(1ull << 50)
/* L2's window: mapped to page A in L2's tables, or to B (the ASID row). */
#define WINDOW			0x40000000000ull
#define MAGIC_A			0xaaaa5555aaaa0001ull
#define MAGIC_B			0xbbbb4444bbbb0002ull
#define DR7_GE			BIT(9)
#define DEFAULT_STEPS		60
#define EVENT_STEPS		30
#define EVENT_EVERY		3

/*
 * ---- L2's probes ----
 *
 * Each probe is a few instructions at probe_NAME, then a VMMCALL at
 * probe_NAME_end that reports RAX.  L1 starts L2 at probe_NAME; after an
 * intercept it resumes L2 at probe_NAME_end, whatever the length of the
 * intercepted instruction and whether NRIP save is there.  L1 passes the
 * operand in RBX.
 */
#define PROBE(name, insns)						\
	extern char probe_##name[], probe_##name##_end[];		\
	asm(".pushsection .text\n"					\
	    ".global probe_" #name ", probe_" #name "_end\n"		\
	    "probe_" #name ":\n\t"					\
	    insns "\n"							\
	    "probe_" #name "_end:\n\t"					\
	    "vmmcall\n\t"						\
	    "ud2\n"							\
	    ".popsection")

PROBE(rdtsc, "rdtsc; shl $32, %rdx; or %rdx, %rax");
PROBE(rdpmc, "xor %ecx, %ecx; rdpmc");
PROBE(pushf, "pushfq");
PROBE(popf, "pushq %rbx; popfq");
PROBE(cpuid, "xor %eax, %eax; xor %ecx, %ecx; cpuid");
PROBE(invd, "invd");
PROBE(pause, "pause");
PROBE(invlpg, "invlpg (%rbx)");
PROBE(invlpga, "mov %rbx, %rax; xor %ecx, %ecx; invlpga %rax, %ecx");
PROBE(io, "mov $" __stringify(PROBE_PORT) ", %edx; inb %dx, %al");
PROBE(msr, "mov $" __stringify(PROBE_MSR) ", %ecx; rdmsr");
PROBE(rdtscp, "rdtscp");
PROBE(wbinvd, "wbinvd");
PROBE(cr0_read, "mov %cr0, %rax");
PROBE(cr0_write, "mov %rbx, %cr0");
PROBE(cr3_read, "mov %cr3, %rax");
PROBE(cr3_write, "mov %rbx, %cr3");
PROBE(cr4_read, "mov %cr4, %rax");
PROBE(cr4_write, "mov %rbx, %cr4");
PROBE(cr8_write, "mov %rbx, %cr8");
PROBE(dr7_read, "mov %dr7, %rax");
PROBE(dr7_write, "mov %rbx, %dr7");
PROBE(bp, "int3");
PROBE(ud, "ud2");
PROBE(efer, "mov $0xc0000080, %ecx; rdmsr; shl $32, %rdx; or %rdx, %rax");
PROBE(window, "mov (%rbx), %rax");

enum probe {
	PR_RDTSC, PR_RDPMC, PR_PUSHF, PR_POPF, PR_CPUID, PR_INVD, PR_PAUSE, PR_INVLPG,
	PR_INVLPGA, PR_IO, PR_MSR, PR_RDTSCP, PR_WBINVD, PR_CR0_READ, PR_CR0_WRITE,
	PR_CR3_READ, PR_CR3_WRITE, PR_CR4_READ, PR_CR4_WRITE, PR_CR8_WRITE, PR_DR7_READ,
	PR_DR7_WRITE, PR_BP, PR_UD, PR_EFER, PR_WINDOW, NR_PROBES,
};

static char *const probe_start[NR_PROBES] = {
	probe_rdtsc, probe_rdpmc, probe_pushf, probe_popf, probe_cpuid, probe_invd,
	probe_pause, probe_invlpg, probe_invlpga, probe_io, probe_msr, probe_rdtscp,
	probe_wbinvd, probe_cr0_read, probe_cr0_write, probe_cr3_read, probe_cr3_write,
	probe_cr4_read, probe_cr4_write, probe_cr8_write, probe_dr7_read, probe_dr7_write,
	probe_bp, probe_ud, probe_efer, probe_window,
};

static char *const probe_end[NR_PROBES] = {
	probe_rdtsc_end, probe_rdpmc_end, probe_pushf_end, probe_popf_end, probe_cpuid_end,
	probe_invd_end, probe_pause_end, probe_invlpg_end, probe_invlpga_end, probe_io_end,
	probe_msr_end, probe_rdtscp_end, probe_wbinvd_end, probe_cr0_read_end,
	probe_cr0_write_end, probe_cr3_read_end, probe_cr3_write_end, probe_cr4_read_end,
	probe_cr4_write_end, probe_cr8_write_end, probe_dr7_read_end, probe_dr7_write_end,
	probe_bp_end, probe_ud_end, probe_efer_end, probe_window_end,
};

/*
 * An L2 exception L1 does not intercept goes through L2's IDT, which is
 * L1's (x86/svm_l2.h): these handlers of the host's run in L2.  INT3 is a
 * trap, it returns past itself; #UD is a fault, resume at the report.
 */
static void l2_bp_handler(struct ex_regs *regs)
{
}

static void l2_ud_handler(struct ex_regs *regs)
{
	regs->rip = (uintptr_t)probe_ud_end;
}

/* ---- the rows ---- */

/* The kinds up to K_MSRPM are intercepts: a probe exits or not (row_has_exit()). */
enum kind {
	K_INTERCEPT,	/* a bit of the instruction intercept vectors */
	K_CR,		/* a bit of the CR read/write intercept vector */
	K_DR,		/* a bit of the DR read/write intercept vector */
	K_EXCP,		/* a bit of the exception intercept vector */
	K_IOPM,		/* IOPM_BASE_PA: the map with PROBE_PORT's bit, or an empty one */
	K_MSRPM,	/* MSRPM_BASE_PA: the map with PROBE_MSR's read bit, or an empty one */
	K_TSC_OFFSET,	/* TSC_OFFSET: TSC_OFFSET_VALUE or 0 */
	K_CR4_PCE,	/* vmcb12's CR4.PCE */
	K_EFER_SCE,	/* vmcb12's EFER.SCE */
	K_DR7_GE,	/* vmcb12's DR7.GE */
	K_ASID,		/* a new ASID, with L2's window remapped from A to B or back */
	K_NCR3,		/* N_CR3: nested tables mapping page A to B, or identity */
	K_NP,		/* nested paging enabled (with the N_CR3 of the row above) */
};

enum row_id {
	R_RDTSC, R_RDPMC, R_PUSHF, R_POPF, R_CPUID, R_INVD, R_PAUSE, R_INVLPG, R_INVLPGA,
	R_IOIO, R_MSR, R_RDTSCP, R_WBINVD, R_CR0_READ, R_CR0_WRITE, R_CR3_READ,
	R_CR3_WRITE, R_CR4_READ, R_CR4_WRITE, R_CR8_WRITE, R_DR7_READ, R_DR7_WRITE,
	R_EXC_BP, R_EXC_UD, R_IOPM_BASE, R_MSRPM_BASE, R_TSC_OFFSET, R_CR4_PCE,
	R_EFER_SCE, R_DR7_GE, R_ASID, R_NCR3, R_NP, NR_ROWS,
};

/* What a row needs of L1's vCPU. */
enum row_need {
	N_NPT = 1 << 0,		/* nested paging */
	N_RDTSCP = 1 << 1,	/* RDTSCP in L1's CPUID (L2 runs with L1's) */
	N_ASIDS = 1 << 2,	/* three ASIDs besides 0 */
};

struct row {
	const char *name;
	enum kind kind;
	unsigned int bit;		/* intercept bit, CR/DR intercept bit, vector */
	enum probe probe;
	uint64_t exit;			/* the exit code while on (kinds up to K_MSRPM) */
	unsigned int clean;		/* the VMCB_* clean bit of the field */
	bool dflt;			/* on at the start */
	bool has_partner;
	enum row_id partner;		/* must be on too for the exit */
	bool off_not_this;		/* off: any outcome but this exit (RDPMC) */
	bool no_walk;
	unsigned int needs;		/* enum row_need */
	/*
	 * An emulator flaw to rule out first: the probe must not exit with
	 * @alias_exit under the intercept @alias_bit alone (see emulator_flaw()).
	 */
	unsigned int alias_bit;
	uint64_t alias_exit;
	const char *flaw;
};

#define ICPT(id, n, b, p, code)	[id] = { n, K_INTERCEPT, b, p, code, VMCB_INTERCEPTS }
#define CRI(id, n, b, p, code)	[id] = { n, K_CR, b, p, code, VMCB_INTERCEPTS }
#define DRI(id, n, b, p, code)	[id] = { n, K_DR, b, p, code, VMCB_INTERCEPTS }
#define EXC(id, n, vec, p)						\
	[id] = { n, K_EXCP, vec, p, SVM_EXIT_EXCP_BASE + (vec), VMCB_INTERCEPTS }

/*
 * The exit codes are those of APM Vol. 2 Appendix C "SVM Intercept Exit
 * Codes"; which instruction each intercept bit covers, 15.9 "Instruction
 * Intercepts" (the CR and DR vectors: Appendix B, Table B-1), 15.10 "IOIO
 * Intercepts", 15.11 "MSR Intercepts", 15.12 "Exception Intercepts".
 * Every intercept vector belongs to the clean bit VMCB_INTERCEPTS, as do
 * the TSC offset and the pause filter (15.15.3, Table 15-9).
 */
static const struct row rows[NR_ROWS] = {
	ICPT(R_RDTSC, "rdtsc", INTERCEPT_RDTSC, PR_RDTSC, SVM_EXIT_RDTSC),
	/*
	 * L2's RDPMC of counter 0 may #GP when L1 has no PMU: with the
	 * intercept clear only "no RDPMC exit" is defined here.
	 */
	[R_RDPMC] = { "rdpmc", K_INTERCEPT, INTERCEPT_RDPMC, PR_RDPMC, SVM_EXIT_RDPMC,
		      VMCB_INTERCEPTS, .off_not_this = true },
	ICPT(R_PUSHF, "pushf", INTERCEPT_PUSHF, PR_PUSHF, SVM_EXIT_PUSHF),
	ICPT(R_POPF, "popf", INTERCEPT_POPF, PR_POPF, SVM_EXIT_POPF),
	ICPT(R_CPUID, "cpuid", INTERCEPT_CPUID, PR_CPUID, SVM_EXIT_CPUID),
	[R_INVD] = { "invd", K_INTERCEPT, INTERCEPT_INVD, PR_INVD, SVM_EXIT_INVD,
		     VMCB_INTERCEPTS, .alias_bit = INTERCEPT_WBINVD, .alias_exit = SVM_EXIT_WBINVD,
		     .flaw = "INVD is intercepted as WBINVD" },
	ICPT(R_PAUSE, "pause", INTERCEPT_PAUSE, PR_PAUSE, SVM_EXIT_PAUSE),
	ICPT(R_INVLPG, "invlpg", INTERCEPT_INVLPG, PR_INVLPG, SVM_EXIT_INVLPG),
	ICPT(R_INVLPGA, "invlpga", INTERCEPT_INVLPGA, PR_INVLPGA, SVM_EXIT_INVLPGA),
	/* 15.10.1: with IOIO_PROT, the IOPM decides; without, no I/O exits. */
	[R_IOIO] = { "ioio_prot", K_INTERCEPT, INTERCEPT_IOIO_PROT, PR_IO, SVM_EXIT_IOIO,
		     VMCB_INTERCEPTS, .has_partner = true, .partner = R_IOPM_BASE },
	/* 15.11: with MSR_PROT, the MSRPM decides; without, no MSR exits. */
	[R_MSR] = { "msr_prot", K_INTERCEPT, INTERCEPT_MSR_PROT, PR_MSR, SVM_EXIT_MSR,
		    VMCB_INTERCEPTS, .has_partner = true, .partner = R_MSRPM_BASE },
	[R_RDTSCP] = { "rdtscp", K_INTERCEPT, INTERCEPT_RDTSCP, PR_RDTSCP, SVM_EXIT_RDTSCP,
		       VMCB_INTERCEPTS, .needs = N_RDTSCP, .alias_bit = INTERCEPT_RDTSC,
		       .alias_exit = SVM_EXIT_RDTSC, .flaw = "RDTSCP is intercepted as RDTSC" },
	ICPT(R_WBINVD, "wbinvd", INTERCEPT_WBINVD, PR_WBINVD, SVM_EXIT_WBINVD),
	CRI(R_CR0_READ, "cr0_read", INTERCEPT_CR0_READ, PR_CR0_READ, SVM_EXIT_READ_CR0),
	CRI(R_CR0_WRITE, "cr0_write", INTERCEPT_CR0_WRITE, PR_CR0_WRITE, SVM_EXIT_WRITE_CR0),
	CRI(R_CR3_READ, "cr3_read", INTERCEPT_CR3_READ, PR_CR3_READ, SVM_EXIT_READ_CR3),
	CRI(R_CR3_WRITE, "cr3_write", INTERCEPT_CR3_WRITE, PR_CR3_WRITE, SVM_EXIT_WRITE_CR3),
	CRI(R_CR4_READ, "cr4_read", INTERCEPT_CR4_READ, PR_CR4_READ, SVM_EXIT_READ_CR4),
	CRI(R_CR4_WRITE, "cr4_write", INTERCEPT_CR4_WRITE, PR_CR4_WRITE, SVM_EXIT_WRITE_CR4),
	CRI(R_CR8_WRITE, "cr8_write", INTERCEPT_CR8_WRITE, PR_CR8_WRITE, SVM_EXIT_WRITE_CR8),
	DRI(R_DR7_READ, "dr7_read", INTERCEPT_DR7_READ, PR_DR7_READ, SVM_EXIT_READ_DR7),
	DRI(R_DR7_WRITE, "dr7_write", INTERCEPT_DR7_WRITE, PR_DR7_WRITE, SVM_EXIT_WRITE_DR7),
	/* INT3 raises #BP (Vol. 3, INT3): the exception intercept, not INTn, applies. */
	[R_EXC_BP] = { "exception_bp", K_EXCP, BP_VECTOR, PR_BP, SVM_EXIT_EXCP_BASE + BP_VECTOR,
		       VMCB_INTERCEPTS, .alias_bit = INTERCEPT_INTn, .alias_exit = SVM_EXIT_SWINT,
		       .flaw = "INT3 is intercepted as INTn, never as #BP" },
	EXC(R_EXC_UD, "exception_ud", UD_VECTOR, PR_UD),
	/* 15.15.3: IOPM_BASE_PA and MSRPM_BASE_PA are the group VMCB_PERM_MAP. */
	[R_IOPM_BASE] = { "iopm_base", K_IOPM, 0, PR_IO, SVM_EXIT_IOIO, VMCB_PERM_MAP,
			  .dflt = true, .has_partner = true, .partner = R_IOIO },
	[R_MSRPM_BASE] = { "msrpm_base", K_MSRPM, 0, PR_MSR, SVM_EXIT_MSR, VMCB_PERM_MAP,
			   .dflt = true, .has_partner = true, .partner = R_MSR },
	/*
	 * Appendix B, Table B-1: TSC_OFFSET is added to the TSC L2 reads; it
	 * is in the group VMCB_INTERCEPTS (15.15.3, Table 15-9).
	 */
	[R_TSC_OFFSET] = { "tsc_offset", K_TSC_OFFSET, 0, PR_RDTSC, 0, VMCB_INTERCEPTS },
	/* 15.15.3: CR0, CR3, CR4 and EFER are the group VMCB_CR; DR6, DR7 VMCB_DR. */
	[R_CR4_PCE] = { "cr4_pce", K_CR4_PCE, 0, PR_CR4_READ, 0, VMCB_CR },
	[R_EFER_SCE] = { "efer_sce", K_EFER_SCE, 0, PR_EFER, 0, VMCB_CR },
	[R_DR7_GE] = { "dr7_ge", K_DR7_GE, 0, PR_DR7_READ, 0, VMCB_DR },
	/*
	 * 15.16 "TLB Control": a new ASID has no translations of an earlier
	 * one, so L2 must see its window's new mapping without a flush.  The
	 * walk would run out of new ASIDs: not in the walk.
	 */
	[R_ASID] = { "asid", K_ASID, 0, PR_WINDOW, 0, VMCB_ASID, .no_walk = true,
		     .needs = N_ASIDS },
	/* 15.15.3: nested paging enable, N_CR3 and G_PAT are the group VMCB_NPT. */
	[R_NCR3] = { "ncr3", K_NCR3, 0, PR_WINDOW, 0, VMCB_NPT, .needs = N_NPT },
	[R_NP] = { "np_enable", K_NP, 0, PR_WINDOW, 0, VMCB_NPT, .dflt = true,
		   .has_partner = true, .partner = R_NCR3, .needs = N_NPT },
};

/* ---- L1 ---- */

/* The walks' event of vmcb12's own, after the library's (control_walk.h). */
enum event { EV_VMLOAD_VMSAVE = WALK_EV_TEST };

/* What the host asks of L1 (set before the VM starts). */
static struct walk_plan plan;
static uint64_t opt_seed = 1;
static uint64_t opt_steps = DEFAULT_STEPS;

struct ctx {
	struct l1_svm *svm;
	struct l2_vmcb *v;
	struct vmcb *vmcb;
	bool on[NR_ROWS];
	uint32_t dirty;			/* clean bits to clear at the next VMRUN */
	bool flush;			/* TLB_CONTROL flush at the next VMRUN */
	uint64_t iopm_empty, msrpm_empty;
	struct page_table pt, npt_id, npt_ab;
	uint64_t ncr3_id, ncr3_ab;
	uint64_t page_a, page_b;
	uint32_t next_asid;
	uint64_t stack_top;
	unsigned int probes_checked;
	bool flawed[NR_ROWS];		/* emulator_flaw() found: the row and its probe unused */
};

static const char *row_problem(const struct ctx *c, const struct row *r)
{
	if ((r->needs & N_NPT) && !c->svm->npt)
		return "no nested paging for L1 (kvm_amd npt=0)";
	if ((r->needs & N_RDTSCP) && !this_cpu_has(X86_FEATURE_RDTSCP))
		return "no RDTSCP in L1's CPUID";
	if ((r->needs & N_ASIDS) && c->svm->nr_asids < 4)
		return "fewer than 4 ASIDs in CPUID Fn8000_000A EBX";
	return NULL;
}

/* Writes row @id's state into the vmcb12 and clears its clean bit. */
static void apply(struct ctx *c, enum row_id id, bool on)
{
	const struct row *r = &rows[id];
	struct vmcb_control_area *ctl = &c->vmcb->control;
	struct vmcb_save_area *save = &c->vmcb->save;

	c->on[id] = on;
	c->dirty |= BIT(r->clean);
	switch (r->kind) {
	case K_INTERCEPT:
		if (on)
			vmcb_set_intercept(c->vmcb, r->bit);
		else
			vmcb_clr_intercept(c->vmcb, r->bit);
		break;
	case K_CR:
		vmcb_set_cr_intercept(c->vmcb, r->bit, on);
		break;
	case K_DR:
		vmcb_set_dr_intercept(c->vmcb, r->bit, on);
		break;
	case K_EXCP:
		vmcb_set_exception_intercept(c->vmcb, r->bit, on);
		break;
	case K_IOPM:
		ctl->iopm_base_pa = on ? c->svm->iopm_pa : c->iopm_empty;
		break;
	case K_MSRPM:
		ctl->msrpm_base_pa = on ? c->svm->msrpm_pa : c->msrpm_empty;
		break;
	case K_TSC_OFFSET:
		ctl->tsc_offset = on ? TSC_OFFSET_VALUE : 0;
		break;
	case K_CR4_PCE:
		save->cr4 = on ? save->cr4 | X86_CR4_PCE : save->cr4 & ~X86_CR4_PCE;
		break;
	case K_EFER_SCE:
		save->efer = on ? save->efer | EFER_SCE : save->efer & ~EFER_SCE;
		break;
	case K_DR7_GE:
		save->dr7 = on ? save->dr7 | DR7_GE : save->dr7 & ~DR7_GE;
		break;
	case K_ASID:
		/* L2's tables change in memory, not flushed: only the new ASID hides the old. */
		l2_pt_map(&c->pt, WINDOW, on ? c->page_b : c->page_a);
		ctl->asid = c->next_asid++;
		break;
	case K_NCR3:
		ctl->nested_cr3 = on ? c->ncr3_ab : c->ncr3_id;
		/*
		 * Translations are tagged by ASID, not by N_CR3 (15.16): L1
		 * flushes its ASID with new nested tables (TLB_CONTROL has no
		 * clean bit, it is read at every VMRUN).
		 */
		c->flush = true;
		break;
	case K_NP:
		if (on)
			ctl->misc_ctl |= SVM_MISC_ENABLE_NP;
		else
			ctl->misc_ctl &= ~SVM_MISC_ENABLE_NP;
		c->flush = true;
		break;
	}
}

/* The value L1 gives L2's RBX for @p: what a write probe writes back, a probe's address. */
static uint64_t probe_operand(const struct ctx *c, enum probe p)
{
	const struct vmcb_save_area *save = &c->vmcb->save;

	switch (p) {
	case PR_POPF:
		return L2_START_RFLAGS;
	case PR_INVLPG:
	case PR_INVLPGA:
	case PR_WINDOW:
		return WINDOW;
	case PR_CR0_WRITE:
		return save->cr0;
	case PR_CR3_WRITE:
		return save->cr3;
	case PR_CR4_WRITE:
		return save->cr4;
	case PR_DR7_WRITE:
		return save->dr7;
	default:
		return 0;
	}
}

struct outcome {
	uint64_t exit;		/* the first #VMEXIT, NO_EXIT if the probe ran to its report */
	uint64_t value;		/* RAX at the report, if NO_EXIT */
};

static uint64_t run_l2(struct ctx *c)
{
	struct vmcb_control_area *ctl = &c->vmcb->control;
	uint64_t code;

	/*
	 * Every group is unchanged since the last #VMEXIT but those L1
	 * marked dirty (15.15.3): L1 may set their clean bits.
	 */
	ctl->clean = VMCB_ALL_CLEAN_MASK & ~c->dirty;
	ctl->tlb_ctl = c->flush ? svm_flush_asid_ctl(c->svm) : TLB_CONTROL_DO_NOTHING;
	code = svm_run(c->svm, c->v);
	c->dirty = 0;
	c->flush = false;
	return code;
}

static struct outcome run_probe(struct ctx *c, enum probe p)
{
	struct vmcb_save_area *save = &c->vmcb->save;
	struct outcome o;

	save->rip = (uintptr_t)probe_start[p];
	save->rsp = c->stack_top;
	c->v->regs.rbx = probe_operand(c, p);
	o.exit = run_l2(c);
	if (o.exit != NO_EXIT) {
		save->rip = (uintptr_t)probe_end[p];
		svm_assert_exit(c->v, run_l2(c), NO_EXIT);
	}
	o.value = c->v->regs.rax;
	return o;
}

/* Whether row @r is an intercept, with an exit code (which may be 0, READ_CR0). */
static bool row_has_exit(const struct row *r)
{
	return r->kind <= K_MSRPM;
}

/* Whether row @id intercepts its probe now. */
static bool row_exits(const struct ctx *c, enum row_id id)
{
	const struct row *r = &rows[id];

	return row_has_exit(r) && c->on[id] && (!r->has_partner || c->on[r->partner]);
}

/* The exit the APM requires of probe @p in the current state; NO_EXIT if none. */
static uint64_t expected_exit(const struct ctx *c, enum probe p, bool *any_but)
{
	*any_but = false;
	for (int i = 0; i < NR_ROWS; i++) {
		if (rows[i].probe != p || !row_has_exit(&rows[i]))
			continue;
		if (row_exits(c, i))
			return rows[i].exit;
		if (rows[i].off_not_this) {
			*any_but = true;
			return rows[i].exit;
		}
	}
	return NO_EXIT;
}

/* Runs probe @p and checks it against every row that decides its outcome. */
static void check_probe(struct ctx *c, enum probe p)
{
	struct outcome o = run_probe(c, p);
	bool any_but, remapped;
	uint64_t want;

	want = expected_exit(c, p, &any_but);
	c->probes_checked++;
	if (any_but) {
		/* The instruction must not exit for an intercept L1 cleared. */
		GUEST_ASSERT_RULE(o.exit == want, false, true);
		return;
	}
	/* For an intercept: (15.9) the exit happens iff its bit is set. */
	svm_assert_exit_rule(c->v, o.exit, want, want == NO_EXIT ? SVM_EXIT_HLT : NO_EXIT);
	if (o.exit != NO_EXIT)
		return;
	switch (p) {
	case PR_RDTSC:
		/* Table B-1: L2's TSC is L1's plus TSC_OFFSET; L1's started at 0. */
		GUEST_ASSERT_RULE(o.value >= TSC_OFFSET_VALUE, c->on[R_TSC_OFFSET],
				  !c->on[R_TSC_OFFSET]);
		break;
	/* 15.5 "VMRUN Instruction": VMRUN loads CR4, EFER and DR7 from the vmcb12. */
	case PR_CR4_READ:
		GUEST_ASSERT_RULE(!!(o.value & X86_CR4_PCE), c->on[R_CR4_PCE],
				  !c->on[R_CR4_PCE]);
		break;
	case PR_EFER:
		GUEST_ASSERT_RULE(!!(o.value & EFER_SCE), c->on[R_EFER_SCE], !c->on[R_EFER_SCE]);
		break;
	case PR_DR7_READ:
		GUEST_ASSERT_RULE(!!(o.value & DR7_GE), c->on[R_DR7_GE], !c->on[R_DR7_GE]);
		break;
	case PR_WINDOW:
		/* L2's tables map the window to A or B; nested tables AB map A to B too. */
		remapped = c->on[R_ASID] || (c->on[R_NP] && c->on[R_NCR3]);
		GUEST_ASSERT_RULE(o.value, remapped ? MAGIC_B : MAGIC_A,
				  remapped ? MAGIC_A : MAGIC_B);
		break;
	default:
		break;
	}
}

static bool probe_usable(const struct ctx *c, enum probe p)
{
	/*
	 * Only an intercept's own problem (RDTSCP) or flaw (INVD exiting as
	 * WBINVD when that is on) rules out its probe.
	 */
	for (int i = 0; i < NR_ROWS; i++)
		if (rows[i].probe == p && row_has_exit(&rows[i]) &&
		    (row_problem(c, &rows[i]) || c->flawed[i]))
			return false;
	return true;
}

/* Every probe, each checked. */
static void run_cycle(struct ctx *c)
{
	for (int p = 0; p < NR_PROBES; p++)
		if (probe_usable(c, p))
			check_probe(c, p);
}

static uint64_t alloc_zero_map(unsigned int size)
{
	return (uintptr_t)guest_alloc_pages(size / PAGE_SIZE);
}

static void setup(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->svm = svm_enable();
	c->next_asid = 2;
	c->stack_top = (uintptr_t)guest_alloc_pages(4) + 4 * PAGE_SIZE;
	c->iopm_empty = alloc_zero_map(SVM_IOPM_SIZE);
	c->msrpm_empty = alloc_zero_map(SVM_MSRPM_SIZE);
	svm_intercept_io(c->svm, PROBE_PORT, true);
	svm_intercept_msr(c->svm, PROBE_MSR, true, false);

	c->page_a = guest_alloc_page();
	c->page_b = guest_alloc_page();
	*(uint64_t *)c->page_a = MAGIC_A;
	*(uint64_t *)c->page_b = MAGIC_B;
	l2_pt_create(&c->pt, L2_LONG_MODE);
	l2_pt_map(&c->pt, WINDOW, c->page_a);
	if (c->svm->npt) {
		npt_create(&c->npt_id);
		npt_create(&c->npt_ab);
		npt_map(&c->npt_ab, c->page_a, c->page_b, NPT_LEAF_RW);
		c->ncr3_id = npt_ncr3(&c->npt_id);
		c->ncr3_ab = npt_ncr3(&c->npt_ab);
	}
	c->v = l2_vmcb_create(c->svm, &(struct svm_l2_setup){
		.mode = L2_LONG_MODE, .entry = probe_window, .cr3 = c->pt.root,
		.ncr3 = c->ncr3_id });
	c->vmcb = c->v->vmcb;

	/*
	 * The rows' defaults where the new vmcb12 differs: the library's
	 * IOIO_PROT and MSR_PROT, its exception intercepts of #BP and #UD, and
	 * L1's CR4.PCE and EFER.SCE are cleared.  The vmcb12 already has ASID
	 * 1, the identity nested tables and nested paging if L1 has it.
	 */
	for (int i = 0; i < NR_ROWS; i++) {
		if (rows[i].kind == K_ASID || rows[i].kind == K_NCR3 || rows[i].kind == K_NP)
			continue;
		apply(c, i, rows[i].dflt);
	}
	c->on[R_NP] = c->svm->npt;
	c->dirty = ~0u;
}

/*
 * VMLOAD and VMSAVE of the vmcb12 (15.5.2), the walk's only event of its
 * own: they move state outside every clean-bit group, so no bit changes.
 */
static void do_event(void *ctx, int event)
{
	struct ctx *c = ctx;

	svm_vmsave(c->svm->host_save_pa);
	svm_vmload((uintptr_t)c->vmcb);
	svm_vmsave((uintptr_t)c->vmcb);
	svm_vmload(c->svm->host_save_pa);
}

/*
 * The probe of a row with an alias runs once under the alias's intercept
 * alone, which APM 15.9 and 15.12 do not apply to the probe's instruction:
 * it must not exit with the alias's code.  QEMU's TCG, the AMD lab's CPU,
 * checks these instructions against the alias and reports its code; KVM
 * (L0) then sees an exit L1 did not ask for and resumes L2, so such a CPU
 * cannot run the row.  With NST_EMULATOR=tcg this returns the flaw, for
 * the row to be left out; anywhere else the alias exit fails here.
 */
static const char *emulator_flaw(struct ctx *c, enum row_id id)
{
	const struct row *r = &rows[id];
	bool exits_as_alias;
	struct outcome o;

	if (!r->flaw)
		return NULL;
	vmcb_set_intercept(c->vmcb, r->alias_bit);
	c->dirty |= BIT(VMCB_INTERCEPTS);
	o = run_probe(c, r->probe);
	vmcb_clr_intercept(c->vmcb, r->alias_bit);
	c->dirty |= BIT(VMCB_INTERCEPTS);
	exits_as_alias = o.exit == r->alias_exit;
	if (exits_as_alias && (emulator_flaws & EMULATOR_FLAW_SVM_INTERCEPT_ALIASES))
		return r->flaw;
	GUEST_ASSERT_RULE_EQ(exits_as_alias, false);
	return NULL;
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
	problem = emulator_flaw(&c, plan.row);
	if (problem)
		GUEST_SKIP("%s: %s (a known flaw of the emulator NST_EMULATOR names)",
			   r->name, problem);
	if (r->has_partner && !c.on[r->partner])
		apply(&c, r->partner, true);
	/*
	 * The defaults loaded (every clean bit usable from now on), and L2's
	 * window read once: its translation may be cached under the first
	 * ASID, so the asid row's first toggle sees the window remapped only
	 * through the new ASID (15.16 "TLB Control"), not through a first walk.
	 */
	run_probe(&c, PR_WINDOW);
	for (int i = 0; i < 2; i++) {	/* away from the default, and back */
		apply(&c, plan.row, !c.on[plan.row]);
		check_probe(&c, r->probe);
		/* Once more with every clean bit set: nothing changed since the last #VMEXIT. */
		check_probe(&c, r->probe);
	}
	svm_disable(c.svm);
	GUEST_DONE();
}

static bool walk_toggle(void *ctx, int row)
{
	struct ctx *c = ctx;

	apply(c, row, !c->on[row]);
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
	for (int i = 0; i < NR_ROWS; i++) {
		if (row_problem(&c, &rows[i]))
			continue;
		c.flawed[i] = emulator_flaw(&c, i);
		if (!rows[i].no_walk && !c.flawed[i])
			usable[nr++] = i;
	}
	l1_control_walk(&c, usable, nr, &plan, &walk_ops);
	GUEST_PRINTF("%u probes checked\n", c.probes_checked);
	svm_disable(c.svm);
	GUEST_DONE();
}

/* ---- host ---- */

static void run_plan(void *l1_code, const struct walk_plan *p)
{
	struct kvm_vcpu *vcpu = l1_vm_create(l1_code, 0);
	struct ucall uc;

	vm_install_exception_handler(vcpu->vm, BP_VECTOR, l2_bp_handler);
	vm_install_exception_handler(vcpu->vm, UD_VECTOR, l2_ud_handler);
	/*
	 * L1's TSC starts far below TSC_OFFSET_VALUE, whatever the host's
	 * uptime (api.rst, KVM_SET_MSRS: the guest's IA32_TSC is writable).
	 */
	vcpu_set_msr(vcpu, MSR_IA32_TSC, 0);
	plan = *p;
	sync_global_to_guest(vcpu->vm, plan);
	for (;;) {
		struct kvm_run *run;

		vcpu_run(vcpu);
		run = vcpu->run;
		/*
		 * L2's IN from PROBE_PORT with no intercept is L1's own I/O:
		 * KVM hands it to us.  The value read does not matter.
		 */
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == PROBE_PORT)
			continue;
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_ABORT:
		case UCALL_UNHANDLED:
			REPORT_GUEST_ASSERT(uc);
		case UCALL_NONE:
			TEST_FAIL("unexpected exit to the host: %s",
				  exit_reason_str(run->exit_reason));
		}
		if (!l1_ucall_returns(&uc))
			continue;
		if (uc.cmd == UCALL_DONE)
			break;
		vcpu = walk_host_event(vcpu, &uc, &plan);
	}
	kvm_vm_free(vcpu->vm);
}

static int row_index(const char *name)
{
	for (int i = 0; i < NR_ROWS; i++)
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
	if (event == WALK_EV_MIGRATE) {
		const char *problem = svm_needs_problem(SVM_NEED_NESTED_STATE);

		__TEST_REQUIRE(!problem, "%s", problem);
	}
	run_plan(l1_walk, &(struct walk_plan){ .row = -1, .seed = opt_seed, .event = event,
		 .steps = event == WALK_EV_NONE ? opt_steps : EVENT_STEPS,
		 .event_every = EVENT_EVERY });
}

#define TOGGLE(row, purpose)	{ "toggle_" #row, purpose, test_toggle, #row }
#define WALK(n, ev, purpose)	{ n, purpose, test_walk, (void *)(intptr_t)(ev) }

static const struct scenario scenarios[] = {
	TOGGLE(rdtsc, "RDTSC intercept toggled alone"),
	TOGGLE(rdpmc, "RDPMC intercept toggled alone (clear: no RDPMC exit)"),
	TOGGLE(pushf, "PUSHF intercept toggled alone"),
	TOGGLE(popf, "POPF intercept toggled alone"),
	TOGGLE(cpuid, "CPUID intercept toggled alone"),
	TOGGLE(invd, "INVD intercept toggled alone"),
	TOGGLE(pause, "PAUSE intercept toggled alone (pause filter count 0)"),
	TOGGLE(invlpg, "INVLPG intercept toggled alone"),
	TOGGLE(invlpga, "INVLPGA intercept toggled alone"),
	TOGGLE(ioio_prot, "IOIO_PROT intercept toggled alone, the port's IOPM bit set"),
	TOGGLE(msr_prot, "MSR_PROT intercept toggled alone, the MSR's MSRPM read bit set"),
	TOGGLE(rdtscp, "RDTSCP intercept toggled alone"),
	TOGGLE(wbinvd, "WBINVD intercept toggled alone"),
	TOGGLE(cr0_read, "CR0 read intercept toggled alone"),
	TOGGLE(cr0_write, "CR0 write intercept toggled alone"),
	TOGGLE(cr3_read, "CR3 read intercept toggled alone"),
	TOGGLE(cr3_write, "CR3 write intercept toggled alone"),
	TOGGLE(cr4_read, "CR4 read intercept toggled alone"),
	TOGGLE(cr4_write, "CR4 write intercept toggled alone"),
	TOGGLE(cr8_write, "CR8 write intercept toggled alone"),
	TOGGLE(dr7_read, "DR7 read intercept toggled alone"),
	TOGGLE(dr7_write, "DR7 write intercept toggled alone"),
	TOGGLE(exception_bp, "#BP exception intercept toggled alone (clear: L2's handler)"),
	TOGGLE(exception_ud, "#UD exception intercept toggled alone (clear: L2's handler)"),
	TOGGLE(iopm_base, "IOPM_BASE_PA switched alone between a map with the port and none"),
	TOGGLE(msrpm_base, "MSRPM_BASE_PA switched alone between a map with the MSR and none"),
	TOGGLE(tsc_offset, "TSC_OFFSET changed alone: L2's RDTSC follows"),
	TOGGLE(cr4_pce, "vmcb12's CR4.PCE changed alone: L2's MOV from CR4 follows"),
	TOGGLE(efer_sce, "vmcb12's EFER.SCE changed alone: L2's RDMSR of EFER follows"),
	TOGGLE(dr7_ge, "vmcb12's DR7.GE changed alone: L2's MOV from DR7 follows"),
	TOGGLE(asid, "a new ASID alone: L2 sees its remapped window without a flush"),
	TOGGLE(ncr3, "N_CR3 changed alone (with a flush): L2 reads through the new tables"),
	TOGGLE(np_enable, "nested paging disabled and enabled alone: L2's reads follow"),
	WALK("walk", WALK_EV_NONE, "seeded random walk over every row, every probe checked"),
	WALK("walk_vmload_vmsave", EV_VMLOAD_VMSAVE,
	     "random walk with VMSAVE and VMLOAD of the vmcb12 between steps"),
	WALK("walk_migrate", WALK_EV_MIGRATE, "random walk with save/restore into a new VM"),
	WALK("walk_cpu_move", WALK_EV_CPU_MOVE, "random walk with the vCPU thread moved between CPUs"),
};

/* The test's own options, which the scenario harness does not know. */
static const struct scenario_option options[] = {
	{ "seed", "seed of the random walks (default 1)", &opt_seed, 1, UINT64_MAX },
	{ "steps", "steps of the plain random walk (default 60)", &opt_steps, 1, 1000000 },
};

int main(int argc, char **argv)
{
	unsigned int toggles = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(scenarios); i++)
		toggles += scenarios[i].run == test_toggle && row_index(scenarios[i].arg) >= 0;
	TEST_ASSERT(toggles == NR_ROWS, "every row needs its own TOGGLE() scenario");
	return scenario_main(scenarios, ARRAY_SIZE(scenarios), options, ARRAY_SIZE(options),
			     svm_requirements, argc, argv);
}
