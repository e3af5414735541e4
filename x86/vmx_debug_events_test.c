// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx_debug_events_test: debug and event state L1 puts in or reads from
 * its VMCS for L2, which KVM must merge into its own VMCS or emulate:
 *
 * - the monitor trap flag (SDM Vol. 3C 26.5.2 "Monitor Trap Flag"), alone
 *   and with RFLAGS.TF, where the single-step trap is left pending and
 *   saved in GUEST_PENDING_DBG_EXCEPTIONS (28.3.4 "Saving Non-Register
 *   State"), both for an instruction the processor executes and for one
 *   L0 emulates for L2 (KVM synthesizes the MTF exit: the
 *   nested_vmx_update_pending_dbg() path);
 * - single-step traps (Vol. 3A 17.3.1.4) that L0 must produce or keep for
 *   L2: after an instruction L0 emulates (a #DB exit with BS), and when an
 *   INIT signal reaches the vCPU in L2 while the trap is pending (an INIT
 *   exit that saves BS in GUEST_PENDING_DBG_EXCEPTIONS, 28.3.4; KVM's
 *   nested_vmx_update_pending_dbg());
 * - event injection (27.6 "Event Injection"): a hardware exception, one
 *   with an error code and a software interrupt with its instruction
 *   length, delivered through L2's own IDT to handlers that report the
 *   vector, the error code and the return address with VMCALL;
 * - IDT-vectoring information (28.2.4 "Information for VM Exits That
 *   Occur During Event Delivery"): an injected event whose delivery faults
 *   (L2's IDT unmapped in L1's EPT, or L2's stack unmapped) exits with the
 *   event in IDT_VECTORING_INFO_FIELD; L1 repairs the cause, re-injects it
 *   and L2's handler runs;
 * - the VMX-preemption timer value saved at VM exit (26.5.1 "VMX-Preemption
 *   Timer", 28.3.4): the value saved is at most the one loaded, and without
 *   the "save VMX-preemption timer value" exit control the field keeps it.
 *   A large value is loaded and L2 exits at once with VMCALL: nothing
 *   waits for the timer, nothing depends on how fast L0 is.
 *
 * Every L2 exception exits to L1 (the exception bitmap is all ones), but
 * injected events do not consult the exception bitmap (27.6.1), so they
 * reach L2's handlers.  The rows where L0 must save a pending single step
 * itself first check that the CPU under L0 clears the field at a VMCALL
 * exit: one that saves it at every exit makes their rule unfalsifiable.
 *
 * Not covered: a VM exit during MOV-SS blocking of a single-step trap
 * (POPF setting TF, MOV SS, VMCALL: 28.3.4 saves BS).  In the Bochs lab L1
 * sees a #DB exit at the MOV SS instead of the VMCALL exit, and a VM entry
 * loading RFLAGS.TF=1 gives a #DB before L2's first instruction; KVM has no
 * code that raises either, so the emulator is suspected (not isolated).
 */
#include <linux/stringify.h>

#include "emulator_flaws.h"
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_vm.h"
#include "x86/l2_paging.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

#define RFLAGS_TF		0x100		/* RFLAGS.TF, bit 8 */
#define SOFT_INT_VECTOR		0x80
#define SOFT_INT_LEN		2		/* "int $0x80": CD 80 */
#define ERROR_CODE		0x1234		/* bits 31:16 must be 0 (27.2.1.3) */
#define NO_VECTOR		0xffffull	/* RBX before any handler ran */
#define TIMER_LOADED		0xfffffff0u
/* L2's loop count before its VMCALL in the preemption-timer scenarios. */
#define TIMER_SPIN		(1u << 20)
/* L2 writes here to stop at the host, still in guest mode. */
#define L2_HOST_PORT		0x7e57
/* Not mapped by L1's page tables: L2's stack there makes event delivery fault. */
#define UNMAPPED_STACK		0x0000400000000000ull
/* The fields of an interruption information that VM entry may be given again. */
#define INTR_INFO_EVENT		(INTR_INFO_VALID_MASK | INTR_INFO_DELIVER_CODE_MASK | \
				 INTR_INFO_INTR_TYPE_MASK | INTR_INFO_VECTOR_MASK)

/*
 * L2 sets RFLAGS.TF with POPF: the instruction after the POPF is the first
 * one single-stepped (Vol. 3A 17.3.1.4, Single-Step Exception Condition).
 * The single-step scenarios start L2 with TF=0 and let it set TF itself:
 * in the lab, a VM entry that loads TF=1 (L1's GUEST_RFLAGS) makes L1 see
 * a #DB before L2's first instruction executes, where the single-step
 * trap belongs after it.
 */
#define L2_SET_TF							\
	"	pushfq\n"						\
	"	orq $" __stringify(RFLAGS_TF) ", (%rsp)\n"		\
	"	popfq\n"

/*
 * L2's code.  l2_nops and l2_rdmsr are where MTF scenarios start; l2_idle
 * is where injection scenarios start (an event delivered at VM entry runs
 * a handler before it).  The handlers report the vector in RBX, the error
 * code in RDX (0 without one) and the return address in RSI, then VMCALL:
 * L1 ends the scenario there, so they never return.
 */
asm(".pushsection .text, \"ax\"\n"
    "l2_nops:\n"
    "	nop\n"
    "	nop\n"
    "	nop\n"
    "	vmcall\n"
    "	ud2\n"
    "l2_rdmsr:\n"
    "	rdmsr\n"
    "	nop\n"
    "	vmcall\n"
    "	ud2\n"
    "l2_step_rdmsr:\n"
    L2_SET_TF
    "	rdmsr\n"
    "l2_step_rdmsr_next:\n"
    "	nop\n"
    "	vmcall\n"
    "	ud2\n"
    "l2_step_vmcall:\n"
    L2_SET_TF
    "	vmcall\n"
    "	ud2\n"
    "l2_step_out:\n"
    L2_SET_TF
    "	outb %al, %dx\n"
    "l2_step_out_next:\n"
    "	nop\n"
    "	vmcall\n"
    "	ud2\n"
    "l2_idle:\n"
    "	vmcall\n"
    "	ud2\n"
    "l2_spin:\n"
    "	dec %rcx\n"
    "	jnz l2_spin\n"
    "	vmcall\n"
    "	ud2\n"
    "l2_handler_ud:\n"
    "	movl $" __stringify(UD_VECTOR) ", %ebx\n"
    "	xorl %edx, %edx\n"
    "	movq (%rsp), %rsi\n"
    "	vmcall\n"
    "	ud2\n"
    "l2_handler_db:\n"
    "	movl $" __stringify(DB_VECTOR) ", %ebx\n"
    "	xorl %edx, %edx\n"
    "	movq (%rsp), %rsi\n"
    "	vmcall\n"
    "	ud2\n"
    "l2_handler_gp:\n"
    "	movl $" __stringify(GP_VECTOR) ", %ebx\n"
    "	popq %rdx\n"
    "	movq (%rsp), %rsi\n"
    "	vmcall\n"
    "	ud2\n"
    "l2_handler_soft:\n"
    "	movl $" __stringify(SOFT_INT_VECTOR) ", %ebx\n"
    "	xorl %edx, %edx\n"
    "	movq (%rsp), %rsi\n"
    "	vmcall\n"
    "	ud2\n"
    ".popsection");
extern char l2_nops[], l2_rdmsr[], l2_idle[], l2_spin[];
extern char l2_step_rdmsr[], l2_step_rdmsr_next[];
extern char l2_step_out[], l2_step_out_next[], l2_step_vmcall[];
extern char l2_handler_db[], l2_handler_ud[], l2_handler_gp[], l2_handler_soft[];

/* A row's needs beyond enum vmx_need's. */
#define NEED_MTF		(1u << 16)

struct row {
	void (*l1)(void);
	unsigned int needs;	/* enum vmx_need, NEED_MTF */
};

/* An interrupt gate of L2's IDT (SDM Vol. 3A 6.14.1, 64-bit IDT gate descriptors). */
static void set_gate(struct idt_entry *idt, int vector, void *handler)
{
	uint64_t addr = (uintptr_t)handler;

	idt[vector] = (struct idt_entry){
		.offset0 = addr & 0xffff, .selector = get_cs(), .type = 14, .p = 1,
		.offset1 = (addr >> 16) & 0xffff, .offset2 = addr >> 32,
	};
}

/* An IDT page of its own for L2, with the handlers above. */
static uint64_t l2_idt_create(void)
{
	struct idt_entry *idt = guest_alloc_pages(1);

	set_gate(idt, DB_VECTOR, l2_handler_db);
	set_gate(idt, UD_VECTOR, l2_handler_ud);
	set_gate(idt, GP_VECTOR, l2_handler_gp);
	set_gate(idt, SOFT_INT_VECTOR, l2_handler_soft);
	vmcs_write(GUEST_IDTR_BASE, (uintptr_t)idt);
	vmcs_write(GUEST_IDTR_LIMIT, 256 * sizeof(*idt) - 1);
	return (uintptr_t)idt;
}

static struct l2_vmcs *l2_create(struct l1_vmx *vmx, void *entry, uint32_t proc)
{
	return l2_vmcs_create(vmx, &(struct l2_setup){
		.mode = L2_LONG_MODE, .entry = entry, .proc = proc });
}

/*
 * A VM exit for VMCALL clears GUEST_PENDING_DBG_EXCEPTIONS (28.3.4: it is
 * saved only for INIT, SMI, MTF and the other listed exits), even with
 * RFLAGS.TF set.  A CPU that saves L2's single-step state there at every
 * exit leaves a stale BS in vmcs02, which KVM copies to vmcs12 at any exit:
 * then a BS that L0 must save itself is seen whether or not L0 saved it,
 * and the scenario could not fail at its rule.  Bochs 2.7 does that
 * (NST_EMULATOR=bochs-2.7: the scenario skips); anywhere else a stale BS is
 * KVM's and fails here.
 */
static void assert_vmcall_clears_pending_dbg(struct l1_vmx *vmx)
{
	struct l2_vmcs *v = l2_create(vmx, l2_step_vmcall, 0);
	uint64_t pending_at_vmcall_exit;

	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	pending_at_vmcall_exit = vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS);
	GUEST_ASSERT_RULE_UNLESS_FLAW(EMULATOR_FLAW_PENDING_DBG_SAVED_AT_EVERY_EXIT,
				      pending_at_vmcall_exit, 0,
				      "a VMCALL exit saved pending debug exceptions, which it "
				      "must clear");
}

/*
 * MTF (26.5.2): with "monitor trap flag" 1 and no event injected, a VM
 * exit with reason 37 is pending after the first instruction L2 executes;
 * GUEST_RIP then points at the second.
 */
static void l1_mtf_one_instruction(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = l2_create(vmx, l2_nops, CPU_BASED_MONITOR_TRAP);

	vmx_assert_exit_rule(vmx_run(vmx, v), EXIT_REASON_MONITOR_TRAP_FLAG, EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_RIP), (uintptr_t)l2_nops + 1);
	/* No single-step: nothing is pending (28.3.4, the field of an MTF exit). */
	GUEST_ASSERT_EQ(vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS), 0);
	vmx_disable(vmx);
	GUEST_DONE();
}

/*
 * MTF with RFLAGS.TF=1: after the instruction both the single-step trap
 * and the MTF exit are pending; MTF exits take priority over debug-trap
 * exceptions (26.5.2), so L1 sees exit 37 with the trap still pending,
 * saved as BS (bit 14) in GUEST_PENDING_DBG_EXCEPTIONS (28.3.4: the field
 * is saved, not cleared, for MTF exits; BS is set when TF=1 and the
 * pending exception is a single step).  @entry's first instruction is a
 * NOP, which the processor executes, or an RDMSR of an MSR that L1 does not
 * intercept but L0 does: L0 emulates it and must then produce the MTF exit
 * and the pending single step itself.
 */
static void mtf_single_step(void *entry)
{
	struct l1_vmx *vmx = vmx_enable();
	uint64_t pending_at_mtf_exit;
	struct l2_vmcs *v;

	if (entry == l2_rdmsr)
		assert_vmcall_clears_pending_dbg(vmx);
	v = l2_create(vmx, entry, CPU_BASED_MONITOR_TRAP);
	v->regs.rcx = MSR_IA32_MISC_ENABLE;
	vmcs_write(GUEST_RFLAGS, vmcs_read(GUEST_RFLAGS) | RFLAGS_TF);
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_MONITOR_TRAP_FLAG);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_RIP), (uintptr_t)entry + (entry == l2_rdmsr ? 2 : 1));
	pending_at_mtf_exit = vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS);
	GUEST_ASSERT_RULE(pending_at_mtf_exit, DR6_BS, 0);
	vmx_disable(vmx);
	GUEST_DONE();
}

static void l1_mtf_single_step(void)
{
	mtf_single_step(l2_nops);
}

static void l1_mtf_single_step_emulated(void)
{
	mtf_single_step(l2_rdmsr);
}

/*
 * Single-step over an RDMSR of an MSR L1 does not intercept and L0 does:
 * L0 emulates it and must then raise L2's single-step trap itself (Vol. 3A
 * 17.3.1.4, Single-Step Exception Condition), which L1's exception bitmap
 * turns into exit 0, vector 1, past the RDMSR, with BS in the exit
 * qualification (Vol. 3C 28.2.1, Table 28-1: the DR6 bits of a #DB).
 */
static void l1_single_step_emulated(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = l2_create(vmx, l2_step_rdmsr, 0);

	v->regs.rcx = MSR_IA32_MISC_ENABLE;
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_EXCEPTION_NMI);
	GUEST_ASSERT_EQ(vmcs_read(VM_EXIT_INTR_INFO) & INTR_INFO_VECTOR_MASK, DB_VECTOR);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_RIP), (uintptr_t)l2_step_rdmsr_next);
	GUEST_ASSERT_RULE(vmcs_read(EXIT_QUALIFICATION) & DR6_BS, DR6_BS, 0);
	vmx_disable(vmx);
	GUEST_DONE();
}

/*
 * An INIT signal while L2 single-steps.  L2 (TF=1) writes to
 * L2_HOST_PORT, which L0 completes for the host; the host then latches an
 * INIT for the vCPU (KVM_SET_VCPU_EVENTS), still in L2.  At the next
 * instruction boundary the single-step trap of the OUT is pending and the
 * INIT, of higher priority (Vol. 3A 6.9, Table 6-2), causes a VM exit
 * (Vol. 3C 26.2, Other Causes of VM Exits: INIT signals) that saves the
 * trap as BS in GUEST_PENDING_DBG_EXCEPTIONS (28.3.4: the field is saved,
 * not cleared, for INIT exits).  Whether L1 intercepts #DB does not matter:
 * the trap has not been delivered.  In KVM, the INIT reaches L1 through
 * vmx_check_nested_events(), which first writes the pending #DB to the
 * field (nested_vmx_update_pending_dbg()).
 */
static void single_step_init(bool intercept_db)
{
	struct l1_vmx *vmx = vmx_enable();
	uint64_t pending_at_init_exit;
	struct l2_vmcs *v;

	assert_vmcall_clears_pending_dbg(vmx);
	v = l2_create(vmx, l2_step_out, 0);
	l2_idt_create();
	if (!intercept_db)
		vmcs_write(EXCEPTION_BITMAP, ~(1u << DB_VECTOR));
	v->regs.rdx = L2_HOST_PORT;
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_INIT_SIGNAL);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_RIP), (uintptr_t)l2_step_out_next);
	pending_at_init_exit = vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS);
	GUEST_ASSERT_RULE(pending_at_init_exit, DR6_BS, 0);
	vmx_disable(vmx);
	GUEST_DONE();
}

static void l1_single_step_init(void)
{
	single_step_init(false);
}

static void l1_single_step_init_db_exiting(void)
{
	single_step_init(true);
}

/* Enters L2 at l2_idle injecting @info; returns the exit reason. */
static uint32_t run_injected(struct l1_vmx *vmx, struct l2_vmcs *v, uint32_t info,
			     uint32_t error_code, uint32_t insn_len)
{
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
	vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, error_code);
	vmcs_write(VM_ENTRY_INSTRUCTION_LEN, insn_len);
	v->regs.rbx = NO_VECTOR;
	v->regs.rdx = ~0ull;
	return vmx_run(vmx, v);
}

/*
 * Injection at VM entry (27.6.1.1): the event is delivered through L2's
 * IDT as if it occurred right after the entry; an exception with "deliver
 * error code" pushes the error code from VM_ENTRY_EXCEPTION_ERROR_CODE; a
 * hardware exception pushes GUEST_RIP, a software interrupt GUEST_RIP plus
 * VM_ENTRY_INSTRUCTION_LEN (27.6.1.2).  Every VM exit clears the valid bit
 * of the VM-entry interruption-information field (28.2, Recording VM-Exit
 * Information and Updating VM-Entry Control Fields).
 */
static void l1_inject(uint32_t type, uint32_t vector, bool error_code, uint32_t insn_len)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = l2_create(vmx, l2_idle, 0);
	uint32_t info = INTR_INFO_VALID_MASK | type << INTR_INFO_INTR_TYPE_SHIFT | vector |
			(error_code ? INTR_INFO_DELIVER_CODE_MASK : 0);

	l2_idt_create();
	vmx_assert_exit(run_injected(vmx, v, info, ERROR_CODE, insn_len), EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(vmcs_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK, 0);
	switch (type) {
	case INTR_TYPE_SOFT_INTR:
		GUEST_ASSERT_EQ(v->regs.rbx, vector);
		GUEST_ASSERT_RULE(v->regs.rsi, (uintptr_t)l2_idle + insn_len,
				  (uintptr_t)l2_idle);
		break;
	default:
		if (error_code) {
			GUEST_ASSERT_EQ(v->regs.rbx, vector);
			GUEST_ASSERT_RULE(v->regs.rdx, ERROR_CODE, 0);
		} else {
			GUEST_ASSERT_RULE(v->regs.rbx, vector, NO_VECTOR);
		}
		GUEST_ASSERT_EQ(v->regs.rsi, (uintptr_t)l2_idle);
	}
	vmx_disable(vmx);
	GUEST_DONE();
}

static void l1_inject_ud(void)
{
	l1_inject(INTR_TYPE_HARD_EXCEPTION, UD_VECTOR, false, 0);
}

static void l1_inject_gp_error_code(void)
{
	l1_inject(INTR_TYPE_HARD_EXCEPTION, GP_VECTOR, true, 0);
}

static void l1_inject_soft_int(void)
{
	l1_inject(INTR_TYPE_SOFT_INTR, SOFT_INT_VECTOR, false, SOFT_INT_LEN);
}

#define GP_INJECTED	(INTR_INFO_VALID_MASK | INTR_INFO_DELIVER_CODE_MASK |		\
			 INTR_TYPE_HARD_EXCEPTION << INTR_INFO_INTR_TYPE_SHIFT | GP_VECTOR)

/*
 * The delivery of an injected #GP faulted; the VM exit reports the #GP in
 * the IDT-vectoring information with its error code (28.2.4).  L1 has
 * repaired the cause: it re-injects the event as the IDT-vectoring fields
 * give it (28.2.4: "the VMM can re-inject the event") and L2's #GP handler
 * runs with the original error code.
 */
static void reinject(struct l1_vmx *vmx, struct l2_vmcs *v)
{
	uint32_t info = vmcs_read(IDT_VECTORING_INFO_FIELD);

	GUEST_ASSERT_RULE(info & INTR_INFO_EVENT, GP_INJECTED, 0);
	GUEST_ASSERT_EQ(vmcs_read(IDT_VECTORING_ERROR_CODE), ERROR_CODE);
	vmx_assert_exit(run_injected(vmx, v, info & INTR_INFO_EVENT,
				     vmcs_read(IDT_VECTORING_ERROR_CODE), 0),
			EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(v->regs.rbx, GP_VECTOR);
	GUEST_ASSERT_EQ(v->regs.rdx, ERROR_CODE);
}

/*
 * L2's IDT page has no EPT mapping: reading the #GP gate is an EPT
 * violation during event delivery (29.3.3.2), so the exit is 48 with the
 * #GP in the IDT-vectoring information.  L1 maps the page again (the
 * violation invalidated the cached translations, 29.4.3.1) and re-injects.
 */
static void l1_idt_vectoring_ept(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct page_table ept;
	struct l2_vmcs *v;
	uint64_t eptp, idt;

	ept_create(&ept);
	eptp = ept_pointer(vmx->caps, &ept, false);
	v = l2_vmcs_create(vmx, &(struct l2_setup){
		.mode = L2_LONG_MODE, .entry = l2_idle, .eptp = eptp });
	idt = l2_idt_create();
	ept_set_flags(&ept, idt, 0);
	ept_invalidate(vmx_has_invept(vmx->caps, VMX_EPT_EXTENT_CONTEXT) ?
		       VMX_EPT_EXTENT_CONTEXT : VMX_EPT_EXTENT_GLOBAL, eptp);
	vmx_assert_exit(run_injected(vmx, v, GP_INJECTED, ERROR_CODE, 0),
			EXIT_REASON_EPT_VIOLATION);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_PHYSICAL_ADDRESS), idt + GP_VECTOR * 16);
	ept_set_flags(&ept, idt, EPT_LEAF_RWX_WB);
	reinject(vmx, v);
	vmx_disable(vmx);
	GUEST_DONE();
}

/*
 * L2's RSP points at an address L2's paging does not map: pushing the
 * #GP's frame page-faults, a #PF after a contributory exception is
 * delivered serially (Vol. 3A 6.15, Table 6-5), and L1's exception bitmap
 * makes that #PF exit (exit 0, vector 14) with the #GP in the
 * IDT-vectoring information.  L1 gives L2 a mapped stack and re-injects.
 * No EPT: this runs whatever L0's paging.
 */
static void l1_idt_vectoring_stack(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = l2_create(vmx, l2_idle, 0);
	uint64_t stack = vmcs_read(GUEST_RSP);
	uint32_t exit_info;

	l2_idt_create();
	vmcs_write(GUEST_RSP, UNMAPPED_STACK);
	vmx_assert_exit(run_injected(vmx, v, GP_INJECTED, ERROR_CODE, 0),
			EXIT_REASON_EXCEPTION_NMI);
	exit_info = vmcs_read(VM_EXIT_INTR_INFO);
	GUEST_ASSERT_EQ(exit_info & INTR_INFO_VECTOR_MASK, PF_VECTOR);
	/* CR2: in the page below the stack top, where the frame goes. */
	GUEST_ASSERT_EQ(vmcs_read(EXIT_QUALIFICATION) & PAGE_MASK, UNMAPPED_STACK - PAGE_SIZE);
	vmcs_write(GUEST_RSP, stack);
	reinject(vmx, v);
	vmx_disable(vmx);
	GUEST_DONE();
}

/*
 * The VMX-preemption timer (26.5.1) counts down from the value VM entry
 * loaded, by one every 2^X TSC cycles (X = IA32_VMX_MISC bits 4:0, 5 in
 * KVM's emulation); a VM exit with "save VMX-preemption timer value"
 * stores the current value in the field (28.3.4).  L2 spins for 2^20
 * iterations before its VMCALL: at least 2^19 TSC cycles on any CPU, so
 * the saved value must be below the loaded one, however loaded the host.
 * Without that control the field is left as L1 wrote it, although the
 * timer moved.  The loaded value is about 2^37 TSC cycles at that rate:
 * L2's VMCALL always comes first.
 */
static void preemption_timer(bool save)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = l2_vmcs_create(vmx, &(struct l2_setup){
		.mode = L2_LONG_MODE, .entry = l2_spin,
		.exit = save ? VM_EXIT_SAVE_VMX_PREEMPTION_TIMER : 0 });
	uint64_t value;

	v->regs.rcx = TIMER_SPIN;
	l2_vmcs_timer_start(v, TIMER_LOADED);
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(v->regs.rcx, 0);
	value = vmcs_read(VMX_PREEMPTION_TIMER_VALUE);
	if (save)
		GUEST_ASSERT_RULE(value < TIMER_LOADED, true, false);
	else
		GUEST_ASSERT_RULE(value, TIMER_LOADED, 0);
	vmx_disable(vmx);
	GUEST_DONE();
}

static void l1_timer_saved(void)
{
	preemption_timer(true);
}

static void l1_timer_not_saved(void)
{
	preemption_timer(false);
}

static void run_row(const struct scenario *s)
{
	const struct row *r = s->arg;
	const char *problem = vmx_needs_problem(r->needs & ~NEED_MTF);
	struct vmx_caps caps;

	__TEST_REQUIRE(!problem, "%s", problem);
	TEST_ASSERT(host_vmx_caps(&caps), "VMX capabilities");
	__TEST_REQUIRE(!(r->needs & NEED_MTF) ||
		       vmx_ctl_allowed1(&caps, VMX_CTL_PROC, CPU_BASED_MONITOR_TRAP),
		       "KVM offers L1 no monitor trap flag (IA32_VMX_PROCBASED_CTLS bit 59)");
	vcpu_run_to_done(l1_vm_create(r->l1, 0));
}

/* Runs L1 until its L2 writes to L2_HOST_PORT: the host sees L2's exit. */
static void run_to_l2_port(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	for (int i = 0; i < 1000; i++) {
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason == KVM_EXIT_IO &&
		    vcpu->run->io.port == L2_HOST_PORT)
			return;
		TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
		if (get_ucall(vcpu, &uc) == UCALL_ABORT)
			REPORT_GUEST_ASSERT(uc);
		TEST_ASSERT(!l1_ucall_returns(&uc), "L1 ended before L2 wrote to port %#x",
			    L2_HOST_PORT);
	}
	TEST_FAIL("more than 1000 GUEST_PRINTFs before L2 wrote to port %#x", L2_HOST_PORT);
}

/*
 * The INIT: KVM latches it for a vCPU whose in-kernel local APIC gets it
 * (Documentation/virt/kvm/api.rst, KVM_SET_VCPU_EVENTS: smi.latched_init);
 * the vCPU is in L2 (stopped at L2's port write).
 */
static void run_init(const struct scenario *s)
{
	const struct row *r = s->arg;
	struct kvm_vcpu_events events;
	struct kvm_vcpu *vcpu;

	__TEST_REQUIRE(kvm_has_cap(KVM_CAP_VCPU_EVENTS), "KVM lacks KVM_CAP_VCPU_EVENTS");
	vcpu = l1_vm_create(r->l1, 0);
	run_to_l2_port(vcpu);
	vcpu_events_get(vcpu, &events);
	TEST_ASSERT(events.flags & KVM_VCPUEVENT_VALID_SMM, "no latched INIT in vCPU events");
	events.smi.latched_init = 1;
	vcpu_events_set(vcpu, &events);
	vcpu_run_to_done(vcpu);
}

#define ROW(name, purpose, fn, needs)						\
	{ name, purpose, run_row, &(const struct row){ fn, needs } }

static const struct scenario scenarios[] = {
	ROW("mtf_one_instruction", "MTF: exit 37 after one L2 instruction",
	    l1_mtf_one_instruction, NEED_MTF),
	ROW("mtf_single_step", "MTF + TF over a NOP: exit 37, pending single step (BS) saved",
	    l1_mtf_single_step, NEED_MTF),
	ROW("mtf_single_step_emulated",
	    "MTF + TF over an RDMSR L0 emulates: exit 37, pending single step (BS) saved",
	    l1_mtf_single_step_emulated, NEED_MTF),
	ROW("single_step_emulated", "TF over an RDMSR L0 emulates: #DB exit past it, BS",
	    l1_single_step_emulated, 0),
	{ "single_step_init", "TF over an OUT, then INIT: exit 3, pending single step (BS) saved",
	  run_init, &(const struct row){ l1_single_step_init, 0 } },
	{ "single_step_init_db_exiting",
	  "the same with #DB exiting: exit 3, BS saved (the trap was not delivered)",
	  run_init, &(const struct row){ l1_single_step_init_db_exiting, 0 } },
	ROW("inject_ud", "VM entry injects #UD: L2's handler runs at GUEST_RIP",
	    l1_inject_ud, 0),
	ROW("inject_gp_error_code", "VM entry injects #GP: L2's handler gets the error code",
	    l1_inject_gp_error_code, 0),
	ROW("inject_soft_int", "VM entry injects INT 0x80: return address past its length",
	    l1_inject_soft_int, 0),
	ROW("idt_vectoring_ept", "injected #GP, IDT not in EPT: exit 48 with it, re-injected",
	    l1_idt_vectoring_ept, NEED_EPT),
	ROW("idt_vectoring_stack", "injected #GP, stack unmapped: #PF exit with it, re-injected",
	    l1_idt_vectoring_stack, 0),
	ROW("timer_value_saved", "preemption timer value saved at exit: at most the one loaded",
	    l1_timer_saved, NEED_TIMER),
	ROW("timer_value_not_saved", "without the save control the timer field keeps its value",
	    l1_timer_not_saved, NEED_TIMER),
};

SCENARIO_MAIN(vmx_requirements, scenarios)
