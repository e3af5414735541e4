/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test is a table of scenarios on the kselftest harness.  Include this
 * instead of kselftest_harness.h, fill a table and end the file with
 * SCENARIO_MAIN():
 *
 *	static const struct scenario scenarios[] = {
 *		{ "name", "what it checks, one line", run_fn },
 *		{ "other", "...", run_fn, &params, 30 },
 *	};
 *	SCENARIO_MAIN(requirements, scenarios)
 *
 * Each row is a test of the harness's global fixture ("global.name" in its
 * results).  The harness runs it in a child process, in which the runner
 * (scenario_runner.h) runs the row's function in a process of its own:
 * a failed TEST_ASSERT(), REPORT_GUEST_ASSERT() or a crash fails the
 * scenario, TEST_REQUIRE()/__TEST_REQUIRE() skips it with its message, a
 * known KVM bug (known_failures.h) turns a failure into XFAIL and a pass
 * into XPASS, and with --self-check it runs twice (self_check.h).
 * requirements (void (*)(void), or NULL) runs once before the scenarios, not
 * for -l, and skips the whole test with TEST_REQUIRE().
 *
 * Options: -l, -s PATTERN, --self-check, --numa-node N and the harness's
 * (-t, -T, -f, -F, -v, -V, -r: exact names), -h lists them.  A test with
 * numeric options of its own (a seed, a step count) gives them as a table
 * of struct scenario_option to scenario_main() from its own main().  A row's
 * timeout (seconds, 0 for NST_SCENARIO_TIMEOUT or 120) is cut to what is
 * left of the test's budget, NST_TEST_TIMEOUT.
 *
 * The harness's state is static to the test's file, hence a header.
 */
#ifndef SELFTEST_KVM_SCENARIO_HARNESS_H
#define SELFTEST_KVM_SCENARIO_HARNESS_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "scenario_runner.h"
#include "self_check.h"

struct scenario {
	const char *name;
	const char *purpose;		/* one line: what the scenario checks */
	void (*run)(const struct scenario *s);
	const void *arg;		/* per-row parameters of a table-driven test */
	unsigned int timeout;		/* seconds; 0 for the default */
};

static const struct scenario *__scenario_rows;
static struct __test_metadata *__scenario_tests;

/* In the run's own process. */
static inline void __scenario_call(const void *row)
{
	const struct scenario *s = row;

	/*
	 * The process inherited the harness's plan: without it, TEST_REQUIRE()
	 * (ksft_exit_skip()) prints "1..0 # SKIP" and no result line of its
	 * own, and the runner takes the message as the scenario's reason.
	 */
	ksft_plan = 0;
	memset(&ksft_cnt, 0, sizeof(ksft_cnt));
	s->run(s);
}

/* The function of every row's harness test, in the harness's child. */
static inline void __scenario_test(struct __test_metadata *t,
				   struct __fixture_variant_metadata *variant)
{
	const struct scenario *s = &__scenario_rows[t - __scenario_tests];
	const struct scenario_call c = {
		.name = s->name, .purpose = s->purpose, .timeout = s->timeout,
		.run = __scenario_call, .row = s,
	};

	t->exit_code = scenario_run(&c, t->results->reason, sizeof(t->results->reason));
	/* The harness ends this process with _exit(). */
	fflush(stdout);
}

static pid_t __scenario_main_pid;

/*
 * The harness exits 0 when every test skipped, which a caller counts as a
 * pass.  A test binary in which nothing ran exits KSFT_SKIP instead, after
 * the harness printed its totals.
 */
static void __scenario_exit_skip_if_none_ran(void)
{
	if (getpid() != __scenario_main_pid || !ksft_cnt.ksft_xskip ||
	    ksft_cnt.ksft_pass || ksft_cnt.ksft_fail || ksft_cnt.ksft_xfail ||
	    ksft_cnt.ksft_xpass || ksft_cnt.ksft_error)
		return;
	fflush(stdout);
	fflush(stderr);
	_exit(KSFT_SKIP);
}

static inline int scenario_main(const struct scenario *rows, unsigned int nr,
				const struct scenario_option *opts, unsigned int nr_opts,
				void (*requirements)(void), int argc, char **argv)
{
	struct __fixture_variant_metadata no_variant = { .name = "" };
	struct scenario_options o;
	const char **names;
	unsigned int i;
	int ret;

	__scenario_rows = rows;
	__scenario_tests = calloc(nr, sizeof(*__scenario_tests));
	names = calloc(nr, sizeof(*names));
	if (!__scenario_tests || !names)
		return KSFT_FAIL;
	for (i = 0; i < nr; i++) {
		struct __test_metadata *t = &__scenario_tests[i];

		names[i] = rows[i].name;
		t->name = rows[i].name;
		t->fn = __scenario_test;
		t->fixture = &_fixture_global;
		t->termsig = -1;
		__register_test(t);
	}

	ret = scenario_parse_options(argc, argv, names, nr, opts, nr_opts, &o);
	if (ret >= 0)
		return ret;
	if (o.list || o.help) {
		ret = test_harness_argv_check(o.nargs, o.args);
		if (ret != KSFT_PASS || o.help)
			return ret;
		for (i = 0; i < nr; i++)
			if (test_enabled(o.nargs, o.args, &_fixture_global, &no_variant,
					 &__scenario_tests[i]))
				printf("global.%-32s %s\n", rows[i].name, rows[i].purpose);
		return KSFT_PASS;
	}
	if (!scenario_runner_setup(&o))
		return 2;
	if (requirements)
		requirements();
	for (i = 0; i < nr; i++)
		__scenario_tests[i].timeout = scenario_harness_timeout(rows[i].timeout);
	__scenario_main_pid = getpid();
	atexit(__scenario_exit_skip_if_none_ran);
	return test_harness_run(o.nargs, o.args);
}

/* The test's main(): @table's rows are its scenarios. */
#define SCENARIO_MAIN(requirements_fn, table)					\
int main(int argc, char **argv)							\
{										\
	return scenario_main(table, ARRAY_SIZE(table), NULL, 0, requirements_fn,	\
			     argc, argv);						\
}

#endif /* SELFTEST_KVM_SCENARIO_HARNESS_H */
