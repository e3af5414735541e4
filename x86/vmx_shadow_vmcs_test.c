// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx_shadow_vmcs_test: L2's VMREAD and VMWRITE under L1's "VMCS shadowing"
 * (Intel SDM Vol. 3C 25.10 "VMCS Types: Ordinary and Shadow", 25.6.15
 * "VMCS Shadowing Bitmap Addresses", 26.1.3 "Instructions That Cause VM
 * Exits Conditionally": VMREAD, VMWRITE; Vol. 2B VMREAD/VMWRITE).
 *
 * L1 gives its VMCS for L2 a shadow VMCS (a VMCS region whose revision
 * word has the shadow-VMCS indicator, bit 31, set) as VMCS link pointer and
 * a VMREAD and a VMWRITE bitmap.  L2 executes one VMREAD or VMWRITE with
 * the field encoding in RSI and the value in RDI, then VMCALL.  A clear
 * bitmap bit for the encoding's bits 14:0 lets the instruction access the
 * shadow VMCS without a VM exit; a set bit, or any bit set in 63:15 of the
 * encoding, makes it exit to L1 with reason 23 (VMREAD) or 25 (VMWRITE)
 * and the registers in the instruction information (Table 28-13).
 *
 * KVM emulates VMCS shadowing for L1 whether or not the processor has it:
 * every L2 VMREAD/VMWRITE exits to L0, which asks
 * nested_vmx_exit_handled_vmcs_access() whether L1 wants the exit and else
 * performs the access on its cached copy of the shadow VMCS (written back
 * to L1's memory at the next VM exit to L1).
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_vm.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

/* A 64-bit field L1 leaves unused ("use TSC offsetting" is 0): only the test writes it. */
#define FIELD			TSC_OFFSET
#define SHADOW_VALUE		0x5eed5eedc0ffee01ull	/* L1 puts it in the shadow VMCS */
#define L2_VALUE		0x1eaf1eaf0000beefull	/* L2 writes it */
#define RDI_UNTOUCHED		0xdeadbeefdeadbeefull
/* RSI and RDI in the instruction information (SDM Vol. 3C Table 28-13, register numbers). */
#define INFO_REG_RSI		6
#define INFO_REG_RDI		7
/* CF, PF, AF, ZF, SF and OF: VMsucceed clears them all (SDM Vol. 3C 31.2). */
#define VMX_RESULT_FLAGS	0x8d5ull

/*
 * L2: one VMREAD (field in RSI, value to RDI) or VMWRITE (field in RSI,
 * value from RDI), its RFLAGS to RAX, VMCALL.  AT&T operand order:
 * "vmread %rsi, %rdi" reads the field RSI names into RDI.
 */
asm(".pushsection .text, \"ax\"\n"
    "l2_vmread:\n"
    "	vmread %rsi, %rdi\n"
    "	pushfq\n"
    "	popq %rax\n"
    "	vmcall\n"
    "	ud2\n"
    "l2_vmwrite:\n"
    "	vmwrite %rdi, %rsi\n"
    "	pushfq\n"
    "	popq %rax\n"
    "	vmcall\n"
    "	ud2\n"
    ".popsection");
extern char l2_vmread[], l2_vmwrite[];

struct row {
	bool write;		/* VMWRITE, else VMREAD */
	uint64_t encoding;	/* in L2's RSI */
	uint32_t bitmap_bit;	/* the bit L1 sets in the instruction's bitmap; 0: none */
	bool exits;		/* the SDM requires a VM exit */
};

/* The scenario's row, copied into the guest before it runs. */
static struct row cfg;

struct fixture {
	struct l1_vmx *vmx;
	struct l2_vmcs *v;
	uint64_t shadow;	/* the shadow VMCS region */
};

static void set_bit_in(uint64_t bitmap, uint32_t bit)
{
	((uint8_t *)(uintptr_t)bitmap)[bit / 8] |= 1u << (bit % 8);
}

/* Makes the shadow VMCS current, so that L1's VMREAD/VMWRITE reach it. */
static void shadow_load(struct fixture *f)
{
	__GUEST_ASSERT(!vmptrld(f->shadow), "VMPTRLD of the shadow VMCS failed");
	f->vmx->current = NULL;
}

/*
 * VMCLEAR writes the shadow VMCS's data to its region, where VM entry and
 * L2's accesses find it (SDM Vol. 3C 25.11.3, Initializing a VMCS); then
 * L2's VMCS is current again.
 */
static void shadow_unload(struct fixture *f)
{
	__GUEST_ASSERT(!vmclear(f->shadow), "VMCLEAR of the shadow VMCS failed");
	l2_vmcs_load(f->vmx, f->v);
}

static uint64_t shadow_read(struct fixture *f, uint64_t field)
{
	uint64_t value;

	shadow_load(f);
	value = vmcs_read(field);
	shadow_unload(f);
	return value;
}

static void setup(struct fixture *f)
{
	uint64_t read_bitmap, write_bitmap;

	f->vmx = vmx_enable();
	f->v = l2_vmcs_create(f->vmx, &(struct l2_setup){
		.mode = L2_LONG_MODE, .entry = cfg.write ? l2_vmwrite : l2_vmread,
		.proc2 = SECONDARY_EXEC_SHADOW_VMCS });
	read_bitmap = guest_alloc_page();
	write_bitmap = guest_alloc_page();
	if (cfg.bitmap_bit)
		set_bit_in(cfg.write ? write_bitmap : read_bitmap, cfg.bitmap_bit);
	vmcs_write(VMREAD_BITMAP, read_bitmap);
	vmcs_write(VMWRITE_BITMAP, write_bitmap);

	/*
	 * A shadow VMCS: the revision identifier with bit 31 set (SDM Vol. 3C
	 * 25.2, Format of the VMCS Region), which VMPTRLD accepts when the
	 * processor supports VMCS shadowing (Vol. 2B VMPTRLD) and VM entry
	 * requires of the link pointer's VMCS when "VMCS shadowing" is 1
	 * (27.3.1.5, Checks on Guest Non-Register State).
	 */
	f->shadow = guest_alloc_page();
	*(uint32_t *)(uintptr_t)f->shadow = VMX_BASIC_REVISION(f->vmx->caps->basic) |
					    VMCS_SHADOW_INDICATOR;
	__GUEST_ASSERT(!vmclear(f->shadow), "VMCLEAR of the shadow VMCS failed");
	shadow_load(f);
	vmcs_write(FIELD, SHADOW_VALUE);
	shadow_unload(f);
	vmcs_write(VMCS_LINK_POINTER, f->shadow);

	f->v->regs.rsi = cfg.encoding;
	f->v->regs.rdi = cfg.write ? L2_VALUE : RDI_UNTOUCHED;
}

/* The instruction exited to L1: the instruction information names RSI and RDI. */
static void check_exit_info(void)
{
	uint32_t info = vmcs_read(VMX_INSTRUCTION_INFO);

	GUEST_ASSERT(info & VMX_INSN_INFO_REG_OPERAND);
	GUEST_ASSERT_EQ(VMX_INSN_INFO_REG2(info), INFO_REG_RSI);
	GUEST_ASSERT_EQ(VMX_INSN_INFO_REG1(info), INFO_REG_RDI);
}

/*
 * The instruction must exit to L1 (26.1.3): L1 checks the reason and the
 * instruction information, skips the instruction without emulating it
 * and resumes L2, whose RDI and shadow VMCS are then untouched.
 */
static void access_exits(struct fixture *f)
{
	uint32_t want = cfg.write ? EXIT_REASON_VMWRITE : EXIT_REASON_VMREAD;

	vmx_assert_exit_rule(vmx_run(f->vmx, f->v), want, EXIT_REASON_VMCALL);
	check_exit_info();
	vmx_skip_instruction();
	vmx_assert_exit(vmx_run(f->vmx, f->v), EXIT_REASON_VMCALL);
	if (cfg.write)
		GUEST_ASSERT_EQ(shadow_read(f, FIELD), SHADOW_VALUE);
	else
		GUEST_ASSERT_EQ(f->v->regs.rdi, RDI_UNTOUCHED);
}

/*
 * No exit (26.1.3): VMREAD reads the shadow VMCS, VMWRITE writes it, and
 * both VMsucceed (Vol. 2B VMREAD, VMWRITE: "IF in VMX non-root operation
 * ... read/write the field of the VMCS referenced by the link pointer").
 * L1's own VMCS for L2 keeps its value of the field.
 */
static void access_shadowed(struct fixture *f)
{
	vmx_assert_exit(vmx_run(f->vmx, f->v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(f->v->regs.rax & VMX_RESULT_FLAGS, 0);
	GUEST_ASSERT_EQ(vmcs_read(FIELD), 0);
	if (cfg.write)
		GUEST_ASSERT_RULE(shadow_read(f, FIELD), L2_VALUE, SHADOW_VALUE);
	else
		GUEST_ASSERT_RULE(f->v->regs.rdi, SHADOW_VALUE, RDI_UNTOUCHED);
}

static void l1_code(void)
{
	struct fixture f;

	setup(&f);
	if (cfg.exits)
		access_exits(&f);
	else
		access_shadowed(&f);
	vmx_disable(f.vmx);
	GUEST_DONE();
}

static void requirements(void)
{
	struct vmx_caps caps;

	vmx_requirements();
	__TEST_REQUIRE(host_vmx_caps(&caps) && vmx_has_proc2(&caps, SECONDARY_EXEC_SHADOW_VMCS),
		       "KVM offers L1 no VMCS shadowing (IA32_VMX_PROCBASED_CTLS2 bit 46)");
}

static void run_row(const struct scenario *s)
{
	struct kvm_vcpu *vcpu = l1_vm_create(l1_code, 0);

	cfg = *(const struct row *)s->arg;
	sync_global_to_guest(vcpu->vm, cfg);
	vcpu_run_to_done(vcpu);
}

#define ROW(name, purpose, write, encoding, bit, exits)				\
	{ name, purpose, run_row, &(const struct row){ write, encoding, bit, exits } }

static const struct scenario scenarios[] = {
	ROW("vmread_shadowed", "VMREAD, bitmap bit clear: reads the shadow VMCS, no exit",
	    false, FIELD, 0, false),
	ROW("vmread_high_bit_set", "VMREAD, only the _HIGH encoding's bit set: no exit",
	    false, FIELD, VMCS_FIELD_HIGH(FIELD), false),
	ROW("vmread_bitmap_exit", "VMREAD, bitmap bit set: exit 23 with the registers",
	    false, FIELD, FIELD, true),
	ROW("vmread_encoding_bit15_exit", "VMREAD of an encoding with bit 15 set: exit 23",
	    false, FIELD | 0x8000, 0, true),
	ROW("vmwrite_shadowed", "VMWRITE, bitmap bit clear: writes the shadow VMCS, no exit",
	    true, FIELD, 0, false),
	ROW("vmwrite_bitmap_exit", "VMWRITE, bitmap bit set: exit 25, shadow untouched",
	    true, FIELD, FIELD, true),
	ROW("vmwrite_encoding_bit32_exit", "VMWRITE of an encoding with bit 32 set: exit 25",
	    true, FIELD | (1ull << 32), 0, true),
};

SCENARIO_MAIN(requirements, scenarios)
