// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx_insn_fail_test: how L1's VMX instructions fail, as KVM emulates them
 * (Intel SDM Vol. 3C 31.2 "Conventions", 31.3 "VMX Instructions", 31.4
 * "VM Instruction Error Numbers").
 *
 * A VMX instruction ends in one of three ways: VMsucceed (CF = ZF = 0),
 * VMfailInvalid (CF = 1: there is no current VMCS to hold an error number)
 * or VMfailValid (ZF = 1, and the VM-instruction error field of the
 * current VMCS holds the error number).  Each scenario makes one
 * instruction fail for one reason and checks the outcome and error number
 * together; VMPTRST returns the current-VMCS pointer, all ones when there
 * is none.  Inverted (--self-check), L1 expects VMsucceed, or another
 * pointer.
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_memory.h"
#include "x86/l1_vm.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

/* The outcome of a VMX instruction, as one value a rule can compare. */
#define VMSUCCEED		0ull
#define VMFAIL_INVALID		(1ull << 32)
#define VMFAIL_VALID(err)	(2ull << 32 | (err))
#define NO_VMCS			(~0ull)		/* the invalid current-VMCS pointer */

/* From CF and ZF after the instruction; a VMfailValid reads the error number. */
static uint64_t outcome(uint8_t cf, uint8_t zf)
{
	if (cf)
		return VMFAIL_INVALID;
	if (zf)
		return VMFAIL_VALID(vmx_instruction_error());
	return VMSUCCEED;
}

static uint64_t vmclear_outcome(uint64_t pa)
{
	uint8_t cf, zf;

	asm volatile("vmclear %[pa]; setc %[cf]; setz %[zf]"
		     : [cf] "=qm"(cf), [zf] "=qm"(zf) : [pa] "m"(pa) : "cc", "memory");
	return outcome(cf, zf);
}

static uint64_t vmptrld_outcome(uint64_t pa)
{
	uint8_t cf, zf;

	asm volatile("vmptrld %[pa]; setc %[cf]; setz %[zf]"
		     : [cf] "=qm"(cf), [zf] "=qm"(zf) : [pa] "m"(pa) : "cc", "memory");
	return outcome(cf, zf);
}

static uint64_t vmxon_outcome(uint64_t pa)
{
	uint8_t cf, zf;

	asm volatile("vmxon %[pa]; setc %[cf]; setz %[zf]"
		     : [cf] "=qm"(cf), [zf] "=qm"(zf) : [pa] "m"(pa) : "cc", "memory");
	return outcome(cf, zf);
}

static uint64_t vmptrst_outcome(uint64_t *pa)
{
	uint8_t cf, zf;

	asm volatile("vmptrst %[pa]; setc %[cf]; setz %[zf]"
		     : [cf] "=qm"(cf), [zf] "=qm"(zf), [pa] "=m"(*pa) : : "cc", "memory");
	return outcome(cf, zf);
}

static uint64_t vmread_outcome(uint64_t field, uint64_t *value)
{
	uint8_t cf, zf;

	asm volatile("vmread %[field], %[value]; setc %[cf]; setz %[zf]"
		     : [cf] "=qm"(cf), [zf] "=qm"(zf), [value] "=rm"(*value)
		     : [field] "r"(field) : "cc", "memory");
	return outcome(cf, zf);
}

static uint64_t vmwrite_outcome(uint64_t field, uint64_t value)
{
	uint8_t cf, zf;

	asm volatile("vmwrite %[value], %[field]; setc %[cf]; setz %[zf]"
		     : [cf] "=qm"(cf), [zf] "=qm"(zf)
		     : [value] "rm"(value), [field] "r"(field) : "cc", "memory");
	return outcome(cf, zf);
}

/*
 * VMLAUNCH or VMRESUME where they cannot succeed: no current VMCS.  (A
 * VMCS that can be entered goes through vmx_enter(), which lands a VM
 * exit.)
 */
static uint64_t vmlaunch_no_vmcs_outcome(bool resume)
{
	uint8_t cf, zf;

	if (resume)
		asm volatile("vmresume; setc %[cf]; setz %[zf]"
			     : [cf] "=qm"(cf), [zf] "=qm"(zf) : : "cc", "memory");
	else
		asm volatile("vmlaunch; setc %[cf]; setz %[zf]"
			     : [cf] "=qm"(cf), [zf] "=qm"(zf) : : "cc", "memory");
	return outcome(cf, zf);
}

/* VMLAUNCH (VMRESUME if @resume) of @v through vmx_enter(): VMSUCCEED after a VM exit. */
static uint64_t enter_outcome(struct l2_vmcs *v, bool resume)
{
	int r = vmx_enter(&v->regs, resume, &v->host_rsp);

	if (!r)
		v->launched = !(vmcs_read(VM_EXIT_REASON) & EXIT_REASON_FAILED_VMENTRY);
	return r == VMX_FAIL_INVALID ? VMFAIL_INVALID :
	       r == VMX_FAIL_VALID ? VMFAIL_VALID(vmx_instruction_error()) : VMSUCCEED;
}

static void l2_vmcall(void)
{
	for (;;)
		asm volatile("vmcall");
}

static struct l2_vmcs *create_l2(struct l1_vmx *vmx)
{
	return l2_vmcs_create(vmx, &(struct l2_setup){ .mode = L2_LONG_MODE,
						      .entry = l2_vmcall });
}

/* A VMCS region that could be loaded, for instructions with no current VMCS. */
static uint64_t new_vmcs_region(struct l1_vmx *vmx)
{
	uint64_t pa = guest_alloc_page();

	*(uint32_t *)(uintptr_t)pa = VMX_BASIC_REVISION(vmx->caps->basic);
	return pa;
}

/* A 16-bit control-field encoding whose index no VMCS field has (SDM Vol. 3C A.9). */
static uint64_t unsupported_field(struct l1_vmx *vmx)
{
	uint32_t index = VMX_VMCS_ENUM_MAX_INDEX(vmx->caps->vmcs_enum) + 1;

	if (index > 0x1ff)
		GUEST_SKIP("IA32_VMX_VMCS_ENUM reports every field index in use");
	return index << 1;
}

/* SDM Vol. 3C 31.3 VMCLEAR: the VMXON pointer as operand is VMfail, error 3. */
static void l1_vmclear_vmxon_pointer(void)
{
	struct l1_vmx *vmx = vmx_enable();

	create_l2(vmx);
	GUEST_ASSERT_RULE(vmclear_outcome(vmx->vmxon_pa),
			  VMFAIL_VALID(VMXERR_VMCLEAR_VMXON_POINTER), VMSUCCEED);
	GUEST_DONE();
}

/* ... with no current VMCS, VMfail is VMfailInvalid (31.2: no error number to store). */
static void l1_vmclear_vmxon_pointer_no_vmcs(void)
{
	struct l1_vmx *vmx = vmx_enable();

	GUEST_ASSERT_RULE(vmclear_outcome(vmx->vmxon_pa), VMFAIL_INVALID, VMSUCCEED);
	GUEST_DONE();
}

/* SDM Vol. 3C 31.3 VMCLEAR: an operand not 4-KByte aligned is VMfail, error 2. */
static void l1_vmclear_unaligned(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);

	GUEST_ASSERT_RULE(vmclear_outcome(v->pa + 0x800),
			  VMFAIL_VALID(VMXERR_VMCLEAR_INVALID_ADDRESS), VMSUCCEED);
	GUEST_DONE();
}

/* SDM Vol. 3C 31.3 VMPTRLD: the VMXON pointer as operand is VMfail, error 10. */
static void l1_vmptrld_vmxon_pointer(void)
{
	struct l1_vmx *vmx = vmx_enable();

	create_l2(vmx);
	GUEST_ASSERT_RULE(vmptrld_outcome(vmx->vmxon_pa),
			  VMFAIL_VALID(VMXERR_VMPTRLD_VMXON_POINTER), VMSUCCEED);
	GUEST_DONE();
}

/* ... an operand not 4-KByte aligned is VMfail, error 9. */
static void l1_vmptrld_unaligned(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);

	GUEST_ASSERT_RULE(vmptrld_outcome(v->pa + 0x800),
			  VMFAIL_VALID(VMXERR_VMPTRLD_INVALID_ADDRESS), VMSUCCEED);
	GUEST_DONE();
}

/*
 * ... a region whose revision identifier is not IA32_VMX_BASIC[30:0] is
 * VMfail, error 11.
 */
static void l1_vmptrld_bad_revision(void)
{
	struct l1_vmx *vmx = vmx_enable();
	uint64_t pa = new_vmcs_region(vmx);

	create_l2(vmx);
	*(uint32_t *)(uintptr_t)pa = (VMX_BASIC_REVISION(vmx->caps->basic) + 1) & 0x7fffffff;
	GUEST_ASSERT_RULE(vmptrld_outcome(pa),
			  VMFAIL_VALID(VMXERR_VMPTRLD_INCORRECT_VMCS_REVISION_ID), VMSUCCEED);
	GUEST_DONE();
}

/* SDM Vol. 3C 31.3 VMLAUNCH/VMRESUME: VMLAUNCH of a launched VMCS is VMfail, error 4. */
static void l1_vmlaunch_launched(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);

	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_RULE(enter_outcome(v, false),
			  VMFAIL_VALID(VMXERR_VMLAUNCH_NONCLEAR_VMCS), VMSUCCEED);
	GUEST_DONE();
}

/* ... VMRESUME of a clear VMCS is VMfail, error 5. */
static void l1_vmresume_clear(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);

	GUEST_ASSERT_RULE(enter_outcome(v, true),
			  VMFAIL_VALID(VMXERR_VMRESUME_NONLAUNCHED_VMCS), VMSUCCEED);
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 27.2.1.1 "VM-Execution Control Fields": the CR3-target count
 * must not exceed 4; a VM entry failing a control check is VMfail, error 7
 * (27.2 "Checks on VMX Controls and Host-State Area").
 */
static void l1_entry_invalid_control(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);

	vmcs_write(CR3_TARGET_COUNT, 5);
	GUEST_ASSERT_RULE(enter_outcome(v, false),
			  VMFAIL_VALID(VMXERR_ENTRY_INVALID_CONTROL_FIELD), VMSUCCEED);
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 27.2.2 "Checks on Host Control Registers, Debug Registers,
 * and MSRs": HOST_CR4 must have the bits fixed to 1 in VMX operation
 * (CR4.VMXE); else VMfail, error 8.
 */
static void l1_entry_invalid_host_state(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);

	vmcs_write(HOST_CR4, vmcs_read(HOST_CR4) & ~X86_CR4_VMXE);
	GUEST_ASSERT_RULE(enter_outcome(v, false),
			  VMFAIL_VALID(VMXERR_ENTRY_INVALID_HOST_STATE_FIELD), VMSUCCEED);
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 31.3 VMREAD and VMWRITE: an encoding that names no field of
 * the VMCS is VMfail, error 12.
 */
static void l1_vmread_unsupported(void)
{
	struct l1_vmx *vmx = vmx_enable();
	uint64_t value;

	create_l2(vmx);
	GUEST_ASSERT_RULE(vmread_outcome(unsupported_field(vmx), &value),
			  VMFAIL_VALID(VMXERR_UNSUPPORTED_VMCS_COMPONENT), VMSUCCEED);
	GUEST_DONE();
}

static void l1_vmwrite_unsupported(void)
{
	struct l1_vmx *vmx = vmx_enable();

	create_l2(vmx);
	GUEST_ASSERT_RULE(vmwrite_outcome(unsupported_field(vmx), 1),
			  VMFAIL_VALID(VMXERR_UNSUPPORTED_VMCS_COMPONENT), VMSUCCEED);
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 31.3 VMWRITE: a VM-exit information field is read-only
 * (VMfail, error 13) unless IA32_VMX_MISC[29] says VMWRITE may write any
 * field (A.6); then the value is written.  The host cleared the bit for
 * the first scenario; KVM sets it by default, for the second.
 */
static void l1_vmwrite_read_only(void)
{
	struct l1_vmx *vmx = vmx_enable();

	GUEST_ASSERT(!(vmx->caps->misc & VMX_MISC_VMWRITE_ANY_FIELD));
	create_l2(vmx);
	GUEST_ASSERT_RULE(vmwrite_outcome(EXIT_QUALIFICATION, 0x1234),
			  VMFAIL_VALID(VMXERR_VMWRITE_READ_ONLY_VMCS_COMPONENT), VMSUCCEED);
	GUEST_DONE();
}

static void l1_vmwrite_any_field(void)
{
	struct l1_vmx *vmx = vmx_enable();

	if (!(vmx->caps->misc & VMX_MISC_VMWRITE_ANY_FIELD))
		GUEST_SKIP("IA32_VMX_MISC[29] = 0: VM-exit information fields are read-only");
	create_l2(vmx);
	GUEST_ASSERT_EQ(vmwrite_outcome(EXIT_QUALIFICATION, 0x1234), VMSUCCEED);
	GUEST_ASSERT_RULE(vmcs_read(EXIT_QUALIFICATION), 0x1234, 0);
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 31.3 VMXON: in VMX root operation VMXON is VMfail, error 15
 * (VMfailInvalid without a current VMCS).
 */
static void l1_vmxon_in_root(void)
{
	struct l1_vmx *vmx = vmx_enable();

	create_l2(vmx);
	GUEST_ASSERT_RULE(vmxon_outcome(vmx->vmxon_pa),
			  VMFAIL_VALID(VMXERR_VMXON_IN_VMX_ROOT_OPERATION), VMSUCCEED);
	GUEST_DONE();
}

static void l1_vmxon_in_root_no_vmcs(void)
{
	struct l1_vmx *vmx = vmx_enable();

	GUEST_ASSERT_RULE(vmxon_outcome(new_vmcs_region(vmx)), VMFAIL_INVALID, VMSUCCEED);
	GUEST_DONE();
}

/*
 * SDM Vol. 3C 31.3 VMREAD, VMWRITE, VMLAUNCH, VMRESUME: with an invalid
 * current-VMCS pointer each is VMfailInvalid.  VMXON leaves the pointer
 * invalid (VMXON: "current-VMCS pointer <- FFFFFFFF_FFFFFFFFH").
 */
static void l1_no_vmcs_vmread(void)
{
	uint64_t value;

	vmx_enable();
	GUEST_ASSERT_RULE(vmread_outcome(GUEST_RIP, &value), VMFAIL_INVALID, VMSUCCEED);
	GUEST_DONE();
}

static void l1_no_vmcs_vmwrite(void)
{
	vmx_enable();
	GUEST_ASSERT_RULE(vmwrite_outcome(GUEST_RIP, 0), VMFAIL_INVALID, VMSUCCEED);
	GUEST_DONE();
}

static void l1_no_vmcs_vmlaunch(void)
{
	vmx_enable();
	GUEST_ASSERT_RULE(vmlaunch_no_vmcs_outcome(false), VMFAIL_INVALID, VMSUCCEED);
	GUEST_DONE();
}

static void l1_no_vmcs_vmresume(void)
{
	vmx_enable();
	GUEST_ASSERT_RULE(vmlaunch_no_vmcs_outcome(true), VMFAIL_INVALID, VMSUCCEED);
	GUEST_DONE();
}

/* SDM Vol. 3C 31.3 VMPTRST: stores the current-VMCS pointer ... */
static void l1_vmptrst_current(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);
	uint64_t pa = 0;

	GUEST_ASSERT_EQ(vmptrst_outcome(&pa), VMSUCCEED);
	GUEST_ASSERT_RULE(pa, v->pa, NO_VMCS);
	GUEST_DONE();
}

/* ... which is FFFFFFFF_FFFFFFFFH after VMXON ... */
static void l1_vmptrst_none(void)
{
	uint64_t pa = 0;

	vmx_enable();
	GUEST_ASSERT_EQ(vmptrst_outcome(&pa), VMSUCCEED);
	GUEST_ASSERT_RULE(pa, NO_VMCS, 0);
	GUEST_DONE();
}

/* ... and after VMCLEAR of the current VMCS (VMCLEAR: "the pointer is made invalid"). */
static void l1_vmptrst_after_vmclear(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = create_l2(vmx);
	uint64_t pa = 0;

	l2_vmcs_clear(vmx, v);
	GUEST_ASSERT_EQ(vmptrst_outcome(&pa), VMSUCCEED);
	GUEST_ASSERT_RULE(pa, NO_VMCS, v->pa);
	GUEST_DONE();
}

static void test_l1(const struct scenario *s)
{
	vcpu_run_to_done(l1_vm_create((void *)s->arg, 0));
}

/* L1 with IA32_VMX_MISC[29] cleared by the host before it runs. */
static void test_l1_misc_ro(const struct scenario *s)
{
	struct kvm_vcpu *vcpu = l1_vm_create((void *)s->arg, 0);
	uint64_t misc = vcpu_get_msr(vcpu, MSR_IA32_VMX_MISC);

	vcpu_set_msr(vcpu, MSR_IA32_VMX_MISC, misc & ~VMX_MISC_VMWRITE_ANY_FIELD);
	vcpu_run_to_done(vcpu);
}

static const struct scenario scenarios[] = {
	{ "vmclear_vmxon_pointer", "VMCLEAR of the VMXON region: VMfailValid, error 3",
	  test_l1, l1_vmclear_vmxon_pointer },
	{ "vmclear_vmxon_pointer_no_vmcs", "the same without a current VMCS: VMfailInvalid",
	  test_l1, l1_vmclear_vmxon_pointer_no_vmcs },
	{ "vmclear_unaligned", "VMCLEAR of an address not 4-KByte aligned: VMfailValid, error 2",
	  test_l1, l1_vmclear_unaligned },
	{ "vmptrld_vmxon_pointer", "VMPTRLD of the VMXON region: VMfailValid, error 10",
	  test_l1, l1_vmptrld_vmxon_pointer },
	{ "vmptrld_unaligned", "VMPTRLD of an address not 4-KByte aligned: VMfailValid, error 9",
	  test_l1, l1_vmptrld_unaligned },
	{ "vmptrld_bad_revision", "VMPTRLD of a region with a wrong revision: VMfailValid, 11",
	  test_l1, l1_vmptrld_bad_revision },
	{ "vmlaunch_launched", "VMLAUNCH of a launched VMCS: VMfailValid, error 4",
	  test_l1, l1_vmlaunch_launched },
	{ "vmresume_clear", "VMRESUME of a clear VMCS: VMfailValid, error 5",
	  test_l1, l1_vmresume_clear },
	{ "entry_invalid_control", "VM entry with CR3-target count 5: VMfailValid, error 7",
	  test_l1, l1_entry_invalid_control },
	{ "entry_invalid_host_state", "VM entry with HOST_CR4.VMXE = 0: VMfailValid, error 8",
	  test_l1, l1_entry_invalid_host_state },
	{ "vmread_unsupported", "VMREAD of an encoding beyond IA32_VMX_VMCS_ENUM: error 12",
	  test_l1, l1_vmread_unsupported },
	{ "vmwrite_unsupported", "VMWRITE of an encoding beyond IA32_VMX_VMCS_ENUM: error 12",
	  test_l1, l1_vmwrite_unsupported },
	{ "vmwrite_read_only", "VMWRITE of EXIT_QUALIFICATION with MISC[29] = 0: error 13",
	  test_l1_misc_ro, l1_vmwrite_read_only },
	{ "vmwrite_any_field", "VMWRITE of EXIT_QUALIFICATION with MISC[29] = 1 writes it",
	  test_l1, l1_vmwrite_any_field },
	{ "vmxon_in_root", "VMXON in VMX root operation: VMfailValid, error 15",
	  test_l1, l1_vmxon_in_root },
	{ "vmxon_in_root_no_vmcs", "VMXON in VMX root operation, no current VMCS: VMfailInvalid",
	  test_l1, l1_vmxon_in_root_no_vmcs },
	{ "no_vmcs_vmread", "VMREAD without a current VMCS: VMfailInvalid",
	  test_l1, l1_no_vmcs_vmread },
	{ "no_vmcs_vmwrite", "VMWRITE without a current VMCS: VMfailInvalid",
	  test_l1, l1_no_vmcs_vmwrite },
	{ "no_vmcs_vmlaunch", "VMLAUNCH without a current VMCS: VMfailInvalid",
	  test_l1, l1_no_vmcs_vmlaunch },
	{ "no_vmcs_vmresume", "VMRESUME without a current VMCS: VMfailInvalid",
	  test_l1, l1_no_vmcs_vmresume },
	{ "vmptrst_current", "VMPTRST stores the current-VMCS pointer",
	  test_l1, l1_vmptrst_current },
	{ "vmptrst_none", "VMPTRST after VMXON stores FFFFFFFF_FFFFFFFFH",
	  test_l1, l1_vmptrst_none },
	{ "vmptrst_after_vmclear", "VMPTRST after VMCLEAR of the current VMCS: all ones",
	  test_l1, l1_vmptrst_after_vmclear },
};

SCENARIO_MAIN(vmx_requirements, scenarios)
