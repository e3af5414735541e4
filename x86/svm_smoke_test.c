// SPDX-License-Identifier: GPL-2.0-only
/*
 * svm_smoke_test: L1 enables SVM, runs a long-mode L2 that exits with
 * VMMCALL and resumes it many times with its GPRs intact, intercepts an
 * MSR through the MSR permission map and an I/O port through the I/O
 * permission map, and checks the #VMEXIT codes of intercepted
 * instructions, of an intercepted exception and of VMRUN with an illegal
 * vmcb12 (AMD APM Vol. 2, chapter 15).
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_vm.h"
#include "x86/svm_l2.h"
#include "x86/svm_requirements.h"

#define NR_VMMCALLS	200
#define VMMCALL_LEN	3
#define RDMSR_LEN	2
#define TEST_PORT	0x1234
/* A 16-bit OUT to TEST_PORT - 1 also touches TEST_PORT. */
#define TEST_PORT_WORD	(TEST_PORT - 1)
#define GPR_MARK(i, r)	((i) * 0x100000001ull + (r))

static struct l2_vmcb *long_mode_l2(struct l1_svm *svm, void *entry, uint64_t intercept)
{
	return l2_vmcb_create(svm, &(struct svm_l2_setup){
		.mode = L2_LONG_MODE, .entry = entry, .intercept = intercept });
}

static void l1_vmrun_needs_svme(void)
{
	struct l1_svm *svm = svm_enable();
	struct l2_vmcb *v = long_mode_l2(svm, NULL, 0);
	uint8_t vector;

	svm_disable(svm);
	/* APM Vol. 2 15.4 (and Vol. 3, VMRUN): SVM instructions raise #UD with EFER.SVME clear. */
	vector = kvm_asm_safe("vmrun %%rax", "a"((uintptr_t)v->vmcb));
	GUEST_ASSERT_RULE(vector, UD_VECTOR, 0);
	GUEST_DONE();
}

/*
 * L2: VMMCALL NR_VMMCALLS times, with RAX = i and the other GPRs marked
 * with i; RDX carries back what L1 put in L2's RDX at the previous exit.
 */
static void l2_vmmcall_loop(void)
{
	uint64_t back = 0;

	for (uint64_t i = 1; i <= NR_VMMCALLS; i++) {
		register uint64_t r8 asm("r8") = GPR_MARK(i, 8);
		register uint64_t r9 asm("r9") = GPR_MARK(i, 9);
		register uint64_t r10 asm("r10") = GPR_MARK(i, 10);
		register uint64_t r11 asm("r11") = GPR_MARK(i, 11);
		register uint64_t r12 asm("r12") = GPR_MARK(i, 12);
		register uint64_t r13 asm("r13") = GPR_MARK(i, 13);
		register uint64_t r14 asm("r14") = GPR_MARK(i, 14);
		register uint64_t r15 asm("r15") = GPR_MARK(i, 15);

		asm volatile("vmmcall"
			     : "+d"(back)
			     : "a"(i), "b"(GPR_MARK(i, 3)), "c"(GPR_MARK(i, 1)),
			       "S"(GPR_MARK(i, 6)), "D"(GPR_MARK(i, 7)), "r"(r8), "r"(r9),
			       "r"(r10), "r"(r11), "r"(r12), "r"(r13), "r"(r14), "r"(r15)
			     : "memory");
	}
	asm volatile("vmmcall" : : "a"(0ull), "d"(back) : "memory");
}

static void l1_vmrun_resume(void)
{
	struct l1_svm *svm = svm_enable();
	struct l2_vmcb *v = long_mode_l2(svm, l2_vmmcall_loop, 0);
	const struct vmx_l2_regs *r = &v->regs;

	for (uint64_t i = 1; i <= NR_VMMCALLS; i++) {
		/* APM 15.9 (instruction intercepts): VMMCALL exits when its intercept is set. */
		svm_assert_exit_rule(v, svm_run(svm, v), SVM_EXIT_VMMCALL, SVM_EXIT_HLT);
		/*
		 * 15.5.1, 15.6: VMRUN and #VMEXIT switch only RAX, RSP and RIP;
		 * the other GPRs are L2's as long as L1 keeps them.
		 */
		GUEST_ASSERT_RULE(r->rax, i, i + 1);
		GUEST_ASSERT_EQ(r->rdx, (i - 1) * 7);
		GUEST_ASSERT_EQ(r->rbx, GPR_MARK(i, 3));
		GUEST_ASSERT_EQ(r->rcx, GPR_MARK(i, 1));
		GUEST_ASSERT_EQ(r->rsi, GPR_MARK(i, 6));
		GUEST_ASSERT_EQ(r->rdi, GPR_MARK(i, 7));
		GUEST_ASSERT_EQ(r->r8, GPR_MARK(i, 8));
		GUEST_ASSERT_EQ(r->r9, GPR_MARK(i, 9));
		GUEST_ASSERT_EQ(r->r10, GPR_MARK(i, 10));
		GUEST_ASSERT_EQ(r->r11, GPR_MARK(i, 11));
		GUEST_ASSERT_EQ(r->r12, GPR_MARK(i, 12));
		GUEST_ASSERT_EQ(r->r13, GPR_MARK(i, 13));
		GUEST_ASSERT_EQ(r->r14, GPR_MARK(i, 14));
		GUEST_ASSERT_EQ(r->r15, GPR_MARK(i, 15));
		v->regs.rdx = i * 7;
		svm_skip_instruction(v, VMMCALL_LEN);
	}
	svm_assert_exit(v, svm_run(svm, v), SVM_EXIT_VMMCALL);
	GUEST_ASSERT_EQ(r->rax, 0);
	GUEST_ASSERT_EQ(r->rdx, NR_VMMCALLS * 7);
	svm_disable(svm);
	GUEST_DONE();
}

/* L2 for the MSR map: an intercepted RDMSR, a passed-through WRMSR, an intercepted WRMSR. */
static void l2_msr(void)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_IA32_SYSENTER_CS));
	asm volatile("wrmsr" : : "a"(lo + 1), "d"(hi), "c"(MSR_IA32_SYSENTER_CS));
	asm volatile("wrmsr" : : "a"(0x5678), "d"(0), "c"(MSR_IA32_SYSENTER_ESP));
	asm volatile("vmmcall" : : "a"(lo));
}

static void l1_msr_intercept(void)
{
	struct l1_svm *svm = svm_enable();
	struct l2_vmcb *v;

	svm_intercept_msr(svm, MSR_IA32_SYSENTER_CS, true, false);
	svm_intercept_msr(svm, MSR_IA32_SYSENTER_ESP, false, true);
	v = long_mode_l2(svm, l2_msr, 0);

	/* APM 15.11: RDMSR exits if the MSR's read bit in the MSRPM is set; EXITINFO1 = 0. */
	svm_assert_exit_rule(v, svm_run(svm, v), SVM_EXIT_MSR, SVM_EXIT_VMMCALL);
	GUEST_ASSERT_EQ(v->vmcb->control.exit_info_1, SVM_EXITINFO1_MSR_READ);
	GUEST_ASSERT_EQ(v->regs.rcx, MSR_IA32_SYSENTER_CS);
	v->regs.rax = 0x10;
	v->regs.rdx = 0;
	svm_skip_instruction(v, RDMSR_LEN);
	/* ... its WRMSR does not exit (write bit clear); the next MSR's does, EXITINFO1 = 1. */
	svm_assert_exit_rule(v, svm_run(svm, v), SVM_EXIT_MSR, SVM_EXIT_VMMCALL);
	GUEST_ASSERT_EQ(v->vmcb->control.exit_info_1, SVM_EXITINFO1_MSR_WRITE);
	GUEST_ASSERT_EQ(v->regs.rcx, MSR_IA32_SYSENTER_ESP);
	GUEST_ASSERT_EQ(v->regs.rax, 0x5678);
	/* 15.5.2: SYSENTER_CS is VMSAVE state: L2's WRMSR reached it. */
	GUEST_ASSERT_EQ(v->vmcb->save.sysenter_cs, 0x11);
	svm_skip_instruction(v, RDMSR_LEN);
	svm_assert_exit(v, svm_run(svm, v), SVM_EXIT_VMMCALL);
	GUEST_ASSERT_EQ(v->regs.rax, 0x10);
	svm_disable(svm);
	GUEST_DONE();
}

static void l2_io(void)
{
	asm volatile("outb %%al, %%dx" : : "a"(0), "d"(TEST_PORT));
	asm volatile("outw %%ax, %%dx" : : "a"(0), "d"(TEST_PORT_WORD));
	asm volatile("vmmcall");
}

static void l1_io_intercept(void)
{
	struct l1_svm *svm = svm_enable();
	struct l2_vmcb *v;
	uint64_t info1;

	svm_intercept_io(svm, TEST_PORT, true);
	v = long_mode_l2(svm, l2_io, 0);

	/*
	 * APM 15.10.2: OUT to a port whose IOPM bit is set exits; EXITINFO1
	 * holds the port (31:16), OUT (bit 0 = 0) and the size (SZ8, bit 4);
	 * EXITINFO2 the rIP of the next instruction.
	 */
	svm_assert_exit_rule(v, svm_run(svm, v), SVM_EXIT_IOIO, SVM_EXIT_VMMCALL);
	info1 = v->vmcb->control.exit_info_1;
	GUEST_ASSERT_EQ(SVM_IOIO_PORT(info1), TEST_PORT);
	GUEST_ASSERT_EQ(info1 & SVM_IOIO_TYPE_MASK, 0);
	GUEST_ASSERT_EQ(info1 & SVM_IOIO_SIZE_MASK, 1 << SVM_IOIO_SIZE_SHIFT);
	GUEST_ASSERT_EQ(v->vmcb->control.exit_info_2, v->vmcb->save.rip + 1);
	v->vmcb->save.rip = v->vmcb->control.exit_info_2;
	/* 15.10.1: a 2-byte access is checked against the bits of both ports. */
	svm_assert_exit_rule(v, svm_run(svm, v), SVM_EXIT_IOIO, SVM_EXIT_VMMCALL);
	GUEST_ASSERT_EQ(SVM_IOIO_PORT(v->vmcb->control.exit_info_1), TEST_PORT_WORD);
	v->vmcb->save.rip = v->vmcb->control.exit_info_2;
	svm_assert_exit(v, svm_run(svm, v), SVM_EXIT_VMMCALL);
	svm_disable(svm);
	GUEST_DONE();
}

static void l2_hlt(void)
{
	asm volatile("hlt");
}

static void l2_cpuid(void)
{
	asm volatile("cpuid" : : "a"(0), "c"(0) : "rbx", "rdx");
}

static void l2_ud2(void)
{
	asm volatile("ud2");
}

/*
 * A triple fault: with an empty IDT the #DE of a division by zero cannot be
 * delivered, nor the #GP that follows, nor the #DF.
 */
static void l2_triple_fault(void)
{
	static const struct desc_ptr empty_idt = { .size = 0, .address = 0 };

	asm volatile("lidt %0\n\t"
		     "xorl %%ecx, %%ecx\n\t"
		     "divl %%ecx" : : "m"(empty_idt) : "rax", "rcx", "rdx");
}

/* An intercepted instruction or exception of L2 and the exit code it must give. */
struct exit_row {
	void (*l2)(void);
	uint64_t intercept;
	uint64_t code;
	bool own_exceptions;	/* no exception intercepts: L2 delivers its own */
};

static struct exit_row exit_cfg;

static void l1_exit_code(void)
{
	struct l1_svm *svm = svm_enable();
	struct l2_vmcb *v = long_mode_l2(svm, exit_cfg.l2, exit_cfg.intercept);

	if (exit_cfg.own_exceptions)
		v->vmcb->control.intercept_exceptions = 0;
	svm_assert_exit_rule(v, svm_run(svm, v), exit_cfg.code, SVM_EXIT_VMMCALL);
	svm_disable(svm);
	GUEST_DONE();
}

/* APM 15.9 (instruction intercepts), 15.12 (exception intercepts). */
static const struct exit_row hlt_row = { l2_hlt, 0, SVM_EXIT_HLT };
static const struct exit_row cpuid_row = { l2_cpuid, BIT_ULL(INTERCEPT_CPUID), SVM_EXIT_CPUID };
static const struct exit_row ud_row = { l2_ud2, 0, SVM_EXIT_EXCP_BASE + UD_VECTOR };
/*
 * APM Vol. 2 chapter 15, the SHUTDOWN intercept: a shutdown in the guest,
 * such as a triple fault, exits with VMEXIT_SHUTDOWN.  The VMCB is
 * undefined after it, and this row does not run it again.
 */
static const struct exit_row shutdown_row = {
	l2_triple_fault, BIT_ULL(INTERCEPT_SHUTDOWN), SVM_EXIT_SHUTDOWN, .own_exceptions = true
};

enum bad_vmcb { NO_VMRUN_INTERCEPT, ASID_ZERO, EFER_SVME_CLEAR };

static enum bad_vmcb bad_cfg;

/*
 * APM 15.5.1: VMRUN checks the vmcb12 and, on illegal state, exits at once
 * with VMEXIT_INVALID (SVM_EXIT_ERR, -1): among the cases, the VMRUN
 * intercept clear, ASID 0, EFER.SVME clear.
 */
static void l1_invalid_vmcb(void)
{
	struct l1_svm *svm = svm_enable();
	struct l2_vmcb *v = long_mode_l2(svm, l2_hlt, 0);

	switch (bad_cfg) {
	case NO_VMRUN_INTERCEPT:
		vmcb_clr_intercept(v->vmcb, INTERCEPT_VMRUN);
		break;
	case ASID_ZERO:
		v->vmcb->control.asid = 0;
		break;
	case EFER_SVME_CLEAR:
		v->vmcb->save.efer &= ~EFER_SVME;
		break;
	}
	svm_assert_exit_rule(v, svm_run(svm, v), (uint64_t)SVM_EXIT_ERR, SVM_EXIT_HLT);
	svm_disable(svm);
	GUEST_DONE();
}

static const enum bad_vmcb no_vmrun_row = NO_VMRUN_INTERCEPT;
static const enum bad_vmcb asid0_row = ASID_ZERO;
static const enum bad_vmcb svme_row = EFER_SVME_CLEAR;

/* Each L2 sets its id before every exit: L1 poisons RAX before each entry. */
static void l2_id1(void)
{
	for (;;)
		asm volatile("mov $1, %%eax\n\tvmmcall" : : : "rax", "memory");
}

static void l2_id2(void)
{
	for (;;)
		asm volatile("mov $2, %%eax\n\tvmmcall" : : : "rax", "memory");
}

/* L2's RAX before each VMRUN: neither L2's id. */
#define RAX_POISON	0x5a5a5a5a5a5a5a5aull

/* Several vmcb12s per L1: each VMRUN runs the L2 of the vmcb12 it names. */
static void l1_two_vmcb12(void)
{
	struct l1_svm *svm = svm_enable();
	struct l2_vmcb *v[2] = { long_mode_l2(svm, l2_id1, 0), long_mode_l2(svm, l2_id2, 0) };

	for (int round = 0; round < 100; round++) {
		int i = round % 2;

		/*
		 * From round 2 on, the vmcb12's RAX would already be L2's id
		 * from the round before.  VMRUN loads RAX from the vmcb12 and
		 * #VMEXIT saves it there (15.5.1, 15.6): after a poison, the id
		 * shows only if this vmcb12's L2 ran and its exit was saved
		 * into this vmcb12.
		 */
		v[i]->regs.rax = RAX_POISON;
		svm_assert_exit(v[i], svm_run(svm, v[i]), SVM_EXIT_VMMCALL);
		/* APM 15.5: VMRUN takes the guest state from the VMCB at RAX. */
		GUEST_ASSERT_RULE(v[i]->regs.rax, i + 1, 2 - i);
		svm_skip_instruction(v[i], VMMCALL_LEN);
	}
	svm_disable(svm);
	GUEST_DONE();
}

static void test_l1(const struct scenario *s)
{
	vcpu_run_to_done(l1_vm_create((void *)s->arg, 0));
}

static void test_exit_code(const struct scenario *s)
{
	struct kvm_vcpu *vcpu = l1_vm_create(l1_exit_code, 0);

	exit_cfg = *(const struct exit_row *)s->arg;
	sync_global_to_guest(vcpu->vm, exit_cfg);
	vcpu_run_to_done(vcpu);
}

static void test_invalid(const struct scenario *s)
{
	struct kvm_vcpu *vcpu = l1_vm_create(l1_invalid_vmcb, 0);

	bad_cfg = *(const enum bad_vmcb *)s->arg;
	sync_global_to_guest(vcpu->vm, bad_cfg);
	vcpu_run_to_done(vcpu);
}

static const struct scenario scenarios[] = {
	{ "vmrun_needs_svme", "VMRUN with EFER.SVME clear raises #UD", test_l1,
	  l1_vmrun_needs_svme },
	{ "vmrun_resume", "a long-mode L2 exits with VMMCALL 200 times, its GPRs intact",
	  test_l1, l1_vmrun_resume },
	{ "msr_intercept", "the MSR permission map selects which RDMSR/WRMSR exit",
	  test_l1, l1_msr_intercept },
	{ "io_intercept", "the I/O permission map intercepts OUT, per byte of the access",
	  test_l1, l1_io_intercept },
	{ "exit_hlt", "HLT exits with SVM_EXIT_HLT", test_exit_code, &hlt_row },
	{ "exit_cpuid", "CPUID exits with SVM_EXIT_CPUID when intercepted", test_exit_code,
	  &cpuid_row },
	{ "exit_exception", "an intercepted #UD exits with SVM_EXIT_EXCP_BASE + 6",
	  test_exit_code, &ud_row },
	{ "exit_shutdown", "a triple fault of L2 exits with SVM_EXIT_SHUTDOWN when intercepted",
	  test_exit_code, &shutdown_row },
	{ "invalid_no_vmrun_intercept", "VMRUN of a vmcb12 without the VMRUN intercept fails",
	  test_invalid, &no_vmrun_row },
	{ "invalid_asid0", "VMRUN of a vmcb12 with ASID 0 fails", test_invalid, &asid0_row },
	{ "invalid_efer_svme", "VMRUN of a vmcb12 with EFER.SVME clear fails", test_invalid,
	  &svme_row },
	{ "two_vmcb12", "two vmcb12s run alternately, each with its own L2", test_l1,
	  l1_two_vmcb12 },
};

SCENARIO_MAIN(svm_requirements, scenarios)
