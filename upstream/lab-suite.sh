#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# upstream/lab-suite.sh DIR [BUG...]: builds the selftests of the upstream
# series (all, or those of the BUGs named) from Debian's linux-source-7.3,
# statically linked, and installs them in DIR as a suite for lab/vmtest
# --suite DIR: our run_tests.sh, settings and config, a
# kvm-nested-tests.list naming them and x86/NAME (run_tests.sh counts a
# plain main() by its exit code).  For example
#
#   upstream/lab-suite.sh /tmp/s shadow-l2-cr3-lost &&
#   lab/vmtest --kernel-tree ~/linux-7.3 --emulator bochs-3.0 --suite /tmp/s --params ept=0
#
# The tree is a git worktree of make upstream-check's cached tree
# ($LAB_CACHE/upstream-7.3/suite-tree, made on first use: run make
# upstream-check first), with each series' test files applied (not
# committed) and its Makefile.kvm line added while it builds; "make
# headers" runs once.
set -eu

[ $# -ge 1 ] || { echo "usage: $0 DIR [BUG...]" >&2; exit 2; }
dest=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cache=${LAB_CACHE:-$top/lab/cache}/upstream-7.3
tree=$cache/suite-tree
die() { echo "lab-suite: $*" >&2; exit 1; }

[ -f "$cache/linux/.git/upstream-check-base" ] ||
	die "no cached linux-source-7.3 tree in $cache: run make upstream-check first"
if [ ! -d "$tree" ]; then
	echo "lab-suite: making $tree (once)" >&2
	git -C "$cache/linux" worktree add -q --detach "$tree" base
fi
git -C "$tree" checkout -q -f --detach base
if [ ! -f "$tree/usr/include/linux/kvm.h" ]; then
	echo "lab-suite: make headers (once)" >&2
	MAKEFLAGS='' make -s -C "$tree" -j"$(nproc)" headers >/dev/null
fi

[ $# -gt 0 ] || set -- $(cd "$here" && ls -d -- */ | sed 's,/$,,')
names=
for bug in "$@"; do
	[ -d "$here/$bug" ] || die "no series upstream/$bug"
	for p in "$here/$bug"/0*.patch; do
		for t in $(sed -n 's,^+++ b/tools/testing/selftests/kvm/x86/\(.*_test\)\.c$,\1,p' "$p"); do
			# A file of an earlier run (Debian's .gitignore hides it).
			rm -f "$tree/tools/testing/selftests/kvm/x86/$t.c"
			git -C "$tree" apply --include="tools/testing/selftests/kvm/x86/$t.c" "$p"
			sed -i "/^TEST_GEN_PROGS_x86 += x86\/vmx_nested_la57_state_test\$/a TEST_GEN_PROGS_x86 += x86/$t" \
				"$tree/tools/testing/selftests/kvm/Makefile.kvm"
			names="$names $t"
		done
	done
done
[ -n "$names" ] || die "no selftest in the series of: $*"

out=$cache/suite-build
targets=
for t in $names; do targets="$targets $out/x86/$t"; done
# shellcheck disable=SC2086 # one word a target
MAKEFLAGS='' make -s -C "$tree/tools/testing/selftests/kvm" OUTPUT="$out" \
	LDFLAGS="-static -pthread -no-pie" -j"$(nproc)" $targets 2>&1 |
	grep -v "statically linked applications requires\|in function .*dlopen" >&2 || true
mkdir -p "$dest/x86"
: > "$dest/kvm-nested-tests.list"
for t in $names; do
	[ -x "$out/x86/$t" ] || die "$t did not build"
	install -m 0755 "$out/x86/$t" "$dest/x86/"
	echo "x86/$t" >> "$dest/kvm-nested-tests.list"
done
install -m 0755 "$top/run_tests.sh" "$dest/"
install -m 0644 "$top/settings" "$top/config" "$dest/"
git -C "$tree" checkout -q -f --detach base
for t in $names; do rm -f "$tree/tools/testing/selftests/kvm/x86/$t.c"; done
echo "lab-suite: $dest:$names" >&2
