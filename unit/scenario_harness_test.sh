#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Unit tests of the scenario tables on the kselftest harness
# (include/scenario_harness.h, lib/scenario_runner.c) with
# unit/scenario_fake.c, built by "make unit": listing and selection,
# results, known bugs, the self-check, the time budget, the environment,
# and run_tests.sh's counts of such a test.  Prints KTAP; exits 0 when
# every case passed.

top=$(cd "$(dirname "$0")/.." && pwd)
fake=${OUTPUT:-$top/build}/unit/scenario_fake

. "$top/unit/ktap.sh"

# Runs the fake test; sets $out, $rc and $secs.
go() {
	start=$(date +%s)
	out=$("$fake" "$@" 2>&1)
	rc=$?
	secs=$(($(date +%s) - start))
}

has() { echo "$out" | grep -q -- "$1"; }
hasx() { echo "$out" | grep -qx -- "$1"; }

echo "KTAP version 1"
echo "1..24"

FAKE_NO_GADGET=1 go -l
[ $rc = 0 ] && [ "$(echo "$out" | wc -l)" = 21 ] &&
	hasx 'global.passes                           passes'
check "list_names_every_scenario_without_its_requirements" $?

go -s 'known_[fp]*' -s hangs -l
[ $rc = 0 ] && [ "$(echo "$out" | cut -d' ' -f1 | tr '\n' ' ')" = \
	"global.hangs global.known_fails global.known_passes " ]
check "list_shows_only_what_s_selects" $?

go -s 'nothing*' -l
r1=$rc o1=$out
go -s 'nothing*'
[ $r1 = 0 ] && [ -z "$o1" ] && [ $rc = 2 ] && has 'no scenario matches'
check "selecting_nothing_lists_nothing_and_runs_nothing" $?

go -s passes -s fails -s skips -s crashes
[ $rc = 1 ] && hasx 'ok 1 global.passes' && hasx 'output of passes' &&
	hasx 'not ok 2 global.fails' && has 'fake.c:.*: 1 == 2' &&
	hasx 'ok 3 global.skips # SKIP no widget' &&
	has 'crashes: killed by signal 11' && hasx 'not ok 4 global.crashes' &&
	hasx '# passes: passes'
check "results_of_a_pass_a_failure_a_skip_and_a_crash" $?

go -s hangs
[ $rc = 1 ] && hasx 'not ok 1 global.hangs' && has 'hangs: timed out after 1 s' && [ $secs -lt 10 ]
check "a_hang_fails_after_the_row_timeout" $?

go -t passes
[ $rc = 0 ] && hasx '1..1' && hasx 'ok 1 global.passes'
check "harness_filters_select_by_name" $?

FAKE_NO_GADGET=1 go
[ $rc = 4 ] && hasx '1..0 # SKIP - no gadget here'
check "requirements_skip_the_whole_test" $?

go -s skips
[ $rc = 4 ] && hasx 'ok 1 global.skips # SKIP no widget' && has 'pass:0 fail:0 .*skip:1'
check "a_test_whose_scenarios_all_skip_exits_skip" $?

go -s 'known_[fp]*'
[ $rc = 0 ] && hasx 'ok 1 global.known_fails # XFAIL fake-bug: a bug of this fake' &&
	has "failed at the bug's rule: unit/scenario_fake.c: \[rule\] fake_seen with 0x3" &&
	hasx 'ok 2 global.known_passes # XPASS fake-bug: a bug of this fake' &&
	has 'it looks fixed on this kernel'
check "a_known_bug_is_xfail_at_its_rule_and_its_pass_xpass" $?

# XFAIL only at the bug's own rule with its value: any other end fails.
go -s known_other_value -s known_other_rule -s known_not_a_rule -s known_crashes -s known_hangs
why="not the known bug's failure: it shows at unit/scenario_fake.c: \[rule\] fake_seen with 0x3, but"
[ $rc = 1 ] && hasx 'not ok 1 global.known_other_value' &&
	has "$why it failed at unit/scenario_fake.c: \[rule\] fake_seen with 0x4" &&
	hasx 'not ok 2 global.known_other_rule' &&
	has "$why it failed at unit/scenario_fake.c: \[rule\] other with 0x3" &&
	hasx 'not ok 3 global.known_not_a_rule' && has "$why it failed, but not at a rule" &&
	hasx 'not ok 4 global.known_crashes' && has "$why it was killed by a signal" &&
	hasx 'not ok 5 global.known_hangs' && has "$why it timed out" &&
	[ "$(echo "$out" | grep -c 'known KVM bug fake-bug, seen on nowhere')" = 5 ]
check "a_known_bug_row_failing_otherwise_fails_and_names_the_bug" $?

go -s crash_known
r1=$rc o1=$out
NST_RUN_KNOWN_CRASHES=1 go -s crash_known
[ $r1 = 4 ] && echo "$o1" | grep -qx 'ok 1 global.crash_known # SKIP known to crash this kernel (NST_RUN_KNOWN_CRASHES=1 runs it): fake-crash: a crash of this fake' &&
	[ $rc = 0 ] && hasx 'ok 1 global.crash_known'
check "a_known_crash_is_skipped_unless_asked_for" $?

# A known bug keyed on module parameters ("module.param=value", every word
# read from FAKE_SYSFS/MODULE/parameters/PARAM) applies only where they match.
sysfs=$(mktemp -d "${TMPDIR:-/tmp}/nst-sysfs.XXXXXX") || exit 1
mkdir -p "$sysfs/fake_mod/parameters"
echo Y > "$sysfs/fake_mod/parameters/flag"
echo 2 > "$sysfs/fake_mod/parameters/level"
FAKE_SYSFS=$sysfs go -s 'param_*'
r1=$rc o1=$out
echo N > "$sysfs/fake_mod/parameters/flag"
FAKE_SYSFS=$sysfs go -s param_known
r2=$rc o2=$out
FAKE_SYSFS=$sysfs/none go -s param_known
rm -rf "$sysfs"
[ $r1 = 1 ] && echo "$o1" | grep -qx 'ok 1 global.param_known # XFAIL fake-param-bug: .*' &&
	echo "$o1" | grep -qx 'not ok 2 global.param_malformed' &&
	[ $r2 = 1 ] && echo "$o2" | grep -qx 'not ok 1 global.param_known' &&
	[ $rc = 1 ] && hasx 'not ok 1 global.param_known'
check "a_known_bug_applies_only_under_its_module_parameters" $?

go --self-check -s checks_rule
[ $rc = 0 ] && hasx 'ok 1 global.checks_rule' &&
	has 'the inverted run failed at the rule, as it must'
check "self_check_passes_when_the_inverted_run_fails_at_the_rule" $?

NST_SELF_CHECK=1 go -s rule_cannot_fail
[ $rc = 1 ] && hasx 'not ok 1 global.rule_cannot_fail' && has 'the inverted run passed'
check "self_check_fails_when_the_inverted_run_passes" $?

go --self-check -s fails_elsewhere
[ $rc = 1 ] && hasx 'not ok 1 global.fails_elsewhere' && has 'not at a rule assertion'
check "self_check_counts_no_other_failure" $?

go --self-check -s hangs_inverted
[ $rc = 1 ] && hasx 'not ok 1 global.hangs_inverted' && has 'timed out after 1 s' &&
	[ $secs -lt 10 ]
check "self_check_fails_when_the_inverted_run_hangs" $?

go --self-check -s fails -s skips -s known_fails
[ $rc = 1 ] && hasx 'not ok 1 global.fails' && has 'the normal run failed' &&
	hasx 'ok 2 global.skips # SKIP no widget' &&
	has '^ok 3 global.known_fails # SKIP the normal run is a known failure, nothing to invert: fake-bug'
check "self_check_of_a_failure_a_skip_and_a_known_failure" $?

NST_TEST_TIMEOUT=8 go -s 'hang_?'
[ $rc = 1 ] && hasx 'not ok 1 global.hang_a' && has 'hang_a: timed out after [23] s' &&
	has "hang_b: not run, the test's time budget ran out" && hasx 'not ok 2 global.hang_b' &&
	[ $secs -lt 10 ]
check "a_hang_leaves_the_budget_to_report_the_rest" $?

bad=0
for e in NST_SCENARIO_TIMEOUT=abc NST_SCENARIO_TIMEOUT=0 NST_TEST_TIMEOUT=3 NST_NUMA_NODE=-1 \
	 NST_NUMA_NODE=x NST_NUMA_NODE=1023 NST_RUN_KNOWN_CRASHES=yes; do
	out=$(env "$e" "$fake" -s passes 2>&1)
	rc=$?
	if [ $rc != 2 ] || ! echo "$out" | grep -q "${e%%=*}\|NUMA node"; then
		echo "# $e: exit $rc: $out"
		bad=1
	fi
done
check "bad_environment_is_a_usage_error" $bad

go --numa-node 0 -s passes
r1=$rc
NST_NUMA_NODE=0 go -s passes
[ $r1 = 0 ] && [ $rc = 0 ] && hasx 'ok 1 global.passes'
check "numa_node_0_runs" $?

go -s passes --numa-node
r1=$rc
go --numa-node 1x -s passes
[ $r1 = 2 ] && [ $rc = 2 ] && has 'expected a number'
check "bad_options_are_usage_errors" $?

go -h
[ $rc = 4 ] && has -- '--self-check' && has 'NST_TEST_TIMEOUT' && has 'include test'
check "help_shows_the_runner_and_the_harness_options" $?

# The budget's default is kselftest's timeout, from settings through the
# Makefile (-DNST_SETTINGS_TIMEOUT).
settings=$(sed -n 's/^timeout=\([0-9]*\)$/\1/p' "$top/settings")
go -h
echo "$out" | tr '\n' ' ' | grep -q "budget, default $settings s"
check "default_budget_is_the_settings_timeout" $?

# run_tests.sh counts the scenarios of such a test, known bugs as passed.
suite=$(mktemp -d "${TMPDIR:-/tmp}/nst-unit.XXXXXX") || exit 1
mkdir "$suite/x86"
ln -s "$fake" "$suite/x86/scenario_fake"
echo x86/scenario_fake > "$suite/kvm-nested-tests.list"
out=$("$top/run_tests.sh" -d "$suite" -- -s passes -s skips -s 'known_[fp]*' -s crash_known 2>&1)
rc=$?
rm -rf "$suite"
[ $rc = 0 ] && [ "$(echo "$out" | tail -n 1)" = "3 passed, 0 failed, 2 skipped" ] &&
	has '# 1 known failures (XFAIL) counted as passed'
check "run_tests_counts_the_scenarios" $?

ktap_totals
