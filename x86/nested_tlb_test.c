// SPDX-License-Identifier: GPL-2.0-only
/*
 * nested_tlb_test: cached translations across nested VM entry and VM exit,
 * and their invalidation by L1 and by L2 (Intel SDM Vol. 3C 29.4 "Caching
 * translation information"; Vol. 3A 4.10.4 "Invalidation of TLBs and
 * paging-structure caches"; Vol. 3C 31.3 INVEPT, INVVPID).
 *
 * L2's page tables map WINDOW to page A, and every scenario makes WINDOW
 * point to page B (or C) by a change in memory that some operation must
 * then make visible.  L2 reads WINDOW first, so that a translation of the
 * old mapping is cached (in the virtual TLB, or in L0's shadow page tables)
 * and a missing invalidation shows as L2 still reading page A.  Only what
 * the SDM guarantees is asserted: with VPID on and no INVVPID, for example,
 * L2 may see either page and no scenario looks.
 *
 * Each scenario runs for the combinations of L1's EPT for L2 {off, on},
 * L1's VPID for L2 {off, on} and L2's mode {long, PAE} it applies to,
 * named <scenario>_<long|pae>_<noept|ept>_<novpid|vpid>.  Inverted
 * (--self-check), L1 expects the old page after the invalidation.
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_vm.h"
#include "x86/l2_agent.h"
#include "x86/l2_env.h"
#include "x86/l2_paging.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

/* L2 linear address under test: outside guest memory, below 4 GiB for PAE. */
#define WINDOW		0xc0000000ull
/* An L2-physical page outside guest memory that only L1's EPT maps. */
#define EPT_GPA		0x80000000ull
/* L1 linear address under test, in L1's own tables (outside its identity map). */
#define L1_WINDOW	0x8000000000ull
#define MARK_A		0xaaaa0000aaaa0000ull
#define MARK_B		0xbbbb0000bbbb0000ull
#define MARK_C		0xcccc0000cccc0000ull
#define L2_VPID		1
#define NEW_VPID	2
#define L2_PCID		1
#define ALT_PCID	2
#define GUEST_MEM	(16ull << 20)

/*
 * Bits of 4-level and PAE paging entries (SDM Vol. 3A 4.5): the library's
 * processor.h names them differently from version to version.
 */
#define PTE_P			BIT_ULL(0)
#define PTE_RW			BIT_ULL(1)
/* MOV to CR3 keeps the new PCID's translations (SDM Vol. 3A 4.10.4.1). */
#define X86_CR3_PCID_NOFLUSH	BIT_ULL(63)

enum {
	ROW_PCID = 1,		/* long-mode L2 with CR4.PCIDE=1 */
	ROW_INVPCID = 2,	/* ... and "enable INVPCID" */
	ROW_INVVPID = 4,	/* INVVPID of type row.arg */
	ROW_INVEPT = 8,		/* INVEPT of type row.arg */
};

struct row {
	void (*l1)(void);
	enum l2_mode mode;
	bool ept, vpid;
	unsigned int needs;
	uint64_t arg;		/* paging level, INVVPID or INVEPT type */
};

/* The scenario's row, copied into the guest before it runs. */
static struct row cfg;

struct fixture {
	struct l2_env env;
	uint64_t *page_a, *page_b, *page_c;
	struct page_table alt;		/* a tree that maps only WINDOW, to page B */
};

static struct l2_env_setup env_setup(const struct row *r)
{
	return (struct l2_env_setup){
		.mode = r->mode, .ept = r->ept, .vpid = r->vpid ? L2_VPID : 0,
		.pcid = r->needs & ROW_PCID ? L2_PCID : 0,
		.proc2 = r->needs & ROW_INVPCID ? SECONDARY_EXEC_ENABLE_INVPCID : 0,
	};
}

static uint64_t *new_page(uint64_t mark)
{
	uint64_t *p = guest_alloc_pages(1);

	p[0] = mark;
	return p;
}

/* Builds L2 with WINDOW -> page A; the caller may map more, then start(). */
static void setup(struct fixture *f)
{
	struct l2_env_setup s = env_setup(&cfg);

	l2_env_create(&f->env, &s);
	f->page_a = new_page(MARK_A);
	f->page_b = new_page(MARK_B);
	f->page_c = new_page(MARK_C);
	l2_pt_map(&f->env.pt, WINDOW, (uintptr_t)f->page_a);
	l2_pt_create_empty(&f->alt, cfg.mode);
	l2_pt_map(&f->alt, WINDOW, (uintptr_t)f->page_b);
}

static void start(struct fixture *f)
{
	l2_env_start(&f->env);
}

static void finish(struct fixture *f)
{
	l2_env_destroy(&f->env);
	GUEST_DONE();
}

/* L2 reads WINDOW and finds page A: a translation for it may now be cached. */
static void prime(struct fixture *f)
{
	GUEST_ASSERT_EQ(l2_read(&f->env.agent, WINDOW), MARK_A);
}

/* L2 must read page B at WINDOW now. */
static void assert_new_page(struct fixture *f)
{
	GUEST_ASSERT_RULE(l2_read(&f->env.agent, WINDOW), MARK_B, MARK_A);
}

/* L1 points WINDOW at page B in memory: the entry at @level of the other tree. */
static void remap(struct fixture *f, int level)
{
	*pt_entry_assert(&f->env.pt, WINDOW, level) = *pt_entry_assert(&f->alt, WINDOW, level);
}

/*
 * 1. VPID off: L1 changes L2's PTE, PDE or (PAE without EPT) PDPTE in
 * memory and enters again without INVLPG.  SDM Vol. 3C 29.4.3.1
 * (Operations that invalidate cached mappings): with "enable VPID" = 0,
 * VM entries and VM exits invalidate the linear and combined mappings of
 * VPID 0000H for all PCIDs, which include paging-structure-cache entries
 * (29.4.1, Information that may be cached); a PAE PDPTE without EPT is
 * reloaded from memory by the VM entry (27.3.2.4, Loading
 * page-directory-pointer-table entries).
 */
static void l1_entry_invalidates(void)
{
	struct fixture f;

	setup(&f);
	start(&f);
	prime(&f);
	remap(&f, cfg.arg);
	assert_new_page(&f);
	finish(&f);
}

/*
 * 2a. VPID on: after L1 changes the PTE, INVVPID of any type that covers
 * L2's VPID and WINDOW invalidates its linear and combined mappings
 * (29.4.3.1, Operations that invalidate cached mappings; 31.3, VMX
 * instructions: INVVPID).  WINDOW is not global (G=0, CR4.PGE=0), so the
 * type that retains globals drops it too.  Without INVVPID, L2 may see
 * either page (29.4.3.2, Operations that need not invalidate cached
 * mappings): no scenario looks.
 */
static void l1_invvpid(void)
{
	struct fixture f;

	setup(&f);
	start(&f);
	prime(&f);
	remap(&f, 1);
	vpid_invalidate(cfg.arg, L2_VPID, WINDOW);
	assert_new_page(&f);
	finish(&f);
}

/*
 * 2b. VPID on: L1 gives L2 a VPID that was never current.  Cached mappings
 * are created only for the current VPID (29.4.2, Creating and using cached
 * translation information) and none exist after reset (29.4.3.1,
 * Operations that invalidate cached mappings), so none can be used for a
 * VPID that never ran: L2 sees the new mapping.
 */
static void l1_new_vpid(void)
{
	struct fixture f;

	setup(&f);
	start(&f);
	prime(&f);
	remap(&f, 1);
	vmcs_write(VIRTUAL_PROCESSOR_ID, NEW_VPID);
	assert_new_page(&f);
	finish(&f);
}

/*
 * L2 changes its own PTE for WINDOW (A <-> B) and invalidates with @inv,
 * all in one stretch of L2 execution (no VM transition in between).
 */
static void l2_flip_and_invalidate(struct fixture *f, struct l2_step *inv, uint64_t from,
				   uint64_t to)
{
	uint64_t *pte = pt_entry_assert(&f->env.pt, WINDOW, 1);
	uint64_t pte_a = (uintptr_t)f->page_a | PTE_P | L2_PTE_RW;
	uint64_t pte_b = (uintptr_t)f->page_b | PTE_P | L2_PTE_RW;
	struct l2_step *s = guest_alloc_pages(1);

	s[0] = (struct l2_step){ .op = L2_OP_READ, .addr = WINDOW };
	s[1] = (struct l2_step){ .op = L2_OP_WRITE, .addr = (uintptr_t)pte,
				 .value = to == MARK_B ? pte_b : pte_a };
	s[2] = *inv;
	s[3] = (struct l2_step){ .op = L2_OP_READ, .addr = WINDOW };
	l2_batch(&f->env.agent, s, 4);
	GUEST_ASSERT_EQ(s[0].result, from);
	GUEST_ASSERT_RULE(s[3].result, to, from);
}

/*
 * 3a. L2 changes its own PTE and executes INVLPG: Vol. 3A 4.10.4.1
 * (Operations that invalidate TLBs and paging-structure caches), and in
 * VMX non-root operation it invalidates the linear and combined mappings
 * of the current VPID, with or without EPT (Vol. 3C 29.4.3.1, Operations
 * that invalidate cached mappings).
 */
static void l1_l2_invlpg(void)
{
	struct l2_step inv = { .op = L2_OP_INVLPG, .addr = WINDOW };
	struct fixture f;

	setup(&f);
	start(&f);
	l2_flip_and_invalidate(&f, &inv, MARK_A, MARK_B);
	finish(&f);
}

/*
 * 3b. The same with INVPCID of each type (individual address, single
 * context, all contexts with and without globals) in a long-mode L2 with
 * PCIDs: Vol. 2A INVPCID (Invalidate process-context identifier), Vol. 3A
 * 4.10.4.1 and Vol. 3C 29.4.3.1 as above.
 */
static void l1_l2_invpcid(void)
{
	static const uint64_t types[] = {
		INVPCID_ADDR, INVPCID_SINGLE, INVPCID_ALL_GLOBAL, INVPCID_ALL,
	};
	struct fixture f;

	setup(&f);
	start(&f);
	for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
		struct l2_step inv = { .op = L2_OP_INVPCID, .addr = WINDOW,
				       .value = L2_INVPCID_VALUE(types[i], L2_PCID) };

		/* Even steps go A -> B, odd ones B -> A. */
		l2_flip_and_invalidate(&f, &inv, i % 2 ? MARK_B : MARK_A,
				       i % 2 ? MARK_A : MARK_B);
	}
	finish(&f);
}

/*
 * 4. L1's own translations, VPID off: L2 rewrites the PTE of an L1 page
 * (L1 runs on tables of its own in the pool, which L2 reaches); after the
 * VM exit L1 sees the new page without INVLPG, since the VM exit
 * invalidated the linear mappings of VPID 0000H, which L1 uses (29.4.3.1,
 * Operations that invalidate cached mappings).
 */
static void l1_exit_invalidates(void)
{
	/* Volatile: each read is a real load through L1's translation. */
	volatile uint64_t *window = (volatile uint64_t *)L1_WINDOW;
	struct page_table l1_pt;
	uint64_t *pte;
	struct fixture f;

	/* Before the VMCS is made: its HOST_CR3, loaded by every VM exit, is then the new root. */
	l1_pt_own(&l1_pt);
	setup(&f);
	start(&f);
	GUEST_ASSERT(pt_map(&l1_pt, L1_WINDOW, (uintptr_t)f.page_a, PTE_RW));
	pte = pt_entry_assert(&l1_pt, L1_WINDOW, 1);
	GUEST_ASSERT_EQ(*window, MARK_A);
	l2_write(&f.env.agent, (uintptr_t)pte, (uintptr_t)f.page_b | PTE_P | PTE_RW);
	GUEST_ASSERT_RULE(*window, MARK_B, MARK_A);
	finish(&f);
}

/* One stretch of L2: switch to @cr3, read WINDOW, switch back to @home. */
static uint64_t l2_read_under(struct fixture *f, uint64_t cr3, uint64_t home)
{
	struct l2_step *s = guest_alloc_pages(1);

	s[0] = (struct l2_step){ .op = L2_OP_WRITE_CR3, .addr = cr3 };
	s[1] = (struct l2_step){ .op = L2_OP_READ, .addr = WINDOW };
	s[2] = (struct l2_step){ .op = L2_OP_WRITE_CR3, .addr = home };
	l2_batch(&f->env.agent, s, 3);
	return s[1].result;
}

/*
 * 5. Long-mode L2 with PCIDs, VPID off: L2 caches WINDOW -> B under PCID 2
 * (tables T2) and returns to PCID 1 keeping it (MOV to CR3 with bit 63
 * set: Vol. 3A 4.10.1, Process-context identifiers; 4.10.4.1).  L1 then
 * changes T2, reachable from no active CR3, to map WINDOW to C.  The VM
 * entry invalidates the mappings of VPID 0000H for all PCIDs (Vol. 3C
 * 29.4.3.1, Operations that invalidate cached mappings), so when L2
 * switches to T2 with the no-flush bit it sees C.  L2 ends each stretch
 * on its own CR3, the one in vmcs12.
 */
static void l1_pcid_noflush(void)
{
	uint64_t home = X86_CR3_PCID_NOFLUSH | L2_PCID;
	struct page_table t2;
	struct fixture f;

	setup(&f);
	l2_pt_create(&t2, L2_LONG_MODE);
	l2_pt_map(&t2, WINDOW, (uintptr_t)f.page_b);
	start(&f);
	home |= f.env.pt.root;
	GUEST_ASSERT_EQ(l2_read_under(&f, t2.root | ALT_PCID, home), MARK_B);
	l2_pt_map(&t2, WINDOW, (uintptr_t)f.page_c);
	GUEST_ASSERT_RULE(l2_read_under(&f, t2.root | ALT_PCID | X86_CR3_PCID_NOFLUSH, home),
			  MARK_C, MARK_B);
	finish(&f);
}

/*
 * 6. EPT: L2's WINDOW maps to EPT_GPA, which L1's EPT maps to page A and
 * then to page B.  VM entry need not invalidate guest-physical mappings
 * (29.4.3.2, Operations that need not invalidate cached mappings), but
 * INVEPT of either type for L2's EPTP invalidates them and the combined
 * mappings (29.4.3.1, Operations that invalidate cached mappings; 31.3,
 * VMX instructions: INVEPT).
 */
static void l1_invept(void)
{
	struct fixture f;

	setup(&f);
	l2_pt_map(&f.env.pt, WINDOW, EPT_GPA);
	ept_map(&f.env.ept, EPT_GPA, (uintptr_t)f.page_a, EPT_LEAF_RWX_WB);
	start(&f);
	prime(&f);
	ept_map(&f.env.ept, EPT_GPA, (uintptr_t)f.page_b, EPT_LEAF_RWX_WB);
	ept_invalidate(cfg.arg, f.env.eptp);
	assert_new_page(&f);
	finish(&f);
}

static const char *row_problem(const struct row *r)
{
	struct l2_env_setup s = env_setup(r);
	const char *problem = l2_env_problem(&s);
	struct vmx_caps caps;

	if (problem)
		return problem;
	TEST_ASSERT(host_vmx_caps(&caps), "VMX capabilities");
	if ((r->needs & ROW_INVVPID) && !vmx_has_invvpid(&caps, r->arg))
		return "KVM offers L1 no INVVPID of this type";
	if ((r->needs & ROW_INVEPT) && !vmx_has_invept(&caps, r->arg))
		return "KVM offers L1 no INVEPT of this type";
	return NULL;
}

static void test_row(const struct scenario *s)
{
	const struct row *r = s->arg;
	const char *problem = row_problem(r);

	__TEST_REQUIRE(!problem, "%s", problem);
	l1_run_row(r->l1, GUEST_MEM / PAGE_SIZE, cfg, r);
}

#define L	L2_LONG_MODE
#define P	L2_PAE_MODE

/* One row: name_<mode>_<ept>_<vpid>. */
#define ROW(name, purpose, fn, needs, arg, m, ms, e, es, v, vs)			\
	{ name "_" ms "_" es "_" vs, purpose " (" ms ", " es ", " vs ")", test_row,	\
	  &(const struct row){ fn, m, e, v, needs, arg } }
#define ROWS_MODES(name, purpose, fn, needs, arg, e, es, v, vs)			\
	ROW(name, purpose, fn, needs, arg, L, "long", e, es, v, vs),		\
	ROW(name, purpose, fn, needs, arg, P, "pae", e, es, v, vs)
/* VPID off or on, both modes, EPT off and on. */
#define ROWS_VPID(name, purpose, fn, needs, arg, v, vs)				\
	ROWS_MODES(name, purpose, fn, needs, arg, false, "noept", v, vs),	\
	ROWS_MODES(name, purpose, fn, needs, arg, true, "ept", v, vs)
#define ROWS_ALL(name, purpose, fn, needs, arg)					\
	ROWS_VPID(name, purpose, fn, needs, arg, false, "novpid"),		\
	ROWS_VPID(name, purpose, fn, needs, arg, true, "vpid")
/* EPT on, both modes, VPID off and on. */
#define ROWS_EPT(name, purpose, fn, needs, arg)					\
	ROWS_MODES(name, purpose, fn, needs, arg, true, "ept", false, "novpid"),	\
	ROWS_MODES(name, purpose, fn, needs, arg, true, "ept", true, "vpid")
/* Long mode only, EPT off and on. */
#define ROWS_LONG(name, purpose, fn, needs, arg, v, vs)				\
	ROW(name, purpose, fn, needs, arg, L, "long", false, "noept", v, vs),	\
	ROW(name, purpose, fn, needs, arg, L, "long", true, "ept", v, vs)

static const struct scenario scenarios[] = {
	ROWS_VPID("entry_pte", "VPID off: L1 rewrites L2's PTE, VM entry invalidates",
		  l1_entry_invalidates, 0, 1, false, "novpid"),
	ROWS_VPID("entry_pde", "VPID off: L1 rewrites L2's PDE, VM entry invalidates",
		  l1_entry_invalidates, 0, 2, false, "novpid"),
	ROW("entry_pdpte", "VPID off: L1 rewrites L2's PDPTE, VM entry reloads it",
	    l1_entry_invalidates, 0, 3, P, "pae", false, "noept", false, "novpid"),
	ROWS_VPID("invvpid_addr", "VPID on: L1 rewrites L2's PTE, INVVPID individual address",
		  l1_invvpid, ROW_INVVPID, VMX_VPID_EXTENT_INDIVIDUAL_ADDR, true, "vpid"),
	ROWS_VPID("invvpid_single", "VPID on: L1 rewrites L2's PTE, INVVPID single context",
		  l1_invvpid, ROW_INVVPID, VMX_VPID_EXTENT_SINGLE_CONTEXT, true, "vpid"),
	ROWS_VPID("invvpid_all", "VPID on: L1 rewrites L2's PTE, INVVPID all contexts",
		  l1_invvpid, ROW_INVVPID, VMX_VPID_EXTENT_ALL_CONTEXT, true, "vpid"),
	ROWS_VPID("invvpid_single_globals",
		  "VPID on: L1 rewrites L2's PTE, INVVPID single context retaining globals",
		  l1_invvpid, ROW_INVVPID, VMX_VPID_EXTENT_SINGLE_NON_GLOBAL, true, "vpid"),
	ROWS_VPID("new_vpid", "VPID on: L1 rewrites L2's PTE and gives L2 a never-used VPID",
		  l1_new_vpid, 0, 0, true, "vpid"),
	ROWS_ALL("l2_invlpg", "L2 rewrites its own PTE and executes INVLPG",
		 l1_l2_invlpg, 0, 0),
	ROWS_LONG("l2_invpcid", "L2 with PCIDs rewrites its own PTE, INVPCID of each type",
		  l1_l2_invpcid, ROW_PCID | ROW_INVPCID, 0, false, "novpid"),
	ROWS_LONG("l2_invpcid", "L2 with PCIDs rewrites its own PTE, INVPCID of each type",
		  l1_l2_invpcid, ROW_PCID | ROW_INVPCID, 0, true, "vpid"),
	ROWS_VPID("exit_l1_pte", "VPID off: L2 rewrites L1's PTE, VM exit invalidates for L1",
		  l1_exit_invalidates, 0, 0, false, "novpid"),
	ROWS_LONG("pcid_noflush",
		  "VPID off: L1 rewrites tables of an inactive PCID, L2 returns without flush",
		  l1_pcid_noflush, ROW_PCID, 0, false, "novpid"),
	ROWS_EPT("invept_single", "EPT: L1 remaps L2's GPA, INVEPT single context",
		 l1_invept, ROW_INVEPT, VMX_EPT_EXTENT_CONTEXT),
	ROWS_EPT("invept_global", "EPT: L1 remaps L2's GPA, INVEPT global",
		 l1_invept, ROW_INVEPT, VMX_EPT_EXTENT_GLOBAL),
};

SCENARIO_MAIN(vmx_requirements, scenarios)
