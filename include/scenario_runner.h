/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The runner behind scenario_harness.h (lib/scenario_runner.c): options,
 * environment, time budget, and one scenario's runs with the self-check and
 * the known KVM bugs.  Tests use scenario_harness.h; this is its interface
 * to the part that needs no kselftest harness state.
 */
#ifndef SELFTEST_KVM_SCENARIO_RUNNER_H
#define SELFTEST_KVM_SCENARIO_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One scenario as the runner sees it. */
struct scenario_call {
	const char *name;
	const char *purpose;
	unsigned int timeout;		/* the row's, seconds; 0 for the default */
	void (*run)(const void *row);	/* runs @row in the test's own file */
	const void *row;
};

/*
 * A numeric option of the test's own, "--NAME N" or "--NAME=N", that -h
 * lists: N (decimal) must be from @min to @max and goes to *@value.
 */
struct scenario_option {
	const char *name;
	const char *help;
	uint64_t *value;
	uint64_t min, max;
};

struct scenario_options {
	bool list;			/* -l */
	bool help;			/* -h */
	bool self_check;		/* --self-check or NST_SELF_CHECK */
	int numa_node;			/* --numa-node, -1 if not given */
	int nargs;			/* the arguments left for the harness */
	char **args;
};

/*
 * Takes the runner's options and the test's own (@test_opts) out of @argv
 * and leaves the harness's in @o, where each -s PATTERN became "-t NAME"
 * for every scenario of @names it matches.  Returns -1 to go on, else the
 * exit code to end with.
 */
int scenario_parse_options(int argc, char **argv, const char *const *names, unsigned int nr,
			   const struct scenario_option *test_opts, unsigned int nr_test_opts,
			   struct scenario_options *o);

/*
 * Before the scenarios run: validates the NST_* environment, starts the
 * test's time budget and places memory on the NUMA node asked for.  False,
 * after a message, on a bad value (the test then exits 2).
 */
bool scenario_runner_setup(const struct scenario_options *o);

/* The harness's timeout of a scenario: a backstop behind the runner's own. */
unsigned int scenario_harness_timeout(unsigned int row_timeout);

/*
 * Runs @c in the harness's child and returns the kselftest result code;
 * @reason gets what the result line shows after its directive.
 */
int scenario_run(const struct scenario_call *c, char *reason, size_t size);

#endif /* SELFTEST_KVM_SCENARIO_RUNNER_H */
