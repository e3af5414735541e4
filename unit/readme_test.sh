#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# README.md's claims that code can check: its "Writing a test" example is
# x86/vmx_vmcall_test.c to the letter (so the lab builds, runs and
# self-checks it), and every test it lists exists.  Prints KTAP.

top=$(cd "$(dirname "$0")/.." && pwd)
readme=$top/README.md
. "$top/unit/ktap.sh"

echo "KTAP version 1"
echo "1..2"

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

ktap_totals
