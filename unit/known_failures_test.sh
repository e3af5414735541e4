#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Checks the suite's known failures (lib/known_failures.c) against the
# tests: each entry names a scenario that its test lists, and a bug that
# does not crash names one rule assertion of that test's source (with the
# wrong value it sees), so that an XFAIL can only come from that assertion.
# Prints KTAP.

top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUTPUT:-$top/build}
table=$("$out/unit/known_failures_table") || exit 1

. "$top/unit/ktap.sh"

echo "KTAP version 1"
echo "1..3"

[ -n "$table" ]
check "the_table_has_entries" $?

bad=0
while read -r test scenario bug kind file expr; do
	if ! "$out/x86/$test" -l 2>/dev/null | grep -q "^global\.$scenario "; then
		echo "# $bug: $test has no scenario $scenario"
		bad=1
	fi
done <<TABLE
$table
TABLE
check "every_entry_names_a_scenario_of_its_test" $bad

# GUEST_ASSERT_RULE(EXPR, ...), TEST_ASSERT_RULE(...), GUEST_ASSERT_RULE_EQ(...):
# the expression as the macro's first argument, once in the file.
bad=0
while read -r test scenario bug kind file expr; do
	if [ "$kind" = crash ]; then
		continue
	elif [ "$file" = - ]; then
		echo "# $bug: $test $scenario names no rule assertion"
		bad=1
		continue
	fi
	count=$(grep -F -c -e "_RULE($expr," -e "_RULE_EQ($expr," "$top/$file")
	if [ "$count" != 1 ]; then
		echo "# $bug: $file has $count rule assertions of '$expr', where it must have one"
		bad=1
	fi
done <<TABLE
$table
TABLE
check "every_bug_names_one_rule_assertion" $bad

ktap_totals
