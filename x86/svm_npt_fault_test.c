// SPDX-License-Identifier: GPL-2.0-only
/*
 * svm_npt_fault_test: L2's accesses that L1's nested page tables do not
 * allow reach L1 as nested page faults, #VMEXIT(NPF), with the right
 * details (AMD APM Vol. 2 15.25.6 "Nested versus Guest Page Faults, Fault
 * Ordering"): EXITINFO1 holds a page-fault error code (P, RW, US, RSV,
 * ID in bits 4:0) plus bit 32, set when the fault was on the final
 * guest-physical address, or bit 33, set when it was on an access to a
 * guest page table; EXITINFO2 holds the guest-physical address of the
 * access.
 *
 * L2 (long mode or 32-bit PAE) maps TARGET_VA to TARGET_GPA, an
 * L2-physical page outside guest memory that only L1's nested page tables
 * map, to a page of L1.  Each scenario breaks one thing, L2 reads, writes
 * or calls into TARGET_VA, and L1 checks the exit.  L1 then repairs its
 * tables, flushes the ASID's translations with TLB_CONTROL (15.16) and
 * resumes L2, whose access (not skipped) completes.  Inverted
 * (--self-check), L1 expects bits 32 and 33 the other way round.
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_vm.h"
#include "x86/l2_agent.h"
#include "x86/l2_paging.h"
#include "x86/l2_probe.h"
#include "x86/svm_l2_env.h"
#include "x86/svm_npt.h"
#include "x86/svm_requirements.h"

/* Indices 5 (PDE) and 3 (PTE) in both modes, so entry addresses have offsets. */
#define TARGET_VA	0xc0a03000ull
#define TARGET_GPA	0x80603000ull
#define GUEST_MEM	(16ull << 20)
/* EXITINFO1 bits with a value defined here: the error code's P, RW, US, RSV, ID; 32, 33. */
#define INFO1_CHECKED	(PFERR_PRESENT_MASK | PFERR_WRITE_MASK | PFERR_USER_MASK |	\
			 PFERR_RSVD_MASK | PFERR_FETCH_MASK | PFERR_GUEST_FINAL_MASK |	\
			 PFERR_GUEST_PAGE_MASK)
/* For a fault on a guest page-table access, whose access type is the walk's own. */
#define INFO1_WALK_CHECKED	(INFO1_CHECKED & ~(PFERR_WRITE_MASK | PFERR_FETCH_MASK))
#define INFO1_WHERE	(PFERR_GUEST_FINAL_MASK | PFERR_GUEST_PAGE_MASK)

/* A physical-address bit above every MAXPHYADDR but 52: reserved in the nested leaf. */
#define NPT_RSVD_BIT	(1ull << 51)

struct row {
	void (*l1)(void);
	enum l2_mode mode;
	enum l2_access access;
	uint64_t leaf;		/* nested leaf flags of TARGET_GPA during the access */
};

/* The scenario's row, copied into the guest before it runs. */
static struct row cfg;

struct fixture {
	struct svm_l2_env env;
	uint64_t *page;		/* TARGET_GPA's page: marks, and a probe at offset 0 */
};

static void setup(struct fixture *f)
{
	svm_l2_env_create(&f->env, &(struct svm_l2_env_setup){ .mode = cfg.mode, .npt = true });
	f->page = guest_alloc_pages(1);
	l2_probe_page_fill(f->page);
	l2_pt_map(&f->env.pt, TARGET_VA, TARGET_GPA);
	npt_map(&f->env.npt, TARGET_GPA, (uintptr_t)f->page, NPT_LEAF_RW);
	svm_l2_env_start(&f->env);
}

static void finish(struct fixture *f)
{
	svm_l2_env_destroy(&f->env);
	GUEST_DONE();
}

/*
 * EXITINFO1 and EXITINFO2 before the access: both bits 32 and 33, and an
 * address no access has, so that no NPF's values are there unless the
 * #VMEXIT wrote them.
 */
#define EXIT_INFO_POISON	(~0ull)

/*
 * L2 reads, writes or calls into TARGET_VA; returns the exit code.  The
 * vmcb12's EXITINFO fields are outputs, which #VMEXIT writes (15.6) and
 * VMRUN does not read.  An earlier #VMEXIT may have left an NPF's values
 * there, even the ones the rule expects: KVM copies vmcb02's EXITINFO
 * fields at every #VMEXIT to L1 (the VMMCALL of the agent's last report
 * too), and vmcb02's may be those of an NPF L0 handled itself.  L1
 * poisons them, so the rule sees only what the NPF's #VMEXIT wrote.
 */
static uint32_t l2_access(struct fixture *f)
{
	struct vmcb_control_area *c = &f->env.vmcb->vmcb->control;

	c->exit_info_1 = EXIT_INFO_POISON;
	c->exit_info_2 = EXIT_INFO_POISON;
	return l2_probe_access(&f->env.agent, cfg.access, TARGET_VA);
}

/*
 * After changing its nested tables L1 flushes the ASID's translations at
 * the next VMRUN (15.16, 15.25: the processor may cache nested
 * translations); L2 redoes the access, which completes.
 */
static void resume_completes(struct fixture *f)
{
	struct vmcb *vmcb = f->env.vmcb->vmcb;

	vmcb->control.tlb_ctl = svm_flush_asid_ctl(f->env.svm);
	svm_assert_exit(f->env.vmcb, l2_agent_resume(&f->env.agent), SVM_EXIT_VMMCALL);
	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	l2_probe_assert_done(&f->env.agent, cfg.access, f->page);
}

/* The rule: #VMEXIT(NPF) with EXITINFO1 @info1 (under @mask) and EXITINFO2 @gpa. */
static void assert_npf(struct fixture *f, uint32_t code, uint64_t mask, uint64_t info1,
		       uint64_t gpa)
{
	const struct vmcb_control_area *c = &f->env.vmcb->vmcb->control;

	svm_assert_exit(f->env.vmcb, code, SVM_EXIT_NPF);
	GUEST_ASSERT_RULE(c->exit_info_1 & mask, info1, info1 ^ INFO1_WHERE);
	GUEST_ASSERT_EQ(c->exit_info_2, gpa);
}

/* The error code of an access by L2 to TARGET_GPA; nested accesses are user ones (15.25.5). */
static uint64_t access_error_code(void)
{
	static const uint64_t bits[] = {
		[L2_ACC_READ] = 0, [L2_ACC_WRITE] = PFERR_WRITE_MASK, [L2_ACC_FETCH] = PFERR_FETCH_MASK,
	};

	return bits[cfg.access] | PFERR_USER_MASK;
}

/*
 * The nested leaf of TARGET_GPA lacks what the access needs: not present,
 * read-only for a write, NX for a fetch (15.25.5: the nested walk applies
 * the long-mode protection checks; L1 runs with EFER.NXE).  The fault is
 * on the final guest-physical address: bit 32, P as the leaf's, RW and ID
 * as the access (15.25.6).
 */
static void l1_leaf_fault(void)
{
	uint64_t present = cfg.leaf & NPT_P ? PFERR_PRESENT_MASK : 0;
	struct fixture f;

	setup(&f);
	npt_set_flags(&f.env.npt, TARGET_GPA, cfg.leaf);
	assert_npf(&f, l2_access(&f), INFO1_CHECKED,
		   access_error_code() | present | PFERR_GUEST_FINAL_MASK,
		   TARGET_GPA + l2_probe_offset(cfg.access));
	npt_set_flags(&f.env.npt, TARGET_GPA, NPT_LEAF_RW);
	resume_completes(&f);
	finish(&f);
}

/* CPUID Fn8000_0008 EAX[7:0]: the physical-address width. */
static unsigned int maxphyaddr(void)
{
	uint32_t eax, ebx, ecx, edx;

	cpuid(0x80000008, &eax, &ebx, &ecx, &edx);
	return eax & 0xff;
}

/*
 * The nested leaf of TARGET_GPA is present with a reserved bit set (an
 * address bit at or above MAXPHYADDR, Vol. 2 5.4): the fault is on the
 * final guest-physical address with P and RSV set (15.25.6).
 */
static void l1_leaf_reserved(void)
{
	struct fixture f;
	uint64_t *leaf;

	if (maxphyaddr() > 51)
		GUEST_SKIP("MAXPHYADDR is 52: no reserved address bit in a nested leaf");
	setup(&f);
	leaf = pt_entry_assert(&f.env.npt, TARGET_GPA, 1);
	*leaf |= NPT_RSVD_BIT;
	assert_npf(&f, l2_access(&f), INFO1_CHECKED,
		   access_error_code() | PFERR_PRESENT_MASK | PFERR_RSVD_MASK |
		   PFERR_GUEST_FINAL_MASK, TARGET_GPA + l2_probe_offset(cfg.access));
	*leaf &= ~NPT_RSVD_BIT;
	resume_completes(&f);
	finish(&f);
}

/*
 * L2's page table for TARGET_VA has no nested mapping: the fault is on
 * L2's page walk, bit 33, not present, EXITINFO2 the address of the PTE
 * being read (15.25.6).  Whether the walk's access is a read or a write
 * (accessed and dirty flags) is not asserted.
 */
static void l1_guest_table_unmapped(void)
{
	uint64_t table, entry_gpa;
	struct fixture f;

	setup(&f);
	table = *pt_entry_assert(&f.env.pt, TARGET_VA, 2) & PHYSICAL_PAGE_MASK;
	entry_gpa = (uint64_t)(uintptr_t)pt_entry_assert(&f.env.pt, TARGET_VA, 1);
	GUEST_ASSERT_EQ(entry_gpa & PAGE_MASK, table);
	npt_set_flags(&f.env.npt, table, 0);
	assert_npf(&f, l2_access(&f), INFO1_WALK_CHECKED,
		   PFERR_USER_MASK | PFERR_GUEST_PAGE_MASK, entry_gpa);
	npt_set_flags(&f.env.npt, table, NPT_LEAF_RW);
	resume_completes(&f);
	finish(&f);
}

static void test_row(const struct scenario *s)
{
	const struct row *r = s->arg;
	const char *problem = svm_needs_problem(SVM_NEED_NPT);

	__TEST_REQUIRE(!problem, "%s", problem);
	l1_run_row(r->l1, GUEST_MEM / PAGE_SIZE, cfg, r);
}

#define ROW(name, purpose, fn, m, ms, acc, leaf)					\
	{ name "_" ms, purpose " (" ms ")", test_row,				\
	  &(const struct row){ fn, m, acc, leaf } }
#define ROWS(name, purpose, fn, acc, leaf)						\
	ROW(name, purpose, fn, L2_LONG_MODE, "long", acc, leaf),			\
	ROW(name, purpose, fn, L2_PAE_MODE, "pae", acc, leaf)

static const struct scenario scenarios[] = {
	ROWS("read_not_present", "read, nested leaf not present: NPF on the final GPA",
	     l1_leaf_fault, L2_ACC_READ, 0),
	ROWS("write_not_present", "write, nested leaf not present: NPF on the final GPA, RW",
	     l1_leaf_fault, L2_ACC_WRITE, 0),
	ROWS("write_read_only", "write, nested leaf read-only: NPF on the final GPA, P and RW",
	     l1_leaf_fault, L2_ACC_WRITE, NPT_LEAF_RO),
	ROWS("fetch_no_exec", "fetch, nested leaf NX: NPF on the final GPA, P and ID",
	     l1_leaf_fault, L2_ACC_FETCH, NPT_LEAF_RW | NPT_NX),
	ROWS("read_reserved_bit", "read, nested leaf with a reserved bit: NPF, P and RSV",
	     l1_leaf_reserved, L2_ACC_READ, 0),
	ROWS("read_guest_pt_unmapped", "read, L2's page table unmapped: NPF on the walk",
	     l1_guest_table_unmapped, L2_ACC_READ, 0),
	ROWS("write_guest_pt_unmapped", "write, L2's page table unmapped: NPF on the walk",
	     l1_guest_table_unmapped, L2_ACC_WRITE, 0),
};

SCENARIO_MAIN(svm_requirements, scenarios)
