// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the scenario runner: results, timeouts, crashes, skips,
 * expected failures, self-check mode and option handling, on fake
 * scenarios run through test_main() in a child process.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "known_failures.h"
#include "scenario.h"
#include "test_util.h"
#include "unit.h"

static void passes(const struct scenario *s)
{
}

static void fails(const struct scenario *s)
{
	TEST_ASSERT_EQ(1, 2);
}

static void skips(const struct scenario *s)
{
	test_skip("no widget");
}

static void hangs(const struct scenario *s)
{
	sleep(30);
}

static void crashes(const struct scenario *s)
{
	raise(SIGSEGV);
}

static void known_bug(const struct scenario *s)
{
	scenario_expect_failure("known bug");
	TEST_FAIL("the known bug");
}

static void checks_rule(const struct scenario *s)
{
	TEST_ASSERT_RULE(1, 1, 2);
}

/* Fails when inverted, but at an assertion that is not the rule's. */
static void fails_elsewhere(const struct scenario *s)
{
	TEST_ASSERT(!scenario_inverted(), "setup");
	TEST_ASSERT_RULE(1, 1, 1);
}

static void hangs_inverted(const struct scenario *s)
{
	if (scenario_inverted())
		sleep(30);
	TEST_ASSERT_RULE(1, 1, 2);
}

static void hangs_long(const struct scenario *s)
{
	sleep(60);
}

static const struct scenario fakes[] = {
	{ "passes", "passes", passes },
	{ "fails", "fails", fails },
	{ "skips", "skips", skips },
	{ "hangs", "hangs", hangs, .timeout = 1 },
	{ "crashes", "crashes", crashes },
	{ "known_bug", "fails, known", known_bug },
	{ "checks_rule", "fails when inverted", checks_rule },
	{ "fails_elsewhere", "fails when inverted, at setup", fails_elsewhere },
};

static const struct scenario inverted_hang[] = {
	{ "hangs_inverted", "hangs when inverted", hangs_inverted, .timeout = 1 },
};

static const struct scenario long_hangs[] = {
	{ "hang_a", "hangs", hangs_long },
	{ "hang_b", "hangs", hangs_long },
};

static const char *no_kvm(void)
{
	return "no KVM here";
}

/* Runs test_main() on @suite with @args; returns its exit code and output. */
static int run_suite(struct test_suite suite, char *out, size_t size, const char *args)
{
	char *argv[16] = { "fake" }, copy[256];
	int argc = 1, fds[2], status;
	ssize_t n, len = 0;
	pid_t pid;

	snprintf(copy, sizeof(copy), "%s", args);
	for (char *a = strtok(copy, " "); a && argc < 15; a = strtok(NULL, " "))
		argv[argc++] = a;
	if (pipe(fds))
		return -1;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		exit(test_main(&suite, argc, argv));
	}
	close(fds[1]);
	while ((n = read(fds[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run(const char *(*req)(void), char *out, size_t size, const char *args)
{
	return run_suite((struct test_suite){ "fake", req, fakes, ARRAY_SIZE(fakes) }, out, size,
			 args);
}

#define HAS(out, s)	UNIT_CHECK(strstr(out, s))

static bool results(void)
{
	static char out[16384];

	UNIT_CHECK(run(NULL, out, sizeof(out), "") == 1);
	HAS(out, "\n1..8\n");
	HAS(out, "\nok 1 passes\n");
	HAS(out, "\nnot ok 2 fails\n");
	HAS(out, ": 1 == 2\n");
	HAS(out, "\nok 3 skips # SKIP no widget\n");
	HAS(out, "hangs: timed out");
	HAS(out, "\nnot ok 4 hangs\n");
	HAS(out, "killed by signal 11");
	HAS(out, "\nnot ok 5 crashes\n");
	HAS(out, "\nok 6 known_bug # XFAIL known bug\n");
	HAS(out, "\nok 7 checks_rule\n");
	HAS(out, "# Totals: pass:3 fail:3 xfail:1 xpass:0 skip:1 error:0\n");
	return true;
}

static bool selection(void)
{
	static char out[4096];

	UNIT_CHECK(run(NULL, out, sizeof(out), "-s pass* -s checks_rule") == 0);
	HAS(out, "\n1..2\n");
	HAS(out, "ok 1 passes");
	HAS(out, "ok 2 checks_rule");
	UNIT_CHECK(run(NULL, out, sizeof(out), "-s nothing") == 2);
	HAS(out, "no scenario matches");
	/* -l lists the scenarios -s selects, nothing when none matches. */
	UNIT_CHECK(run(NULL, out, sizeof(out), "-l -s pass*") == 0);
	HAS(out, "passes ");
	UNIT_CHECK(!strstr(out, "fails"));
	UNIT_CHECK(run(NULL, out, sizeof(out), "-l -s nothing") == 0);
	UNIT_CHECK(!out[0]);
	return true;
}

static bool self_check(void)
{
	static char out[4096];

	/*
	 * Only a failure at the rule's assertion, after a passing normal run,
	 * counts: not a pass, a failure elsewhere, a failing normal run.
	 */
	UNIT_CHECK(run(NULL, out, sizeof(out), "--self-check -s checks_rule -s passes "
		       "-s fails -s known_bug -s fails_elsewhere") == 1);
	HAS(out, "not ok 1 passes");
	HAS(out, "this check cannot fail");
	HAS(out, "not ok 2 fails");
	HAS(out, "the normal run failed");
	HAS(out, "ok 3 known_bug # SKIP the normal run is a known failure");
	HAS(out, "ok 4 checks_rule\n");
	HAS(out, "not ok 5 fails_elsewhere");
	HAS(out, "not at the rule's assertion");
	/* A timeout of the inverted run does not count either. */
	UNIT_CHECK(run_suite((struct test_suite){ "fake", NULL, inverted_hang, 1 }, out,
			     sizeof(out), "--self-check") == 1);
	HAS(out, "timed out");
	HAS(out, "not ok 1 hangs_inverted");
	return true;
}

/* A hung scenario leaves the test's budget to report the rest. */
static bool budget(void)
{
	static char out[4096];
	int rc;

	setenv("NST_TEST_TIMEOUT", "8", 1);
	rc = run_suite((struct test_suite){ "fake", NULL, long_hangs, 2 }, out, sizeof(out), "");
	unsetenv("NST_TEST_TIMEOUT");
	UNIT_CHECK(rc == 1);
	HAS(out, "not ok 1 hang_a");
	HAS(out, "hang_b: not run, the test's time budget ran out");
	HAS(out, "not ok 2 hang_b");
	return true;
}

/* Known bugs apply up to the release that fixes them. */
static bool release_order(void)
{
	UNIT_CHECK(kernel_release_at_least("6.12.117+deb12-cloud-amd64", "6.12"));
	UNIT_CHECK(kernel_release_at_least("7.3.0-rc7-cloud-amd64", "7.3"));
	UNIT_CHECK(!kernel_release_at_least("6.1.0-57-cloud-amd64", "6.1.1"));
	UNIT_CHECK(!kernel_release_at_least("6.9.12", "6.12"));
	UNIT_CHECK(kernel_release_at_least("10.0", "9.18.3"));
	return true;
}

static bool bad_environment(void)
{
	static const char * const bad[][2] = {
		{ "NST_SCENARIO_TIMEOUT", "abc" }, { "NST_SCENARIO_TIMEOUT", "0" },
		{ "NST_NUMA_NODE", "-1" }, { "NST_TEST_TIMEOUT", "3" },
		{ "NST_RUN_KNOWN_CRASHES", "yes" },
	};
	static char out[4096];

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		setenv(bad[i][0], bad[i][1], 1);
		UNIT_CHECK(run(NULL, out, sizeof(out), "-s passes") == 2);
		unsetenv(bad[i][0]);
		HAS(out, bad[i][0]);
	}
	return true;
}

static bool requirements_skip_all(void)
{
	static char out[4096];

	UNIT_CHECK(run(no_kvm, out, sizeof(out), "") == 4);
	HAS(out, "ok 1 passes # SKIP no KVM here");
	HAS(out, "ok 8 fails_elsewhere # SKIP no KVM here");
	return true;
}

static bool bad_options(void)
{
	static char out[4096];

	UNIT_CHECK(run(NULL, out, sizeof(out), "--bogus") == 2);
	HAS(out, "usage:");
	UNIT_CHECK(run(NULL, out, sizeof(out), "-T 0") == 2);
	UNIT_CHECK(run(NULL, out, sizeof(out), "extra") == 2);
	UNIT_CHECK(run(NULL, out, sizeof(out), "-l") == 0);
	HAS(out, "fails when inverted");
	return true;
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "results", results },
		{ "selection", selection },
		{ "self_check", self_check },
		{ "budget", budget },
		{ "bad_environment", bad_environment },
		{ "release_order", release_order },
		{ "requirements_skip_all", requirements_skip_all },
		{ "bad_options", bad_options },
	};

	return unit_main(cases, sizeof(cases) / sizeof(cases[0]));
}
