/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host-only unit tests of the library: a table of checks, each reported as
 * one KTAP result by the library's own KTAP producer.
 */
#ifndef NST_UNIT_H
#define NST_UNIT_H

#include <stdbool.h>
#include <stdio.h>

#include "ktap.h"

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

#endif /* NST_UNIT_H */
