#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs the host-only unit tests (the C ones given as arguments, then the
# shell ones) and ends with "N passed, N failed" counting their cases.

here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0 bad=0

for t in "$@" "$here"/*_test.sh; do
	echo "# ${t##*/}"
	out=$("$t" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/    /'
	totals=$(echo "$out" | sed -n 's/^# Totals: pass:\([0-9]*\) fail:\([0-9]*\).*/\1 \2/p')
	if [ -z "$totals" ]; then
		failed=$((failed + 1))
	else
		set -- $totals
		passed=$((passed + $1))
		failed=$((failed + $2))
	fi
	[ $rc = 0 ] || bad=1
done
echo "unit: $passed passed, $failed failed"
[ $failed = 0 ] && [ $bad = 0 ]
