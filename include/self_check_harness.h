/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The self-check (self_check.h) for a test made of TEST()s on the kselftest
 * harness, until it becomes a table of scenarios (scenario_harness.h, which
 * also has the known KVM bugs and the time budget): include this in a test
 * instead of kselftest_harness.h and end main() with
 * self_check_harness_run(argc, argv, requirements).  The harness's state is
 * static to the test's file, hence a header.
 *
 * The harness's filters (-t, -T, -f, -F, -v, -V, -r) work as usual, and:
 *   --self-check  run each test normally, then inverted (or NST_SELF_CHECK=1)
 *   -s PATTERN    run the tests whose name matches the glob PATTERN
 *                 (repeatable; the same as -t for each test it matches)
 *   -l            list the selected tests on stdout, one a line, and exit 0
 *                 (nothing when -s selects none)
 * NST_SCENARIO_TIMEOUT sets each test's timeout in seconds (default 120,
 * twice that with --self-check).
 */
#ifndef SELFTEST_KVM_SELF_CHECK_HARNESS_H
#define SELFTEST_KVM_SELF_CHECK_HARNESS_H

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "self_check.h"

struct __self_check_test {
	struct __test_metadata *t;
	struct __fixture_variant_metadata *variant;
	void (*fn)(struct __test_metadata *t, struct __fixture_variant_metadata *variant);
};

static struct __self_check_test *__self_check_tests;
static unsigned int __self_check_nr_tests;

/* The child of self_check_run_once(): the test as the harness child runs it. */
static void __self_check_child(void *arg)
{
	struct __self_check_test *st = arg;

	st->fn(st->t, st->variant);
	_exit(st->t->exit_code);
}

/* Replaces a test's function in self-check mode: normal run, then inverted. */
static void __self_check_fn(struct __test_metadata *t, struct __fixture_variant_metadata *variant)
{
	struct __self_check_test *st = NULL;
	bool rule_failed;
	unsigned int i;
	int status;

	for (i = 0; i < __self_check_nr_tests; i++)
		if (__self_check_tests[i].t == t)
			st = &__self_check_tests[i];
	st->variant = variant;

	status = self_check_run_once(__self_check_child, st, false, &rule_failed);
	if (WIFEXITED(status) && WEXITSTATUS(status) == KSFT_SKIP) {
		t->exit_code = KSFT_SKIP;
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != KSFT_PASS) {
		ksft_print_msg("self-check: the normal run failed\n");
		t->exit_code = KSFT_FAIL;
		return;
	}

	status = self_check_run_once(__self_check_child, st, true, &rule_failed);
	if (WIFEXITED(status) && WEXITSTATUS(status) != KSFT_PASS &&
	    WEXITSTATUS(status) != KSFT_SKIP && rule_failed) {
		ksft_print_msg("self-check: the inverted run failed at the rule, as it must\n");
		t->exit_code = KSFT_PASS;
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == KSFT_PASS)
		ksft_print_msg("self-check: the inverted run passed: the rule's check cannot fail\n");
	else
		ksft_print_msg("self-check: the inverted run failed, but not at a rule assertion\n");
	t->exit_code = KSFT_FAIL;
}

/*
 * The test's main() calls this instead of test_harness_run(): it takes
 * --self-check, -s and -l (above) out of the arguments and runs the
 * harness with the rest.  @requirements (may be NULL) runs only when tests
 * are about to run, so that listing works on any host; it skips the whole
 * test with TEST_REQUIRE().
 */
static inline int self_check_harness_run(int argc, char **argv, void (*requirements)(void))
{
	struct __fixture_variant_metadata no_variant = { .name = "", };
	struct __fixture_variant_metadata *v;
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	const char *env = getenv("NST_SELF_CHECK");
	bool self_check = env && strcmp(env, "") && strcmp(env, "0");
	bool list = false, patterns = false;
	unsigned int nr_tests = 0;
	char **args;
	int i, n = 0, ret;

	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			nr_tests++;

	/* Each -s becomes at most one "-t NAME" for every test. */
	args = calloc(argc * (2 * nr_tests + 1) + 1, sizeof(*args));
	if (!args)
		return KSFT_FAIL;
	args[n++] = argv[0];
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--self-check")) {
			self_check = true;
		} else if (!strcmp(argv[i], "-l")) {
			list = true;
		} else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			patterns = true;
			i++;
			for (f = __fixture_list; f; f = f->next)
				for (t = f->tests; t; t = t->next)
					if (!fnmatch(argv[i], t->name, 0)) {
						args[n++] = "-t";
						args[n++] = (char *)t->name;
					}
		} else {
			args[n++] = argv[i];
		}
	}

	/* -s that matches nothing selects nothing (the harness would run all). */
	if (patterns) {
		bool selected = false;

		for (i = 1; i + 1 < n; i++)
			selected |= !strcmp(args[i], "-t");
		if (!selected) {
			if (list)
				return KSFT_PASS;
			fprintf(stderr, "%s: no test matches the -s patterns\n", argv[0]);
			return 2;
		}
	}

	if (list) {
		ret = test_harness_argv_check(n, args);
		if (ret != KSFT_PASS)
			return ret;
		for (f = __fixture_list; f; f = f->next)
			for (v = f->variant ?: &no_variant; v; v = v->next)
				for (t = f->tests; t; t = t->next)
					if (test_enabled(n, args, f, v, t))
						printf("%s%s%s.%s\n", f->name, v->name[0] ? "." : "",
						       v->name, t->name);
		return KSFT_PASS;
	}

	if (requirements)
		requirements();

	if (self_check) {
		__self_check_tests = calloc(nr_tests, sizeof(*__self_check_tests));
		if (!__self_check_tests)
			return KSFT_FAIL;
	}
	for (f = __fixture_list; f; f = f->next) {
		for (t = f->tests; t; t = t->next) {
			t->timeout = self_check_timeout(120) * (self_check ? 2 : 1);
			if (!self_check)
				continue;
			__self_check_tests[__self_check_nr_tests].t = t;
			__self_check_tests[__self_check_nr_tests++].fn = t->fn;
			t->fn = __self_check_fn;
		}
	}
	return test_harness_run(n, args);
}

#endif /* SELFTEST_KVM_SELF_CHECK_HARNESS_H */
