// SPDX-License-Identifier: GPL-2.0-only
/*
 * guest_smoke_test: the guest library end to end with a plain 64-bit guest
 * (no nesting): guest-to-host calls, exception reports, exception
 * handlers, shared globals, and guest assert reports (a self-check of the
 * library: the guest fails an assert on purpose and the host checks the
 * report).
 */
#include <string.h>

#include "kvm_util.h"
#include "scenario.h"
#include "ucall.h"
#include "x86/exception.h"

/* Each scenario's rule: @actual is @v; an inverted run expects another value. */
#define ASSERT_RULE_EQ(actual, v)	TEST_ASSERT_RULE(actual, v, (v) + 1)

static struct kvm_vcpu *smoke_vm(void *guest_code)
{
	return vm_add_vcpu(vm_create(), guest_code);
}

/* ---- sync: stages and arguments reach the host in order ---- */

static void guest_sync_stages(uint64_t base)
{
	for (uint64_t i = 1; i <= 3; i++)
		GUEST_SYNC(base + i);
	GUEST_DONE();
}

static uint64_t sync_stage(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	return uc.args[0];
}

static void test_sync(const struct scenario *s)
{
	struct kvm_vcpu *vcpu = smoke_vm(guest_sync_stages);

	vcpu_args_set(vcpu, 1, 100ull);
	for (uint64_t i = 1; i <= 3; i++)
		ASSERT_RULE_EQ(sync_stage(vcpu), 100 + i);
	vcpu_run_expect_done(vcpu);
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
	struct kvm_vcpu *vcpu = smoke_vm(guest_print);
	struct ucall uc;

	vcpu_run(vcpu);
	TEST_ASSERT_EQ(get_ucall(vcpu, &uc), UCALL_PRINTF);
	test_diag("guest printed '%s', expected '%s'", uc.buf, want);
	TEST_ASSERT_RULE(!strcmp(uc.buf, want), true, false);
	vcpu_run_expect_done(vcpu);
}

/* ---- unhandled exceptions: the host gets vector, error code, RIP, CR2 ---- */

extern char guest_ud2_insn[];

static void guest_unhandled_ud(void)
{
	asm volatile("guest_ud2_insn: ud2");
}

static void guest_unhandled_pf(void)
{
	/* Page 0 is never mapped: a read from it is a #PF with error code 0. */
	asm volatile("movq 0x8, %%rax" : : : "rax", "memory");
}

static struct ucall run_to_unhandled(void *guest_code)
{
	struct kvm_vcpu *vcpu = smoke_vm(guest_code);
	struct ucall uc;

	vcpu_run(vcpu);
	TEST_ASSERT_EQ(get_ucall(vcpu, &uc), UCALL_UNHANDLED);
	return uc;
}

static void test_unhandled_ud(const struct scenario *s)
{
	struct ucall uc = run_to_unhandled(guest_unhandled_ud);

	ASSERT_RULE_EQ(uc.args[0], UD_VECTOR);
	TEST_ASSERT_EQ(uc.args[2], (uintptr_t)guest_ud2_insn);
}

static void test_unhandled_pf(const struct scenario *s)
{
	struct ucall uc = run_to_unhandled(guest_unhandled_pf);

	/* SDM Vol. 3A 4.7: error code 0 = not present, read, supervisor. */
	TEST_ASSERT_EQ(uc.args[0], PF_VECTOR);
	TEST_ASSERT_EQ(uc.args[1], 0);
	ASSERT_RULE_EQ(uc.args[3], 8);
}

/* ---- handlers: a guest handler and guest_asm_safe() ---- */

static uint64_t handled_count;

static void count_and_skip_ud2(struct ex_regs *regs)
{
	handled_count++;
	regs->rip += 2;
}

static void guest_handlers(void)
{
	guest_set_exception_handler(UD_VECTOR, count_and_skip_ud2);
	for (int i = 0; i < 5; i++)
		asm volatile("ud2");
	GUEST_ASSERT_EQ(handled_count, 5);
	guest_set_exception_handler(UD_VECTOR, NULL);
	GUEST_ASSERT_EQ(guest_asm_safe("ud2", : : : "memory"), UD_VECTOR);
	GUEST_ASSERT_EQ(guest_asm_safe("nop", : : : "memory"), NO_EXCEPTION);
	GUEST_SYNC(handled_count);
}

static void test_handlers(const struct scenario *s)
{
	ASSERT_RULE_EQ(sync_stage(smoke_vm(guest_handlers)), 5);
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
	struct kvm_vcpu *vcpu = smoke_vm(guest_globals);

	shared_value = 0x1234;
	sync_global_to_guest(vcpu->vm, shared_value);
	vcpu_run_expect_done(vcpu);
	sync_global_from_guest(vcpu->vm, shared_value);
	ASSERT_RULE_EQ(shared_value, 0x5678);
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
	struct kvm_vcpu *vcpu = smoke_vm(guest_failing_assert);
	char want[128];
	struct ucall uc;

	vcpu_args_set(vcpu, 1, 41ull);
	vcpu_run(vcpu);
	TEST_ASSERT_EQ(get_ucall(vcpu, &uc), UCALL_ASSERT);
	sync_global_from_guest(vcpu->vm, assert_line);
	snprintf(want, sizeof(want), "%s:%d: a == 42\na = 0x29 (41)\n42 = 0x2a (42)",
		 __FILE__, assert_line);
	ASSERT_RULE_EQ(uc.line, assert_line);
	TEST_ASSERT_EQ(uc.args[0], 41);
	TEST_ASSERT_EQ(uc.args[1], 42);
	TEST_ASSERT(!strcmp(uc.buf, want), "report '%s', expected '%s'", uc.buf, want);
}

static const struct scenario scenarios[] = {
	{ "sync", "guest stages and arguments reach the host in order", test_sync },
	{ "printf", "guest printf formats and transports a message", test_printf },
	{ "unhandled_ud", "an unhandled #UD is reported with vector and RIP", test_unhandled_ud },
	{ "unhandled_pf", "an unhandled #PF is reported with error code and CR2",
	  test_unhandled_pf },
	{ "handlers", "guest exception handlers and guest_asm_safe() work", test_handlers },
	{ "globals", "host and guest exchange values through guest globals", test_globals },
	{ "assert_report", "a failed guest assert reports file, line, expression, values",
	  test_assert_report },
};

TEST_MAIN("guest_smoke_test", kvm_requirement_problem, scenarios)
