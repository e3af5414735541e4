// SPDX-License-Identifier: GPL-2.0-only
/*
 * svm_pdptr_test: the PDPTEs a 32-bit PAE L2 uses, with and without nested
 * paging, across VMRUN and #VMEXIT (AMD APM Vol. 2, chapter 15):
 *  - 15.5.1: VMRUN loads L2's CR3 (and so its PDPT) from the vmcb12;
 *  - 15.6: #VMEXIT saves L2's CR3 into the vmcb12, whatever L2 last
 *    loaded into it;
 *  - 15.25 (nested paging): with nested paging the guest's PDPTEs are not
 *    held in registers loaded at CR3 writes: the guest table walk reads
 *    them from memory, through the nested tables, like any other guest
 *    page-table entry, so a changed PDPT is used once the ASID's
 *    translations are flushed (15.16, TLB_CONTROL).
 * Without nested paging only what holds for every PAE implementation is
 * asserted: a MOV to CR3 by L2 (Vol. 2 chapter 5: in legacy PAE mode CR3
 * points at the PDPT, and a CR3 load flushes non-global translations)
 * makes L2 use the PDPT at the new CR3 as it is in memory then.  Whether a changed PDPT is seen
 * without a CR3 load is not defined there, so it is not asserted.
 *
 * L2 runs in 32-bit PAE mode.  Its page tables map WINDOW (PDPTE 3) to
 * page A, B or C, each holding its own marker: what L2 reads there tells
 * which PDPTE it used.  Each scenario runs with nested paging (_npt) and
 * without (_nonpt).
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_memory.h"
#include "x86/l1_vm.h"
#include "x86/l2_agent.h"
#include "x86/l2_paging.h"
#include "x86/svm_l2.h"
#include "x86/svm_l2_agent.h"
#include "x86/svm_l2_env.h"
#include "x86/svm_npt.h"
#include "x86/svm_requirements.h"

#define WINDOW		0xc0000000ull	/* PDPTE 3 */
#define WINDOW_PDPTE	3
#define NR_TABLES	3
#define MARK(i)		(0x1000000000000000ull * (i + 1) + 0xabcd)
#define STAGE_SAVE	1

struct row {
	void (*l1)(void);
	bool npt;
	enum sregs_restore restore;	/* save/restore rows */
};

/* The scenario's row, copied into the guest before it runs. */
static struct row cfg;

/* L1's view: three PAE tables, WINDOW -> page i in table i, and a vmcb12 on table 0. */
struct fixture {
	struct l1_svm *svm;
	uint64_t *page[NR_TABLES];
	struct page_table pt[NR_TABLES];
	uint64_t ncr3;
	struct l2_vmcb *v;
	struct l2_agent agent;
};

static void make_tables(struct fixture *f)
{
	for (int i = 0; i < NR_TABLES; i++) {
		f->page[i] = guest_alloc_pages(1);
		f->page[i][0] = MARK(i);
		l2_pt_create(&f->pt[i], L2_PAE_MODE);
		l2_pt_map(&f->pt[i], WINDOW, (uintptr_t)f->page[i]);
	}
}

static struct l2_vmcb *new_vmcb(struct fixture *f, int table)
{
	return l2_vmcb_create(f->svm, &(struct svm_l2_setup){
		.mode = L2_PAE_MODE, .entry = svm_l2_agent_entry(L2_PAE_MODE),
		.cr3 = f->pt[table].root, .ncr3 = f->ncr3 });
}

/* Enables SVM, builds the tables and starts the agent in a PAE L2 on table 0. */
static void setup(struct fixture *f)
{
	struct page_table npt;

	f->svm = svm_enable();
	f->ncr3 = 0;
	if (cfg.npt) {
		svm_require_npt(f->svm);
		npt_create(&npt);
		f->ncr3 = npt_ncr3(&npt);
	}
	make_tables(f);
	f->v = new_vmcb(f, 0);
	svm_l2_agent_start(&f->agent, f->svm, f->v);
	/* Only without nested paging does L0 reload the PDPTEs at VMRUN. */
	if (!cfg.npt)
		svm_assert_pdptes_unchanged(&f->pt[0]);
}

static void finish(struct fixture *f)
{
	svm_disable(f->svm);
	GUEST_DONE();
}

/* Points table @dst's WINDOW PDPTE at table @src's page directory, in memory. */
static uint64_t copy_window_pdpte(struct fixture *f, int dst, int src)
{
	uint64_t *pdpt = (uint64_t *)(uintptr_t)f->pt[dst].root;
	uint64_t old = pdpt[WINDOW_PDPTE];

	pdpt[WINDOW_PDPTE] = pae_pdpte(&f->pt[src], WINDOW_PDPTE);
	return old;
}

/* The next VMRUN flushes the ASID's translations (15.16); later ones do not. */
static uint64_t run_flushed(struct fixture *f, unsigned int op, uint64_t addr)
{
	struct vmcb *vmcb = f->v->vmcb;
	uint64_t result;

	vmcb->control.tlb_ctl = svm_flush_asid_ctl(f->svm);
	result = l2_agent_do(&f->agent, op, addr, 0);
	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	return result;
}

/*
 * 1. VMRUN loads CR3 from the vmcb12 (15.5.1): L2 starts on table 0.  L2's
 * own MOV to CR3 switches it to table 1; #VMEXIT saves that CR3 (15.6),
 * and the next VMRUN, loading it again, keeps L2 on table 1.
 */
static void l1_exit_saves_cr3(void)
{
	struct fixture f;

	setup(&f);
	GUEST_ASSERT_EQ(l2_read(&f.agent, WINDOW), MARK(0));
	l2_write_cr3(&f.agent, f.pt[1].root);
	GUEST_ASSERT_RULE(f.v->vmcb->save.cr3, f.pt[1].root, f.pt[0].root);
	GUEST_ASSERT_RULE(l2_read(&f.agent, WINDOW), MARK(1), MARK(0));
	GUEST_ASSERT_EQ(l2_read_cr3(&f.agent), f.pt[1].root);
	finish(&f);
}

/*
 * 2. L1 changes table 0's WINDOW PDPTE in memory while L2 runs on it;
 * L2's own MOV to CR3 (the same value) then makes it use the PDPT as it
 * is in memory (Vol. 2 chapter 5; with nested paging 15.25), whatever was
 * cached before.
 */
static void l1_cr3_load_sees_pdpt(void)
{
	struct fixture f;

	setup(&f);
	GUEST_ASSERT_EQ(l2_read(&f.agent, WINDOW), MARK(0));
	copy_window_pdpte(&f, 0, 2);
	l2_write_cr3(&f.agent, f.pt[0].root);
	GUEST_ASSERT_RULE(l2_read(&f.agent, WINDOW), MARK(2), MARK(0));
	finish(&f);
}

/*
 * 3. Nested paging: L1 changes table 0's WINDOW PDPTE in memory between
 * two VMRUNs and flushes the ASID (15.16); L2, with no CR3 load of its
 * own, then uses the new PDPTE: under nested paging the walk reads the
 * PDPTEs from memory (15.25).  Without nested paging that is undefined:
 * the row exists with nested paging only.
 */
static void l1_npt_pdpt_read_on_walk(void)
{
	struct fixture f;

	setup(&f);
	GUEST_ASSERT_EQ(l2_read(&f.agent, WINDOW), MARK(0));
	copy_window_pdpte(&f, 0, 2);
	GUEST_ASSERT_RULE(run_flushed(&f, L2_OP_READ, WINDOW), MARK(2), MARK(0));
	finish(&f);
}

/*
 * 4. Two vmcb12s, PAE L2s on tables 0 and 1: each VMRUN loads the CR3 of
 * the vmcb12 it names (15.5.1), and each L2 keeps its own PDPTEs.
 */
static void l1_two_vmcb12(void)
{
	struct l2_agent agent[2];
	struct l2_vmcb *v[2];
	struct fixture f;

	setup(&f);
	v[0] = f.v;
	agent[0] = f.agent;
	v[1] = new_vmcb(&f, 1);
	svm_l2_agent_start(&agent[1], f.svm, v[1]);
	for (int round = 0; round < 20; round++) {
		int i = round % 2;

		GUEST_ASSERT_RULE(l2_read(&agent[i], WINDOW), MARK(i), MARK(1 - i));
	}
	finish(&f);
}

/*
 * 5. Save and restore while L2 runs on table 1, its own MOV to CR3 (the
 * vCPU is in guest mode: L2 itself makes the ucall): L2 must resume as it was
 * (Documentation/virt/kvm/api.rst, KVM_GET/SET_NESTED_STATE), using
 * table 1 whether the PDPTRs travel in KVM_SET_SREGS2 or are reloaded
 * from memory with KVM_SET_SREGS.
 */
static void l1_save_restore(void)
{
	struct fixture f;

	setup(&f);
	l2_write_cr3(&f.agent, f.pt[1].root);
	GUEST_ASSERT_EQ(l2_read(&f.agent, WINDOW), MARK(1));
	l2_sync_host(&f.agent, STAGE_SAVE);
	GUEST_ASSERT_RULE(l2_read(&f.agent, WINDOW), MARK(1), MARK(0));
	GUEST_ASSERT_EQ(f.v->vmcb->save.cr3, f.pt[1].root);
	finish(&f);
}

static void test_row(const struct scenario *s)
{
	const struct row *r = s->arg;
	unsigned int needs = (r->npt ? SVM_NEED_NPT : 0) |
			     (r->l1 == l1_save_restore ? SVM_NEED_NESTED_STATE : 0);
	const char *problem = svm_needs_problem(needs);
	struct kvm_vcpu *vcpu;
	struct ucall uc;

	__TEST_REQUIRE(!problem, "%s", problem);
	vcpu = l1_vm_create(r->l1, 0);
	cfg = *r;
	sync_global_to_guest(vcpu->vm, cfg);
	while (vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC) {
		TEST_ASSERT_EQ(uc.args[1], STAGE_SAVE);
		TEST_ASSERT(vcpu_in_guest_mode(vcpu), "L2's sync left the vCPU out of guest mode");
		vcpu = vm_migrate(vcpu, r->restore);
	}
	kvm_vm_free(vcpu->vm);
}

#define ROW(name, purpose, fn, npt, restore)					\
	{ name, purpose, test_row, &(const struct row){ fn, npt, restore } }
#define ROWS(name, purpose, fn, restore)						\
	ROW(name "_npt", purpose " (nested paging)", fn, true, restore),		\
	ROW(name "_nonpt", purpose " (no nested paging)", fn, false, restore)

static const struct scenario scenarios[] = {
	ROWS("exit_saves_cr3", "#VMEXIT saves L2's own CR3; VMRUN keeps L2 on its PDPT",
	     l1_exit_saves_cr3, RESTORE_SREGS2),
	ROWS("cr3_load_sees_pdpt", "L2's MOV to CR3 uses the PDPT L1 changed in memory",
	     l1_cr3_load_sees_pdpt, RESTORE_SREGS2),
	ROW("pdpt_read_on_walk_npt",
	    "nested paging: a PDPTE changed in memory is used after a TLB_CONTROL flush",
	    l1_npt_pdpt_read_on_walk, true, RESTORE_SREGS2),
	ROWS("two_vmcb12", "two vmcb12s with PAE L2s on different PDPTs alternate",
	     l1_two_vmcb12, RESTORE_SREGS2),
	ROWS("save_restore_sregs2", "L2 keeps its PDPT across save/restore with SREGS2",
	     l1_save_restore, RESTORE_SREGS2),
	ROWS("save_restore_sregs", "L2 keeps its PDPT across save/restore with SREGS",
	     l1_save_restore, RESTORE_SREGS),
};

SCENARIO_MAIN(svm_requirements, scenarios)
