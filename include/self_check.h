/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The self-check of a scenario (scenario_harness.h): every scenario can also
 * run "inverted", where its rule's assertion expects an outcome that breaks
 * the rule.  On a correct kernel an inverted run must then fail at that
 * assertion, which shows that the check can fail at all.
 *
 * A rule is asserted at one tagged site (or a few): GUEST_ASSERT_RULE() in
 * guest code, TEST_ASSERT_RULE() on the host.  The host copies
 * guest_inverted into each VM it creates with
 * sync_global_to_guest(vm, guest_inverted).  With --self-check (or
 * NST_SELF_CHECK=1) each scenario runs normally and then inverted, and
 * passes only if the normal run passed and the inverted one failed at a rule
 * assertion; a failure anywhere else, a crash or a timeout makes it fail.
 */
#ifndef SELFTEST_KVM_SELF_CHECK_H
#define SELFTEST_KVM_SELF_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "kselftest.h"
#include "ucall_common.h"

/* True while the scenario runs inverted; guest code reads its own copy. */
extern bool guest_inverted;

/* The same for host code. */
bool scenario_inverted(void);

/*
 * The expression string of a failed rule assertion starts with this tag;
 * the self-check counts only a failure whose report carries it.
 */
#define RULE_ASSERT_TAG		"[rule] "

/* Guest code passes uint64_t for %lx: guest printfs take %l as 64 bits. */
#define __RULE_FMT	"%#lx, expected %#lx (%s run; the rule requires %#lx)"

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
	____GUEST_ASSERT(__ra == __rw, RULE_ASSERT_TAG #actual, __RULE_FMT,	\
			 __ra, __rw, guest_inverted ? "inverted" : "normal", __rg); \
} while (0)

/*
 * The same for a test that inverts its own model of the outcome: @want is
 * already what this run (normal or inverted) expects.
 */
#define GUEST_ASSERT_RULE_EQ(actual, want)					\
do {										\
	uint64_t __ra = (uint64_t)(actual), __rw = (uint64_t)(want);		\
										\
	____GUEST_ASSERT(__ra == __rw, RULE_ASSERT_TAG #actual,		\
			 "%#lx, expected %#lx (%s run)", __ra, __rw,		\
			 guest_inverted ? "inverted" : "normal");			\
} while (0)

/* GUEST_ASSERT_RULE() on the host. */
#define TEST_ASSERT_RULE(actual, good, bad)					\
do {										\
	uint64_t __ra = (uint64_t)(actual);					\
	uint64_t __rg = (uint64_t)(good), __rb = (uint64_t)(bad);		\
	uint64_t __rw = scenario_inverted() ? __rb : __rg;			\
										\
	test_assert(__ra == __rw, RULE_ASSERT_TAG #actual, __FILE__, __LINE__,	\
		    __RULE_FMT, (unsigned long)__ra, (unsigned long)__rw,	\
		    scenario_inverted() ? "inverted" : "normal", (unsigned long)__rg); \
} while (0)

#endif /* SELFTEST_KVM_SELF_CHECK_H */
