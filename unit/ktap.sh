# SPDX-License-Identifier: GPL-2.0-only
#
# KTAP for the shell unit tests (sourced): check NAME STATUS reports one
# case, ktap_totals ends the run with kselftest's totals line and the exit
# status unit/run.sh reads.

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

ktap_totals() {
	echo "# Totals: pass:$((n - failed)) fail:$failed xfail:0 xpass:0 skip:0 error:0"
	[ "$failed" = 0 ]
}
