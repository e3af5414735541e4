// SPDX-License-Identifier: GPL-2.0-only
/*
 * A table of scenarios on the kselftest harness (scenario_harness.h) that
 * runs no VM, for unit/scenario_harness_test.sh: each row stands for one
 * way a scenario, its known bug or its self-check can end.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "known_failures.h"
#include "scenario_harness.h"

/*
 * The library's test_assert() as far as the runner sees it (this test
 * links no library): the report on stderr, exit 254.
 */
void test_assert(bool exp, const char *exp_str, const char *file, unsigned int line,
		 const char *fmt, ...)
{
	va_list ap;

	if (exp)
		return;
	fprintf(stderr, "==== Test Assertion Failure ====\n  %s:%u: %s\n  ", file, line, exp_str);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(254);
}

static const struct known_bug fake_bug = {
	.id = "fake-bug", .summary = "a bug of this fake", .seen = "nowhere",
};

static const struct known_bug fake_crash = {
	.id = "fake-crash", .summary = "a crash of this fake", .seen = "nowhere", .crashes = true,
};

static const struct known_bug fake_param_bug = {
	.id = "fake-param-bug", .summary = "a bug of this fake with fake_mod flag=Y",
	.seen = "nowhere",
};

/* The fake bug's rule: this file's rule assertion on fake_seen, which sees 3. */
#define FAKE_RULE	{ "unit/scenario_fake.c", "fake_seen", 3 }

static const struct known_failure fake_failures[] = {
	{ "scenario_fake", "known_fails", "", &fake_bug, FAKE_RULE },
	{ "scenario_fake", "known_passes", "", &fake_bug, FAKE_RULE },
	{ "scenario_fake", "known_other_value", "", &fake_bug, FAKE_RULE },
	{ "scenario_fake", "known_other_rule", "", &fake_bug, FAKE_RULE },
	{ "scenario_fake", "known_not_a_rule", "", &fake_bug, FAKE_RULE },
	{ "scenario_fake", "known_crashes", "", &fake_bug, FAKE_RULE },
	{ "scenario_fake", "known_hangs", "", &fake_bug, FAKE_RULE },
	{ "scenario_fake", "crash_known", "", &fake_crash },
	{ "scenario_fake", "param_known", "fake_mod.flag=Y fake_mod.level=2", &fake_param_bug,
	  FAKE_RULE },
	/* Not "module.param=value": matches no module. */
	{ "scenario_fake", "param_malformed", "flag=Y", &fake_param_bug, FAKE_RULE },
};

/* FAKE_SYSFS: the folder that stands for /sys/module. */
static void __attribute__((constructor)) use_fake_failures(void)
{
	known_failures_use(fake_failures, ARRAY_SIZE(fake_failures));
	if (getenv("FAKE_SYSFS"))
		known_failures_use_sysfs(getenv("FAKE_SYSFS"));
}

static void passes(const struct scenario *s)
{
	printf("output of %s\n", s->name);
}

static void fails(const struct scenario *s)
{
	TEST_ASSERT_EQ(1, 2);
}

static void skips(const struct scenario *s)
{
	__TEST_REQUIRE(false, "no widget");
}

static void hangs(const struct scenario *s)
{
	sleep(60);
}

static void crashes(const struct scenario *s)
{
	raise(SIGSEGV);
}

/* Fails at the fake bug's rule, seeing @seen where the rule requires 1. */
static void fails_at_rule(uint64_t seen)
{
	uint64_t fake_seen = seen;

	TEST_ASSERT_RULE(fake_seen, 1, 2);
}

static void fails_at_bug_rule(const struct scenario *s)
{
	fails_at_rule(3);
}

static void fails_at_rule_other_value(const struct scenario *s)
{
	fails_at_rule(4);
}

static void fails_at_other_rule(const struct scenario *s)
{
	uint64_t other = 3;

	TEST_ASSERT_RULE(other, 1, 2);
}

static void checks_rule(const struct scenario *s)
{
	TEST_ASSERT_RULE(1, 1, 2);
}

static void rule_cannot_fail(const struct scenario *s)
{
	TEST_ASSERT_RULE(1, 1, 1);
}

/* Fails when inverted, but at an assertion that is not the rule's. */
static void fails_elsewhere(const struct scenario *s)
{
	TEST_ASSERT(!scenario_inverted(), "setup");
	TEST_ASSERT_RULE(1, 1, 2);
}

static void hangs_inverted(const struct scenario *s)
{
	if (scenario_inverted())
		sleep(60);
	TEST_ASSERT_RULE(1, 1, 2);
}

static const struct scenario scenarios[] = {
	{ "passes", "passes", passes },
	{ "fails", "fails", fails },
	{ "skips", "skips", skips },
	{ "hangs", "hangs", hangs, .timeout = 1 },
	{ "crashes", "crashes", crashes },
	{ "known_fails", "fails at the known bug's rule with its value", fails_at_bug_rule },
	{ "known_passes", "passes, a known bug", passes },
	{ "known_other_value", "fails at the known bug's rule with another value",
	  fails_at_rule_other_value },
	{ "known_other_rule", "fails at another rule than the known bug's", fails_at_other_rule },
	{ "known_not_a_rule", "fails at an assertion that is not a rule", fails },
	{ "known_crashes", "crashes, a known bug", crashes },
	{ "known_hangs", "hangs, a known bug", hangs, .timeout = 1 },
	{ "crash_known", "passes, known to crash", passes },
	{ "param_known", "fails at the rule of a known bug under fake_mod's parameters",
	  fails_at_bug_rule },
	{ "param_malformed", "fails at the rule of a known bug with a malformed parameter",
	  fails_at_bug_rule },
	{ "checks_rule", "fails when inverted", checks_rule },
	{ "rule_cannot_fail", "passes when inverted", rule_cannot_fail },
	{ "fails_elsewhere", "fails when inverted, at setup", fails_elsewhere },
	{ "hangs_inverted", "hangs when inverted", hangs_inverted, .timeout = 1 },
	{ "hang_a", "hangs for the default timeout", hangs },
	{ "hang_b", "hangs for the default timeout", hangs },
};

static void requirements(void)
{
	__TEST_REQUIRE(!getenv("FAKE_NO_GADGET"), "no gadget here");
}

SCENARIO_MAIN(requirements, scenarios)
