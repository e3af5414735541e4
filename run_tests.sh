#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs the suite's test binaries, each under a timeout, and prints one KTAP
# stream: each test's own KTAP nested (indented) under its result line.
# The last line counts scenarios: "N passed, N failed, N skipped", from
# each test's own result lines; a test that prints none (a plain main())
# counts as one result by its exit code, as in kselftest's runner.
# POSIX sh: it also runs under busybox in the emulated lab.
#
# The tests are the names in kvm-nested-tests.list, which the build and
# "make install" write: x86/ also holds build intermediates (objects, the
# 32-bit L1 images), which must never run as tests.

usage() {
	cat <<USAGE
usage: $0 [options] [TEST|PATTERN...] [-- TEST-ARGS...]
Runs the built tests (all, or those whose name matches a pattern).
  -t, --test NAME                  run the tests matching NAME, a name or a
                                   pattern (repeatable; also positional)
  -o, --override-timeout SECONDS   per-test timeout (default: 'timeout=' in
                                   settings, doubled with --self-check)
  -d, --dir DIR                    folder holding kvm-nested-tests.list and x86/
  -l, --list                       list the selected tests and exit
      --self-check                 run every scenario inverted: each must fail
      --bisect                     exit for git bisect run: 0 good, 1 bad,
                                   125 nothing ran, 128 bad usage
  -h, --help                       this help
Arguments after -- go to every test (e.g. -- -s 'pattern'); a test that they
leave without a scenario (its '-l' lists none) is not run.
The tests get the per-test timeout in NST_TEST_TIMEOUT (seconds).
The closing line "N passed, N failed, N skipped" counts the scenarios, each
test's own "ok"/"not ok" lines; a test that prints none counts as one by its
exit code: 0 passed, 4 skipped, other (or a timeout) failed.
Exit: 0 nothing failed, 1 a test failed or timed out, 2 bad usage.
USAGE
}

# --bisect changes the exit code of every usage error, including one met
# before --bisect in the arguments: look for it first.
bisect=0
for a in "$@"; do
	case "$a" in
	--) break ;;
	--bisect) bisect=1 ;;
	esac
done

# Bad usage or a run that cannot start: 2, or 128 with --bisect, which makes
# git bisect abort (125 would skip every commit, the fault being ours).
die() {
	echo "$0: $*" >&2
	[ "$bisect" = 1 ] && exit 128
	exit 2
}

bad_usage() {
	echo "$0: $*" >&2
	usage >&2
	[ "$bisect" = 1 ] && exit 128
	exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
timeout_s=
dir=
list=0
self_check=
nl='
'
# Test patterns, one per line (they may hold blanks).
patterns=

add_pattern() {
	case "$1" in
	'') die "empty test name" ;;
	*"$nl"*) die "a test name holds a newline" ;;
	esac
	patterns="$patterns$1$nl"
}

while [ $# -gt 0 ]; do
	case "$1" in
	-t|--test|-o|--override-timeout|-d|--dir)
		[ $# -ge 2 ] || bad_usage "option '$1' needs an argument"
		case "$1" in
		-t|--test) add_pattern "$2" ;;
		-o|--override-timeout) timeout_s=$2 ;;
		*) dir=$2 ;;
		esac
		shift 2 ;;
	--test=*) add_pattern "${1#*=}"; shift ;;
	--override-timeout=*) timeout_s=${1#*=}; shift ;;
	--dir=*) dir=${1#*=}; shift ;;
	-l|--list) list=1; shift ;;
	--self-check) self_check=--self-check; shift ;;
	--bisect) shift ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	--timeout|--timeout=*)
		bad_usage "unknown option '$1' (the per-test timeout is -o/--override-timeout SECONDS)" ;;
	-*) bad_usage "unknown option '$1'" ;;
	*) add_pattern "$1"; shift ;;
	esac
done

# Leading zeros are refused: sh arithmetic may read them as octal.
if [ -n "$timeout_s" ]; then
	case "$timeout_s" in
	*[!0-9]*|0*) die "bad timeout '$timeout_s': -o needs a number of seconds above 0" ;;
	esac
fi

# Installed layout (run_tests.sh beside x86/ and the list), else the build
# folder.
if [ -z "$dir" ]; then
	if [ -d "$here/x86" ] && [ -f "$here/kvm-nested-tests.list" ]; then
		dir=$here
	else
		dir=${OUTPUT:-$here/build}
	fi
fi
[ -f "$dir/kvm-nested-tests.list" ] ||
	die "no kvm-nested-tests.list in '$dir' (run 'make' first, or give --dir)"

if [ -z "$timeout_s" ]; then
	for f in "$dir/settings" "$here/settings"; do
		[ -f "$f" ] || continue
		timeout_s=$(sed -n 's/^timeout=\([1-9][0-9]*\)$/\1/p' "$f")
		break
	done
	timeout_s=${timeout_s:-300}
	# --self-check runs every scenario twice: normally, then inverted.
	[ -n "$self_check" ] && timeout_s=$((timeout_s * 2))
fi
NST_TEST_TIMEOUT=$timeout_s
export NST_TEST_TIMEOUT

# name PATTERN: whether test $name matches PATTERN (bare or as x86/NAME).
matches() {
	# shellcheck disable=SC2254 # the pattern is meant as a glob
	case "$name" in $1) return 0 ;; esac
	# shellcheck disable=SC2254
	case "x86/$name" in $1) return 0 ;; esac
	return 1
}

# The tests: the list's names in its order, those matching a pattern if any
# were given.  Patterns are split on newlines only, never glob-expanded.
set -f
old_ifs=$IFS
IFS=$nl
tests=
used=
while IFS= read -r line; do
	case "$line" in
	x86/?*) name=${line#x86/} ;;
	'') continue ;;
	*) die "bad line '$line' in $dir/kvm-nested-tests.list" ;;
	esac
	if [ -n "$patterns" ]; then
		match=0
		for p in $patterns; do
			if matches "$p"; then
				match=1
				used="$used$p$nl"
			fi
		done
		[ "$match" = 1 ] || continue
	fi
	if [ ! -f "$dir/x86/$name" ] || [ ! -x "$dir/x86/$name" ]; then
		die "x86/$name is listed in $dir/kvm-nested-tests.list but not built (run 'make')"
	fi
	tests="$tests$name$nl"
done < "$dir/kvm-nested-tests.list"

# Every pattern must select a test: a mistyped name, or a number meant as
# the timeout ("-t 30"), must not quietly run less than asked.
for p in $patterns; do
	case "$nl$used" in
	*"$nl$p$nl"*) continue ;;
	esac
	case "$p" in
	*[!0-9]*) die "no test matches '$p' (-l lists the tests)" ;;
	*) die "no test matches '$p' (-t selects a test; the per-test timeout is -o SECONDS)" ;;
	esac
done
IFS=$old_ifs
set +f
[ -n "$tests" ] || die "no tests in $dir/kvm-nested-tests.list"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nst-run.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Arguments after --: run only the tests in which they select a scenario, as
# each test's "-l" (which lists only the scenarios its -s patterns match)
# shows.  Selecting none anywhere is a usage error, not a run of nothing.
if [ $# -gt 0 ]; then
	kept=
	for t in $tests; do
		timeout -s KILL "$timeout_s" "$dir/x86/$t" "$@" -l >"$tmp/list" 2>"$tmp/err"
		rc=$?
		# A test that skips as a whole even when listing (the KVM
		# selftests library's constructor, without /dev/kvm) is run:
		# it reports its skip.
		if [ $rc = 4 ] && grep -q '^1\.\.0 # SKIP' "$tmp/list"; then
			kept="$kept $t"
			continue
		fi
		[ $rc = 0 ] || die "$t refuses the arguments after --: $(head -n 1 "$tmp/err")"
		# The KVM selftests library prints its random seed before any
		# listing: that line lists nothing.
		grep -qv '^Random seed: ' "$tmp/list" && kept="$kept $t"
	done
	[ -n "$kept" ] || die "no scenario of the selected tests matches the arguments after --:" "$*"
	tests=$kept
fi

if [ "$list" = 1 ]; then
	for t in $tests; do echo "$t"; done
	exit 0
fi

# Scenario counts from a test's own result lines (not its subtests').
count() { grep -c "$1" "$out"; }

set -- $self_check "$@"
nr=0
for t in $tests; do nr=$((nr + 1)); done
echo "KTAP version 1"
echo "1..$nr"

# Indents a test's KTAP, a line as soon as it comes: sed would hold lines
# back in its buffer, and a console that stops (a host crash) would then not
# show which scenario was running.
indent() {
	while IFS= read -r line || [ -n "$line" ]; do
		printf '    %s\n' "$line"
	done
}

passed=0 failed=0 skipped=0 xfail=0 i=0
for t in $tests; do
	i=$((i + 1))
	out=$tmp/$t.out
	start=$(date +%s)
	# The test's name heads its nested KTAP: a console cut short by a host
	# crash then names the test as well as the scenario.
	echo "    # $t"
	{
		timeout -s KILL "$timeout_s" "$dir/x86/$t" "$@" 2>&1
		echo $? > "$tmp/rc"
	} | tee "$out" | indent
	rc=$(cat "$tmp/rc")
	secs=$(( $(date +%s) - start ))

	t_ok=$(count '^ok [0-9]')
	t_fail=$(count '^not ok [0-9]')
	t_skip=$(count '^ok [0-9].* # SKIP')
	t_xfail=$(count '^ok [0-9].* # XFAIL')
	passed=$((passed + t_ok - t_skip - t_xfail))
	# A test without result lines of its own is one result, by its exit
	# code as in kselftest's runner: a plain main() (as many upstream KVM
	# selftests have) that exits 0 is a pass, one that skips as a whole
	# before its plan (kselftest's ksft_exit_skip(), e.g. the KVM
	# selftests' TEST_REQUIRE()) a skip, any other exit a failure (below).
	if [ $((t_ok + t_fail)) -eq 0 ]; then
		case "$rc" in
		0) passed=$((passed + 1)) ;;
		4) t_skip=1 ;;
		esac
	fi
	failed=$((failed + t_fail))
	skipped=$((skipped + t_skip))
	xfail=$((xfail + t_xfail))

	echo "# $t: $secs s"
	case "$rc" in
	0) echo "ok $i $t" ;;
	4)
		# kselftest's ksft_exit_skip() after a plan prints a result
		# without a name: "ok N # SKIP reason".
		reason=$(sed -n 's/^1\.\.0 # SKIP \(- \)\{0,1\}\(.*\)$/\2/p; s/^ok [0-9]*\( .*\)\{0,1\} # SKIP \(.*\)$/\2/p' \
			"$out" | head -n 1)
		echo "ok $i $t # SKIP ${reason:-skipped}" ;;
	124|137)
		echo "not ok $i $t # TIMEOUT $timeout_s seconds"
		failed=$((failed + 1)) ;;
	*)
		echo "not ok $i $t # exit code $rc after $secs s"
		# A test that died without reporting a failure (or without any
		# result) still counts as one.
		[ "$t_fail" -gt 0 ] || failed=$((failed + 1)) ;;
	esac
done

[ "$xfail" -gt 0 ] && echo "# $xfail known failures (XFAIL) counted as passed"
passed=$((passed + xfail))
echo "$passed passed, $failed failed, $skipped skipped"

[ "$failed" -gt 0 ] && exit 1
[ "$bisect" = 1 ] && [ "$passed" -eq 0 ] && exit 125
exit 0
