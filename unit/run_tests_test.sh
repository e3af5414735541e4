#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Unit tests of run_tests.sh with fake tests: KTAP nesting, counts, exit
# codes (plain and --bisect), timeouts, patterns and option handling.
# Prints KTAP; exits 0 when every case passed.

top=$(cd "$(dirname "$0")/.." && pwd)
run=$top/run_tests.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/nst-unit.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# fake NAME EXIT-CODE KTAP-BODY...: an executable test printing its KTAP.
fake() {
	name=$1 code=$2
	shift 2
	{
		echo '#!/bin/sh'
		for line in "$@"; do echo "echo '$line'"; done
		echo "exit $code"
	} > "$suite/x86/$name"
	chmod +x "$suite/x86/$name"
}

new_suite() {
	suite=$work/$1
	mkdir -p "$suite/x86"
	echo "timeout=${2:-30}" > "$suite/settings"
}

n=0 failed=0
check() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		failed=$((failed + 1))
	fi
}

# Runs run_tests.sh on $suite; sets $out and $rc.
go() {
	out=$("$run" --dir "$suite" "$@" 2>&1)
	rc=$?
}

echo "KTAP version 1"
echo "1..9"

new_suite mixed
fake a_pass 0 "KTAP version 1" "1..2" "ok 1 x" "ok 2 y" \
	"# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0"
fake b_skip 4 "KTAP version 1" "1..1" "ok 1 z # SKIP no VMX" \
	"# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
go
echo "$out" | grep -q '^    ok 1 x$' && echo "$out" | grep -q '^ok 1 a_pass$' &&
	echo "$out" | grep -q '^ok 2 b_skip # SKIP no VMX$' &&
	[ "$(echo "$out" | tail -n 1)" = "2 passed, 0 failed, 1 skipped" ] && [ $rc = 0 ]
check "nesting_counts_and_pass" $?

fake c_fail 1 "KTAP version 1" "1..2" "ok 1 u" "not ok 2 v" \
	"# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0"
go
echo "$out" | grep -q '^not ok 3 c_fail' &&
	[ "$(echo "$out" | tail -n 1)" = "3 passed, 1 failed, 1 skipped" ] && [ $rc = 1 ]
check "failure_exits_1" $?

go --bisect
[ $rc = 1 ]
check "bisect_bad_is_1" $?

go --bisect a_pass b_skip
[ $rc = 0 ]
check "patterns_select_and_bisect_good_is_0" $?

go --bisect b_*
[ $rc = 125 ] && echo "$out" | grep -q "0 passed, 0 failed, 1 skipped"
check "bisect_nothing_ran_is_125" $?

new_suite hang 1
{ echo '#!/bin/sh'; echo 'echo "KTAP version 1"'; echo 'sleep 20'; } > "$suite/x86/h"
chmod +x "$suite/x86/h"
go
echo "$out" | grep -q '^not ok 1 h # TIMEOUT 1 seconds' && [ $rc = 1 ] &&
	[ "$(echo "$out" | tail -n 1)" = "0 passed, 1 failed, 0 skipped" ]
check "timeout_is_a_failure" $?

new_suite crash
fake dies 139 "KTAP version 1" "1..3" "ok 1 p"
go
echo "$out" | grep -q '^not ok 1 dies # exit code 139' && [ $rc = 1 ] &&
	[ "$(echo "$out" | tail -n 1)" = "1 passed, 1 failed, 0 skipped" ]
check "crash_without_totals_is_a_failure" $?

go --frobnicate
[ $rc = 2 ] && echo "$out" | grep -q "unknown option '--frobnicate'" &&
	echo "$out" | grep -q '^usage:'
check "unknown_option_exits_2_with_usage" $?

go nosuchtest
r1=$rc
go --bisect nosuchtest
[ $r1 = 2 ] && [ $rc = 125 ]
check "no_match_exits_2_or_125_with_bisect" $?

echo "# Totals: pass:$((n - failed)) fail:$failed xfail:0 xpass:0 skip:0 error:0"
[ $failed = 0 ]
