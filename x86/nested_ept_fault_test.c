// SPDX-License-Identifier: GPL-2.0-only
/*
 * nested_ept_fault_test: L2's accesses that L1's EPT does not allow reach
 * L1 as EPT violations (exit reason 48) and EPT misconfigurations (49)
 * with the right details (Intel SDM Vol. 3C 29.3.3 "EPT-induced VM exits";
 * 28.2.1, Table 28-7 "Exit qualification for EPT violations").
 *
 * L2 (long mode or 32-bit PAE, L1's EPT without A/D flags) maps TARGET_VA
 * to TARGET_GPA, an L2-physical page outside guest memory that only L1's
 * EPT maps, to a page of L1.  Each scenario breaks one thing, L2 reads,
 * writes or calls into TARGET_VA, and L1 checks the exit: reason, the
 * access type (qualification bits 0-2), the permissions of the
 * translation (bits 3-5), guest-linear address valid (bit 7), translation
 * rather than paging-structure access (bit 8), GUEST_PHYSICAL_ADDRESS and
 * GUEST_LINEAR_ADDRESS.  L1 then repairs its EPT and resumes L2, whose
 * access (not skipped) completes.  Inverted (--self-check), L1 expects
 * bit 8 the other way, or a violation instead of a misconfiguration.
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_vm.h"
#include "x86/l2_agent.h"
#include "x86/l2_env.h"
#include "x86/l2_paging.h"
#include "x86/l2_probe.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

/* Indices 5 (PDE) and 3 (PTE) in both modes, so entry addresses have offsets. */
#define TARGET_VA	0xc0a03000ull
#define TARGET_GPA	0x40603000ull
#define GUEST_MEM	(16ull << 20)
/* Exit qualification bits with a defined value here: 0-5, 7, 8 (Table 28-7). */
#define QUAL_CHECKED	(EPT_VIOLATION_ACC_READ | EPT_VIOLATION_ACC_WRITE |		\
			 EPT_VIOLATION_ACC_INSTR | EPT_VIOLATION_PROT_READ |		\
			 EPT_VIOLATION_PROT_WRITE | EPT_VIOLATION_PROT_EXEC |		\
			 EPT_VIOLATION_GVA_IS_VALID | EPT_VIOLATION_GVA_TRANSLATED)
/* Bits 5:3 of the qualification are bits 2:0 of the EPT entries (Table 28-7). */
#define QUAL_PERMS(flags)	(((flags) & EPT_RWX) << 3)
/* A reserved EPT memory type (SDM Vol. 3C 29.3.3.1). */
#define EPT_MT_RESERVED	2ull

enum { ROW_EXEC_ONLY = 1 };

struct row {
	void (*l1)(void);
	enum l2_mode mode;
	enum l2_access access;
	uint64_t leaf;		/* EPT leaf flags of TARGET_GPA during the access */
	int level;		/* the guest paging structure left unmapped */
	unsigned int needs;
};

/* The scenario's row, copied into the guest before it runs. */
static struct row cfg;

struct fixture {
	struct l2_env env;
	uint64_t *page;		/* TARGET_GPA's page: marks, and a probe at offset 0 */
};

static void setup(struct fixture *f)
{
	l2_env_create(&f->env, &(struct l2_env_setup){ .mode = cfg.mode, .ept = true });
	f->page = guest_alloc_pages(1);
	l2_probe_page_fill(f->page);
	l2_pt_map(&f->env.pt, TARGET_VA, TARGET_GPA);
	ept_map(&f->env.ept, TARGET_GPA, (uintptr_t)f->page, EPT_LEAF_RWX_WB);
	l2_env_start(&f->env);
}

static void finish(struct fixture *f)
{
	l2_env_destroy(&f->env);
	GUEST_DONE();
}

static uint64_t access_qual(void)
{
	static const uint64_t bits[] = {
		[L2_ACC_READ] = EPT_VIOLATION_ACC_READ, [L2_ACC_WRITE] = EPT_VIOLATION_ACC_WRITE,
		[L2_ACC_FETCH] = EPT_VIOLATION_ACC_INSTR,
	};

	return bits[cfg.access];
}

/* L2 reads, writes or calls into TARGET_VA; returns the exit reason. */
static uint32_t l2_access(struct fixture *f)
{
	return l2_probe_access(&f->env.agent, cfg.access, TARGET_VA);
}

/* L1 resumes L2 without skipping anything: the access is redone and completes. */
static void resume_completes(struct fixture *f)
{

	vmx_assert_exit(l2_agent_resume(&f->env.agent), EXIT_REASON_VMCALL);
	l2_probe_assert_done(&f->env.agent, cfg.access, f->page);
}

/* The rule: an EPT violation with @qual; an inverted run expects bit 8 flipped. */
static void assert_violation(uint32_t reason, uint64_t qual, uint64_t gpa)
{
	vmx_assert_exit(reason, EXIT_REASON_EPT_VIOLATION);
	GUEST_ASSERT_RULE(vmcs_read(EXIT_QUALIFICATION) & QUAL_CHECKED, qual,
			  qual ^ EPT_VIOLATION_GVA_TRANSLATED);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_PHYSICAL_ADDRESS), gpa);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_LINEAR_ADDRESS), TARGET_VA + l2_probe_offset(cfg.access));
}

/*
 * Takes permissions away in L1's EPT, then INVEPT: until then the processor
 * may keep using the old translation (SDM Vol. 3C 29.4.3.3).
 */
static void ept_restrict(struct fixture *f, uint64_t gpa, uint64_t flags)
{
	ept_set_flags(&f->env.ept, gpa, flags);
	l2_env_invept(&f->env);
}

/*
 * 7a. The EPT leaf lacks the permission the access needs (29.3.3.2, EPT
 * violations: a read of a non-readable, a write of a non-writable, a fetch
 * of a non-executable page).  The qualification (Table 28-7) reports the
 * access, the leaf's R/W/X (the AND over the walk: upper levels allow
 * all), a valid linear address and an access to the translation itself.
 * L1 grants all and resumes; the violation invalidated the guest-physical
 * and combined mappings for the address (29.4.3.1, Operations that
 * invalidate cached mappings), so no INVEPT is needed.
 */
static void l1_leaf_violation(void)
{
	struct fixture f;

	setup(&f);
	ept_restrict(&f, TARGET_GPA, cfg.leaf);
	assert_violation(l2_access(&f), access_qual() | QUAL_PERMS(cfg.leaf) |
			 EPT_VIOLATION_GVA_IS_VALID | EPT_VIOLATION_GVA_TRANSLATED,
			 TARGET_GPA + l2_probe_offset(cfg.access));
	ept_set_flags(&f.env.ept, TARGET_GPA, EPT_LEAF_RWX_WB);
	resume_completes(&f);
	finish(&f);
}

/*
 * 7b. The EPT PDE of TARGET_GPA is not present: the EPT page table that
 * would map it is unreachable (29.3.3.2, EPT violations).  The walk stops
 * there, so the permissions reported are those of a not-present entry, 0
 * (Table 28-7, Exit qualification for EPT violations).
 */
static void l1_ept_table_missing(void)
{
	struct fixture f;
	uint64_t *pde, old;

	setup(&f);
	pde = pt_entry_assert(&f.env.ept, TARGET_GPA, 2);
	old = *pde;
	*pde = 0;
	l2_env_invept(&f.env);
	assert_violation(l2_access(&f), access_qual() | EPT_VIOLATION_GVA_IS_VALID |
			 EPT_VIOLATION_GVA_TRANSLATED, TARGET_GPA + l2_probe_offset(cfg.access));
	*pde = old;
	resume_completes(&f);
	finish(&f);
}

/*
 * 7c, 8. The page of L2's own paging structure at cfg.level (1: the page
 * table, 2: the page directory) has no EPT mapping.  The violation
 * happens on L2's page walk: bit 8 clear (an access to a paging-structure
 * entry, Table 28-7), GUEST_PHYSICAL_ADDRESS the entry being read (28.2.1,
 * Basic VM-exit information), and with EPT A/D flags off the walk reads,
 * whatever L2's own access (29.3.3.2, EPT violations; 29.3.5, Accessed and
 * dirty flags for EPT).  A PAE L2's PDPTEs come from GUEST_PDPTRn, loaded
 * at VM entry (27.3.2.4, Loading page-directory-pointer-table entries),
 * so the walk never reads the PDPT: it is unmapped as well, and the
 * violation is still at the page directory.
 */
static void l1_guest_table_unmapped(void)
{
	uint64_t table, entry_gpa, pdpt = 0;
	struct fixture f;

	setup(&f);
	table = *pt_entry_assert(&f.env.pt, TARGET_VA, cfg.level + 1) & PHYSICAL_PAGE_MASK;
	entry_gpa = (uint64_t)(uintptr_t)pt_entry_assert(&f.env.pt, TARGET_VA, cfg.level);
	GUEST_ASSERT_EQ(entry_gpa & PAGE_MASK, table);
	ept_restrict(&f, table, 0);
	if (cfg.mode == L2_PAE_MODE && cfg.level == 2) {
		pdpt = f.env.pt.root;
		ept_restrict(&f, pdpt, 0);
	}
	assert_violation(l2_access(&f), EPT_VIOLATION_ACC_READ | EPT_VIOLATION_GVA_IS_VALID,
			 entry_gpa);
	ept_set_flags(&f.env.ept, table, EPT_LEAF_RWX_WB);
	resume_completes(&f);
	if (pdpt)
		ept_set_flags(&f.env.ept, pdpt, EPT_LEAF_RWX_WB);
	finish(&f);
}

/*
 * 9. A misconfigured EPT leaf (write without read, or a reserved memory
 * type: 29.3.3.1, EPT misconfigurations) makes the access exit with
 * reason 49 and the guest-physical address accessed in
 * GUEST_PHYSICAL_ADDRESS (28.2.1, Basic VM-exit information).  L1 repairs
 * the entry, invalidates with INVEPT as after any change of its EPT, and
 * resumes.
 */
static void l1_misconfig(void)
{
	struct fixture f;

	setup(&f);
	ept_restrict(&f, TARGET_GPA, cfg.leaf);
	vmx_assert_exit_rule(l2_access(&f), EXIT_REASON_EPT_MISCONFIG, EXIT_REASON_EPT_VIOLATION);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_PHYSICAL_ADDRESS), TARGET_GPA + l2_probe_offset(cfg.access));
	ept_set_flags(&f.env.ept, TARGET_GPA, EPT_LEAF_RWX_WB);
	l2_env_invept(&f.env);
	resume_completes(&f);
	finish(&f);
}

static const char *row_problem(const struct row *r)
{
	struct l2_env_setup s = { .mode = r->mode, .ept = true };
	const char *problem = l2_env_problem(&s);
	struct vmx_caps caps;

	if (problem)
		return problem;
	TEST_ASSERT(host_vmx_caps(&caps), "VMX capabilities");
	if ((r->needs & ROW_EXEC_ONLY) && !(caps.ept_vpid & VMX_EPT_EXECUTE_ONLY_BIT))
		return "KVM offers L1 no execute-only EPT translations";
	return NULL;
}

static void test_row(const struct scenario *s)
{
	const struct row *r = s->arg;
	const char *problem = row_problem(r);

	__TEST_REQUIRE(!problem, "%s", problem);
	l1_run_row(r->l1, GUEST_MEM / PAGE_SIZE, cfg, r);
}

#define EPT_WB		(EPT_MT_WB << EPT_MT_SHIFT)

#define ROW(name, purpose, fn, m, ms, acc, leaf, level, needs)			\
	{ name "_" ms, purpose " (" ms ")", test_row,				\
	  &(const struct row){ fn, m, acc, leaf, level, needs } }
#define ROWS(name, purpose, fn, acc, leaf, level, needs)				\
	ROW(name, purpose, fn, L2_LONG_MODE, "long", acc, leaf, level, needs),	\
	ROW(name, purpose, fn, L2_PAE_MODE, "pae", acc, leaf, level, needs)

static const struct scenario scenarios[] = {
	ROWS("read_not_present", "read, EPT leaf not present: violation, perms ---",
	     l1_leaf_violation, L2_ACC_READ, 0, 0, 0),
	ROWS("read_exec_only", "read, EPT leaf execute-only: violation, perms --X",
	     l1_leaf_violation, L2_ACC_READ, EPT_X | EPT_WB, 0, ROW_EXEC_ONLY),
	ROWS("write_read_only", "write, EPT leaf read-only: violation, perms R--",
	     l1_leaf_violation, L2_ACC_WRITE, EPT_R | EPT_WB, 0, 0),
	ROWS("write_read_exec", "write, EPT leaf read/execute: violation, perms R-X",
	     l1_leaf_violation, L2_ACC_WRITE, EPT_R | EPT_X | EPT_WB, 0, 0),
	ROWS("fetch_read_write", "fetch, EPT leaf read/write: violation, perms RW-",
	     l1_leaf_violation, L2_ACC_FETCH, EPT_R | EPT_W | EPT_WB, 0, 0),
	ROWS("fetch_read_only", "fetch, EPT leaf read-only: violation, perms R--",
	     l1_leaf_violation, L2_ACC_FETCH, EPT_R | EPT_WB, 0, 0),
	ROWS("read_ept_table_missing", "read, EPT page table unmapped: violation, perms ---",
	     l1_ept_table_missing, L2_ACC_READ, 0, 0, 0),
	ROWS("write_ept_table_missing", "write, EPT page table unmapped: violation, perms ---",
	     l1_ept_table_missing, L2_ACC_WRITE, 0, 0, 0),
	ROWS("read_guest_pt_unmapped", "read, L2's page table unmapped in EPT: walk violation",
	     l1_guest_table_unmapped, L2_ACC_READ, 0, 1, 0),
	ROWS("write_guest_pt_unmapped", "write, L2's page table unmapped in EPT: walk reads",
	     l1_guest_table_unmapped, L2_ACC_WRITE, 0, 1, 0),
	ROW("read_guest_pd_unmapped", "read, L2's page directory unmapped in EPT: walk violation",
	    l1_guest_table_unmapped, L2_LONG_MODE, "long", L2_ACC_READ, 0, 2, 0),
	ROW("read_guest_pd_unmapped",
	    "read, PD of a GUEST_PDPTRn unmapped in EPT (PDPT too): violation at the PDE",
	    l1_guest_table_unmapped, L2_PAE_MODE, "pae", L2_ACC_READ, 0, 2, 0),
	ROWS("misconfig_write_only", "read, EPT leaf write-only: misconfiguration",
	     l1_misconfig, L2_ACC_READ, EPT_W | EPT_WB, 0, 0),
	ROWS("misconfig_memtype", "read, EPT leaf of reserved memory type 2: misconfiguration",
	     l1_misconfig, L2_ACC_READ, EPT_RWX | EPT_MT_RESERVED << EPT_MT_SHIFT, 0, 0),
};

SCENARIO_MAIN(vmx_requirements, scenarios)
