// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx_smoke_test: L1 enters VMX operation, launches a 64-bit L2 that exits
 * with VMCALL, resumes it many times, and leaves VMX operation.
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_vm.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

#define NR_VMCALLS	500

/* L2: VMCALL with a counter in RAX and its double in RBX, NR_VMCALLS times. */
static void l2_vmcall_loop(void)
{
	for (uint64_t i = 1; i <= NR_VMCALLS; i++)
		asm volatile("vmcall" : : "a"(i), "b"(2 * i) : "memory");
	asm volatile("vmcall" : : "a"(0ull) : "memory");
}

static void l1_vmxon_vmxoff(void)
{
	struct l1_vmx *vmx = vmx_enable();
	uint8_t vector;

	vmx_disable(vmx);
	/* SDM Vol. 3C 31.3, VMXON: #UD if CR4.VMXE = 0. */
	vector = kvm_asm_safe("vmxon %[pa]", [pa] "m"(vmx->vmxon_pa));
	GUEST_ASSERT_RULE(vector, UD_VECTOR, 0);
	vmx_disable(vmx_enable());
	GUEST_DONE();
}

static void l1_launch_resume(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = l2_vmcs_create(vmx, &(struct l2_setup){
		.mode = L2_LONG_MODE, .entry = l2_vmcall_loop });

	for (uint64_t i = 1; i <= NR_VMCALLS; i++) {
		vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
		/* L2's GPRs survive the round trip through L1 (SDM Vol. 3C 28.5: not saved). */
		GUEST_ASSERT_RULE(v->regs.rax, i, i + 1);
		GUEST_ASSERT_EQ(v->regs.rbx, 2 * i);
		vmx_skip_instruction();
	}
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(v->regs.rax, 0);
	vmx_disable(vmx);
	GUEST_DONE();
}

#define TEST_PORT	0x1234

/* L2 for the bitmaps: an intercepted RDMSR, a passed-through WRMSR, an intercepted OUT. */
static void l2_msr_io(void)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_IA32_SYSENTER_CS));
	asm volatile("wrmsr" : : "a"(lo + 1), "d"(hi), "c"(MSR_IA32_SYSENTER_CS));
	asm volatile("vmcall" : : "a"(lo));
	asm volatile("outb %%al, %%dx" : : "a"(0), "d"(TEST_PORT));
	asm volatile("vmcall");
}

static void l1_bitmaps(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v;

	vmx_intercept_msr(vmx, MSR_IA32_SYSENTER_CS, true, false);
	vmx_intercept_io(vmx, TEST_PORT, true);
	v = l2_vmcs_create(vmx, &(struct l2_setup){
		.mode = L2_LONG_MODE, .entry = l2_msr_io, .proc = CPU_BASED_USE_IO_BITMAPS });

	/* SDM Vol. 3C 26.1.3: RDMSR exits if the MSR's read bit is set. */
	vmx_assert_exit_rule(vmx_run(vmx, v), EXIT_REASON_MSR_READ, EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(v->regs.rcx, MSR_IA32_SYSENTER_CS);
	v->regs.rax = 0x10;
	v->regs.rdx = 0;
	vmx_skip_instruction();
	/* ... and WRMSR does not exit when its write bit is clear. */
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(v->regs.rax, 0x10);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_SYSENTER_CS), 0x11);
	vmx_skip_instruction();
	/* An OUT to a port whose I/O-bitmap bit is set exits, naming the port. */
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_IO_INSTRUCTION);
	GUEST_ASSERT_EQ(IO_QUAL_PORT(vmcs_read(EXIT_QUALIFICATION)), TEST_PORT);
	vmx_skip_instruction();
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	vmx_disable(vmx);
	GUEST_DONE();
}

/* Each L2 sets its id before every exit: L1 poisons RAX before each entry. */
static void l2_id1(void)
{
	for (;;)
		asm volatile("mov $1, %%eax\n\tvmcall" : : : "rax", "memory");
}

static void l2_id2(void)
{
	for (;;)
		asm volatile("mov $2, %%eax\n\tvmcall" : : : "rax", "memory");
}

/* L2's RAX before each VM entry: neither L2's id. */
#define RAX_POISON	0x5a5a5a5a5a5a5a5aull

/* Several VMCSs per L1: each VMPTRLD switches to its own L2. */
static void l1_two_vmcs12(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v[2] = {
		l2_vmcs_create(vmx, &(struct l2_setup){ .mode = L2_LONG_MODE, .entry = l2_id1 }),
		l2_vmcs_create(vmx, &(struct l2_setup){ .mode = L2_LONG_MODE, .entry = l2_id2 }),
	};

	for (int round = 0; round < 100; round++) {
		int i = round % 2;

		/*
		 * From round 2 on, L2's RAX would already be its id from the
		 * round before.  VM entry and exit leave the GPRs alone (SDM
		 * Vol. 3C 28.5): after a poison, the id shows only if this
		 * VMCS's L2 ran up to its VMCALL.
		 */
		v[i]->regs.rax = RAX_POISON;
		vmx_assert_exit(vmx_run(vmx, v[i]), EXIT_REASON_VMCALL);
		GUEST_ASSERT_RULE(v[i]->regs.rax, i + 1, 2 - i);
		vmx_skip_instruction();
	}
	vmx_disable(vmx);
	GUEST_DONE();
}

static void test_l1(const struct scenario *s)
{
	vcpu_run_to_done(l1_vm_create((void *)s->arg, 0));
}

static const struct scenario scenarios[] = {
	{ "vmxon_vmxoff", "L1 enters and leaves VMX operation, and can enter it again",
	  test_l1, l1_vmxon_vmxoff },
	{ "launch_resume", "a 64-bit L2 exits with VMCALL and is resumed 500 times",
	  test_l1, l1_launch_resume },
	{ "bitmaps", "MSR and I/O bitmaps select which RDMSR/WRMSR/OUT exit", test_l1, l1_bitmaps },
	{ "two_vmcs12", "two VMCSs run alternately, each with its own L2", test_l1,
	  l1_two_vmcs12 },
};

SCENARIO_MAIN(vmx_requirements, scenarios)
