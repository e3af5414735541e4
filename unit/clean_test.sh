#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# "make clean OUTPUT=DIR" in a folder of the user's: every folder the build
# makes goes once it is empty, the user's own files (and the folders that
# hold them) stay.  The folders are those of the real build in OUTPUT
# (make unit builds it first), recreated empty in a temporary OUTPUT: no
# second build.  Prints KTAP.

top=$(cd "$(dirname "$0")/.." && pwd)
build=${OUTPUT:-$top/build}
. "$top/unit/ktap.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/nst-clean.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

echo "KTAP version 1"
echo "1..3"

# The build's folders, less upstream/ (removed as a whole) and install/
# (only there after a "make install").
folders=$(cd "$build" 2>/dev/null && find . -mindepth 1 \( -name upstream -o -name install \) \
	-prune -o -type d -print)
[ -n "$folders" ]
check the_build_has_folders $?

# clean OUT: make clean OUTPUT=OUT, by itself (not as part of this make).
clean() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top" clean OUTPUT="$1" >/dev/null
}

out=$work/out
mkdir "$out"
(cd "$out" && printf '%s\n' "$folders" | xargs mkdir -p)
clean "$out"
left=$(find "$out" 2>/dev/null)
[ -z "$left" ] || printf '# left behind: %s\n' $left
[ -z "$left" ]
check clean_removes_every_folder_of_the_build $?

out=$work/mine
mkdir "$out"
(cd "$out" && printf '%s\n' "$folders" | xargs mkdir -p)
echo notes > "$out/x86/notes"
clean "$out"
left=$(cd "$out" 2>/dev/null && find . | sort | tr '\n' ' ')
[ "$left" = ". ./x86 ./x86/notes " ] || echo "# left: $left (expected . ./x86 ./x86/notes)"
[ "$left" = ". ./x86 ./x86/notes " ]
check clean_keeps_the_users_files $?

ktap_totals
