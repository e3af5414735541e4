/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test binary is a table of scenarios.  test_main() reports one KTAP
 * result per scenario, running each in a child process with a timeout, so
 * that an assert, a crash or a hung guest ends that scenario alone.
 *
 * Every scenario can also run "inverted" (--self-check): its rule's
 * assertion (GUEST_ASSERT_RULE(), TEST_ASSERT_RULE()) then expects the
 * outcome that breaks the rule (for example the stale translation), so on a
 * correct kernel the scenario must fail there.  The self-check result is
 * "ok" only if the normal run passed and the inverted run then failed at
 * that assertion: not at setup, by a timeout or by a crash.
 */
#ifndef NST_SCENARIO_H
#define NST_SCENARIO_H

#include <stdbool.h>

struct scenario {
	const char *name;
	const char *purpose;		/* one line: what the scenario checks */
	void (*run)(const struct scenario *s);
	const void *arg;		/* per-row parameters of a table-driven test */
	unsigned int timeout;		/* seconds; 0 for the default */
};

struct test_option {
	const char *name;		/* long option, without "--" */
	const char *help;
	/* Parses the option's argument; returns false if it is invalid. */
	bool (*parse)(const char *arg);
};

struct test_suite {
	const char *name;
	/* Returns NULL when the host can run the suite, else what is missing. */
	const char *(*requirements)(void);
	const struct scenario *scenarios;
	unsigned int nr_scenarios;
	const struct test_option *options;	/* test-specific, NULL-terminated */
};

int test_main(const struct test_suite *suite, int argc, char **argv);

/* The main() of a test binary whose scenarios are the array @table. */
#define TEST_MAIN(test_name, requirements_fn, table)				\
int main(int argc, char **argv)							\
{										\
	static const struct test_suite suite = {				\
		.name = test_name,						\
		.requirements = requirements_fn,				\
		.scenarios = table,						\
		.nr_scenarios = sizeof(table) / sizeof((table)[0]),		\
	};									\
										\
	return test_main(&suite, argc, argv);					\
}

/* True while the current scenario runs inverted (--self-check). */
bool scenario_inverted(void);

/*
 * guest_inverted (ucall.h), the same for guest code, is set before the
 * scenario runs, so every VM it creates gets it with the copy of the test's
 * image (lib/kvm_vm.c).
 */

/*
 * Marks the rest of the current scenario as checking a rule that the
 * running kernel is known to break: a failure is then reported as XFAIL
 * with @reason, a pass as XPASS.  Call only from a known-failures table.
 */
void scenario_expect_failure(const char *reason);

/* Per-scenario timeout, seconds (-T, or NST_SCENARIO_TIMEOUT). */
unsigned int scenario_default_timeout(void);

#endif /* NST_SCENARIO_H */
