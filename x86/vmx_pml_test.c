// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx_pml_test: page-modification logging for L2 (Intel SDM Vol. 3C 29.3.6
 * "Page-Modification Logging", 29.3.5 "Accessed and Dirty Flags for EPT";
 * 28.2.1 "Basic VM-Exit Information" for the log-full exit, reason 62).
 *
 * L1 gives a long-mode L2 an identity EPT with accessed and dirty flags
 * enabled (EPTP bit 6), "enable PML", a zeroed PML page and a PML index.
 * L2 (the agent) first reads page Z, which sets the flags of everything the
 * agent itself touches (its request block and stack); L1 sets the EPT
 * accessed and dirty flags of L2's paging structures for pages X and Y
 * (the walk's accesses to them count as writes with EPT A/D flags, 29.3.5)
 * and clears both flags of X's and Y's own EPT leaves, then INVEPT.  A
 * second read of Z must log nothing: from then on only L2's accesses to X
 * and Y can set an EPT dirty flag.
 *
 * - Setting a dirty flag from 0 to 1 logs the 4-KByte-aligned
 *   guest-physical address at PML_ADDRESS + 8 * index and decrements the
 *   index (29.3.6); a read sets only the accessed flag (29.3.5) and logs
 *   nothing; a write to a page whose dirty flag is already 1 logs nothing.
 * - With the index out of 0-511 (after 0 became FFFFH), the next logging
 *   event is a page-modification log-full event: VM exit 62, the flag not
 *   set and the access not done (29.3.6); the exit qualification has only
 *   bit 12, NMI unblocking due to IRET, defined (28.2.1).
 * - VM entry with "enable PML" checks that the PML address is 4-KByte
 *   aligned and within the physical-address width (27.2.1.1): VMfailValid
 *   with VM-instruction error 7 (31.4) otherwise.
 *
 * KVM offers "enable PML" to L1 with EPT A/D flags and emulates it for L2
 * whether or not L0 uses PML itself: its walk of L1's EPT that sets a
 * dirty flag writes L1's log (nested_vmx_write_pml_buffer()).
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

/* The PML index counts down from 511 over the 512 entries of the log (29.3.6). */
#define PML_LAST		511
#define PML_INDEX_EMPTY		0xffff	/* 0 decremented, in the 16-bit field */
/* Where L2 writes inside X and Y: the log holds the page, bits 11:0 zero. */
#define OFFSET			0x18
#define MARK			0x504d4c0000000001ull
/* Exit qualification of a log-full exit: only NMI unblocking (28.2.1). */
#define QUAL_NMI_UNBLOCKING	(1ull << 12)
/* The agent's store, MOV %rax, (%rcx) (lib/x86/l2_agent_code.S). */
#define AGENT_STORE_INSN	0x018948u
#define AGENT_STORE_LEN		3
/* An entry row's outcome: VMfailValid with this VM-instruction error. */
#define ENTRY_FAIL(err)		((1ull << 32) | (err))

struct row {
	void (*l1)(void);
	uint64_t x_flags;	/* EPT accessed/dirty flags of X's leaf before L2 runs */
	uint16_t index;		/* the PML index L2 starts with */
	uint64_t pml_offset;	/* entry rows: added to the PML page; ~0: beyond the width */
};

/* The scenario's row, copied into the guest before it runs. */
static struct row cfg;

struct fixture {
	struct l2_env env;
	uint64_t *pml;		/* the page-modification log */
	uint64_t z, x, y;	/* L2's pages, identity mapped by L2 and L1's EPT */
};

static uint64_t ept_leaf(struct fixture *f, uint64_t gpa)
{
	return *pt_entry_assert(&f->env.ept, gpa, 1);
}

/* Sets the EPT A and D flags of the pages of L2's paging structures for @va. */
static void walk_pages_dirty(struct fixture *f, uint64_t va)
{
	for (int level = 1; level <= 4; level++) {
		uint64_t table = (uintptr_t)pt_entry_assert(&f->env.pt, va, level) & PAGE_MASK;

		ept_set_flags(&f->env.ept, table, EPT_LEAF_RWX_WB | EPT_A | EPT_D);
	}
}

static void pml_reset(struct fixture *f, uint16_t index)
{
	memset(f->pml, 0, PAGE_SIZE);
	vmcs_write(GUEST_PML_INDEX, index);
}

static void setup(struct fixture *f)
{
	uint64_t pages;

	l2_env_create(&f->env, &(struct l2_env_setup){
		.mode = L2_LONG_MODE, .ept = true, .proc2 = SECONDARY_EXEC_ENABLE_PML });
	/* PML logs only with EPT A/D flags enabled: EPTP bit 6 (29.3.6, 25.6.11). */
	f->env.eptp = ept_pointer(f->env.vmx->caps, &f->env.ept, true);
	vmcs_write(EPT_POINTER, f->env.eptp);
	f->pml = guest_alloc_pages(1);
	vmcs_write(PML_ADDRESS, (uintptr_t)f->pml);
	pml_reset(f, PML_LAST);
	pages = (uintptr_t)guest_alloc_pages(3);
	f->z = pages;
	f->x = pages + PAGE_SIZE;
	f->y = pages + 2 * PAGE_SIZE;
	l2_env_start(&f->env);

	l2_read(&f->env.agent, f->z);
	walk_pages_dirty(f, f->x);
	walk_pages_dirty(f, f->y);
	ept_set_flags(&f->env.ept, f->x, EPT_LEAF_RWX_WB | cfg.x_flags);
	ept_set_flags(&f->env.ept, f->y, EPT_LEAF_RWX_WB);
	l2_env_invept(&f->env);

	pml_reset(f, PML_LAST);
	l2_read(&f->env.agent, f->z);
	__GUEST_ASSERT(vmcs_read(GUEST_PML_INDEX) == PML_LAST,
		       "L2's agent still dirties pages: PML index %#lx",
		       vmcs_read(GUEST_PML_INDEX));
	pml_reset(f, cfg.index);
}

static void finish(struct fixture *f)
{
	l2_env_destroy(&f->env);
	GUEST_DONE();
}

/*
 * A write to X, whose EPT dirty flag is 0, sets it (29.3.5) and logs X's
 * page at entry 511; the index becomes 510 (29.3.6).
 */
static void l1_logs_dirtied_gpa(void)
{
	struct fixture f;

	setup(&f);
	l2_write(&f.env.agent, f.x + OFFSET, MARK);
	GUEST_ASSERT_RULE(vmcs_read(GUEST_PML_INDEX), PML_LAST - 1, PML_LAST);
	GUEST_ASSERT_EQ(f.pml[PML_LAST], f.x);
	GUEST_ASSERT(ept_leaf(&f, f.x) & EPT_D);
	finish(&f);
}

/* A read sets X's accessed flag only (29.3.5): no dirty flag, no log entry. */
static void l1_read_logs_nothing(void)
{
	struct fixture f;

	setup(&f);
	l2_read(&f.env.agent, f.x + OFFSET);
	GUEST_ASSERT_RULE(vmcs_read(GUEST_PML_INDEX), PML_LAST, PML_LAST - 1);
	GUEST_ASSERT_EQ(f.pml[PML_LAST], 0);
	GUEST_ASSERT_EQ(ept_leaf(&f, f.x) & (EPT_A | EPT_D), EPT_A);
	finish(&f);
}

/* Only a dirty flag going from 0 to 1 is logged (29.3.6): X's is already 1. */
static void l1_dirty_already_set(void)
{
	struct fixture f;

	setup(&f);
	l2_write(&f.env.agent, f.x + OFFSET, MARK);
	GUEST_ASSERT_RULE(vmcs_read(GUEST_PML_INDEX), PML_LAST, PML_LAST - 1);
	GUEST_ASSERT_EQ(f.pml[PML_LAST], 0);
	finish(&f);
}

/* Each logging event writes the entry at the index, then decrements it (29.3.6). */
static void l1_two_pages_in_order(void)
{
	struct fixture f;

	setup(&f);
	l2_write(&f.env.agent, f.x + OFFSET, MARK);
	l2_write(&f.env.agent, f.y + OFFSET, MARK);
	GUEST_ASSERT_RULE(f.pml[PML_LAST], f.x, f.y);
	GUEST_ASSERT_EQ(f.pml[PML_LAST - 1], f.y);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_PML_INDEX), PML_LAST - 2);
	finish(&f);
}

/* L2 stopped at the agent's store to Y: GUEST_RIP at it, RCX = Y's address. */
static void assert_at_store(struct fixture *f)
{
	uint64_t rip = vmcs_read(GUEST_RIP);
	uint32_t insn = 0;

	memcpy(&insn, (void *)rip, AGENT_STORE_LEN);
	GUEST_ASSERT_EQ(insn, AGENT_STORE_INSN);
	GUEST_ASSERT_EQ(f->env.vmcs->regs.rcx, f->y + OFFSET);
}

/*
 * Index 0: X is logged at entry 0 and the index becomes FFFFH; Y's write
 * is then a log-full event (29.3.6): exit 62 at the store, Y's dirty flag
 * not set, Y not written, nothing logged; the qualification has only bit
 * 12 defined (28.2.1).
 */
static void l1_full_exit(void)
{
	struct fixture f;
	uint32_t reason;

	setup(&f);
	l2_write(&f.env.agent, f.x + OFFSET, MARK);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_PML_INDEX), PML_INDEX_EMPTY);
	GUEST_ASSERT_EQ(f.pml[0], f.x);
	reason = l2_agent_submit(&f.env.agent, L2_OP_WRITE, f.y + OFFSET, MARK);
	vmx_assert_exit_rule(reason, EXIT_REASON_PML_FULL, EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(vmcs_read(EXIT_QUALIFICATION) & ~QUAL_NMI_UNBLOCKING, 0);
	assert_at_store(&f);
	GUEST_ASSERT_EQ(*(uint64_t *)(f.y + OFFSET), 0);
	GUEST_ASSERT_EQ(ept_leaf(&f, f.y) & EPT_D, 0);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_PML_INDEX), PML_INDEX_EMPTY);
	for (int i = 1; i <= PML_LAST; i++)
		GUEST_ASSERT_EQ(f.pml[i], 0);
	finish(&f);
}

/* The PML address of an entry row: the page, unaligned or beyond the width. */
static uint64_t pml_address(uint64_t page)
{
	if (cfg.pml_offset == ~0ull)
		return 1ull << this_cpu_property(X86_PROPERTY_MAX_PHY_ADDR);
	return page + cfg.pml_offset;
}

/*
 * 27.2.1.1 "VM-Execution Control Fields": with "enable PML", bits 11:0 of
 * the PML address are 0 and it sets no bit beyond the physical-address
 * width, else VM entry fails with VMfailValid and error 7 (31.4); a valid
 * one enters L2, whose agent exits with VMCALL at once.
 */
static void l1_entry_pml_address(void)
{
	struct fixture f;
	uint32_t reason = 0;
	uint64_t outcome;
	int r;

	l2_env_create(&f.env, &(struct l2_env_setup){
		.mode = L2_LONG_MODE, .ept = true, .proc2 = SECONDARY_EXEC_ENABLE_PML });
	vmcs_write(EPT_POINTER, ept_pointer(f.env.vmx->caps, &f.env.ept, true));
	vmcs_write(PML_ADDRESS, pml_address((uintptr_t)guest_alloc_pages(1)));
	vmcs_write(GUEST_PML_INDEX, PML_LAST);
	r = vmx_run_once(f.env.vmx, f.env.vmcs, &reason);
	__GUEST_ASSERT(r != VMX_FAIL_INVALID, "VM entry: VMfailInvalid");
	outcome = r ? ENTRY_FAIL(vmx_instruction_error()) : reason;
	if (cfg.pml_offset)
		GUEST_ASSERT_RULE(outcome, ENTRY_FAIL(VMXERR_ENTRY_INVALID_CONTROL_FIELD),
				  EXIT_REASON_VMCALL);
	else
		GUEST_ASSERT_RULE(outcome, EXIT_REASON_VMCALL,
				  ENTRY_FAIL(VMXERR_ENTRY_INVALID_CONTROL_FIELD));
	finish(&f);
}

static const char *row_problem(void)
{
	const char *problem = l2_env_problem(&(struct l2_env_setup){
		.mode = L2_LONG_MODE, .ept = true });
	struct vmx_caps caps;

	if (problem)
		return problem;
	TEST_ASSERT(host_vmx_caps(&caps), "VMX capabilities");
	if (!(caps.ept_vpid & VMX_EPT_AD_BIT))
		return "KVM offers L1 no EPT accessed/dirty flags (IA32_VMX_EPT_VPID_CAP bit 21)";
	if (!vmx_has_proc2(&caps, SECONDARY_EXEC_ENABLE_PML))
		return "KVM offers L1 no \"enable PML\" (IA32_VMX_PROCBASED_CTLS2 bit 49)";
	return NULL;
}

static void run_row(const struct scenario *s)
{
	const struct row *r = s->arg;
	const char *problem = row_problem();

	__TEST_REQUIRE(!problem, "%s", problem);
	l1_run_row(r->l1, 0, cfg, r);
}

#define ROW(name, purpose, fn, x_flags, index)					\
	{ name, purpose, run_row, &(const struct row){ fn, x_flags, index, 0 } }
#define ENTRY_ROW(name, purpose, pml_offset)					\
	{ name, purpose, run_row,						\
	  &(const struct row){ l1_entry_pml_address, 0, PML_LAST, pml_offset } }

static const struct scenario scenarios[] = {
	ROW("pml_logs_dirtied_gpa", "write, EPT D=0: X's page logged at 511, index 510, D set",
	    l1_logs_dirtied_gpa, 0, PML_LAST),
	ROW("pml_read_logs_nothing", "read, EPT A=D=0: A set, nothing logged",
	    l1_read_logs_nothing, 0, PML_LAST),
	ROW("pml_dirty_already_set", "write, EPT D=1 already: nothing logged",
	    l1_dirty_already_set, EPT_A | EPT_D, PML_LAST),
	ROW("pml_two_pages_in_order", "writes to X then Y: logged at 511 then 510, index 509",
	    l1_two_pages_in_order, 0, PML_LAST),
	ROW("pml_full_exit", "index 0: X logged at 0, index FFFFH, Y's write exits 62 undone",
	    l1_full_exit, 0, 0),
	ENTRY_ROW("pml_entry_address_valid", "PML address 4-KByte aligned: VM entry succeeds", 0),
	ENTRY_ROW("pml_entry_address_unaligned", "PML address + 0x800: VMfailValid 7", 0x800),
	ENTRY_ROW("pml_entry_address_beyond_width", "PML address at MAXPHYADDR: VMfailValid 7",
		  ~0ull),
};

SCENARIO_MAIN(vmx_requirements, scenarios)
