#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the lab's initramfs (run by busybox sh inside the emulated machine).
#
# It loads the KVM modules, runs the suite once per parameter set of the vendor
# module (kvm_intel, or kvm_amd in the AMD lab) and powers the machine off.  The
# host (lab/vmtest) learns everything it needs from "LAB: " marker lines on the
# serial console; their grammar is documented in lab/README.md and must stay in
# sync with lab/nstlab/console.py.  The host timestamps the markers itself: the
# guest clock is not wall time under Bochs.
#
# Input, written by the host into the initramfs:
#   /lab/vendor   the vendor module: "kvm-intel" (also when the file is missing)
#                 or "kvm-amd"
#   /lab/params   one parameter set of that module per line (may be an empty line)
#   /lab/tests    one run_tests.sh argument (test name or pattern) per line
#   /lab/args     more run_tests.sh arguments, one per line (may be empty lines),
#                 given after the tests
#   /lab/coverage.sh  functions for "coverage" in /lab/flags
#   /lab/flags    "bisect" when run_tests.sh must get --bisect; "repeat N" to run
#                 it N times per set; "selfcheck" to follow each run by one with
#                 --self-check
#   /lab/env      NAME=VALUE per line, exported for run_tests.sh and its tests
#   /lab/modules/ irqbypass.ko (optional), kvm.ko, and kvm-intel.ko or kvm-amd.ko

/bin/busybox mkdir -p /proc /sys /dev /tmp /bin /sbin /usr/bin /usr/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs tmpfs /tmp
/bin/busybox --install -s

# The kernel opened the console from the initramfs' built-in /dev/console before we
# mounted devtmpfs over /dev; reopen it so that our output does not depend on that.
exec </dev/console >/dev/console 2>&1

export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp TMPDIR=/tmp
if [ -f /lab/env ]; then
	while IFS= read -r kv; do
		[ -n "$kv" ] && export "$kv"
	done </lab/env
fi

lab()
{
	echo "LAB: $*"
}

# Print "LAB: <tag>: " in front of every line of stdin, so the host can tell the
# lines of a failure report from the rest of the console.
prefix()
{
	while IFS= read -r l; do
		echo "LAB: $1: $l"
	done
}

# Number of dmesg lines so far, to show only what a step added when it fails.
dmesg_mark()
{
	dmesg | wc -l
}

dmesg_since()
{
	dmesg | tail -n +$(($1 + 1)) | tail -n 40 | prefix dmesg
}

# Waits (10 s at most) until the serial console's transmit count stops
# moving: poweroff -f does not wait for the tty to drain, and the tail of a
# long last report (coverage) was lost with the final markers.
console_drain()
{
	local prev= now i

	for i in 1 2 3 4 5 6 7 8 9 10; do
		now=$(sed -n 's/^0:.* tx:\([0-9]*\).*/\1/p' /proc/tty/driver/serial 2>/dev/null)
		[ -n "$now" ] && [ "$now" = "$prev" ] && return
		prev=$now
		sleep 1
	done
}

# Never return: if /init exits the kernel panics, which the host would have to
# tell apart from a real panic.
finish()
{
	lab "poweroff"
	sync
	console_drain
	poweroff -f
	while :; do sleep 1; done
}

lab "init"

# Insert one module; on failure print insmod's own words and what it added to
# dmesg, since kvm_intel explains refusals (no VMX, bad parameter) only there.
load()
{
	mark=$(dmesg_mark)
	if ! out=$(insmod "$@" 2>&1); then
		[ -n "$out" ] && echo "$out" | prefix insmod
		dmesg_since "$mark"
		return 1
	fi
	return 0
}

base=
for m in irqbypass kvm; do
	[ -f /lab/modules/$m.ko ] || continue
	if ! load /lab/modules/$m.ko; then
		lab "modload failed $m.ko"
		lab "done"
		finish
	fi
	base="$base $m"
done
lab "modload ok$base"

# The arguments are kept one per line so that patterns with spaces or glob
# characters reach run_tests.sh unchanged: --bisect, the tests, then the rest.
# Tests are given positionally: run_tests.sh's -t takes a test name, and a
# per-test timeout is its -o, which only the user's arguments may hold.
set --
grep -qx bisect /lab/flags 2>/dev/null && set -- --bisect
while IFS= read -r t; do
	set -- "$@" "$t"
done </lab/tests
if [ -f /lab/args ]; then
	while IFS= read -r t; do
		set -- "$@" "$t"
	done </lab/args
fi
repeat=$(sed -n 's/^repeat \([1-9][0-9]*\)$/\1/p' /lab/flags 2>/dev/null)
repeat=${repeat:-1}
# Each repetition runs run_tests.sh normally ("run"), then, when asked, with
# --self-check ("selfcheck"): the markers say which, so the host counts them
# apart.
kinds=run
grep -qx selfcheck /lab/flags 2>/dev/null && kinds="run selfcheck"

# The vendor module named in FILE (kvm-intel when FILE is missing) in $vmod, its
# name under /sys/module and for rmmod in $vname, and in $SHOWN the parameters
# always shown after loading it (plus those that the set names).  An unknown
# name is kept: its insmod fails and says so.  (lab/tests/test_init.py runs
# this function on its own.)
vendor_module()
{
	vmod=kvm-intel
	[ -f "$1" ] && read -r vmod <"$1"
	case "$vmod" in
	kvm-amd)
		SHOWN="nested npt avic vls vgif vnmi nrips lbrv tsc_scaling intercept_smi"
		;;
	*)
		SHOWN="nested ept vpid unrestricted_guest enable_shadow_vmcs eptad pml"
		SHOWN="$SHOWN enable_apicv preemption_timer flexpriority"
		;;
	esac
	vname=$(echo "$vmod" | tr - _)
}
# end of vendor_module

vendor_module /lab/vendor

# Function coverage of kvm and the vendor module, per set (lab/coverage.sh).
coverage=
if grep -qx coverage /lab/flags 2>/dev/null; then
	. /lab/coverage.sh
	coverage=init
fi

i=0
# fd 3: "read" inside the loop must not eat the tests' stdin or vice versa.
while IFS= read -r params <&3; do
	i=$((i + 1))
	tag="set $i params \"$params\""
	lab "$tag begin"
	# $params is split into words on purpose: each word is one name=value.
	# shellcheck disable=SC2086
	if ! load "/lab/modules/$vmod.ko" nested=1 $params; then
		lab "$tag modfail"
		continue
	fi
	names=$SHOWN
	for p in $params; do
		case " $names " in
		*" ${p%%=*} "*) ;;
		*) names="$names ${p%%=*}" ;;
		esac
	done
	vals=
	for n in $names; do
		f=/sys/module/$vname/parameters/$n
		[ -r "$f" ] && vals="$vals $n=$(cat "$f")"
	done
	lab "$tag loaded$vals"
	if [ "$coverage" = init ]; then
		coverage_init kvm "$vname" && coverage=on || coverage=
	fi
	if [ "$coverage" = on ] && ! coverage_start kvm "$vname"; then
		coverage=
	fi

	r=0
	while [ "$r" -lt "$repeat" ]; do
		r=$((r + 1))
		for kind in $kinds; do
			extra=
			[ "$kind" = selfcheck ] && extra=--self-check
			lab "$tag $kind $r begin"
			mark=$(dmesg_mark)
			# $extra is one word or none.
			# shellcheck disable=SC2086
			/suite/run_tests.sh $extra "$@" </dev/null
			rc=$?
			lab "$tag $kind $r exit=$rc"
			# A failed run often comes with a KVM warning; show it while
			# it is fresh.
			[ "$rc" -ne 0 ] && [ "$rc" -ne 125 ] && dmesg_since "$mark"
		done
	done

	[ "$coverage" = on ] && coverage_stop $i

	mark=$(dmesg_mark)
	if ! out=$(rmmod "$vname" 2>&1); then
		echo "$out" | prefix rmmod
		dmesg_since "$mark"
		lab "$tag rmmodfail"
		break
	fi
	lab "$tag end"
done 3</lab/params

lab "done"
finish
