// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx_tpr_shadow_test: the virtual-APIC page and the TPR shadow of L1's
 * VMCS for a 64-bit L2, which KVM merges into its own VMCS for L2 (the
 * virtual-APIC page of vmcs12 mapped by nested_get_vmcs12_pages(), the TPR
 * threshold copied by prepare_vmcs02_early()).  Intel SDM Vol. 3C, in the
 * chapter and section names of the current edition:
 *
 * - 25.6.8 "Controls for APIC Virtualization": the virtual-APIC address
 *   and the TPR threshold exist with "use TPR shadow";
 * - 30.1.1 "Virtualized APIC Registers": VTPR is the 32-bit field at
 *   offset 080H of the virtual-APIC page;
 * - 30.3 "Virtualizing CR8-Based TPR Accesses": with "use TPR shadow",
 *   MOV from CR8 reads VTPR[7:4] into bits 3:0 of its destination and
 *   clears bits 63:4; MOV to CR8 writes bits 3:0 of its source into
 *   VTPR[7:4], clears the rest of VTPR and then performs TPR
 *   virtualization; neither touches the APIC's TPR;
 * - 30.1.2 "TPR Virtualization": without "virtual-interrupt delivery", a
 *   VTPR[7:4] below TPR threshold[3:0] causes a trap-like VM exit, "TPR
 *   below threshold" (basic exit reason 43), GUEST_RIP after the MOV;
 * - 26.1.3 "Instructions That Cause VM Exits Conditionally": MOV to (from)
 *   CR8 exits if "CR8-load exiting" ("CR8-store exiting") is 1, whatever
 *   "use TPR shadow" says; the exit qualification names CR8 (28.2.1,
 *   Table 28-3), and the MOV is not executed (fault-like);
 * - 27.2.1.1 "VM-Execution Control Fields" (VM-entry checks, failing with
 *   VMfailValid and VM-instruction error 7, 31.4): with "use TPR shadow",
 *   bits 11:0 of the virtual-APIC address are 0 and it sets no bit beyond
 *   the physical-address width; without "virtual-interrupt delivery", bits
 *   31:4 of the TPR threshold are 0; without "virtualize APIC accesses"
 *   either, TPR threshold[3:0] is not greater than VTPR[7:4];
 * - 27.7.7 "VM Exits Induced by the TPR Threshold": with "virtualize APIC
 *   accesses" as well, that last case is no VM-entry failure but a "TPR
 *   below threshold" VM exit right after VM entry, before L2's first
 *   instruction;
 * - with "virtual-interrupt delivery", TPR virtualization performs PPR
 *   virtualization instead of the threshold comparison (30.1.2, 30.1.3
 *   "PPR Virtualization": VPPR, offset 0A0H, becomes VTPR & FFH if
 *   VTPR[7:4] >= SVI[7:4], else SVI & F0H), and the VM-entry checks on
 *   the TPR threshold do not apply (27.2.1.1).
 *
 * L2 shares L1's page tables and runs one of two loops: MOV RDI to CR8 or
 * MOV CR8 to RAX, then VMCALL.  The virtual-APIC page is a page of L1's
 * pool; L1 fills VTPR before VM entry and reads it after the exit.
 * "APIC-register virtualization" and "virtualize x2APIC mode" stay 0, and
 * so do "virtual-interrupt delivery" and "virtualize APIC accesses" but in
 * the rows named for them.  In the lab (Bochs's Haswell model, whose
 * kvm_intel runs with enable_apicv=N for want of posted interrupts) KVM
 * still offers L1 both, from the processor's capabilities.
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_vm.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

/* VTPR's and VPPR's offsets in the virtual-APIC page (SDM Vol. 3C 30.1.1). */
#define VTPR_OFFSET		0x80
#define VPPR_OFFSET		0xa0
/* Guest interrupt status: SVI in bits 15:8 (SDM Vol. 3C 25.4.2). */
#define GUEST_INTR_STATUS_SVI(svi)	((uint16_t)(svi) << 8)
/* VTPR[7:4] as MOV to CR8 writes it from a source of @v (30.3). */
#define VTPR_OF(v)		(((uint32_t)(v) & 0xf) << 4)
/* What L1 puts in VTPR before an entry whose VTPR[7:4] it does not care about. */
#define VTPR_FILL		0xa5a5a5ffu
/* RAX before L2's MOV from CR8: every bit it must clear is set. */
#define RAX_FILL		0xfeedfacecafebeefull
/* VM-instruction error of a failed VM entry, kept apart from exit reasons. */
#define VMFAIL(err)		((1ull << 32) | (err))

/* L2's GPR numbers in a CR-access exit qualification (Table 28-3). */
#define GPR_RAX			0
#define GPR_RDI			7

/*
 * L2: l2_write_cr8 writes RDI to CR8, l2_read_cr8 reads CR8 into RAX;
 * each then exits with VMCALL and starts over when L1 resumes it.
 */
asm(".pushsection .text, \"ax\"\n"
    "l2_write_cr8:\n"
    "	mov %rdi, %cr8\n"
    "l2_write_cr8_done:\n"
    "	vmcall\n"
    "	jmp l2_write_cr8\n"
    "l2_read_cr8:\n"
    "	mov %cr8, %rax\n"
    "	vmcall\n"
    "	jmp l2_read_cr8\n"
    ".popsection");
extern char l2_write_cr8[], l2_write_cr8_done[], l2_read_cr8[];

/* What a row checks; each has an L1 function below. */
enum check {
	CHECK_WRITE_VTPR,	/* MOV to CR8 writes VTPR */
	CHECK_WRITE_KEEPS_TPR,	/* ...and not L1's own TPR */
	CHECK_READ_VTPR,	/* MOV from CR8 reads VTPR */
	CHECK_READ_L1_UPDATE,	/* ...as L1 last wrote it in memory */
	CHECK_THRESHOLD,	/* MOV to CR8 and the TPR threshold */
	CHECK_THRESHOLD_RIP,	/* the threshold exit is trap-like */
	CHECK_CR8_EXITING,	/* CR8-load/-store exiting with the TPR shadow */
	CHECK_ENTRY,		/* VM-entry checks and the exit right after entry */
	CHECK_VPPR,		/* MOV to CR8 with virtual-interrupt delivery */
};

/* A row's parameters, copied into the guest. */
struct row {
	enum check check;
	uint32_t proc;		/* primary controls besides "use TPR shadow" */
	uint32_t proc2;		/* secondary controls */
	uint32_t vtpr;		/* VTPR before the first VM entry */
	uint32_t threshold;	/* TPR threshold */
	uint64_t value;		/* L2's MOV-to-CR8 source */
	uint64_t vapic_offset;	/* added to the page's address; ~0: beyond the width */
	uint8_t svi;		/* SVI of the guest interrupt status (with VID) */
	uint64_t outcome;	/* the exit, VMFAIL or VPPR the rule requires */
	uint64_t bad;		/* one that breaks it */
};

static struct row cfg;

/* ---- L1 ---- */

static inline uint64_t read_cr8(void)
{
	uint64_t cr8;

	asm volatile("mov %%cr8, %0" : "=r"(cr8));
	return cr8;
}

static inline void write_cr8(uint64_t cr8)
{
	asm volatile("mov %0, %%cr8" : : "r"(cr8) : "memory");
}

struct fixture {
	struct l1_vmx *vmx;
	struct l2_vmcs *v;
	volatile uint32_t *vtpr;
	volatile uint32_t *vppr;
};

/* The virtual-APIC address of the row: the page, unaligned or beyond the width. */
static uint64_t vapic_address(uint64_t page)
{
	if (cfg.vapic_offset == ~0ull)
		return 1ull << this_cpu_property(X86_PROPERTY_MAX_PHY_ADDR);
	return page + cfg.vapic_offset;
}

/* L1's VMCS for L2 at @entry with the row's TPR shadow, VTPR and threshold. */
static void setup(struct fixture *f, void *entry)
{
	uint8_t *page;

	f->vmx = vmx_enable();
	f->v = l2_vmcs_create(f->vmx, &(struct l2_setup){
		.mode = L2_LONG_MODE, .entry = entry,
		.proc = CPU_BASED_TPR_SHADOW | cfg.proc, .proc2 = cfg.proc2 });
	page = guest_alloc_pages(1);
	f->vtpr = (volatile uint32_t *)(page + VTPR_OFFSET);
	f->vppr = (volatile uint32_t *)(page + VPPR_OFFSET);
	*f->vtpr = cfg.vtpr;
	*f->vppr = 0xff;
	vmcs_write(VIRTUAL_APIC_PAGE_ADDR, vapic_address((uintptr_t)page));
	vmcs_write(TPR_THRESHOLD, cfg.threshold);
	if (cfg.proc2 & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES)
		vmcs_write(APIC_ACCESS_ADDR, (uintptr_t)guest_alloc_pages(1));
	if (cfg.proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY)
		vmcs_write(GUEST_INTR_STATUS, GUEST_INTR_STATUS_SVI(cfg.svi));
	f->v->regs.rdi = cfg.value;
	f->v->regs.rax = RAX_FILL;
}

/*
 * One VMLAUNCH/VMRESUME: the full exit reason after a VM exit (a failed
 * VM entry included), VMFAIL(error) after VMfailValid.
 */
static uint64_t enter(struct fixture *f)
{
	uint32_t reason = 0;
	int r = vmx_run_once(f->vmx, f->v, &reason);

	__GUEST_ASSERT(r != VMX_FAIL_INVALID, "VM entry: VMfailInvalid");
	return r ? VMFAIL(vmx_instruction_error()) : reason;
}

/* L2's VMCALL after its MOV; L1 resumes it at the next instruction. */
static void resume_after_vmcall(struct fixture *f)
{
	vmx_assert_exit(vmx_run(f->vmx, f->v), EXIT_REASON_VMCALL);
	vmx_skip_instruction();
}

/*
 * 30.3: MOV to CR8 stores source[3:0] in VTPR[7:4] and clears VTPR[3:0]
 * and VTPR[31:8], without a VM exit (no CR8-load exiting, threshold 0).
 */
static void l1_write_vtpr(struct fixture *f)
{
	vmx_assert_exit(vmx_run(f->vmx, f->v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_RULE(*f->vtpr, VTPR_OF(cfg.value), cfg.vtpr);
}

/*
 * 30.3: with "use TPR shadow" L2's MOV to CR8 accesses VTPR instead of
 * the APIC's TPR: L1's own TPR (its CR8) keeps what L1 gave it.
 */
static void l1_write_keeps_tpr(struct fixture *f)
{
	const uint64_t l1_tpr = 2;

	write_cr8(l1_tpr);
	vmx_assert_exit(vmx_run(f->vmx, f->v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_RULE(read_cr8(), l1_tpr, cfg.value);
	write_cr8(0);
	GUEST_ASSERT_EQ(*f->vtpr, VTPR_OF(cfg.value));
}

/* 30.3: MOV from CR8 loads VTPR[7:4] into bits 3:0 and clears bits 63:4. */
static void l1_read_vtpr(struct fixture *f)
{
	vmx_assert_exit(vmx_run(f->vmx, f->v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_RULE(f->v->regs.rax, (cfg.vtpr >> 4) & 0xf, RAX_FILL);
}

/*
 * 25.6.8, 30.3: VTPR lives in the virtual-APIC page in memory, so a value
 * L1 writes there between two VM entries is what L2 reads next.
 */
static void l1_read_l1_update(struct fixture *f)
{
	const uint32_t next = 0x000000c0;

	resume_after_vmcall(f);
	GUEST_ASSERT_EQ(f->v->regs.rax, (cfg.vtpr >> 4) & 0xf);
	*f->vtpr = next;
	vmx_assert_exit(vmx_run(f->vmx, f->v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_RULE(f->v->regs.rax, next >> 4, (cfg.vtpr >> 4) & 0xf);
}

/*
 * 30.1.2: after MOV to CR8, "TPR below threshold" exactly when VTPR[7:4]
 * < TPR threshold[3:0]; either way VTPR holds the value written (30.3).
 */
static void l1_threshold(struct fixture *f)
{
	vmx_assert_exit_rule(vmx_run(f->vmx, f->v), cfg.outcome, cfg.bad);
	GUEST_ASSERT_EQ(*f->vtpr, VTPR_OF(cfg.value));
}

/*
 * 30.1.2: the exit is trap-like: the MOV completed and GUEST_RIP is the
 * next instruction; L2 then goes on to its VMCALL.
 */
static void l1_threshold_rip(struct fixture *f)
{
	vmx_assert_exit(vmx_run(f->vmx, f->v), EXIT_REASON_TPR_BELOW_THRESHOLD);
	GUEST_ASSERT_RULE(vmcs_read(GUEST_RIP), (uintptr_t)l2_write_cr8_done,
			  (uintptr_t)l2_write_cr8);
	GUEST_ASSERT_EQ(*f->vtpr, VTPR_OF(cfg.value));
	vmcs_write(TPR_THRESHOLD, 0);
	vmx_assert_exit(vmx_run(f->vmx, f->v), EXIT_REASON_VMCALL);
}

/*
 * 26.1.3: MOV to (from) CR8 exits when "CR8-load exiting" ("CR8-store
 * exiting") is 1, "use TPR shadow" notwithstanding; the qualification
 * names CR8, the access type and the register (Table 28-3); the MOV did
 * not execute (GUEST_RIP at it, VTPR unchanged, RAX unchanged).
 */
static void l1_cr8_exiting(struct fixture *f)
{
	bool load = cfg.proc & CPU_BASED_CR8_LOAD_EXITING;
	uint64_t qual;

	vmx_assert_exit_rule(vmx_run(f->vmx, f->v), EXIT_REASON_CR_ACCESS, EXIT_REASON_VMCALL);
	qual = vmcs_read(EXIT_QUALIFICATION);
	GUEST_ASSERT_EQ(CR_QUAL_CR(qual), 8);
	GUEST_ASSERT_EQ(CR_QUAL_TYPE(qual), load ? CR_QUAL_TYPE_MOV_TO_CR :
						   CR_QUAL_TYPE_MOV_FROM_CR);
	GUEST_ASSERT_EQ(CR_QUAL_GPR(qual), load ? GPR_RDI : GPR_RAX);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_RIP),
			(uintptr_t)(load ? l2_write_cr8 : l2_read_cr8));
	GUEST_ASSERT_EQ(*f->vtpr, cfg.vtpr);
	GUEST_ASSERT_EQ(f->v->regs.rax, RAX_FILL);
}

/*
 * 27.2.1.1 (VMfailValid 7, 31.4) and 27.7.7: the outcome of the first VM
 * entry, a VM-instruction error or the exit L2 reaches.  A "TPR below
 * threshold" exit right after VM entry leaves GUEST_RIP at L2's entry.
 */
static void l1_entry(struct fixture *f)
{
	uint64_t outcome = enter(f);

	GUEST_ASSERT_RULE(outcome, cfg.outcome, cfg.bad);
	if (outcome == EXIT_REASON_TPR_BELOW_THRESHOLD)
		GUEST_ASSERT_EQ(vmcs_read(GUEST_RIP), (uintptr_t)l2_read_cr8);
}

/*
 * 30.1.2, 30.1.3: with "virtual-interrupt delivery", MOV to CR8 performs
 * PPR virtualization: VPPR is VTPR & FFH if VTPR[7:4] >= SVI[7:4], else
 * SVI & F0H.  VM entry did the same with the old VTPR (27.3.2.5
 * "Updating Non-Register State"), so each row's VPPR differs from that.
 */
static void l1_vppr(struct fixture *f)
{
	vmx_assert_exit(vmx_run(f->vmx, f->v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_RULE(*f->vppr, cfg.outcome, cfg.bad);
	GUEST_ASSERT_EQ(*f->vtpr, VTPR_OF(cfg.value));
}

static void (*const checks[])(struct fixture *f) = {
	[CHECK_WRITE_VTPR] = l1_write_vtpr,
	[CHECK_WRITE_KEEPS_TPR] = l1_write_keeps_tpr,
	[CHECK_READ_VTPR] = l1_read_vtpr,
	[CHECK_READ_L1_UPDATE] = l1_read_l1_update,
	[CHECK_THRESHOLD] = l1_threshold,
	[CHECK_THRESHOLD_RIP] = l1_threshold_rip,
	[CHECK_CR8_EXITING] = l1_cr8_exiting,
	[CHECK_ENTRY] = l1_entry,
	[CHECK_VPPR] = l1_vppr,
};

/* Rows that read CR8 run l2_read_cr8, the others l2_write_cr8. */
static bool reads_cr8(void)
{
	return cfg.check == CHECK_READ_VTPR || cfg.check == CHECK_READ_L1_UPDATE ||
	       cfg.check == CHECK_ENTRY || (cfg.proc & CPU_BASED_CR8_STORE_EXITING);
}

static void l1_code(void)
{
	struct fixture f;

	setup(&f, reads_cr8() ? l2_read_cr8 : l2_write_cr8);
	checks[cfg.check](&f);
	vmx_disable(f.vmx);
	GUEST_DONE();
}

/* ---- host ---- */

static const char *row_problem(const struct row *r)
{
	struct vmx_caps caps;

	TEST_ASSERT(host_vmx_caps(&caps), "VMX capabilities");
	if (!vmx_ctl_allowed1(&caps, VMX_CTL_PROC, CPU_BASED_TPR_SHADOW))
		return "KVM offers L1 no \"use TPR shadow\" (IA32_VMX_PROCBASED_CTLS bit 53)";
	if ((r->proc & CPU_BASED_CR8_LOAD_EXITING) &&
	    !vmx_ctl_allowed1(&caps, VMX_CTL_PROC, CPU_BASED_CR8_LOAD_EXITING))
		return "KVM offers L1 no \"CR8-load exiting\" (IA32_VMX_PROCBASED_CTLS bit 51)";
	if ((r->proc & CPU_BASED_CR8_STORE_EXITING) &&
	    !vmx_ctl_allowed1(&caps, VMX_CTL_PROC, CPU_BASED_CR8_STORE_EXITING))
		return "KVM offers L1 no \"CR8-store exiting\" (IA32_VMX_PROCBASED_CTLS bit 52)";
	if ((r->proc2 & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES) &&
	    !vmx_has_proc2(&caps, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES))
		return "KVM offers L1 no \"virtualize APIC accesses\" "
		       "(IA32_VMX_PROCBASED_CTLS2 bit 32)";
	if ((r->proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY) &&
	    !vmx_has_proc2(&caps, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY))
		return "KVM offers L1 no \"virtual-interrupt delivery\" "
		       "(IA32_VMX_PROCBASED_CTLS2 bit 41)";
	return NULL;
}

static void run_row(const struct scenario *s)
{
	const struct row *r = s->arg;
	const char *problem = row_problem(r);

	__TEST_REQUIRE(!problem, "%s", problem);
	l1_run_row(l1_code, 0, cfg, r);
}

#define ROW(name, purpose, ...)							\
	{ name, purpose, run_row, &(const struct row){ __VA_ARGS__ } }

#define TPR_BELOW		EXIT_REASON_TPR_BELOW_THRESHOLD
#define VMCALL			EXIT_REASON_VMCALL
#define ENTRY_INVALID		VMFAIL(VMXERR_ENTRY_INVALID_CONTROL_FIELD)
#define VID			SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY

static const struct scenario scenarios[] = {
	ROW("cr8_write_sets_vtpr", "L2's MOV to CR8 writes VTPR[7:4], clears the rest, no exit",
	    .check = CHECK_WRITE_VTPR, .vtpr = VTPR_FILL, .value = 0x5),
	ROW("cr8_write_keeps_l1_tpr", "L2's MOV to CR8 leaves L1's own TPR (CR8) alone",
	    .check = CHECK_WRITE_KEEPS_TPR, .value = 0x9),
	ROW("cr8_read_gets_vtpr", "L2's MOV from CR8 reads VTPR[7:4], bits 63:4 clear",
	    .check = CHECK_READ_VTPR, .vtpr = 0x000000b7),
	ROW("cr8_read_sees_l1_update", "L1 rewrites VTPR between entries: L2 reads the new one",
	    .check = CHECK_READ_L1_UPDATE, .vtpr = 0x00000030),
	ROW("threshold_write_below", "MOV to CR8 below the threshold: trap-like exit 43",
	    .check = CHECK_THRESHOLD, .vtpr = 0x80, .threshold = 5, .value = 4,
	    .outcome = TPR_BELOW, .bad = VMCALL),
	ROW("threshold_write_equal", "MOV to CR8 equal to the threshold: no exit",
	    .check = CHECK_THRESHOLD, .vtpr = 0x80, .threshold = 5, .value = 5,
	    .outcome = VMCALL, .bad = TPR_BELOW),
	ROW("threshold_write_above", "MOV to CR8 above the threshold: no exit",
	    .check = CHECK_THRESHOLD, .vtpr = 0x80, .threshold = 5, .value = 0xf,
	    .outcome = VMCALL, .bad = TPR_BELOW),
	ROW("threshold_write_zero", "MOV to CR8 of 0 with threshold 0: no exit",
	    .check = CHECK_THRESHOLD, .vtpr = 0x80, .threshold = 0, .value = 0,
	    .outcome = VMCALL, .bad = TPR_BELOW),
	ROW("threshold_exit_trap_like", "exit 43 saves GUEST_RIP after the MOV, VTPR written",
	    .check = CHECK_THRESHOLD_RIP, .vtpr = 0xf0, .threshold = 0xf, .value = 0xe),
	ROW("cr8_load_exiting", "CR8-load exiting with TPR shadow: MOV to CR8 exits 28",
	    .check = CHECK_CR8_EXITING, .proc = CPU_BASED_CR8_LOAD_EXITING, .vtpr = 0x30,
	    .value = 0x7),
	ROW("cr8_store_exiting", "CR8-store exiting with TPR shadow: MOV from CR8 exits 28",
	    .check = CHECK_CR8_EXITING, .proc = CPU_BASED_CR8_STORE_EXITING, .vtpr = 0x30),
	ROW("entry_threshold_above_vtpr", "VM entry with threshold > VTPR[7:4]: VMfailValid 7",
	    .check = CHECK_ENTRY, .vtpr = 0x40, .threshold = 5,
	    .outcome = ENTRY_INVALID, .bad = VMCALL),
	ROW("entry_threshold_equal_vtpr", "VM entry with threshold = VTPR[7:4]: L2 runs",
	    .check = CHECK_ENTRY, .vtpr = 0x50, .threshold = 5,
	    .outcome = VMCALL, .bad = ENTRY_INVALID),
	ROW("entry_threshold_bits_31_4", "VM entry with TPR threshold bit 4 set: VMfailValid 7",
	    .check = CHECK_ENTRY, .vtpr = 0xf0, .threshold = 0x10,
	    .outcome = ENTRY_INVALID, .bad = VMCALL),
	ROW("entry_vapic_unaligned", "virtual-APIC address not 4-KByte aligned: VMfailValid 7",
	    .check = CHECK_ENTRY, .vapic_offset = 0x800,
	    .outcome = ENTRY_INVALID, .bad = VMCALL),
	ROW("entry_vapic_beyond_width", "virtual-APIC address at MAXPHYADDR: VMfailValid 7",
	    .check = CHECK_ENTRY, .vapic_offset = ~0ull,
	    .outcome = ENTRY_INVALID, .bad = VMCALL),
	ROW("entry_threshold_apic_access", "threshold > VTPR[7:4], virtualize APIC accesses: exit 43",
	    .check = CHECK_ENTRY, .proc2 = SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES,
	    .vtpr = 0x40, .threshold = 5, .outcome = TPR_BELOW, .bad = ENTRY_INVALID),
	ROW("vid_entry_ignores_threshold", "VID: threshold 0x1f > VTPR[7:4] passes VM entry",
	    .check = CHECK_ENTRY, .proc2 = VID, .vtpr = 0x40, .threshold = 0x1f,
	    .outcome = VMCALL, .bad = ENTRY_INVALID),
	ROW("vid_write_below_threshold", "VID: MOV to CR8 below the threshold, no exit 43",
	    .check = CHECK_THRESHOLD, .proc2 = VID, .vtpr = 0x80, .threshold = 5, .value = 2,
	    .outcome = VMCALL, .bad = TPR_BELOW),
	ROW("vid_write_sets_vppr", "VID: MOV to CR8 sets VPPR to VTPR when SVI is lower",
	    .check = CHECK_VPPR, .proc2 = VID, .vtpr = 0x80, .svi = 0x31, .value = 5,
	    .outcome = 0x50, .bad = 0x80),
	ROW("vid_vppr_from_svi", "VID: MOV to CR8 below SVI[7:4] sets VPPR to SVI & F0H",
	    .check = CHECK_VPPR, .proc2 = VID, .vtpr = 0x40, .svi = 0x31, .value = 2,
	    .outcome = 0x30, .bad = 0x20),
};

SCENARIO_MAIN(vmx_requirements, scenarios)
