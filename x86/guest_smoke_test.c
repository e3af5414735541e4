// SPDX-License-Identifier: GPL-2.0-only
/*
 * guest_smoke_test: the KVM selftests library's guest environment that the
 * suite relies on, with a plain 64-bit guest (no nesting): ucalls and their
 * arguments, GUEST_PRINTF, exception reports and handlers, guest globals,
 * and guest assert reports (the guest fails an assert on purpose and the
 * host checks the report).
 */
#include <stdio.h>
#include <string.h>

#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "upstream_compat.h"

/* Each scenario's rule: @actual is @v; an inverted run expects another value. */
#define ASSERT_RULE_EQ(actual, v)	TEST_ASSERT_RULE(actual, v, (v) + 1)

/* The next ucall, with a guest assert left to the caller (the library would report it). */
static uint64_t run_to_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	TEST_ASSERT(!__vcpu_run(vcpu), "KVM_RUN failed");
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
	return get_ucall(vcpu, uc);
}

/* The next ucall, which must be @cmd. */
static void run_expect(struct kvm_vcpu *vcpu, struct ucall *uc, uint64_t cmd)
{
	uint64_t got = run_to_ucall(vcpu, uc);

	if (got == UCALL_ABORT && cmd != UCALL_ABORT)
		REPORT_GUEST_ASSERT(*uc);
	TEST_ASSERT(got == cmd, "ucall %lu, expected %lu", got, cmd);
}

/* ---- sync: stages and arguments reach the host in order ---- */

static void guest_sync_stages(uint64_t base)
{
	for (uint64_t i = 1; i <= 3; i++)
		GUEST_SYNC(base + i);
	GUEST_SYNC6(base, base + 1, base + 2, base + 3, base + 4, base + 5);
	GUEST_DONE();
}

static void test_sync(const struct scenario *s)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_sync_stages);
	struct ucall uc;

	vcpu_args_set(vcpu, 1, 100ul);
	for (uint64_t i = 1; i <= 3; i++) {
		run_expect(vcpu, &uc, UCALL_SYNC);
		/* GUEST_SYNC(stage) sends a string, then the stage. */
		TEST_ASSERT(!strcmp((const char *)uc.args[0], "hello"), "GUEST_SYNC's tag");
		ASSERT_RULE_EQ(uc.args[1], 100 + i);
	}
	run_expect(vcpu, &uc, UCALL_SYNC);
	for (uint64_t i = 0; i < 6; i++)
		TEST_ASSERT_EQ(uc.args[i], 100 + i);
	run_expect(vcpu, &uc, UCALL_DONE);
	kvm_vm_free(vm);
}

/* ---- printf: the guest's formatter and the message transport ---- */

static void guest_print(void)
{
	GUEST_PRINTF("%s|%d|%u|0x%llx|%-4s|%05d|%c", "smoke", -42, 7u, 0xfeedfacecafeull,
		     "ab", 123, 'z');
	GUEST_DONE();
}

static void test_printf(const struct scenario *s)
{
	const char *want = "smoke|-42|7|0xfeedfacecafe|ab  |00123|z";
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_print);
	struct ucall uc;

	run_expect(vcpu, &uc, UCALL_PRINTF);
	ksft_print_msg("guest printed '%s', expected '%s'\n", uc.buffer, want);
	TEST_ASSERT_RULE(!strcmp(uc.buffer, want), true, false);
	run_expect(vcpu, &uc, UCALL_DONE);
	kvm_vm_free(vm);
}

/* ---- unhandled exceptions: the host gets the vector and RIP ---- */

extern char guest_ud2_insn[], guest_pf_insn[];

static void guest_unhandled_ud(void)
{
	asm volatile("guest_ud2_insn: ud2");
}

/* The library maps nothing below KVM_UTIL_MIN_VADDR: a read there is a #PF. */
#define UNMAPPED_GVA	0x8ul

/* The library's get_cr2() is newer than 6.12's. */
static uint64_t read_cr2(void)
{
	uint64_t cr2;

	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	return cr2;
}

static void guest_unhandled_pf(void)
{
	uint64_t error_code;
	uint8_t vector;

	/* SDM Vol. 3A 4.7: error code 0 = not present, read, supervisor. */
	vector = kvm_asm_safe_ec("testb $0, (%[addr])", error_code, [addr] "r"(UNMAPPED_GVA));
	GUEST_SYNC3(vector, error_code, read_cr2());
	asm volatile("guest_pf_insn: testb $0, (%0)" : : "r"(UNMAPPED_GVA) : "memory");
}

/*
 * The library's report of an unhandled exception is a guest assert whose
 * message names the vector and the RIP.
 */
static void run_to_unhandled(struct kvm_vcpu *vcpu, uint64_t *vector, uint64_t *rip)
{
	struct ucall uc;

	run_expect(vcpu, &uc, UCALL_ABORT);
	ksft_print_msg("guest report: %s\n", uc.buffer);
	TEST_ASSERT(sscanf(uc.buffer, "Unhandled exception '%lx' at guest RIP '%lx'",
			   vector, rip) == 2, "report '%s'", uc.buffer);
}

static void test_unhandled_ud(const struct scenario *s)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_unhandled_ud);
	uint64_t vector, rip;

	run_to_unhandled(vcpu, &vector, &rip);
	ASSERT_RULE_EQ(vector, UD_VECTOR);
	TEST_ASSERT_EQ(rip, (uintptr_t)guest_ud2_insn);
	kvm_vm_free(vm);
}

static void test_unhandled_pf(const struct scenario *s)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_unhandled_pf);
	uint64_t vector, rip;
	struct ucall uc;

	run_expect(vcpu, &uc, UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], PF_VECTOR);
	ASSERT_RULE_EQ(uc.args[1], 0);
	TEST_ASSERT_EQ(uc.args[2], UNMAPPED_GVA);
	run_to_unhandled(vcpu, &vector, &rip);
	TEST_ASSERT_EQ(vector, PF_VECTOR);
	TEST_ASSERT_EQ(rip, (uintptr_t)guest_pf_insn);
	kvm_vm_free(vm);
}

/* ---- handlers: a guest handler and kvm_asm_safe() ---- */

static uint64_t handled_count;

static void count_and_skip_ud2(struct ex_regs *regs)
{
	handled_count++;
	regs->rip += 2;
}

static void guest_handlers(void)
{
	for (int i = 0; i < 5; i++)
		asm volatile("ud2");
	GUEST_SYNC(handled_count);
	/* The host removed the handler: the library's fixup takes the #UD. */
	GUEST_ASSERT_EQ(kvm_asm_safe("ud2"), UD_VECTOR);
	GUEST_ASSERT_EQ(kvm_asm_safe("nop"), 0);
	GUEST_DONE();
}

static void test_handlers(const struct scenario *s)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_handlers);
	struct ucall uc;

	vm_install_exception_handler(vm, UD_VECTOR, count_and_skip_ud2);
	run_expect(vcpu, &uc, UCALL_SYNC);
	ASSERT_RULE_EQ(uc.args[1], 5);
	vm_install_exception_handler(vm, UD_VECTOR, NULL);
	run_expect(vcpu, &uc, UCALL_DONE);
	kvm_vm_free(vm);
}

/* ---- globals: the host writes the guest's copy and reads it back ---- */

static uint64_t shared_value;

static void guest_globals(void)
{
	GUEST_ASSERT_EQ(shared_value, 0x1234);
	shared_value = 0x5678;
	GUEST_DONE();
}

static void test_globals(const struct scenario *s)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_globals);
	struct ucall uc;

	shared_value = 0x1234;
	sync_global_to_guest(vm, shared_value);
	run_expect(vcpu, &uc, UCALL_DONE);
	sync_global_from_guest(vm, shared_value);
	ASSERT_RULE_EQ(shared_value, 0x5678);
	kvm_vm_free(vm);
}

/* ---- guest asserts: the report names file, line, expression and values ---- */

static int assert_line;

static void guest_failing_assert(uint64_t a)
{
	assert_line = __LINE__ + 1;
	GUEST_ASSERT_EQ(a, 42);
}

static void test_assert_report(const struct scenario *s)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_failing_assert);
	struct ucall uc;

	vcpu_args_set(vcpu, 1, 41ul);
	run_expect(vcpu, &uc, UCALL_ABORT);
	sync_global_from_guest(vm, assert_line);
	/* The strings are the binary's own: the guest runs the same image. */
	TEST_ASSERT(!strcmp((const char *)uc.args[GUEST_FILE], __FILE__), "file '%s'",
		    (const char *)uc.args[GUEST_FILE]);
	TEST_ASSERT(!strcmp((const char *)uc.args[GUEST_ERROR_STRING], "a == 42"),
		    "expression '%s'", (const char *)uc.args[GUEST_ERROR_STRING]);
	ASSERT_RULE_EQ(uc.args[GUEST_LINE], assert_line);
	TEST_ASSERT(!strcmp(uc.buffer, "0x29 != 0x2a (a != 42)"), "values '%s'", uc.buffer);
	kvm_vm_free(vm);
}

static const struct scenario scenarios[] = {
	{ "sync", "guest stages and arguments reach the host in order", test_sync },
	{ "printf", "guest printf formats and transports a message", test_printf },
	{ "unhandled_ud", "an unhandled #UD is reported with vector and RIP", test_unhandled_ud },
	{ "unhandled_pf", "a #PF's error code and CR2 reach the guest; unhandled, it is reported",
	  test_unhandled_pf },
	{ "handlers", "guest exception handlers and kvm_asm_safe() work", test_handlers },
	{ "globals", "host and guest exchange values through guest globals", test_globals },
	{ "assert_report", "a failed guest assert reports file, line, expression, values",
	  test_assert_report },
};

/*
 * kvm_pvm (PVM) serves /dev/kvm on machines without VMX or SVM: it runs only
 * PVM-aware guest kernels, and the library's guests' own exception handling
 * ends in KVM_EXIT_INTERNAL_ERROR there.
 */
static bool host_kvm_is_pvm(void)
{
	return !access("/sys/module/kvm_pvm", F_OK) && access("/sys/module/kvm_intel", F_OK) &&
	       access("/sys/module/kvm_amd", F_OK);
}

static void requirements(void)
{
	close(open_kvm_dev_path_or_exit());
	__TEST_REQUIRE(!host_kvm_is_pvm(), "the host's KVM is kvm_pvm, which runs only PVM-aware "
		       "guests (needs kvm_intel or kvm_amd)");
}

SCENARIO_MAIN(requirements, scenarios)
