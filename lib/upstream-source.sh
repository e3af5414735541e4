#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# upstream-source.sh PACKAGE VERSION SHA256 SUITE DEST
#
# Prepares in DEST the part of a Debian linux-source package that the KVM
# selftests library needs: tools/include, tools/arch/x86, the selftests'
# headers and library sources, and the uapi headers installed by the
# tree's own "make headers" (DEST/usr/include).  Nothing is installed on
# the system.
#
# The package's .deb is downloaded once into the cache folder, checked
# against SHA256, and the prepared files are kept there as a tar archive, so
# that the next preparation (another build folder, a fresh clone) is an
# unpack.  Cache: $NST_CACHE, else $XDG_CACHE_HOME/kvm-nested-selftests,
# else ~/.cache/kvm-nested-selftests.
#
# SUITE "-" uses the machine's apt sources; another suite (experimental) is
# fetched through a private apt configuration in the cache folder, on the
# Debian mirror the machine's sources already name.  The machine's apt
# configuration is never changed.
set -eu

[ $# -eq 5 ] || { echo "usage: $0 PACKAGE VERSION SHA256 SUITE DEST" >&2; exit 2; }
pkg=$1 ver=$2 sha=$3 suite=$4 dest=$5

die() {
	echo "upstream-source: $*" >&2
	exit 1
}

cache=${NST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-nested-selftests}
mkdir -p "$cache" || die "cannot create the cache folder $cache (set NST_CACHE)"
# Debian writes the epoch-less version into the file name, ':' as %3a.
deb=$cache/${pkg}_$(echo "$ver" | sed 's/:/%3a/')_all.deb
prepared=$cache/${pkg}_$ver.selftests.tar

# Tools this script runs, each with the Debian package that provides it.
need=
for t in apt-get:apt dpkg-deb:dpkg xz:xz-utils tar:tar make:make gcc:gcc sha256sum:coreutils; do
	command -v "${t%%:*}" >/dev/null 2>&1 || need="$need ${t#*:}"
done
if [ -n "$need" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "upstream-source: installing$need" >&2
		# shellcheck disable=SC2086 # one word a package
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >&2 ||
			die "could not install$need"
	else
		die "missing tools: install$need"
	fi
fi

rm -rf "$dest"
mkdir -p "$dest"

if [ -f "$prepared" ]; then
	tar -xf "$prepared" -C "$dest"
	exit 0
fi

# A private apt configuration for SUITE, on the machine's Debian mirror.
private_apt() {
	# The first http(s) URI ending in /debian, from one-line or deb822 sources.
	mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		     /etc/apt/sources.list.d/*.sources 2>/dev/null |
		 grep -E '^(deb|URIs:)[[:space:]]' | tr -s ' \t' '\n' |
		 grep -E '^https?://[^[:space:]]*/debian/?$' | head -n 1)
	[ -n "$mirror" ] || die "no Debian mirror in /etc/apt/sources.list(.d) for the $suite suite"
	apt=$cache/apt-$suite
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
	echo "deb $mirror $suite main" > "$apt/sources.list"
	apt_opts="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=/dev/null
		  -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache"
}

fetch() {
	# shellcheck disable=SC2086 # the options are words
	(cd "$cache" && apt-get -qq $apt_opts download "$pkg=$ver") >&2
}

if [ ! -f "$deb" ]; then
	apt_opts=
	if [ "$suite" != - ]; then
		private_apt
		# shellcheck disable=SC2086
		apt-get -qq $apt_opts update >&2 || die "apt-get update of the $suite suite failed"
	fi
	# The machine's package lists may be older than the pinned version.
	if ! fetch && ! { [ "$suite" = - ] && [ "$(id -u)" = 0 ] &&
			  apt-get -qq update >&2 && fetch; }; then
		die "cannot download $pkg=$ver (run 'apt-get update'; is the version still in the archive?)"
	fi
fi
echo "$sha  $deb" | sha256sum -c --quiet - >&2 ||
	die "$deb does not have the pinned SHA256 $sha (remove it to download it again)"

top=$pkg
work=$dest.tmp
rm -rf "$work"
mkdir -p "$work"
echo "upstream-source: unpacking $pkg $ver" >&2
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "./usr/src/$top.tar.xz" | xz -dc |
	tar -x -C "$work" --strip-components=1 --wildcards \
		"$top/Makefile" "$top/scripts/*" "$top/include/uapi/*" "$top/arch/x86/*" \
		"$top/tools/include/*" "$top/tools/arch/x86/*" "$top/tools/build/*" \
		"$top/tools/scripts/*" "$top/tools/lib/rbtree.c" \
		"$top/tools/testing/selftests/kselftest*" "$top/tools/testing/selftests/lib.mk" \
		"$top/tools/testing/selftests/kvm/*"

# The uapi headers as userspace sees them (generated unistd, version.h).
echo "upstream-source: make headers" >&2
# A make of its own, not a part of the calling make's job server.
MAKEFLAGS='' MAKELEVEL='' make -s -C "$work" -j"$(nproc 2>/dev/null || echo 2)" headers >&2 ||
	die "make headers failed in the $pkg tree"

(cd "$work" && tar -cf "$prepared.tmp" usr/include tools) && mv -f "$prepared.tmp" "$prepared"
tar -xf "$prepared" -C "$dest"
rm -rf "$work"
