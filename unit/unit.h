/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host-only unit tests of the suite's own code: a table of checks, each
 * reported as one kselftest result.
 */
#ifndef SELFTEST_KVM_UNIT_H
#define SELFTEST_KVM_UNIT_H

#include <stdbool.h>
#include <stdio.h>

struct unit_case {
	const char *name;
	bool (*run)(void);	/* true: pass; diagnostics on failure */
};

int unit_main(const struct unit_case *cases, unsigned int n);

#define UNIT_CHECK(cond)							\
do {										\
	if (!(cond)) {								\
		printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		return false;							\
	}									\
} while (0)

#endif /* SELFTEST_KVM_UNIT_H */
