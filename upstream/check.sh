#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# upstream/check.sh (make upstream-check): checks every series in
# upstream/<bug>/ (git format-patch output: 0000-cover-letter.patch, then
# the patches) against Debian's linux-source-7.3 7.3~rc7-1~exp1, the tree
# the series are written against:
#
#   - scripts/checkpatch.pl --strict from that tree, on each patch: no
#     error, no warning, no check, except two warnings that are not about
#     the patch: FILE_PATH_CHANGES (the MAINTAINERS reminder for a new
#     test file) and UNKNOWN_COMMIT_ID (the tree is one commit, Debian's
#     source, so a Fixes: tag's commit cannot be looked up in it);
#   - git am of the whole series onto the pristine tree.  A series that no
#     longer applies is reported with the patch and the hunk that failed.
#
# The package is fetched once with apt-get download through a private apt
# configuration (the lab's unstable/experimental one in $LAB_CACHE/apt-sid
# when there, else one of its own on the mirror the machine's apt sources
# name; the machine's apt configuration is never changed), checked against
# its pinned sha256, unpacked and made a git repository with one commit in
# $LAB_CACHE/upstream-7.3/linux (LAB_CACHE defaults to lab/cache): later
# runs only reset that tree.
#
# Exit: 0 all series pass, 1 a series fails, 3 the source cannot be had.
set -u

PKG=linux-source-7.3
VER=7.3~rc7-1~exp1
SHA256=8bf8ca5ea8b1b307ca698db982ba48d6d223263b4d3dfb1973d055e316c44e75
IGNORE=FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID

here=$(cd "$(dirname "$0")" && pwd)
lab_cache=${LAB_CACHE:-$here/../lab/cache}
cache=$lab_cache/upstream-7.3
tree=$cache/linux
deb=$cache/${PKG}_$(echo "$VER" | sed 's/:/%3a/')_all.deb

say() { echo "upstream-check: $*"; }
unavailable() {
	echo "upstream-check: error: cannot fetch Debian's $PKG $VER, the tree the series are checked against: $*" >&2
	exit 3
}

# Private apt options for unstable and experimental.
apt_options() {
	if [ -f "$lab_cache/apt-sid/sources.list" ]; then
		apt=$lab_cache/apt-sid
	else
		mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
			     /etc/apt/sources.list.d/*.sources 2>/dev/null |
			 grep -E '^(deb|URIs:)[[:space:]]' | tr -s ' \t' '\n' |
			 grep -E '^https?://[^[:space:]]*/debian/?$' | head -n 1)
		[ -n "$mirror" ] || unavailable "no Debian mirror in /etc/apt/sources.list(.d)"
		apt=$cache/apt
		mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
		printf 'deb %s unstable main\ndeb %s experimental main\n' "$mirror" "$mirror" \
			> "$apt/sources.list"
	fi
	opts="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=/dev/null
	      -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache"
}

fetch() {
	command -v apt-get >/dev/null 2>&1 || unavailable "no apt-get on this machine"
	apt_options
	# shellcheck disable=SC2086 # the options are words
	if ! (cd "$cache" && apt-get -qq $opts download "$PKG=$VER") >/dev/null 2>&1; then
		# shellcheck disable=SC2086
		apt-get -qq $opts update >/dev/null 2>&1 ||
			unavailable "apt-get update of unstable/experimental failed (offline?)"
		# shellcheck disable=SC2086
		(cd "$cache" && apt-get -qq $opts download "$PKG=$VER") >/dev/null 2>&1 ||
			unavailable "apt-get download $PKG=$VER failed (offline, or the archive has dropped this version)"
	fi
}

# A line every 20 s while a long step runs, so that it is never silent for long.
heartbeat_start() {
	(start=$(date +%s)
	 while sleep 20 </dev/null >/dev/null 2>&1 && kill -0 $$ 2>/dev/null; do
		say "$1 ($(($(date +%s) - start)) s so far)"
	 done) &
	heartbeat=$!
}

heartbeat_stop() {
	[ -n "$heartbeat" ] || return 0
	kill "$heartbeat" 2>/dev/null
	wait "$heartbeat" 2>/dev/null
	heartbeat=
}

prepare_tree() {
	[ -f "$tree/.git/upstream-check-base" ] && return 0
	mkdir -p "$cache" || unavailable "cannot create $cache"
	[ -f "$deb" ] || fetch
	if ! echo "$SHA256  $deb" | sha256sum -c --quiet - >/dev/null 2>&1; then
		rm -f "$deb"
		unavailable "the download does not have the pinned sha256 $SHA256"
	fi
	say "unpacking $PKG $VER into $tree (once)"
	heartbeat_start "still unpacking $PKG and making a git tree of it"
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "./usr/src/$PKG.tar.xz" | xz -dc |
		tar -x -C "$tree.tmp" --strip-components=1 ||
		unavailable "cannot unpack $deb"
	# Debian's .gitignore ignores the top level: add everything by force.
	(cd "$tree.tmp" && git init -q && git add -f -A . &&
	 git -c user.name=upstream-check -c user.email=upstream-check@localhost \
		commit -q -m "Debian $PKG $VER" && git tag base) ||
		{ echo "upstream-check: error: cannot make a git tree of $PKG" >&2; exit 1; }
	touch "$tree.tmp/.git/upstream-check-base"
	mv "$tree.tmp" "$tree"
	heartbeat_stop
}

# The hunk of PATCH that starts at old line LINE of FILE, from git am's
# "error: patch failed: FILE:LINE".
hunk_of() {
	awk -v file="$2" -v line="$3" '
		/^diff --git / { infile = ($3 == "a/" file) }
		infile && /^@@ / {
			split($2, a, ","); if (substr(a[1], 2) == line) { print; exit }
		}' "$1"
}

check_series() {
	dir=$1
	bug=$(basename "$dir")
	ok=1
	patches=$(ls "$dir"/[0-9][0-9][0-9][0-9]-*.patch | grep -v '/0000-cover-letter\.patch$')
	if [ ! -f "$dir/0000-cover-letter.patch" ] || [ -z "$patches" ]; then
		say "$bug: not ok: needs 0000-cover-letter.patch and at least one patch"
		return 1
	fi
	for p in $patches; do
		res=$work/$(echo "$p" | tr / _)
		if [ "$(cat "$res.rc" 2>/dev/null)" != 0 ] || [ -s "$res" ]; then
			say "$bug: checkpatch: $(basename "$p"):"
			sed 's/^/    /' "$res"
			ok=0
		fi
	done
	(cd "$tree" && git am --abort >/dev/null 2>&1; git checkout -q -f --detach base &&
	 git clean -q -f -d -x >/dev/null 2>&1) ||
		{ say "$bug: cannot reset $tree"; return 1; }
	# shellcheck disable=SC2086 # one word a patch
	if ! out=$(cd "$tree" && git -c user.name=upstream-check \
			-c user.email=upstream-check@localhost am -q $patches 2>&1); then
		failed=$(echo "$out" | sed -n 's/^Patch failed at //p' | head -n 1)
		where=$(echo "$out" | sed -n 's/^error: patch failed: //p' | head -n 1)
		say "$bug: git am: the series no longer applies to $PKG $VER: patch $failed"
		if [ -n "$where" ]; then
			file=${where%:*} line=${where##*:}
			say "$bug: git am: hunk at $file:$line: $(hunk_of "$tree/.git/rebase-apply/patch" "$file" "$line")"
		fi
		echo "$out" | sed 's/^/    /'
		(cd "$tree" && git am --abort >/dev/null 2>&1)
		ok=0
	fi
	if [ $ok = 1 ]; then
		say "$bug: ok: checkpatch clean, git am applies $(echo "$patches" | wc -l) patches"
		return 0
	fi
	say "$bug: not ok"
	return 1
}

# checkpatch checks SPDX lines with scripts/spdxcheck.py, which needs
# python3's ply and git modules: Debian's python3 with python3-ply and
# python3-git, first in PATH (a python3 of another installation, e.g.
# pyenv's, would lack them).
PATH=/usr/bin:$PATH
export PATH
if ! python3 -c 'import ply, git' >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "installing python3-ply python3-git (checkpatch's SPDX check)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			python3-ply python3-git >/dev/null 2>&1
	fi
	python3 -c 'import ply, git' >/dev/null 2>&1 ||
		{ echo "upstream-check: error: checkpatch's SPDX check needs python3-ply and python3-git" >&2; exit 1; }
fi

heartbeat=
trap 'heartbeat_stop' EXIT
prepare_tree
work=$(mktemp -d "${TMPDIR:-/tmp}/upstream-check.XXXXXX") || exit 1
trap 'heartbeat_stop; rm -rf "$work"' EXIT

# checkpatch on every patch first, one per CPU (it only reads the tree);
# each result in $work/<path with _ for />, its exit code in .rc.
say "checkpatch --strict on every patch"
heartbeat_start "checkpatch still running"
ls "$here"/*/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '/0000-cover-letter\.patch$' |
	xargs -r -P "$(nproc 2>/dev/null || echo 1)" -I{} sh -c '
		res=$2/$(echo "$1" | tr / _)
		cd "$3" && perl scripts/checkpatch.pl --strict --quiet --show-types \
			--ignore "$4" "$1" > "$res" 2>&1
		echo $? > "$res.rc"' sh {} "$work" "$tree" "$IGNORE"
heartbeat_stop

rc=0
n=0
for dir in "$here"/*/; do
	[ -d "$dir" ] || continue
	n=$((n + 1))
	check_series "${dir%/}" || rc=1
done
[ $n -gt 0 ] || { say "no series in $here"; exit 1; }
(cd "$tree" && git checkout -q -f --detach base)
exit $rc
