// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests on the kselftest harness with self_check_harness_run() and no VM, for
 * unit/self_check_test.sh: each stands for one way a self-check can end.
 * They fail the way the KVM selftests library reports a guest assertion
 * (test_assert(): the expression on stderr, exit 254).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "self_check_harness.h"

static void fail(const char *expr)
{
	fprintf(stderr, "==== Test Assertion Failure ====\n  %s:%d: %s\n", __FILE__, __LINE__, expr);
	exit(254);
}

/* GUEST_ASSERT_RULE()'s check, on the host. */
static void assert_rule(uint64_t actual, uint64_t good, uint64_t bad)
{
	if (actual != (guest_inverted ? bad : good))
		fail(RULE_ASSERT_TAG "actual");
}

/* The rule holds, and an inverted run sees it broken. */
TEST(rule_holds)
{
	assert_rule(1, 1, 2);
}

/* Both outcomes are the same: the check cannot fail. */
TEST(rule_cannot_fail)
{
	assert_rule(1, 1, 1);
}

/* The inverted run fails, but at an assertion that is not the rule's. */
TEST(fails_elsewhere)
{
	if (guest_inverted)
		fail("setup");
	assert_rule(1, 1, 2);
}

/* The normal run already breaks the rule. */
TEST(rule_broken)
{
	assert_rule(2, 1, 2);
}

/* The test skips (a missing requirement). */
TEST(skips)
{
	SKIP(return, "no such hardware");
}

int main(int argc, char *argv[])
{
	return self_check_harness_run(argc, argv, NULL);
}
