// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx_cr_shadow_test: L2's accesses to CR0 and CR4 under L1's guest/host
 * masks and read shadows (Intel SDM Vol. 3C 25.6.6 "Guest/Host Masks and
 * Read Shadows for CR0 and CR4"; 26.1.3 "Instructions That Cause VM Exits
 * Conditionally"; 26.3 "Changes to Instruction Behavior in VMX Non-Root
 * Operation"; 28.2.1, Table 28-3 "Exit Qualification for Control-Register
 * Accesses"; 28.3.1 "Saving Control Registers, Debug Registers, and MSRs").
 *
 * Each row sets one class of bit in a 64-bit L2 that runs on L1's page
 * tables: bits L1 owns (set in its mask), and bits L1 leaves to L2.  KVM
 * itself intercepts some of the latter in the VMCS it runs L2 with (CR0.WP
 * and CR4.PGE/PSE under ept=0, CR0.NE and CR4.VMXE always) and passes
 * others through; the rules are the same for both, so the rows do not say
 * which is which: the lab runs them under ept=1 and ept=0.
 *
 * L2 executes one MOV to CR0, MOV to CR4, CLTS or LMSW (the source in RDI),
 * then reads CR0 into RAX and CR4 into RDX and executes VMCALL.
 *
 * - A write that must exit (26.1.3) exits with reason 28 before it changes
 *   anything (fault-like), and the qualification names the register, the
 *   access type and the source.  L1 then emulates it: it puts L2's value
 *   in the read shadow and in GUEST_CRn and skips the instruction; L2
 *   reads its value back.
 * - A write that must not exit changes only the bits the mask leaves to L2
 *   (26.3): GUEST_CRn at the VMCALL exit has them (28.3.1), the masked bits
 *   keep L1's values, and the read shadow is unchanged (only VMWRITE changes
 *   it).  L2 reads the shadow's bits where the mask is set and CRn's
 *   elsewhere (26.3, MOV from CR0/CR4), before and after a round trip
 *   through L1 that changes nothing.
 * - A write of an unmasked bit that VMX operation fixes (CR0.NE, CR4.VMXE;
 *   IA32_VMX_CRn_FIXED0, 24.8 "Restrictions on VMX Operation") is #GP, which
 *   the exception bitmap sends to L1, CRn unchanged (26.3).
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_vm.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

/* L2's source register: RDI, GPR number 7 in the exit qualification (Table 28-3). */
#define SRC_GPR			7
/* The CR0 bits LMSW loads (Vol. 2A LMSW: the low four bits of the source). */
#define LMSW_BITS		0xfull
/* CR0 and CR4 bits the architecture defines (Vol. 3A 2.5 "Control Registers"). */
#define CR0_DEFINED		(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
				 X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
				 X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)
#define CR4_SHADOW_FLIP		(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | \
				 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PCE | \
				 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | X86_CR4_VMXE)

/*
 * L2: one access at its label, then CR0 into RAX, CR4 into RDX, VMCALL.
 * Each label is the address of its instruction: a fault-like exit leaves
 * GUEST_RIP there.
 */
asm(".pushsection .text, \"ax\"\n"
    "l2_mov_cr0:\n"
    "	mov %rdi, %cr0\n"
    "	jmp l2_read_crs\n"
    "l2_mov_cr4:\n"
    "	mov %rdi, %cr4\n"
    "	jmp l2_read_crs\n"
    "l2_clts:\n"
    "	clts\n"
    "	jmp l2_read_crs\n"
    "l2_lmsw:\n"
    "	lmsw %di\n"
    "l2_read_crs:\n"
    "	mov %cr0, %rax\n"
    "	mov %cr4, %rdx\n"
    "	vmcall\n"
    "	ud2\n"
    ".popsection");
extern char l2_mov_cr0[], l2_mov_cr4[], l2_clts[], l2_lmsw[], l2_read_crs[];

enum cr_op { OP_MOV_CR0, OP_MOV_CR4, OP_CLTS, OP_LMSW, OP_READ_CR0, OP_READ_CR4 };

/* What the access must do (26.1.3, 26.3). */
enum outcome { NO_EXIT, CR_EXIT, GP_FAULT };

/*
 * One row.  @bits are the bits L2 changes; @real, @shadow and @src give
 * their values in GUEST_CRn, in the read shadow and in L2's source operand.
 * Outside @bits the shadow equals GUEST_CRn except in @flip, and the
 * source is what L2 reads.
 */
struct row {
	enum cr_op op;
	uint64_t bits;
	uint64_t mask;		/* L1's guest/host mask */
	uint64_t real, shadow, src;
	uint64_t flip;		/* more bits where the shadow differs from GUEST_CRn */
	enum outcome outcome;
};

/* The scenario's row, copied into the guest before it runs. */
static struct row cfg;

static bool op_is_cr4(enum cr_op op)
{
	return op == OP_MOV_CR4 || op == OP_READ_CR4;
}

static bool op_is_read(enum cr_op op)
{
	return op == OP_READ_CR0 || op == OP_READ_CR4;
}

static void *op_entry(enum cr_op op)
{
	switch (op) {
	case OP_MOV_CR0:
		return l2_mov_cr0;
	case OP_MOV_CR4:
		return l2_mov_cr4;
	case OP_CLTS:
		return l2_clts;
	case OP_LMSW:
		return l2_lmsw;
	default:
		return l2_read_crs;
	}
}

/* The VMCS fields of CR0 or CR4. */
struct cr_fields {
	uint64_t guest, mask, shadow;
	unsigned int nr;
};

static const struct cr_fields cr0_fields = {
	GUEST_CR0, CR0_GUEST_HOST_MASK, CR0_READ_SHADOW, 0
};
static const struct cr_fields cr4_fields = {
	GUEST_CR4, CR4_GUEST_HOST_MASK, CR4_READ_SHADOW, 4
};

/* What L2 reads (26.3, MOV from CR0/CR4): the shadow's bits where the mask is set. */
static uint64_t l2_view(uint64_t real, uint64_t shadow, uint64_t mask)
{
	return (shadow & mask) | (real & ~mask);
}

/* The CRn state L1 gives L2, and L2's source operand. */
struct cr_state {
	const struct cr_fields *f;
	uint64_t real, shadow, mask;
	uint64_t src;		/* RDI */
	uint64_t want;		/* the value L2 means CRn to have */
};

/*
 * The value L2's instruction means CRn to have, from what L2 saw before:
 * MOV the source, CLTS TS cleared, LMSW bits 3:0 of the source except that
 * it never clears PE (Vol. 2A LMSW; 26.1.3).
 */
static uint64_t intended_value(const struct cr_state *s)
{
	uint64_t seen = l2_view(s->real, s->shadow, s->mask);

	switch (cfg.op) {
	case OP_MOV_CR0:
	case OP_MOV_CR4:
		return s->src;
	case OP_CLTS:
		return seen & ~X86_CR0_TS;
	case OP_LMSW:
		return (seen & ~LMSW_BITS) | (s->src & LMSW_BITS) | (seen & X86_CR0_PE);
	default:
		return seen;
	}
}

/* Writes the row's mask, shadow and GUEST_CRn into the current VMCS. */
static void setup_cr(struct cr_state *s)
{
	uint64_t base;

	s->f = op_is_cr4(cfg.op) ? &cr4_fields : &cr0_fields;
	base = vmcs_read(s->f->guest);
	/* CR0.ET is hardwired to 1 (Vol. 3A 2.5): L2's CR0 has it from the start. */
	if (!s->f->nr)
		base |= X86_CR0_ET;
	s->real = (base & ~cfg.bits) | cfg.real;
	s->shadow = ((base & ~cfg.bits) | cfg.shadow) ^ cfg.flip;
	s->mask = cfg.mask;
	s->src = (l2_view(s->real, s->shadow, s->mask) & ~cfg.bits) | cfg.src;
	if (cfg.op == OP_LMSW)
		s->src &= 0xffff;
	s->want = intended_value(s);
	vmcs_write(s->f->mask, s->mask);
	vmcs_write(s->f->shadow, s->shadow);
	vmcs_write(s->f->guest, s->real);
}

/* L2's read of the register under test after its VMCALL. */
static uint64_t l2_read(struct l2_vmcs *v)
{
	return op_is_cr4(cfg.op) ? v->regs.rdx : v->regs.rax;
}

/* The bits a row is about; an inverted run expects them the other way. */
static uint64_t row_bits(void)
{
	return cfg.bits | cfg.flip;
}

/*
 * L2 read @view at its VMCALL and the VMCS holds @real and @shadow; a
 * round trip through L1 that changes nothing keeps all three (27.3.2.1
 * loads CRn from GUEST_CRn, 28.3.1 saves it).
 */
static void assert_settled(struct l1_vmx *vmx, struct l2_vmcs *v, const struct cr_state *s,
			   uint64_t real, uint64_t shadow)
{
	uint64_t view = l2_view(real, shadow, s->mask), view_after_round_trip;

	/* 26.3, MOV from CR0/CR4: masked bits from the shadow, the others from CRn. */
	GUEST_ASSERT_RULE(l2_read(v), view, view ^ row_bits());
	/* 28.3.1: the VM exit saves CRn as it is. */
	GUEST_ASSERT_RULE(vmcs_read(s->f->guest), real, real ^ row_bits());
	/* 25.6.6: the read shadow is a control field: L2's accesses never write it. */
	GUEST_ASSERT_RULE(vmcs_read(s->f->shadow), shadow, shadow ^ row_bits());

	vmcs_write(GUEST_RIP, (uintptr_t)l2_read_crs);
	v->regs.rax = v->regs.rdx = 0;
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	view_after_round_trip = l2_read(v);
	GUEST_ASSERT_RULE(view_after_round_trip, view, view ^ row_bits());
	GUEST_ASSERT_RULE(vmcs_read(s->f->guest), real, real ^ row_bits());
}

/*
 * The write did not exit (26.1.3): CRn took the source's unmasked bits and
 * kept its masked ones (26.3, MOV to CR0/CR4, CLTS, LMSW).
 */
static void no_exit(struct l1_vmx *vmx, struct l2_vmcs *v, const struct cr_state *s,
		    uint32_t reason)
{
	uint64_t real = (s->real & s->mask) | (s->want & ~s->mask);

	if (op_is_read(cfg.op))
		vmx_assert_exit(reason, EXIT_REASON_VMCALL);	/* reads never exit */
	else
		vmx_assert_exit_rule(reason, EXIT_REASON_VMCALL, EXIT_REASON_CR_ACCESS);
	assert_settled(vmx, v, s, real, s->shadow);
}

/* The exit qualification of a control-register access (Table 28-3). */
static void assert_qualification(const struct cr_state *s)
{
	uint64_t q = vmcs_read(EXIT_QUALIFICATION);
	uint64_t type = cfg.op == OP_CLTS ? CR_QUAL_TYPE_CLTS :
			cfg.op == OP_LMSW ? CR_QUAL_TYPE_LMSW : CR_QUAL_TYPE_MOV_TO_CR;

	GUEST_ASSERT_EQ(CR_QUAL_CR(q), s->f->nr);
	GUEST_ASSERT_EQ(CR_QUAL_TYPE(q), type);
	if (type == CR_QUAL_TYPE_MOV_TO_CR)
		GUEST_ASSERT_EQ(CR_QUAL_GPR(q), SRC_GPR);
	if (type == CR_QUAL_TYPE_LMSW) {
		GUEST_ASSERT_EQ(q & CR_QUAL_LMSW_MEMORY, 0);
		GUEST_ASSERT_EQ(CR_QUAL_LMSW_DATA(q), s->src);
	}
}

/*
 * The write exited (26.1.3) before it changed CRn: the exit is fault-like,
 * GUEST_RIP at the instruction.  L1 emulates it and L2 reads its value.
 */
static void cr_exit(struct l1_vmx *vmx, struct l2_vmcs *v, const struct cr_state *s,
		    uint32_t reason)
{
	const struct vmx_caps *c = vmx->caps;
	uint64_t fixed0 = s->f->nr ? c->cr4_fixed0 : c->cr0_fixed0;
	uint64_t fixed1 = s->f->nr ? c->cr4_fixed1 : c->cr0_fixed1;
	uint64_t real = (s->want | fixed0) & fixed1;

	vmx_assert_exit_rule(reason, EXIT_REASON_CR_ACCESS, EXIT_REASON_VMCALL);
	assert_qualification(s);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_RIP), (uintptr_t)op_entry(cfg.op));
	/* 26.1.3: a fault-like exit happens instead of the instruction. */
	GUEST_ASSERT_RULE(vmcs_read(s->f->guest), s->real, s->real ^ row_bits());

	vmcs_write(s->f->shadow, s->want);
	vmcs_write(s->f->guest, real);
	vmx_skip_instruction();
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	assert_settled(vmx, v, s, real, s->want);
}

/* 26.3: a value VMX operation does not allow in an unmasked bit is #GP, CRn unchanged. */
static void gp_fault(const struct cr_state *s, uint32_t reason)
{
	vmx_assert_exit_rule(reason, EXIT_REASON_EXCEPTION_NMI, EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(vmcs_read(VM_EXIT_INTR_INFO) & INTR_INFO_VECTOR_MASK, GP_VECTOR);
	GUEST_ASSERT_EQ(vmcs_read(VM_EXIT_INTR_ERROR_CODE), 0);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_RIP), (uintptr_t)op_entry(cfg.op));
	GUEST_ASSERT_EQ(vmcs_read(s->f->guest), s->real);
}

static void l1_code(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v;
	struct cr_state s;
	uint32_t reason;

	v = l2_vmcs_create(vmx, &(struct l2_setup){
		.mode = L2_LONG_MODE, .entry = op_entry(cfg.op) });
	setup_cr(&s);
	v->regs.rdi = s.src;
	reason = vmx_run(vmx, v);
	switch (cfg.outcome) {
	case NO_EXIT:
		no_exit(vmx, v, &s, reason);
		break;
	case CR_EXIT:
		cr_exit(vmx, v, &s, reason);
		break;
	case GP_FAULT:
		gp_fault(&s, reason);
		break;
	}
	vmx_disable(vmx);
	GUEST_DONE();
}

/*
 * What the row needs of the CRn values KVM allows L1's L2 (24.8, Appendix
 * A.7, A.8): a bit L2 writes unmasked must be free in both fixed MSRs; a
 * #GP row needs its bit fixed to 1.
 */
static const char *row_problem(const struct row *r, const struct vmx_caps *c)
{
	bool cr4 = op_is_cr4(r->op);
	uint64_t fixed0 = cr4 ? c->cr4_fixed0 : c->cr0_fixed0;
	uint64_t fixed1 = cr4 ? c->cr4_fixed1 : c->cr0_fixed1;
	uint64_t written = r->bits & ~r->mask;

	if (op_is_read(r->op))
		return NULL;
	if (r->outcome == GP_FAULT)
		return (fixed0 & r->bits) == r->bits ? NULL :
		       "IA32_VMX_CRn_FIXED0 does not fix the bit to 1";
	if (r->op == OP_LMSW || r->op == OP_CLTS)
		written &= LMSW_BITS & ~X86_CR0_PE;
	if ((fixed0 & written) || (~fixed1 & written))
		return cr4 ? "IA32_VMX_CR4_FIXED0/1 fix a CR4 bit the row changes" :
			     "IA32_VMX_CR0_FIXED0/1 fix a CR0 bit the row changes";
	return NULL;
}

static void run_row(const struct scenario *s)
{
	const struct row *r = s->arg;
	struct vmx_caps caps;
	const char *problem;

	TEST_ASSERT(host_vmx_caps(&caps), "VMX capabilities");
	problem = row_problem(r, &caps);
	__TEST_REQUIRE(!problem, "%s", problem);
	l1_run_row(l1_code, 0, cfg, r);
}

#define ROW_FLIP(name, purpose, op, bits, mask, real, shadow, src, flip, outcome)	\
	{ name, purpose, run_row,						\
	  &(const struct row){ op, bits, mask, real, shadow, src, flip, outcome } }
#define ROW(name, purpose, op, bits, mask, real, shadow, src, outcome)		\
	ROW_FLIP(name, purpose, op, bits, mask, real, shadow, src, 0, outcome)

/* L2 changes @bit of CRn, unmasked: no exit, CRn takes it (26.3). */
#define FLIP(name, what, op, bit, real)						\
	ROW(name, what " unmasked, L2 changes it: no exit, the register and L2's read have it", \
	    op, bit, 0, real, real, (real) ^ (bit), NO_EXIT)

#define TS	X86_CR0_TS
#define MP	X86_CR0_MP
#define WP	X86_CR0_WP
#define NE	X86_CR0_NE
#define PE	X86_CR0_PE

static const struct scenario scenarios[] = {
	/* MOV to CR0 (26.1.3: exits iff a masked bit of the source differs from the shadow). */
	ROW("mov_cr0_ts_owned_exits", "CR0.TS masked, source differs from shadow: exit 28",
	    OP_MOV_CR0, TS, TS, 0, 0, TS, CR_EXIT),
	ROW("mov_cr0_ts_owned_matches_shadow",
	    "CR0.TS masked, source = shadow != CR0: no exit, CR0.TS kept",
	    OP_MOV_CR0, TS, TS, TS, 0, 0, NO_EXIT),
	ROW("mov_cr0_mp_owned_exits", "CR0.MP masked, source differs from shadow: exit 28",
	    OP_MOV_CR0, MP, MP, MP, MP, 0, CR_EXIT),
	ROW("mov_cr0_wp_owned_exits", "CR0.WP masked, source differs from shadow: exit 28",
	    OP_MOV_CR0, WP, WP, WP, WP, 0, CR_EXIT),
	ROW("mov_cr0_wp_owned_matches_shadow",
	    "CR0.WP masked, source = shadow != CR0: no exit, CR0.WP kept",
	    OP_MOV_CR0, WP, WP, WP, 0, 0, NO_EXIT),
	ROW("mov_cr0_ne_owned_matches_shadow",
	    "CR0.NE (fixed 1) masked, shadow 0: L2 writes 0, no exit, no #GP",
	    OP_MOV_CR0, NE, NE, NE, 0, 0, NO_EXIT),
	ROW("mov_cr0_other_bit_owned", "CR0.AM masked, L2 changes only CR0.TS: no exit",
	    OP_MOV_CR0, TS, X86_CR0_AM, 0, 0, TS, NO_EXIT),
	FLIP("mov_cr0_ts_unmasked", "CR0.TS", OP_MOV_CR0, X86_CR0_TS, 0),
	FLIP("mov_cr0_mp_unmasked", "CR0.MP", OP_MOV_CR0, X86_CR0_MP, 0),
	FLIP("mov_cr0_em_unmasked", "CR0.EM", OP_MOV_CR0, X86_CR0_EM, 0),
	FLIP("mov_cr0_wp_unmasked", "CR0.WP", OP_MOV_CR0, X86_CR0_WP, X86_CR0_WP),
	FLIP("mov_cr0_am_unmasked", "CR0.AM", OP_MOV_CR0, X86_CR0_AM, 0),
	ROW_FLIP("mov_cr0_unmasked_other_owned",
		 "CR0.NE masked, shadow 0; L2 sets unmasked CR0.MP: no exit, L2 still reads NE 0",
		 OP_MOV_CR0, MP, NE, 0, 0, MP, NE, NO_EXIT),
	ROW("mov_cr0_ne_unmasked_gp",
	    "CR0.NE unmasked, L2 clears it (fixed 1 in VMX operation): #GP",
	    OP_MOV_CR0, NE, 0, NE, NE, 0, GP_FAULT),

	/* MOV to CR4, the same rule with the CR4 mask and shadow. */
	ROW("mov_cr4_pge_owned_exits", "CR4.PGE masked, source differs from shadow: exit 28",
	    OP_MOV_CR4, X86_CR4_PGE, X86_CR4_PGE, X86_CR4_PGE, X86_CR4_PGE, 0, CR_EXIT),
	ROW("mov_cr4_pge_owned_matches_shadow",
	    "CR4.PGE masked, source = shadow != CR4: no exit, CR4.PGE kept",
	    OP_MOV_CR4, X86_CR4_PGE, X86_CR4_PGE, X86_CR4_PGE, 0, 0, NO_EXIT),
	ROW("mov_cr4_tsd_owned_exits", "CR4.TSD masked, source differs from shadow: exit 28",
	    OP_MOV_CR4, X86_CR4_TSD, X86_CR4_TSD, 0, 0, X86_CR4_TSD, CR_EXIT),
	ROW("mov_cr4_vmxe_owned_matches_shadow",
	    "CR4.VMXE masked, shadow 0: L2 writes 0, no exit, no #GP",
	    OP_MOV_CR4, X86_CR4_VMXE, X86_CR4_VMXE, X86_CR4_VMXE, 0, 0, NO_EXIT),
	FLIP("mov_cr4_pge_unmasked", "CR4.PGE", OP_MOV_CR4, X86_CR4_PGE, X86_CR4_PGE),
	FLIP("mov_cr4_pse_unmasked", "CR4.PSE", OP_MOV_CR4, X86_CR4_PSE, 0),
	FLIP("mov_cr4_tsd_unmasked", "CR4.TSD", OP_MOV_CR4, X86_CR4_TSD, 0),
	FLIP("mov_cr4_de_unmasked", "CR4.DE", OP_MOV_CR4, X86_CR4_DE, 0),
	FLIP("mov_cr4_pce_unmasked", "CR4.PCE", OP_MOV_CR4, X86_CR4_PCE, 0),
	FLIP("mov_cr4_osxmmexcpt_unmasked", "CR4.OSXMMEXCPT", OP_MOV_CR4, X86_CR4_OSXMMEXCPT,
	     X86_CR4_OSXMMEXCPT),
	ROW_FLIP("mov_cr4_unmasked_other_owned",
		 "CR4.VMXE masked, shadow 0; L2 sets unmasked CR4.TSD: no exit, L2 reads VMXE 0",
		 OP_MOV_CR4, X86_CR4_TSD, X86_CR4_VMXE, 0, 0, X86_CR4_TSD, X86_CR4_VMXE, NO_EXIT),
	ROW("mov_cr4_vmxe_unmasked_gp",
	    "CR4.VMXE unmasked, L2 clears it (fixed 1 in VMX operation): #GP",
	    OP_MOV_CR4, X86_CR4_VMXE, 0, X86_CR4_VMXE, X86_CR4_VMXE, 0, GP_FAULT),

	/* CLTS (26.1.3: exits iff mask and shadow bit 3 are both 1; 26.3). */
	ROW("clts_owned_shadow_set_exits", "CLTS, CR0.TS masked, shadow 1, CR0.TS 0: exit 28",
	    OP_CLTS, TS, TS, 0, TS, 0, CR_EXIT),
	ROW("clts_owned_shadow_clear",
	    "CLTS, CR0.TS masked, shadow 0, CR0.TS 1: no exit, CR0.TS kept",
	    OP_CLTS, TS, TS, TS, 0, 0, NO_EXIT),
	ROW("clts_unmasked", "CLTS, CR0.TS unmasked: no exit, CR0.TS cleared",
	    OP_CLTS, TS, 0, TS, TS, 0, NO_EXIT),

	/* LMSW (26.1.3: bits 3:0 of the mask only, and LMSW never clears PE; 26.3). */
	ROW("lmsw_owned_exits", "LMSW, CR0.MP masked, source differs from shadow: exit 28",
	    OP_LMSW, MP, MP, 0, 0, MP, CR_EXIT),
	ROW("lmsw_owned_matches_shadow",
	    "LMSW, CR0.TS masked, source = shadow != CR0: no exit, CR0.TS kept",
	    OP_LMSW, TS, TS, TS, 0, 0, NO_EXIT),
	ROW("lmsw_pe_owned_clear",
	    "LMSW, CR0.PE masked, shadow 1, source 0: no exit (cannot clear PE)",
	    OP_LMSW, PE, PE, PE, PE, 0, NO_EXIT),
	ROW("lmsw_pe_owned_set_exits", "LMSW, CR0.PE masked, shadow 0, source 1: exit 28",
	    OP_LMSW, PE, PE, PE, 0, PE, CR_EXIT),
	ROW("lmsw_mask_above_bit_3", "LMSW, CR0.NE masked, source bit 5 != shadow: no exit",
	    OP_LMSW, NE, NE, NE, 0, NE, NO_EXIT),
	ROW("lmsw_unmasked", "LMSW, unmasked: no exit, CR0.MP and TS set, bits above 3 kept",
	    OP_LMSW, MP | TS, 0, 0, 0, MP | TS, NO_EXIT),
	/* The known KVM bug lmsw-l2-cr0-shadow-lost (lib/known_failures.c). */
	ROW_FLIP("lmsw_unmasked_other_owned",
		 "CR0.NE masked, shadow 0; L2's LMSW sets unmasked CR0.MP: no exit, L2 reads NE 0",
		 OP_LMSW, MP, NE, 0, 0, MP, NE, NO_EXIT),
	ROW_FLIP("lmsw_unmasked_owned_ts_kept",
		 "CR0.TS masked, shadow != CR0.TS; L2 LMSW sets unmasked CR0.MP: no exit, TS kept",
		 OP_LMSW, MP, TS, 0, 0, MP, TS, NO_EXIT),
	ROW("lmsw_unmasked_pe_kept", "LMSW, unmasked, source PE 0: no exit, CR0.PE stays 1",
	    OP_LMSW, PE, 0, PE, PE, 0, NO_EXIT),

	/* MOV from CR0/CR4 (26.3): the shadow differs from CRn in every defined bit. */
	ROW_FLIP("read_cr0_full_mask", "MOV from CR0, every bit masked: L2 reads the shadow",
		 OP_READ_CR0, 0, ~0ull, 0, 0, 0, CR0_DEFINED, NO_EXIT),
	ROW_FLIP("read_cr0_partial_mask",
		 "MOV from CR0, TS/WP/NE masked: those from the shadow, others CR0",
		 OP_READ_CR0, 0, TS | WP | NE, 0, 0, 0, CR0_DEFINED, NO_EXIT),
	ROW_FLIP("read_cr4_full_mask", "MOV from CR4, every bit masked: L2 reads the shadow",
		 OP_READ_CR4, 0, ~0ull, 0, 0, 0, CR4_SHADOW_FLIP, NO_EXIT),
	ROW_FLIP("read_cr4_partial_mask",
		 "MOV from CR4, PGE/VMXE/TSD masked: those from the shadow, others CR4",
		 OP_READ_CR4, 0, X86_CR4_PGE | X86_CR4_VMXE | X86_CR4_TSD, 0, 0, 0,
		 CR4_SHADOW_FLIP, NO_EXIT),
};

SCENARIO_MAIN(vmx_requirements, scenarios)
