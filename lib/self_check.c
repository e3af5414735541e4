// SPDX-License-Identifier: GPL-2.0-only
/*
 * The inverted-run flag of the self-check (include/self_check.h): the
 * runner (lib/scenario_runner.c) sets it in each run's process, before the
 * scenario creates its VMs, which copy it into the guest.
 *
 * Also, for the tests still made of TEST()s (self_check_harness.h), one run
 * of a test in a child process, normal or inverted, and whether it failed
 * at a rule assertion.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "self_check.h"

bool guest_inverted;

bool scenario_inverted(void)
{
	return guest_inverted;
}

int self_check_timeout(int fallback)
{
	const char *s = getenv("NST_SCENARIO_TIMEOUT");
	char *end;
	long v;

	if (!s || !*s)
		return fallback;
	v = strtol(s, &end, 10);
	if (*end || v <= 0 || v > 86400) {
		fprintf(stderr, "NST_SCENARIO_TIMEOUT=%s is not a number of seconds\n", s);
		exit(KSFT_FAIL);
	}
	return v;
}

int self_check_run_once(void (*fn)(void *arg), void *arg, bool inverted, bool *rule_failed)
{
	/* The tag may straddle two reads: keep its length minus one byte. */
	const size_t keep = strlen(RULE_ASSERT_TAG) - 1;
	char buf[4096 + sizeof(RULE_ASSERT_TAG)];
	size_t carry = 0, total;
	int pipefd[2], status;
	pid_t pid;
	ssize_t r;

	*rule_failed = false;
	fflush(stdout);
	fflush(stderr);
	if (pipe(pipefd))
		return KSFT_FAIL << 8;
	pid = fork();
	if (pid < 0)
		return KSFT_FAIL << 8;
	if (!pid) {
		close(pipefd[0]);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[1]);
		guest_inverted = inverted;
		fn(arg);
		_exit(KSFT_FAIL);
	}

	close(pipefd[1]);
	ksft_print_msg("self-check: %s run\n", inverted ? "inverted" : "normal");
	fflush(stdout);
	for (;;) {
		r = read(pipefd[0], buf + carry, sizeof(buf) - carry);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (write(STDERR_FILENO, buf + carry, r) < 0)
			break;
		total = carry + r;
		if (memmem(buf, total, RULE_ASSERT_TAG, keep + 1))
			*rule_failed = true;
		carry = total < keep ? total : keep;
		memmove(buf, buf + total - carry, carry);
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return KSFT_FAIL << 8;
	return status;
}
