// SPDX-License-Identifier: GPL-2.0-only
/*
 * A test with a plain main() on kselftest.h alone, as many upstream KVM
 * selftests are: it prints no result line of its own, only its exit code
 * tells how it ended.  unit/run_tests_test.sh runs it under several names,
 * whose end picks the ending:
 *   ..._pass  returns 0 without a word
 *   ..._skip  ksft_exit_skip() before any plan, as the KVM selftests'
 *             TEST_REQUIRE() does: "1..0 # SKIP - ...", exit 4
 *   ..._fail  ksft_exit_fail_msg(): "Bail out! ...", exit 1
 */
#include <string.h>

#include "kselftest.h"

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && !strcmp(s + n - m, end);
}

int main(int argc, char *argv[])
{
	if (ends_with(argv[0], "_skip"))
		ksft_exit_skip("- Requirement not met: %s\n", "a fake requirement");
	if (ends_with(argv[0], "_fail"))
		ksft_exit_fail_msg("%s\n", "a fake failure");
	return KSFT_PASS;
}
