#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Unit tests of the self-check on the kselftest harness
# (include/self_check_harness.h) with unit/self_check_fake.c, built by
# "make unit": listing and -s selection, normal runs, and each way a
# self-check ends.  Prints KTAP; exits 0 when every case passed.

top=$(cd "$(dirname "$0")/.." && pwd)
fake=${OUTPUT:-$top/build}/unit/self_check_fake

. "$top/unit/ktap.sh"

# Runs the fake test; sets $out and $rc.
go() {
	out=$("$fake" "$@" 2>&1)
	rc=$?
}

echo "KTAP version 1"
echo "1..9"

go -l
[ $rc = 0 ] && [ "$(echo "$out" | wc -l)" = 5 ] && echo "$out" | grep -qx 'global.rule_holds'
check "list_names_every_test" $?

go -s 'rule_*' -l
[ $rc = 0 ] && [ "$(echo "$out" | tr '\n' ' ')" = \
	"global.rule_holds global.rule_cannot_fail global.rule_broken " ]
check "list_shows_only_what_s_selects" $?

go -s 'nothing*' -l
[ $rc = 0 ] && [ -z "$out" ]
check "list_of_nothing_is_empty" $?

go -s 'nothing*'
[ $rc = 2 ]
check "running_nothing_is_a_usage_error" $?

go -s rule_holds -s rule_cannot_fail -s fails_elsewhere -s skips
[ $rc = 0 ] && echo "$out" | grep -q '^ok 1 global.rule_holds$' &&
	echo "$out" | grep -q '^ok 4 global.skips # SKIP no such hardware$'
check "normal_runs_pass_and_skip" $?

go --self-check -s rule_holds
[ $rc = 0 ] && echo "$out" | grep -q '^ok 1 global.rule_holds$' &&
	echo "$out" | grep -q 'inverted run failed at the rule, as it must'
check "self_check_passes_when_the_inverted_run_fails_at_the_rule" $?

NST_SELF_CHECK=1 go -s rule_cannot_fail
[ $rc = 1 ] && echo "$out" | grep -q '^not ok 1 global.rule_cannot_fail$' &&
	echo "$out" | grep -q 'the inverted run passed'
check "self_check_fails_when_the_inverted_run_passes" $?

go --self-check -s fails_elsewhere
[ $rc = 1 ] && echo "$out" | grep -q '^not ok 1 global.fails_elsewhere$' &&
	echo "$out" | grep -q 'not at a rule assertion'
check "self_check_counts_no_other_failure" $?

go --self-check -s rule_broken -s skips
[ $rc = 1 ] && echo "$out" | grep -q '^not ok 1 global.rule_broken$' &&
	echo "$out" | grep -q 'the normal run failed' &&
	echo "$out" | grep -q '^ok 2 global.skips # SKIP no such hardware$'
check "self_check_of_a_failing_or_skipped_test" $?

ktap_totals
[ $failed = 0 ]
