/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Known KVM bugs: scenarios whose architectural rule a given kernel breaks.
 * Such a scenario still runs with its full assertions; its failure is
 * reported as XFAIL with the reason, and a pass as XPASS (the entry is
 * stale).  Every entry is listed in README.md with its KVM code path.
 */
#ifndef NST_KNOWN_FAILURES_H
#define NST_KNOWN_FAILURES_H

#include <stdbool.h>

struct known_failure {
	const char *test;	/* test binary name */
	const char *scenario;	/* fnmatch() pattern of scenario names */
	const char *kernel;	/* fnmatch() pattern of the running kernel's release */
	const char *kvm_intel;	/* "param=value ..." as /sys/module/kvm_intel/parameters reads */
	const char *reason;	/* what KVM does wrong, and where */
	/*
	 * Running the scenario brings the kernel under test down (BUG, hang):
	 * it is skipped with the reason unless NST_RUN_KNOWN_CRASHES=1.
	 */
	bool crashes;
};

/* The reason if @scenario of @test is a known failure on this host, else NULL. */
const char *known_failure(const char *test, const char *scenario);
/* The reason if running @scenario of @test would crash this host's kernel, else NULL. */
const char *known_crash(const char *test, const char *scenario);

#endif /* NST_KNOWN_FAILURES_H */
