// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prints the suite's known failures (lib/known_failures.c), one a line,
 * for unit/known_failures_test.sh to check against the tests and their
 * sources: "TEST SCENARIO BUG CRASHES FILE EXPRESSION", CRASHES "crash" for
 * a bug that crashes the host (else "rule"), FILE and EXPRESSION "-" where
 * the entry names no rule assertion.
 */
#include <stdio.h>

#include "known_failures.h"

int main(void)
{
	const struct known_failure *k;
	unsigned int n;

	k = known_failures_table(&n);
	for (unsigned int i = 0; i < n; i++, k++)
		printf("%s %s %s %s %s %s\n", k->test, k->scenario, k->bug->id,
		       k->bug->crashes ? "crash" : "rule", k->rule.file ? k->rule.file : "-",
		       k->rule.expr ? k->rule.expr : "-");
	return 0;
}
