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
	TEST_ASSERT(!scenario_inverted(), "inverted expectation");
}

static const struct scenario fakes[] = {
	{ "passes", "passes", passes },
	{ "fails", "fails", fails },
	{ "skips", "skips", skips },
	{ "hangs", "hangs", hangs, .timeout = 1 },
	{ "crashes", "crashes", crashes },
	{ "known_bug", "fails, known", known_bug },
	{ "checks_rule", "fails when inverted", checks_rule },
	{ "no_inverse", "setup only", passes, .no_inverted = true },
};

static const char *no_kvm(void)
{
	return "no KVM here";
}

/* Runs test_main() on the fakes with @args; returns its exit code and output. */
static int run(const char *(*req)(void), char *out, size_t size, const char *args)
{
	struct test_suite suite = { "fake", req, fakes, ARRAY_SIZE(fakes) };
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
	return true;
}

static bool self_check(void)
{
	static char out[4096];

	/* Inverted: a check that fails is "ok", one that still passes is "not ok". */
	UNIT_CHECK(run(NULL, out, sizeof(out), "--self-check -s checks_rule -s passes -s no_*")
		   == 1);
	HAS(out, "not ok 1 passes");
	HAS(out, "this check cannot fail");
	HAS(out, "ok 2 checks_rule");
	HAS(out, "ok 3 no_inverse # SKIP no inverted variant");
	return true;
}

static bool requirements_skip_all(void)
{
	static char out[4096];

	UNIT_CHECK(run(no_kvm, out, sizeof(out), "") == 4);
	HAS(out, "ok 1 passes # SKIP no KVM here");
	HAS(out, "ok 8 no_inverse # SKIP no KVM here");
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
		{ "requirements_skip_all", requirements_skip_all },
		{ "bad_options", bad_options },
	};

	return unit_main(cases, sizeof(cases) / sizeof(cases[0]));
}
