#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# README.md's claims that code can check: its "Writing a test" example is
# x86/vmx_vmcall_test.c to the letter (so the lab builds, runs and
# self-checks it), every test it lists exists, and its tests table ("The
# tests") is one Markdown table with one row for each x86/*_test.c.  The
# rows' text is the README's own (a summary of what the test checks, which
# no file holds); each test's header comment begins with "NAME: ", whose
# paragraph is printed as a starting point for a missing row.  Prints KTAP.

top=$(cd "$(dirname "$0")/.." && pwd)
readme=$top/README.md
. "$top/unit/ktap.sh"

echo "KTAP version 1"
echo "1..4"

# The first C block after the "Writing a test" heading.
example=$(sed -n '/^## Writing a test/,$p' "$readme" | sed -n '/^```c$/,/^```$/p' |
	  sed '1d' | sed '/^```$/,$d')
printf '%s\n' "$example" | diff -u "$top/x86/vmx_vmcall_test.c" - >&2
check example_is_vmx_vmcall_test $?

missing=0
for t in $(sed -n 's/^| `\([a-z0-9_]*_test\)` |.*/\1/p' "$readme"); do
	[ -f "$top/x86/$t.c" ] || { echo "# README lists $t, which does not exist"; missing=1; }
done
check listed_tests_exist $missing

# The tests, by their files.
tests=$(cd "$top/x86" && ls -- *_test.c | sed 's/\.c$//')

# summary NAME: the first paragraph of x86/NAME.c's header comment, on one
# line, without "NAME: ".
summary() {
	awk 'NR == 1 { next }
	     NR == 2 && /^\/\*.*\*\/$/ { sub(/^\/\* */, ""); sub(/ *\*\/$/, ""); print; exit }
	     NR == 2 && /^\/\*$/ { next }
	     /^ \*\/?$/ { exit }
	     { sub(/^ \* ?/, ""); sub(/ *\*\/$/, ""); print }' "$top/x86/$1.c" |
		tr '\n' ' ' | sed 's/  */ /g; s/^ //; s/ $//' | sed "s/^$1: //"
}

# Each header comment begins with the test's name: "NAME: what it checks".
bad=0
for t in $tests; do
	first=$(sed -n '2,3p' "$top/x86/$t.c" | sed -n 's/^\(\/\*\| \*\) \([a-z0-9_]*\): .*/\2/p' |
		head -n 1)
	[ "$first" = "$t" ] || { echo "# x86/$t.c: its header comment does not begin with '$t: '"; bad=1; }
done
check headers_name_their_test $bad

# The table: the rows that follow its head up to the first other line (a
# blank line ends a Markdown table: rows after it are not rendered).
rows=$(sed -n '/^## The tests$/,$p' "$readme" |
	sed -n '/^| test | what it checks |$/,$p' | sed '/^|/!q' | sed '1,2d')
names=$(printf '%s\n' "$rows" | sed -n 's/^| `\([a-z0-9_]*\)` | .*[^ ].* |$/\1/p')
bad=0
if [ "$(printf '%s\n' "$rows" | grep -c .)" != "$(printf '%s\n' "$names" | grep -c .)" ]; then
	echo "# rows of the tests table that are not '| \`NAME\` | TEXT |':"
	printf '%s\n' "$rows" | grep -v '^| `[a-z0-9_]*` | .*[^ ].* |$' | sed 's/^/#   /'
	bad=1
fi
for t in $(printf '%s\n' "$names" | sort | uniq -d); do
	echo "# the tests table has $t twice"
	bad=1
done
listed=$(sed -n 's/^| `\([a-z0-9_]*_test\)` |.*/\1/p' "$readme")
for t in $listed; do
	printf '%s\n' "$rows" | grep -q "^| \`$t\` |" ||
		{ echo "# README's row of $t is outside the tests table (after a blank line?)"; bad=1; }
done
for t in $tests; do
	printf '%s\n' "$listed" | grep -qx "$t" && continue
	echo "# README's tests table (\"## The tests\") has no row for $t; from its header:"
	echo "#   | \`$t\` | $(summary "$t") |"
	bad=1
done
check tests_table_has_one_row_per_test $bad

ktap_totals
