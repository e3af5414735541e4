#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Stand-in for the suite's run_tests.sh, used only by lab/selftest.  It has the
# same interface as the real one as far as the lab needs it: it runs the tests in
# x86/ beside it (all, or those matching the name/pattern arguments), prints a
# KTAP stream and the plain "N passed, N failed, N skipped" line, and exits 0
# when nothing failed, 1 on failure, 125 with --bisect when nothing ran.
# POSIX sh on purpose: the lab's initramfs has busybox, not bash.

dir=$(cd "$(dirname "$0")" && pwd)
bisect=0
pats=
# Every argument is shown bracketed, so lab/selftest can check that vmtest's
# pass-through arguments arrive intact; options and what follows "--" are
# otherwise ignored.
argv=
for a in "$@"; do
	argv="$argv [$a]"
done
while [ "$#" -gt 0 ]; do
	case $1 in
	--bisect) bisect=1 ;;
	--) break ;;
	-*) ;;
	*) pats="$pats $1" ;;
	esac
	shift
done

selected()
{
	[ -z "$pats" ] && return 0
	hit=1
	# No pathname expansion while splitting: the patterns are matched by case.
	set -f
	for p in $pats; do
		# shellcheck disable=SC2254 # the pattern is meant as a glob
		case $1 in
		$p) hit=0 ;;
		esac
	done
	set +f
	return $hit
}

n=0
for t in "$dir"/x86/*; do
	[ -x "$t" ] && selected "${t##*/}" && n=$((n + 1))
done

echo "TAP version 13"
echo "1..$n"
echo "# argv:$argv"
i=0 pass=0 fail=0 skip=0
for t in "$dir"/x86/*; do
	name=${t##*/}
	[ -x "$t" ] && selected "$name" || continue
	i=$((i + 1))
	echo "# selftests: kvm-nested: $name"
	# Buffered, not streamed: the stand-in tests print a few lines at most.
	out=$("$t" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	case $rc in
	0) pass=$((pass + 1)); echo "ok $i selftests: kvm-nested: $name" ;;
	4) skip=$((skip + 1)); echo "ok $i selftests: kvm-nested: $name # SKIP" ;;
	*) fail=$((fail + 1)); echo "not ok $i selftests: kvm-nested: $name # exit=$rc" ;;
	esac
done
echo "$pass passed, $fail failed, $skip skipped"

[ "$fail" -gt 0 ] && exit 1
[ "$bisect" = 1 ] && [ "$i" -eq 0 ] && exit 125
exit 0
