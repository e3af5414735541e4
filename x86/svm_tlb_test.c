// SPDX-License-Identifier: GPL-2.0-only
/*
 * svm_tlb_test: L2's cached translations across VMRUN and #VMEXIT, and
 * their invalidation by L1 and by L2 (AMD APM Vol. 2 chapter 15 "Secure
 * Virtual Machine", sections "TLB Control", "TLB Flush" and "Invalidate
 * Page, Alternate ASID"; Vol. 2 chapter 5 "Translation-Lookaside Buffer
 * (TLB)" and "Global Pages"; Vol. 3 INVLPGA and INVLPG).
 *
 * L2's page tables map WINDOW (a non-global page) to page A and GWINDOW (a
 * global page, G=1 with CR4.PGE=1) to page C.  With nested paging (_np)
 * they map them to guest-physical pages outside guest memory that L1's
 * nested tables map to A and C.  L2 reads both first, so translations of
 * the old mappings may be cached (in the TLB, or in L0's shadow or nested
 * page tables).  Then L1 (or L2) points WINDOW at page B and GWINDOW at
 * page D by a change in memory: L2's PTE (_pte) or the nested leaf
 * (_npte), and uses one of the APM's means to invalidate; L2 reads again.
 *
 * Only what the APM requires is asserted: after an invalidation that
 * covers a translation, L2 sees the new page.  Where the invalidation does
 * not cover it (the global page after TLB_CONTROL 7, say), L2 may see
 * either page and only that is checked.  Inverted (--self-check), L1
 * expects the old page after the invalidation.
 *
 * Rows are named <how>_<pte|npte>_<long|pae>_<nonp|np>; L2's own INVLPG
 * rows l2_invlpg_<long|pae>_<nonp|np>.
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_vm.h"
#include "x86/l2_agent.h"
#include "x86/l2_paging.h"
#include "x86/svm_l2_env.h"
#include "x86/svm_npt.h"
#include "x86/svm_requirements.h"

/* L2 linear addresses under test, below 4 GiB for PAE, outside guest memory. */
#define WINDOW		0xc0000000ull
#define GWINDOW		0xc0001000ull
/* L2-physical pages outside guest memory that only L1's nested tables map (one per page). */
#define NPT_GPA		0x80000000ull
#define GUEST_MEM	(16ull << 20)
#define L2_ASID		1
#define NEW_ASID	2
#define MARK(i)		(0x1000000000000000ull * ((i) + 1) + 0x7b5)

/*
 * Bits of long-mode and PAE page-table entries (APM Vol. 2 chapter 5, the
 * PTE formats): present, and the global-page bit of a leaf, used when
 * CR4.PGE=1.
 */
#define PTE_P		BIT_ULL(0)
#define PTE_G		BIT_ULL(8)

/* WINDOW maps A then B, GWINDOW maps C then D. */
enum { PAGE_A, PAGE_B, PAGE_C, PAGE_D, NR_PAGES };

/* What L1 rewrites in memory. */
enum change {
	CHANGE_PTE,	/* L2's leaf PTEs */
	CHANGE_NPTE,	/* the nested leaves behind them (nested paging only) */
};

/* How L1 makes the change visible before the next VMRUN. */
enum how {
	NEW_ASID_HOW,		/* the vmcb12 gets an ASID that never ran */
	TLB_FLUSH_ALL,		/* TLB_CONTROL 1 */
	TLB_FLUSH_ASID,		/* TLB_CONTROL 3 */
	TLB_FLUSH_ASID_LOCAL,	/* TLB_CONTROL 7 */
	INVLPGA_HOW,		/* INVLPGA of each address in L2's ASID */
};

struct row {
	void (*l1)(void);
	enum l2_mode mode;
	bool np;
	enum change change;
	enum how how;
};

/* The scenario's row, copied into the guest before it runs. */
static struct row cfg;

struct fixture {
	struct svm_l2_env env;
	uint64_t *page[NR_PAGES];
};

/* The L2-physical address of page @i: itself, or its alias in the nested tables. */
static uint64_t l2_gpa(struct fixture *f, int i)
{
	return cfg.np ? NPT_GPA + i * PAGE_SIZE : (uintptr_t)f->page[i];
}

/* The leaf PTE that maps @va to page @i (G set for GWINDOW). */
static uint64_t pte_value(struct fixture *f, uint64_t va, int i)
{
	return l2_gpa(f, i) | PTE_P | L2_PTE_RW | (va == GWINDOW ? PTE_G : 0);
}

static void map_window(struct fixture *f, uint64_t va, int i)
{
	*pt_entry_assert(&f->env.pt, va, 1) = pte_value(f, va, i);
}

/* L2 with WINDOW -> A and GWINDOW -> C (global), CR4.PGE set; started. */
static void setup(struct fixture *f)
{
	struct vmcb *vmcb;

	svm_l2_env_create(&f->env, &(struct svm_l2_env_setup){
		.mode = cfg.mode, .npt = cfg.np, .asid = L2_ASID });
	for (int i = 0; i < NR_PAGES; i++) {
		f->page[i] = guest_alloc_pages(1);
		f->page[i][0] = MARK(i);
		if (cfg.np)
			npt_map(&f->env.npt, l2_gpa(f, i), (uintptr_t)f->page[i], NPT_LEAF_RW);
	}
	map_window(f, WINDOW, PAGE_A);
	map_window(f, GWINDOW, PAGE_C);
	/* Global pages need CR4.PGE (APM Vol. 2 chapter 5, "Global Pages"). */
	vmcb = f->env.vmcb->vmcb;
	vmcb->save.cr4 |= X86_CR4_PGE;
	vmcb_mark_dirty(vmcb, VMCB_CR);
	svm_l2_env_start(&f->env);
}

static void finish(struct fixture *f)
{
	svm_l2_env_destroy(&f->env);
	GUEST_DONE();
}

/* L2 reads both windows in one stretch; results in @got[0] (WINDOW) and @got[1]. */
static void l2_read_windows(struct fixture *f, uint64_t got[2])
{
	struct l2_step *s = guest_alloc_pages(1);

	s[0] = (struct l2_step){ .op = L2_OP_READ, .addr = WINDOW };
	s[1] = (struct l2_step){ .op = L2_OP_READ, .addr = GWINDOW };
	l2_batch(&f->env.agent, s, 2);
	got[0] = s[0].result;
	got[1] = s[1].result;
}

/* L2 reads A and C: translations of the old mappings may now be cached. */
static void prime(struct fixture *f)
{
	uint64_t got[2];

	l2_read_windows(f, got);
	GUEST_ASSERT_EQ(got[0], MARK(PAGE_A));
	GUEST_ASSERT_EQ(got[1], MARK(PAGE_C));
}

/* L1 points WINDOW at B and GWINDOW at D in memory (L2's PTEs or the nested leaves). */
static void change(struct fixture *f)
{
	if (cfg.change == CHANGE_NPTE) {
		npt_map(&f->env.npt, l2_gpa(f, PAGE_A), (uintptr_t)f->page[PAGE_B], NPT_LEAF_RW);
		npt_map(&f->env.npt, l2_gpa(f, PAGE_C), (uintptr_t)f->page[PAGE_D], NPT_LEAF_RW);
		return;
	}
	map_window(f, WINDOW, PAGE_B);
	map_window(f, GWINDOW, PAGE_D);
}

/*
 * The rule for the non-global WINDOW: L2 sees B.  For the global GWINDOW,
 * D where @global_flushed, else a stale translation is allowed (C or D).
 */
static void assert_new_pages(const uint64_t got[2], bool global_flushed)
{
	GUEST_ASSERT_RULE(got[0], MARK(PAGE_B), MARK(PAGE_A));
	if (global_flushed)
		GUEST_ASSERT_RULE(got[1], MARK(PAGE_D), MARK(PAGE_C));
	else
		__GUEST_ASSERT(got[1] == MARK(PAGE_C) || got[1] == MARK(PAGE_D),
			       "GWINDOW read 0x%lx, neither its old page nor its new one", got[1]);
}

static const uint8_t tlb_ctl_of[] = {
	[TLB_FLUSH_ALL] = TLB_CONTROL_FLUSH_ALL_ASID,
	[TLB_FLUSH_ASID] = TLB_CONTROL_FLUSH_ASID,
	[TLB_FLUSH_ASID_LOCAL] = TLB_CONTROL_FLUSH_ASID_LOCAL,
};

/* Skips what L1's CPU lacks for cfg.how: FlushByAsid, a second ASID. */
static void require_how(struct fixture *f)
{
	struct l1_svm *svm = f->env.svm;

	if ((cfg.how == TLB_FLUSH_ASID || cfg.how == TLB_FLUSH_ASID_LOCAL) && !svm->flush_by_asid)
		GUEST_SKIP("the vCPU has no FlushByAsid (CPUID Fn8000_000A EDX[6]): "
			   "TLB_CONTROL %u is reserved without it", tlb_ctl_of[cfg.how]);
	if (cfg.how == NEW_ASID_HOW && svm->nr_asids <= NEW_ASID)
		GUEST_SKIP("the vCPU has %u ASIDs (CPUID Fn8000_000A EBX), no ASID %u",
			   svm->nr_asids, NEW_ASID);
}

/*
 * 1. L1 changes L2's mappings between two VMRUNs, then (APM Vol. 2
 * chapter 15):
 *  - new ASID: gives the vmcb12 an ASID that never ran.  "TLB Control":
 *    TLB entries are tagged with the ASID they were created under, and
 *    none exist after reset, so an ASID that never ran has no entry for
 *    WINDOW.  Whether a global entry serves another ASID is not asserted.
 *  - TLB_CONTROL 1 ("TLB Control", "TLB Flush"): VMRUN flushes the entire
 *    TLB, every ASID's entries, global ones included: both windows.
 *  - TLB_CONTROL 3: VMRUN flushes this guest's TLB entries (the vmcb12's
 *    ASID), global ones included: both windows.
 *  - TLB_CONTROL 7: VMRUN flushes this guest's non-global TLB entries:
 *    WINDOW only; GWINDOW's global entry may survive.
 *  - INVLPGA ("Invalidate Page, Alternate ASID"; Vol. 3 INVLPGA):
 *    invalidates the TLB mapping of the virtual page in rAX for the ASID
 *    in ECX: WINDOW's mapping in L2's ASID.  Whether it drops a global
 *    entry is not asserted.
 * With nested paging the TLB entries cover the guest-physical to
 * host-physical step too (_npte rows): a TLB_CONTROL flush drops them.
 * TLB_CONTROL 3 and 7 need FlushByAsid (CPUID Fn8000_000A EDX[6]).
 */
static void l1_change_then_flush(void)
{
	struct fixture f;
	struct vmcb *vmcb;
	uint64_t got[2];

	setup(&f);
	require_how(&f);
	vmcb = f.env.vmcb->vmcb;
	prime(&f);
	change(&f);
	switch (cfg.how) {
	case NEW_ASID_HOW:
		vmcb->control.asid = NEW_ASID;
		vmcb_mark_dirty(vmcb, VMCB_ASID);
		break;
	case INVLPGA_HOW:
		svm_invlpga(WINDOW, L2_ASID);
		svm_invlpga(GWINDOW, L2_ASID);
		break;
	default:
		vmcb->control.tlb_ctl = tlb_ctl_of[cfg.how];
		break;
	}
	l2_read_windows(&f, got);
	/* The processor does not clear TLB_CONTROL ("TLB Control"): later VMRUNs need not flush. */
	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	assert_new_pages(got, cfg.how == TLB_FLUSH_ALL || cfg.how == TLB_FLUSH_ASID);
	finish(&f);
}

/*
 * 2. L2 changes its own PTEs for both windows and executes INVLPG of each,
 * in one stretch of L2 execution (no #VMEXIT to L1 in between).  APM Vol. 2
 * chapter 5, "Translation-Lookaside Buffer (TLB)" and "Global Pages", and
 * Vol. 3 INVLPG: INVLPG invalidates the TLB entry of the page, global
 * pages included, so L2 reads B and D.  Under SVM the guest's INVLPG acts
 * on its own ASID's translations, with or without nested paging.
 */
static void l1_l2_invlpg(void)
{
	uint64_t *pte_w, *pte_g;
	struct l2_step *s;
	struct fixture f;

	setup(&f);
	pte_w = pt_entry_assert(&f.env.pt, WINDOW, 1);
	pte_g = pt_entry_assert(&f.env.pt, GWINDOW, 1);
	s = guest_alloc_pages(1);
	s[0] = (struct l2_step){ .op = L2_OP_READ, .addr = WINDOW };
	s[1] = (struct l2_step){ .op = L2_OP_READ, .addr = GWINDOW };
	s[2] = (struct l2_step){ .op = L2_OP_WRITE, .addr = (uintptr_t)pte_w,
				 .value = pte_value(&f, WINDOW, PAGE_B) };
	s[3] = (struct l2_step){ .op = L2_OP_WRITE, .addr = (uintptr_t)pte_g,
				 .value = pte_value(&f, GWINDOW, PAGE_D) };
	s[4] = (struct l2_step){ .op = L2_OP_INVLPG, .addr = WINDOW };
	s[5] = (struct l2_step){ .op = L2_OP_INVLPG, .addr = GWINDOW };
	s[6] = (struct l2_step){ .op = L2_OP_READ, .addr = WINDOW };
	s[7] = (struct l2_step){ .op = L2_OP_READ, .addr = GWINDOW };
	l2_batch(&f.env.agent, s, 8);
	GUEST_ASSERT_EQ(s[0].result, MARK(PAGE_A));
	GUEST_ASSERT_EQ(s[1].result, MARK(PAGE_C));
	GUEST_ASSERT_RULE(s[6].result, MARK(PAGE_B), MARK(PAGE_A));
	GUEST_ASSERT_RULE(s[7].result, MARK(PAGE_D), MARK(PAGE_C));
	finish(&f);
}

static void test_row(const struct scenario *s)
{
	const struct row *r = s->arg;
	const char *problem = svm_needs_problem(r->np ? SVM_NEED_NPT : 0);

	__TEST_REQUIRE(!problem, "%s", problem);
	l1_run_row(r->l1, GUEST_MEM / PAGE_SIZE, cfg, r);
}

#define L	L2_LONG_MODE
#define P	L2_PAE_MODE

/* One row: name_<change>_<mode>_<np>. */
#define ROW(name, purpose, fn, how, c, cs, m, ms, np, nps)				\
	{ name cs "_" ms "_" nps, purpose " (" ms ", " nps ")", test_row,		\
	  &(const struct row){ fn, m, np, c, how } }
#define ROWS_MODES(name, purpose, fn, how, c, cs, np, nps)				\
	ROW(name, purpose, fn, how, c, cs, L, "long", np, nps),			\
	ROW(name, purpose, fn, how, c, cs, P, "pae", np, nps)
/* L1 changes L2's PTEs, then @what: without and with nested paging. */
#define ROWS_PTE(name, what, how)							\
	ROWS_MODES(name, "L1 changes L2's PTEs, " what, l1_change_then_flush, how,	\
		   CHANGE_PTE, "_pte", false, "nonp"),					\
	ROWS_MODES(name, "L1 changes L2's PTEs, " what, l1_change_then_flush, how,	\
		   CHANGE_PTE, "_pte", true, "np")
/* ... and L1 changes the nested leaves, then @what. */
#define ROWS_ALL(name, what, how)							\
	ROWS_PTE(name, what, how),							\
	ROWS_MODES(name, "L1 changes the nested leaves, " what, l1_change_then_flush,	\
		   how, CHANGE_NPTE, "_npte", true, "np")

static const struct scenario scenarios[] = {
	ROWS_PTE("new_asid", "gives L2 a never-used ASID", NEW_ASID_HOW),
	ROWS_ALL("flush_all", "TLB_CONTROL 1 flushes every ASID", TLB_FLUSH_ALL),
	ROWS_ALL("flush_asid", "TLB_CONTROL 3 flushes L2's ASID", TLB_FLUSH_ASID),
	ROWS_ALL("flush_asid_local", "TLB_CONTROL 7 flushes L2's non-global entries",
		 TLB_FLUSH_ASID_LOCAL),
	ROWS_PTE("invlpga", "INVLPGA in L2's ASID", INVLPGA_HOW),
	ROWS_MODES("l2_invlpg", "L2 rewrites its own PTEs and executes INVLPG", l1_l2_invlpg,
		   0, CHANGE_PTE, "", false, "nonp"),
	ROWS_MODES("l2_invlpg", "L2 rewrites its own PTEs and executes INVLPG", l1_l2_invlpg,
		   0, CHANGE_PTE, "", true, "np"),
};

SCENARIO_MAIN(svm_requirements, scenarios)
