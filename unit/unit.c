// SPDX-License-Identifier: GPL-2.0-only
/* Runs a table of unit cases (unit.h) as kselftest results. */
#include "kselftest.h"
#include "unit.h"

int unit_main(const struct unit_case *cases, unsigned int n)
{
	ksft_print_header();
	ksft_set_plan(n);
	for (unsigned int i = 0; i < n; i++)
		ksft_test_result(cases[i].run(), "%s\n", cases[i].name);
	ksft_finished();
	return ksft_get_fail_cnt() ? KSFT_FAIL : KSFT_PASS;
}
