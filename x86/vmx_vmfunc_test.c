// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx_vmfunc_test: L2's VMFUNC and EPTP switching, VM function 0 (Intel SDM
 * Vol. 3C 26.5.6 "VM Functions", 26.5.6.3 "EPTP Switching"; 25.6.14
 * "VM-Function Controls"; Vol. 2B VMFUNC).
 *
 * L1 builds two EPTs for L2 that differ in one page: TARGET_GPA is
 * L1's page 0 in EPT 0 and page 1 in EPT 1, each holding its own mark.
 * L2 starts on EPT 0 with "enable VM functions", VM-function control bit 0
 * ("EPTP switching") and an EPTP list page: entry 0 and 1 the two EPTPs,
 * entry 2 an EPTP with a reserved memory type, the rest 0 (not valid
 * either).  L2 reads TARGET_VA, executes VMFUNC with the function in EAX
 * and the list index in ECX, reads TARGET_VA again and executes VMCALL.
 *
 * - A valid entry: VMFUNC loads it as EPTP without a VM exit; L2's second
 *   read sees the other page and L1 reads the new EPT_POINTER.
 * - An index of 512 or more, or an entry that is not a valid EPTP (the
 *   VM-entry checks of 27.2.1.1 on an EPTP): VM exit 59, the EPTP
 *   unchanged, GUEST_RIP at the VMFUNC.
 * - EAX = 1, whose VM-function control bit is 0: VM exit 59.
 * - EAX = 64: #UD, as with "enable VM functions" 0 (Vol. 2B VMFUNC,
 *   Exceptions); L1's exception bitmap turns it into exit 0.
 *
 * KVM offers "enable VM functions" to L1 when the processor has it and
 * emulates EPTP switching (handle_vmfunc(), nested_vmx_eptp_switching()):
 * its VMCS for L2 sets no VM-function control, so every VMFUNC of L2
 * exits to L0.
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_vm.h"
#include "x86/l2_paging.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

#define TARGET_VA		0xc0a03000ull
/* Beyond every memslot: only the two EPTs map it. */
#define TARGET_GPA		0x7f003000ull
#define MARK(i)			(0x3a3a000000000000ull | (i))
/* The list entry with a reserved memory type (SDM Vol. 3C 25.6.11). */
#define INVALID_ENTRY		2
#define EPT_MT_RESERVED		2ull

/*
 * L2: RBX = the mark before VMFUNC, RDX = the mark after it, both read at
 * RDI; EAX and ECX are VMFUNC's operands.
 */
asm(".pushsection .text, \"ax\"\n"
    "l2_vmfunc:\n"
    "	movq (%rdi), %rbx\n"
    "l2_vmfunc_insn:\n"
    "	vmfunc\n"
    "	movq (%rdi), %rdx\n"
    "	vmcall\n"
    "	ud2\n"
    ".popsection");
extern char l2_vmfunc[], l2_vmfunc_insn[];
#define VMFUNC_LEN		3		/* 0F 01 D4 */

struct row {
	bool enable;		/* "enable VM functions" and EPTP switching */
	uint32_t function;	/* EAX */
	uint32_t index;		/* ECX */
	uint32_t exit;		/* the exit at VMFUNC: VMCALL if none */
};

/* The scenario's row, copied into the guest before it runs. */
static struct row cfg;

/* Where L2 reads when L1 gives it no EPT: a mark L1 maps for itself. */
static uint64_t plain_mark = MARK(0);

struct fixture {
	struct l1_vmx *vmx;
	struct l2_vmcs *v;
	struct page_table ept[2];
	uint64_t *eptp_list;
};

/* Two EPTs that differ at TARGET_GPA, and the EPTP list. */
static void create_epts(struct fixture *f)
{
	for (int i = 0; i < 2; i++) {
		uint64_t *page = guest_alloc_pages(1);

		page[0] = MARK(i);
		ept_create(&f->ept[i]);
		ept_map(&f->ept[i], TARGET_GPA, (uintptr_t)page, EPT_LEAF_RWX_WB);
	}
	f->eptp_list = guest_alloc_pages(1);
	for (int i = 0; i < 2; i++)
		f->eptp_list[i] = ept_pointer(f->vmx->caps, &f->ept[i], false);
	f->eptp_list[INVALID_ENTRY] = (f->eptp_list[1] & ~7ull) | EPT_MT_RESERVED;
}

static void setup(struct fixture *f)
{
	struct page_table pt;

	f->vmx = vmx_enable();
	if (!cfg.enable) {
		f->v = l2_vmcs_create(f->vmx, &(struct l2_setup){
			.mode = L2_LONG_MODE, .entry = l2_vmfunc });
		f->v->regs.rdi = (uintptr_t)&plain_mark;
		return;
	}
	if (!(rdmsr(MSR_IA32_VMX_VMFUNC) & VMX_VMFUNC_EPTP_SWITCHING))
		GUEST_SKIP("IA32_VMX_VMFUNC lacks EPTP switching (bit 0)");
	create_epts(f);
	l2_pt_create(&pt, L2_LONG_MODE);
	l2_pt_map(&pt, TARGET_VA, TARGET_GPA);
	f->v = l2_vmcs_create(f->vmx, &(struct l2_setup){
		.mode = L2_LONG_MODE, .entry = l2_vmfunc, .cr3 = pt.root,
		.eptp = f->eptp_list[0], .proc2 = SECONDARY_EXEC_ENABLE_VMFUNC });
	vmcs_write(VM_FUNCTION_CONTROL, VMX_VMFUNC_EPTP_SWITCHING);
	vmcs_write(EPTP_LIST_ADDRESS, (uintptr_t)f->eptp_list);
	f->v->regs.rdi = TARGET_VA;
}

/* L2's VMFUNC switched to list entry @index: L2 and L1 both see it (26.5.6.3). */
static void assert_switched(struct fixture *f, uint32_t index, bool rule)
{
	if (rule)
		GUEST_ASSERT_RULE(f->v->regs.rdx, MARK(index), MARK(!index));
	else
		GUEST_ASSERT_EQ(f->v->regs.rdx, MARK(index));
	GUEST_ASSERT_EQ(f->v->regs.rbx, MARK(!index));
	GUEST_ASSERT_EQ(vmcs_read(EPT_POINTER), f->eptp_list[index]);
}

/* A valid entry switches without an exit; switching back works the same. */
static void switches(struct fixture *f, uint32_t reason)
{
	vmx_assert_exit(reason, EXIT_REASON_VMCALL);
	assert_switched(f, cfg.index, true);

	vmcs_write(GUEST_RIP, (uintptr_t)l2_vmfunc);
	f->v->regs.rcx = !cfg.index;
	vmx_assert_exit(vmx_run(f->vmx, f->v), EXIT_REASON_VMCALL);
	assert_switched(f, !cfg.index, false);
}

/*
 * VM exit 59 at the VMFUNC, before it changed anything (26.5.6.3: "the
 * VMFUNC instruction causes a VM exit" if the index is out of range or the
 * entry is invalid; 26.5.6: when the function's control bit is 0).  L1
 * skips the instruction and L2 reads the page of EPT 0 again.
 */
static void exits(struct fixture *f, uint32_t reason)
{
	vmx_assert_exit_rule(reason, EXIT_REASON_VMFUNC, EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_RIP), (uintptr_t)l2_vmfunc_insn);
	GUEST_ASSERT_EQ(vmcs_read(EPT_POINTER), f->eptp_list[0]);
	GUEST_ASSERT_EQ(vmcs_read(VM_EXIT_INSTRUCTION_LEN), VMFUNC_LEN);
	vmx_skip_instruction();
	vmx_assert_exit(vmx_run(f->vmx, f->v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(f->v->regs.rdx, MARK(0));
}

/* #UD at the VMFUNC (Vol. 2B VMFUNC, Exceptions), which exits to L1. */
static void faults(uint32_t reason)
{
	vmx_assert_exit_rule(reason, EXIT_REASON_EXCEPTION_NMI, EXIT_REASON_VMFUNC);
	GUEST_ASSERT_EQ(vmcs_read(VM_EXIT_INTR_INFO) & INTR_INFO_VECTOR_MASK, UD_VECTOR);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_RIP), (uintptr_t)l2_vmfunc_insn);
}

static void l1_code(void)
{
	struct fixture f;
	uint32_t reason;

	setup(&f);
	f.v->regs.rax = cfg.function;
	f.v->regs.rcx = cfg.index;
	reason = vmx_run(f.vmx, f.v);
	switch (cfg.exit) {
	case EXIT_REASON_VMCALL:
		switches(&f, reason);
		break;
	case EXIT_REASON_VMFUNC:
		exits(&f, reason);
		break;
	default:
		faults(reason);
	}
	vmx_disable(f.vmx);
	GUEST_DONE();
}

/* IA32_VMX_VMFUNC as KVM reports it; 0 if it is not among the feature MSRs. */
static uint64_t host_vmx_vmfunc(void)
{
	const struct kvm_msr_list *list = kvm_get_feature_msr_index_list();

	for (uint32_t i = 0; i < list->nmsrs; i++)
		if (list->indices[i] == MSR_IA32_VMX_VMFUNC)
			return kvm_get_feature_msr(MSR_IA32_VMX_VMFUNC);
	return 0;
}

static const char *row_problem(const struct row *r)
{
	const char *problem;
	struct vmx_caps caps;

	if (!r->enable)
		return NULL;
	problem = vmx_needs_problem(NEED_EPT);
	if (problem)
		return problem;
	TEST_ASSERT(host_vmx_caps(&caps), "VMX capabilities");
	if (!vmx_has_proc2(&caps, SECONDARY_EXEC_ENABLE_VMFUNC))
		return "KVM offers L1 no \"enable VM functions\" (IA32_VMX_PROCBASED_CTLS2 bit 45)";
	if (!(host_vmx_vmfunc() & VMX_VMFUNC_EPTP_SWITCHING))
		return "KVM offers L1 no EPTP switching (IA32_VMX_VMFUNC bit 0)";
	return NULL;
}

static void run_row(const struct scenario *s)
{
	const struct row *r = s->arg;
	const char *problem = row_problem(r);

	__TEST_REQUIRE(!problem, "%s", problem);
	l1_run_row(l1_code, 0, cfg, r);
}

#define ROW(name, purpose, enable, function, index, exit)			\
	{ name, purpose, run_row, &(const struct row){ enable, function, index, exit } }

static const struct scenario scenarios[] = {
	ROW("eptp_switch", "VMFUNC(0, 1): L2 sees EPT 1's page, L1 its EPTP; and back",
	    true, 0, 1, EXIT_REASON_VMCALL),
	ROW("eptp_index_512", "VMFUNC(0, 512): exit 59, EPTP unchanged",
	    true, 0, VMFUNC_EPTP_ENTRIES, EXIT_REASON_VMFUNC),
	ROW("eptp_invalid_entry", "VMFUNC(0, i), entry i an invalid EPTP: exit 59, no switch",
	    true, 0, INVALID_ENTRY, EXIT_REASON_VMFUNC),
	ROW("eptp_zero_entry", "VMFUNC(0, 3), entry 3 zero: exit 59, no switch",
	    true, 0, 3, EXIT_REASON_VMFUNC),
	ROW("function_1_disabled", "VMFUNC(1), VM-function control bit 1 clear: exit 59",
	    true, 1, 1, EXIT_REASON_VMFUNC),
	ROW("function_64_ud", "VMFUNC(64): #UD, no exit 59",
	    true, 64, 1, EXIT_REASON_EXCEPTION_NMI),
	ROW("vmfunc_disabled_ud", "VMFUNC with \"enable VM functions\" 0: #UD",
	    false, 0, 1, EXIT_REASON_EXCEPTION_NMI),
};

SCENARIO_MAIN(vmx_requirements, scenarios)
