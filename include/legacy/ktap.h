/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KTAP output (Documentation/dev-tools/ktap.rst) and kselftest exit codes
 * (tools/testing/selftests/kselftest.h).
 */
#ifndef NST_KTAP_H
#define NST_KTAP_H

#include <stdio.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_XFAIL	2
#define KSFT_XPASS	3
#define KSFT_SKIP	4

enum ktap_result {
	KTAP_PASS,
	KTAP_FAIL,
	KTAP_SKIP,
	KTAP_XFAIL,	/* failed, and the failure is a known one: counts as ok */
	KTAP_XPASS,	/* passed although a failure was expected (kselftest: ok) */
};

struct ktap {
	FILE *out;
	unsigned int planned;
	unsigned int reported;
	unsigned int counts[KTAP_XPASS + 1];
};

void ktap_init(struct ktap *k, FILE *out);
void ktap_header(struct ktap *k, unsigned int planned);
void ktap_plan_skip_all(struct ktap *k, const char *reason);
void ktap_report(struct ktap *k, enum ktap_result result, const char *name,
		 const char *reason);
void ktap_diag(struct ktap *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the totals line; returns the kselftest exit code for the results. */
int ktap_finish(struct ktap *k);

#endif /* NST_KTAP_H */
