/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Known KVM bugs: scenarios whose architectural rule the kernel under test
 * breaks.  Entries are keyed on the bug, not on a kernel release: a bug
 * applies to every kernel until the version that fixes it.  Such a
 * scenario still runs with its full assertions; its failure is reported as
 * XFAIL with the bug, a pass as XPASS (the bug looks fixed).  Every bug is
 * described in README.md ("Known KVM bugs") with its KVM code path.
 */
#ifndef NST_KNOWN_FAILURES_H
#define NST_KNOWN_FAILURES_H

#include <stdbool.h>

struct known_bug {
	const char *id;		/* short name, as README.md lists it */
	const char *summary;	/* what KVM does wrong, and where */
	const char *seen;	/* the kernels where the lab saw it */
	/* The first kernel release with the fix ("6.13"), or NULL while unfixed. */
	const char *fixed_in;
	/*
	 * Running its scenarios brings the kernel down (BUG, hang): they are
	 * skipped with the reason unless NST_RUN_KNOWN_CRASHES=1.
	 */
	bool crashes;
};

struct known_failure {
	const char *test;	/* test binary name */
	const char *scenario;	/* fnmatch() pattern of scenario names */
	/*
	 * KVM module parameters the bug needs, "module.param=value ..." as
	 * /sys/module/MODULE/parameters/PARAM reads them ("kvm_intel.ept=N",
	 * "kvm_amd.npt=N": bool parameters read Y or N); every word must match,
	 * and a module that is not loaded matches none.  "" for any.
	 */
	const char *params;
	const struct known_bug *bug;
};

/* The bug that @scenario of @test is known to fail by on this host, else NULL. */
const struct known_bug *known_failure_bug(const char *test, const char *scenario);
/*
 * The bug by which running @scenario of @test would crash this host's
 * kernel, else NULL (also with NST_RUN_KNOWN_CRASHES=1).
 */
const struct known_bug *known_crash_bug(const char *test, const char *scenario);
/* Replaces the suite's table with @n rows of @table (for the runner's unit tests). */
void known_failures_use(const struct known_failure *table, unsigned int n);
/* Reads module parameters under @dir instead of /sys/module (for the runner's unit tests). */
void known_failures_use_sysfs(const char *dir);
/* True if a kernel release (uname -r) is at least @version ("major.minor[.patch]"). */
bool kernel_release_at_least(const char *release, const char *version);

#endif /* NST_KNOWN_FAILURES_H */
