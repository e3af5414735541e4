/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Self-check of a kselftest harness test: every TEST() can also run
 * "inverted", where its rule's assertion expects an outcome that breaks the
 * rule.  On a correct kernel an inverted run must then fail at that
 * assertion, which shows that the check can fail at all.
 *
 * GUEST_ASSERT_RULE(actual, good, bad) asserts a rule in guest code; the
 * host copies guest_inverted into each VM it creates with
 * sync_global_to_guest(vm, guest_inverted).  The test's main() calls
 * self_check_harness_run() (self_check_harness.h) instead of
 * test_harness_run().  With --self-check (or NST_SELF_CHECK=1) each TEST()
 * runs twice in its harness child, normally and then inverted, and passes
 * only if the normal run passed and the inverted one failed at a rule
 * assertion; a failure anywhere else, a crash or the harness timeout makes
 * it fail.
 */
#ifndef SELFTEST_KVM_SELF_CHECK_H
#define SELFTEST_KVM_SELF_CHECK_H

#include <stdbool.h>

#include "kselftest.h"
#include "ucall_common.h"

/* True in guest code while the test runs inverted. */
extern bool guest_inverted;

/*
 * The expression string of a failed rule assertion starts with this tag;
 * the self-check counts only a failure whose report carries it.
 */
#define RULE_ASSERT_TAG		"[rule] "

/*
 * Asserts a rule in guest code: @actual must be @good, the outcome the rule
 * requires.  An inverted run expects @bad, an outcome that breaks the rule.
 */
#define GUEST_ASSERT_RULE(actual, good, bad)					\
do {										\
	uint64_t __ra = (uint64_t)(actual);					\
	uint64_t __rg = (uint64_t)(good), __rb = (uint64_t)(bad);		\
	uint64_t __rw = guest_inverted ? __rb : __rg;				\
										\
	____GUEST_ASSERT(__ra == __rw, RULE_ASSERT_TAG #actual,		\
			 "%#lx, expected %#lx (%s run; the rule requires %#lx)",	\
			 (unsigned long)__ra, (unsigned long)__rw,		\
			 guest_inverted ? "inverted" : "normal", (unsigned long)__rg); \
} while (0)

/*
 * Runs @fn(@arg) in a child process with guest_inverted set to @inverted,
 * its stderr passed through and searched for RULE_ASSERT_TAG.  Returns the
 * wait status; *@rule_failed tells whether a rule assertion failed.
 */
int self_check_run_once(void (*fn)(void *arg), void *arg, bool inverted, bool *rule_failed);

/* Parses NST_SCENARIO_TIMEOUT; @fallback when it is unset. */
int self_check_timeout(int fallback);

#endif /* SELFTEST_KVM_SELF_CHECK_H */
