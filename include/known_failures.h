/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Known KVM bugs: scenarios whose architectural rule the kernel under test
 * breaks.  Each entry names one scenario exactly, the rule assertion at
 * which the bug shows and the wrong value that assertion sees there.  Such
 * a scenario still runs with its full assertions; a failure at exactly that
 * rule with exactly that value is reported as XFAIL with the bug, a pass as
 * XPASS (the bug looks fixed), and any other failure (another assertion,
 * another value, a crash, a timeout) as a failure naming the bug.  Every
 * bug is described in README.md ("Known KVM bugs") with its KVM code path.
 */
#ifndef SELFTEST_KVM_KNOWN_FAILURES_H
#define SELFTEST_KVM_KNOWN_FAILURES_H

#include <stdbool.h>
#include <stdint.h>

struct known_bug {
	const char *id;		/* short name, as README.md lists it */
	const char *summary;	/* what KVM does wrong, and where */
	const char *seen;	/* the kernels where the lab saw it */
	/*
	 * Running its scenarios brings the kernel down (BUG, hang): they are
	 * skipped with the reason unless NST_RUN_KNOWN_CRASHES=1.
	 */
	bool crashes;
};

/* Where a failed rule assertion (self_check.h) stands and what it saw. */
struct rule_site {
	const char *file;	/* the source file, as __FILE__ ends: "x86/foo_test.c" */
	const char *expr;	/* the asserted expression, as written in the source */
	uint64_t value;		/* the value it saw */
};

struct known_failure {
	const char *test;	/* test binary name */
	const char *scenario;	/* the scenario's exact name */
	/*
	 * KVM module parameters the bug needs, "module.param=value ..." as
	 * /sys/module/MODULE/parameters/PARAM reads them ("kvm_intel.ept=N",
	 * "kvm_amd.npt=N": bool parameters read Y or N); every word must match,
	 * and a module that is not loaded matches none.  "" for any.
	 */
	const char *params;
	const struct known_bug *bug;
	/* The rule assertion that the bug fails and its wrong value; none for a crash. */
	struct rule_site rule;
};

const struct known_failure *known_failure_find(const char *test, const char *scenario);
const struct known_failure *known_crash_find(const char *test, const char *scenario);
/* True if @seen is @k's own rule assertion with @k's wrong value. */
bool known_failure_matches(const struct known_failure *k, const struct rule_site *seen);
void known_failures_use(const struct known_failure *table, unsigned int n);
/* The table in use and its size. */
const struct known_failure *known_failures_table(unsigned int *n);
void known_failures_use_sysfs(const char *dir);

#endif /* SELFTEST_KVM_KNOWN_FAILURES_H */
