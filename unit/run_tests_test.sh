#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Unit tests of run_tests.sh with fake tests (shell scripts, and
# unit/plain_main_fake.c on kselftest.h): KTAP nesting, counts, exit codes
# (plain and --bisect), timeouts, patterns, the test list, scenario
# selection after -- and option handling.
# Prints KTAP; exits 0 when every case passed.

top=$(cd "$(dirname "$0")/.." && pwd)
run=$top/run_tests.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/nst-unit.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# fake NAME EXIT-CODE KTAP-BODY...: an executable test printing its KTAP,
# in the suite's list.
fake() {
	name=$1 code=$2
	shift 2
	{
		echo '#!/bin/sh'
		for line in "$@"; do echo "echo '$line'"; done
		echo "exit $code"
	} > "$suite/x86/$name"
	chmod +x "$suite/x86/$name"
	echo "x86/$name" >> "$suite/kvm-nested-tests.list"
}

# scenario_fake NAME SCENARIO...: a test with these scenarios that, like the
# real ones, runs only those matching its -s patterns and with -l lists only
# those (nothing when none matches).  It shows NST_TEST_TIMEOUT.
scenario_fake() {
	name=$1
	shift
	{
		echo '#!/bin/sh'
		echo "all='$*'"
		cat <<'FAKE'
set -f
pats= list=0
while [ $# -gt 0 ]; do
	case "$1" in
	-l) list=1 ;;
	-s) pats="$pats $2"; shift ;;
	--self-check) ;;
	*) echo "$0: bad option '$1'" >&2; exit 2 ;;
	esac
	shift
done
sel=
for s in $all; do
	hit=1
	[ -n "$pats" ] && hit=0
	for p in $pats; do
		case "$s" in $p) hit=1 ;; esac
	done
	[ $hit = 1 ] && sel="$sel $s"
done
if [ $list = 1 ]; then
	for s in $sel; do echo "$s  purpose"; done
	exit 0
fi
[ -n "$sel" ] || { echo "$0: no scenario matches" >&2; exit 2; }
echo "KTAP version 1"
echo "# NST_TEST_TIMEOUT=$NST_TEST_TIMEOUT"
i=0
for s in $sel; do i=$((i + 1)); echo "ok $i $s"; done
exit 0
FAKE
	} > "$suite/x86/$name"
	chmod +x "$suite/x86/$name"
	echo "x86/$name" >> "$suite/kvm-nested-tests.list"
}

new_suite() {
	suite=$work/$1
	mkdir -p "$suite/x86"
	echo "timeout=${2:-30}" > "$suite/settings"
	: > "$suite/kvm-nested-tests.list"
}

. "$top/unit/ktap.sh"

# Runs run_tests.sh on $suite; sets $out and $rc.
go() {
	out=$("$run" --dir "$suite" "$@" 2>&1)
	rc=$?
}

echo "KTAP version 1"
echo "1..34"

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

go --bisect 'b_*'
[ $rc = 125 ] && echo "$out" | grep -q "0 passed, 0 failed, 1 skipped"
check "bisect_nothing_ran_is_125" $?

new_suite hang 1
{ echo '#!/bin/sh'; echo 'echo "KTAP version 1"'; echo 'sleep 20'; } > "$suite/x86/h"
chmod +x "$suite/x86/h"
echo x86/h > "$suite/kvm-nested-tests.list"
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
[ $r1 = 2 ] && [ $rc = 128 ] && echo "$out" | grep -q "no test matches 'nosuchtest'"
check "no_match_exits_2_or_128_with_bisect" $?

# Only the list's names run: x86/ also holds objects and 32-bit L1 images,
# executable or not.
new_suite intermediates
fake real_test 0 "KTAP version 1" "1..1" "ok 1 r"
for f in real_test.o real_test.d real_test.l1_32.elf real_test.l1_32.bin; do
	printf '#!/bin/sh\necho "not ok 1 ran"\nexit 1\n' > "$suite/x86/$f"
	chmod +x "$suite/x86/$f"
done
go
r1=$rc o1=$out
go -l
[ $r1 = 0 ] && echo "$o1" | grep -q '^1\.\.1$' && ! echo "$o1" | grep -q 'ran' &&
	[ "$out" = real_test ]
check "intermediates_never_run" $?

rm "$suite/kvm-nested-tests.list"
go
[ $rc = 2 ] && echo "$out" | grep -q 'no kvm-nested-tests.list'
check "no_list_is_a_usage_error" $?

# The real build, when there is one: only its tests are listed.
list=${OUTPUT:-$top/build}/kvm-nested-tests.list
if [ -f "$list" ]; then
	out=$("$run" -l 2>&1)
	rc=$?
	[ $rc = 0 ] && [ -n "$out" ] && ! echo "$out" | grep -q '\.' &&
		[ "$(echo "$out" | sed 's|^|x86/|')" = "$(cat "$list")" ]
	check "build_lists_only_tests" $?
else
	n=$((n + 1))
	echo "ok $n build_lists_only_tests # SKIP no build"
fi

suite=$work/mixed
go -t a_pass
r1=$rc o1=$out
go --test=b_skip -t 'c_*'
[ $r1 = 0 ] && echo "$o1" | grep -q '^1\.\.1$' && echo "$o1" | grep -q '^ok 1 a_pass$' &&
	[ $rc = 1 ] && echo "$out" | grep -q '^ok 1 b_skip' &&
	echo "$out" | grep -q '^not ok 2 c_fail'
check "test_option_selects" $?

go -t 30
r1=$rc o1=$out
go --bisect -t 30
[ $r1 = 2 ] && echo "$o1" | grep -q "no test matches '30'.*-o SECONDS" && [ $rc = 128 ]
check "test_option_given_a_number_is_an_error" $?

go a_pass nosuchtest
[ $rc = 2 ] && echo "$out" | grep -q "no test matches 'nosuchtest'" &&
	! echo "$out" | grep -q '^ok'
check "every_pattern_must_match" $?

go --timeout 5
r1=$rc o1=$out
go -t a_pass --timeout=5
[ $r1 = 2 ] && echo "$o1" | grep -q "unknown option '--timeout'.*--override-timeout" &&
	[ $rc = 2 ]
check "timeout_option_is_gone" $?

suite=$work/hang
go -o 2
r1=$rc o1=$out
go --override-timeout=1
echo "$o1" | grep -q '^not ok 1 h # TIMEOUT 2 seconds' && [ $r1 = 1 ] &&
	echo "$out" | grep -q '^not ok 1 h # TIMEOUT 1 seconds' && [ $rc = 1 ]
check "override_timeout_option" $?

suite=$work/mixed
bad=
for args in "--bisect --frobnicate" "--frobnicate --bisect" "--bisect -o" "--bisect -o 0" \
	"--bisect -o 1x" "--bisect -t" "--bisect nosuchtest" "--bisect --timeout 5" \
	"--bisect -d $work/nowhere"; do
	# shellcheck disable=SC2086 # the words of one case
	go $args
	[ $rc = 128 ] || bad="$bad [$args: $rc]"
done
[ -z "$bad" ] || echo "# exits other than 128:$bad"
[ -z "$bad" ]
check "bisect_usage_errors_exit_128" $?

go -o 0
r1=$rc
go -o 010
[ $r1 = 2 ] && [ $rc = 2 ] && echo "$out" | grep -q "bad timeout '010'"
check "bad_timeouts_are_usage_errors" $?

# Scenario patterns after --: the tests' own "-l -s PATTERN" decides.
new_suite scenarios
scenario_fake one alpha beta
scenario_fake two gamma
go -- -s nomatch
r1=$rc o1=$out
go --bisect -- -s nomatch
[ $r1 = 2 ] && echo "$o1" | grep -q 'no scenario of the selected tests matches.*-s nomatch' &&
	! echo "$o1" | grep -q '^KTAP' && [ $rc = 128 ]
check "scenario_pattern_matching_nothing_is_a_usage_error" $?

go -- -s 'g*'
r1=$rc o1=$out
go -l -- -s 'b*'
[ $r1 = 0 ] && echo "$o1" | grep -q '^1\.\.1$' && echo "$o1" | grep -q '^ok 1 two$' &&
	echo "$o1" | grep -q '^    ok 1 gamma$' && [ "$out" = one ]
check "scenario_pattern_runs_only_tests_it_selects" $?

go two -- -s alpha
[ $rc = 2 ] && echo "$out" | grep -q 'no scenario of the selected tests matches'
check "scenario_pattern_looked_for_in_selected_tests_only" $?

go -- --frobnicate
[ $rc = 2 ] &&
	echo "$out" | grep -q "one refuses the arguments after --: .*bad option '--frobnicate'"
check "test_refusing_its_arguments_is_a_usage_error" $?

# The per-test timeout reaches the tests; --self-check doubles the default.
go one
r1=$rc o1=$out
go --self-check one
r2=$rc o2=$out
go --self-check -o 7 one
[ $r1 = 0 ] && echo "$o1" | grep -q '^    # NST_TEST_TIMEOUT=30$' &&
	[ $r2 = 0 ] && echo "$o2" | grep -q '^    # NST_TEST_TIMEOUT=60$' &&
	[ $rc = 0 ] && echo "$out" | grep -q '^    # NST_TEST_TIMEOUT=7$'
check "timeout_exported_and_doubled_by_self_check" $?

# The doubled default is the one enforced, not only the one shown.
new_suite slow 1
{ echo '#!/bin/sh'; echo 'echo "KTAP version 1"'; echo 'sleep 1.5'; echo 'echo "ok 1 s"'; } \
	> "$suite/x86/slow"
chmod +x "$suite/x86/slow"
echo x86/slow > "$suite/kvm-nested-tests.list"
go
r1=$rc
go --self-check
[ $r1 = 1 ] && [ $rc = 0 ]
check "self_check_doubles_the_enforced_timeout" $?

go -t slow -o 3
[ $rc = 0 ] && echo "$out" | grep -q '^ok 1 slow$'
check "override_timeout_replaces_the_default" $?

new_suite whole_skip
fake s_req 4 "Random seed: 0x1" "1..0 # SKIP - Requirement not met: kvm_cpu_has(X86_FEATURE_VMX)"
fake s_pass 0 "KTAP version 1" "1..1" "ok 1 global.x"
go
echo "$out" | grep -q '^ok 1 s_req # SKIP Requirement not met: kvm_cpu_has(X86_FEATURE_VMX)$' &&
	[ "$(echo "$out" | tail -n 1)" = "1 passed, 0 failed, 1 skipped" ] && [ $rc = 0 ]
check "whole_test_skip_counts_one_with_its_reason" $?

# A test without result lines of its own (a plain main(), as many upstream
# KVM selftests have) is one result by its exit code, as in kselftest's
# runner: 0 a pass, 4 a skip (with or without kselftest's "1..0 # SKIP"),
# any other exit or a timeout a failure.
new_suite plain 1
fake p_pass 0
fake p_seed 0 "Random seed: 0x1"
fake p_skip 4 "Random seed: 0x1" "1..0 # SKIP - Requirement not met: kvm_cpu_has(X86_FEATURE_VMX)"
fake p_skip_quiet 4
fake p_fail 1
{ echo '#!/bin/sh'; echo 'sleep 20'; } > "$suite/x86/p_hang"
chmod +x "$suite/x86/p_hang"
echo x86/p_hang >> "$suite/kvm-nested-tests.list"
fake k_ktap 0 "KTAP version 1" "1..2" "ok 1 x" "ok 2 y # SKIP z"
go
echo "$out" | grep -q '^ok 1 p_pass$' && echo "$out" | grep -q '^ok 2 p_seed$' &&
	echo "$out" | grep -q '^ok 3 p_skip # SKIP Requirement not met: kvm_cpu_has(X86_FEATURE_VMX)$' &&
	echo "$out" | grep -q '^ok 4 p_skip_quiet # SKIP skipped$' &&
	echo "$out" | grep -q '^not ok 5 p_fail # exit code 1 ' &&
	echo "$out" | grep -q '^not ok 6 p_hang # TIMEOUT 1 seconds$' &&
	[ "$(echo "$out" | tail -n 1)" = "3 passed, 2 failed, 3 skipped" ] && [ $rc = 1 ]
check "test_without_results_counts_by_exit_code" $?

go --bisect 'p_pass'
r1=$rc o1=$out
go --bisect 'p_skip*'
[ $r1 = 0 ] && [ "$(echo "$o1" | tail -n 1)" = "1 passed, 0 failed, 0 skipped" ] &&
	[ $rc = 125 ] && [ "$(echo "$out" | tail -n 1)" = "0 passed, 0 failed, 2 skipped" ]
check "bisect_counts_a_plain_pass_as_good" $?

# The same with kselftest.h's own output: unit/plain_main_fake.c, built by
# "make unit", ends as the end of its name says.
plain=${OUTPUT:-$top/build}/unit/plain_main_fake
if [ -x "$plain" ]; then
	new_suite kselftest
	for t in kst_pass kst_skip kst_fail; do
		ln -s "$plain" "$suite/x86/$t"
		echo "x86/$t" >> "$suite/kvm-nested-tests.list"
	done
	fake k_ktap 0 "KTAP version 1" "1..2" "ok 1 x" "ok 2 y # SKIP z"
	go
	echo "$out" | grep -q '^ok 1 kst_pass$' &&
		echo "$out" | grep -q '^    1\.\.0 # SKIP - Requirement not met: a fake requirement$' &&
		echo "$out" | grep -q '^ok 2 kst_skip # SKIP Requirement not met: a fake requirement$' &&
		echo "$out" | grep -q '^    Bail out! a fake failure$' &&
		echo "$out" | grep -q '^not ok 3 kst_fail # exit code 1 ' &&
		[ "$(echo "$out" | tail -n 1)" = "2 passed, 1 failed, 2 skipped" ] && [ $rc = 1 ]
	check "kselftest_plain_main_counts_by_exit_code" $?
else
	n=$((n + 1))
	echo "ok $n kselftest_plain_main_counts_by_exit_code # SKIP no unit/plain_main_fake (make unit builds it)"
fi

# A test with result lines is counted by them, its exit adding nothing but
# a failure when it died (or timed out) without reporting one.
new_suite results_and_exit 1
fake r_dies 1 "KTAP version 1" "1..3" "ok 1 a" "ok 2 b"
fake r_fails 1 "KTAP version 1" "1..2" "ok 1 a" "not ok 2 b"
fake r_skips 4 "1..1" "ok 1 # SKIP r"
fake r_passes 0 "KTAP version 1" "1..1" "ok 1 a"
{ echo '#!/bin/sh'; echo 'echo "ok 1 a"'; echo 'sleep 20'; } > "$suite/x86/r_hangs"
chmod +x "$suite/x86/r_hangs"
echo x86/r_hangs >> "$suite/kvm-nested-tests.list"
go
[ "$(echo "$out" | tail -n 1)" = "5 passed, 3 failed, 1 skipped" ] && [ $rc = 1 ]
check "test_with_results_counts_them_and_a_bad_exit" $?

echo "$out" | grep -q '^ok 3 r_skips # SKIP r$'
check "skip_reason_of_a_result_without_a_name" $?

# A harness test on the KVM selftests library: the library prints its
# random seed first, also with -l.
new_suite seed
{
	echo '#!/bin/sh'
	echo 'echo "Random seed: 0x1"'
	echo 'case "$*" in *"-s x"*"-l"*) echo global.x ;; *-l*) ;; *) echo "ok 1 global.x" ;; esac'
} > "$suite/x86/h"
chmod +x "$suite/x86/h"
echo x86/h > "$suite/kvm-nested-tests.list"
go -- -s y
r1=$rc
go -- -s x
[ $r1 = 2 ] && [ $rc = 0 ] && echo "$out" | grep -q '^ok 1 h$'
check "random_seed_line_lists_nothing" $?

# A test that skips as a whole before it can list (no /dev/kvm) is run
# and reports its skip; one that refuses the arguments is still an error.
new_suite list_skip
fake k_skip 4 "1..0 # SKIP - Cannot open /dev/kvm"
go -- -s x
[ $rc = 0 ] && echo "$out" | grep -q '^ok 1 k_skip # SKIP Cannot open /dev/kvm$'
check "test_skipping_when_listing_is_run" $?

ktap_totals
