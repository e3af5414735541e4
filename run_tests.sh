#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs the suite's test binaries, each under a timeout, and prints one KTAP
# stream: each test's own KTAP nested (indented) under its result line.
# The last line counts scenarios: "N passed, N failed, N skipped".
# POSIX sh: it also runs under busybox in the emulated lab.

usage() {
	cat <<USAGE
usage: $0 [options] [TEST|PATTERN...] [-- TEST-ARGS...]
Runs the built tests (all, or those whose name matches a pattern).
  -t, --timeout SECONDS  per-test timeout (default: 'timeout=' in settings)
  -d, --dir DIR          folder holding the x86/ test binaries
  -l, --list             list the tests and exit
      --self-check       run every scenario inverted: each must fail (see README)
      --bisect           exit for git bisect run: 0 good, 1 bad, 125 nothing ran
  -h, --help             this help
Arguments after -- go to every test (e.g. -- -s 'pattern').
Exit: 0 nothing failed, 1 a test failed or timed out, 2 bad usage.
USAGE
}

here=$(cd "$(dirname "$0")" && pwd)
timeout_s=
dir=
list=0
bisect=0
self_check=
patterns=
nr_patterns=0

while [ $# -gt 0 ]; do
	case "$1" in
	-t|--timeout)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		timeout_s=$2; shift 2 ;;
	--timeout=*) timeout_s=${1#*=}; shift ;;
	-d|--dir)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		dir=$2; shift 2 ;;
	-l|--list) list=1; shift ;;
	--self-check) self_check=--self-check; shift ;;
	--bisect) bisect=1; shift ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) echo "$0: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) patterns="$patterns $1"; nr_patterns=$((nr_patterns + 1)); shift ;;
	esac
done

# Exits for a run that could not start: 125 lets git bisect skip the commit.
die() {
	echo "$0: $*" >&2
	[ "$bisect" = 1 ] && exit 125
	exit 2
}

case "$timeout_s" in
'') ;;
*[!0-9]*|0) die "bad timeout '$timeout_s'" ;;
esac

# Installed layout (run_tests.sh beside x86/), else the build folder.
if [ -z "$dir" ]; then
	if [ -d "$here/x86" ] && [ -f "$here/kvm-nested-tests.list" ]; then
		dir=$here
	else
		dir=${OUTPUT:-$here/build}
	fi
fi
[ -d "$dir/x86" ] || die "no tests in '$dir/x86' (run 'make' first, or give --dir)"

if [ -z "$timeout_s" ]; then
	for f in "$dir/settings" "$here/settings"; do
		[ -f "$f" ] || continue
		timeout_s=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$f")
		break
	done
	timeout_s=${timeout_s:-300}
fi

# The tests: executables in x86/, in name order.
tests=
for t in "$dir"/x86/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=${t##*/}
	if [ "$nr_patterns" -gt 0 ]; then
		match=0
		for p in $patterns; do
			# shellcheck disable=SC2254
			case "$name" in $p|x86/$p) match=1 ;; esac
			case "x86/$name" in $p) match=1 ;; esac
		done
		[ "$match" = 1 ] || continue
	fi
	tests="$tests $name"
done
[ -n "$tests" ] || die "no test matches${patterns:+:$patterns}"

if [ "$list" = 1 ]; then
	for t in $tests; do echo "$t"; done
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nst-run.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT INT TERM

set -- $self_check "$@"
nr=0
for t in $tests; do nr=$((nr + 1)); done
echo "KTAP version 1"
echo "1..$nr"

passed=0 failed=0 skipped=0 xfail=0 i=0
for t in $tests; do
	i=$((i + 1))
	out=$tmp/$t.out
	start=$(date +%s)
	{
		timeout -s KILL "$timeout_s" "$dir/x86/$t" "$@" 2>&1
		echo $? > "$tmp/rc"
	} | tee "$out" | sed 's/^/    /'
	rc=$(cat "$tmp/rc")
	secs=$(( $(date +%s) - start ))

	# Scenario counts from the test's own result lines (not its subtests').
	count() { grep -c "$1" "$out"; }
	t_fail=$(count '^not ok [0-9]')
	t_skip=$(count '^ok [0-9].* # SKIP')
	t_xfail=$(count '^ok [0-9].* # XFAIL')
	passed=$((passed + $(count '^ok [0-9]') - t_skip - t_xfail))
	failed=$((failed + t_fail))
	skipped=$((skipped + t_skip))
	xfail=$((xfail + t_xfail))

	echo "# $t: $secs s"
	case "$rc" in
	0) echo "ok $i $t" ;;
	4)
		reason=$(sed -n 's/^1\.\.0 # SKIP \(.*\)$/\1/p; s/^ok [0-9]* .* # SKIP \(.*\)$/\1/p' \
			"$out" | head -n 1)
		echo "ok $i $t # SKIP ${reason:-skipped}" ;;
	124|137)
		echo "not ok $i $t # TIMEOUT $timeout_s seconds"
		failed=$((failed + 1)) ;;
	*)
		echo "not ok $i $t # exit code $rc after $secs s"
		# A test that died without reporting a failure still counts as one.
		[ "$t_fail" -gt 0 ] || failed=$((failed + 1)) ;;
	esac
done

[ "$xfail" -gt 0 ] && echo "# $xfail known failures (XFAIL) counted as passed"
passed=$((passed + xfail))
echo "$passed passed, $failed failed, $skipped skipped"

[ "$failed" -gt 0 ] && exit 1
[ "$bisect" = 1 ] && [ "$passed" -eq 0 ] && exit 125
exit 0
