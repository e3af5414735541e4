#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# "make vmtest" runs lab/vmtest as it is run by hand: no --kernel-version
# of its own unless KERNEL_VERSION is given (newest with its fallback), and
# VMTEST_ARGS after.  Checked on make -n's command, nothing is run.
# Prints KTAP.

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/unit/ktap.sh"

echo "KTAP version 1"
echo "1..3"

# vmtest_cmd MAKE-ARGS...: the lab/vmtest command make vmtest runs, on one
# line ("all" taken as done).
vmtest_cmd() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -n -o all -C "$top" vmtest "$@" |
		tr '\n\t\\' '   ' | sed 's/  */ /g; s/^ //; s/ $//'
}

# expect NAME WANT MAKE-ARGS...
expect() {
	name=$1 want=$2
	shift 2
	got=$(vmtest_cmd "$@")
	[ "$got" = "$want" ] || echo "# make vmtest $*: '$got', expected '$want'"
	[ "$got" = "$want" ]
	check "$name" $?
}

expect default_is_lab_vmtest_s_kernel "lab/vmtest --cpu amd" VMTEST_ARGS="--cpu amd"
expect newest_falls_back_to_6_1 "lab/vmtest --kernel-version newest --kernel-fallback 6.1 -t x" \
	KERNEL_VERSION=newest VMTEST_ARGS="-t x"
expect a_version "lab/vmtest --kernel-version 6.12" KERNEL_VERSION=6.12

ktap_totals
