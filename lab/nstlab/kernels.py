# SPDX-License-Identifier: GPL-2.0-only
"""Debian kernels, headers and sources: resolving package names and versions,
fetching them with apt-get download and unpacking them with dpkg -x into the
lab cache.  Nothing is ever installed on the host.

apt runs with a private configuration (its own sources list, lists and
cache folders under the lab cache): the machine's apt sources are never read
or changed, so the lab sees the same archive on every machine.
"""

import contextlib
import fcntl
import glob
import os
import re
import shutil
import subprocess
import tempfile
import time

from .errors import LabError, E_HOST

# The meta package whose dependency names the current cloud kernel.  The cloud
# flavour is LZ4-compressed; the generic one (XZ) takes ~70 s more to unpack in
# Bochs.  Its ABI number changes with security updates, so it is never
# hard-coded.
KERNEL_META = "linux-image-cloud-amd64"

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
SOURCES = (
    f"deb [signed-by={KEYRING}] http://deb.debian.org/debian bookworm main\n"
    f"deb [signed-by={KEYRING}] http://deb.debian.org/debian-security bookworm-security main\n"
)
# Security updates replace packages: lists older than this are fetched again.
LISTS_MAX_AGE = 24 * 3600

STAMP = ".lab-stamp"


class ResolveError(LabError):
    def __init__(self, message):
        super().__init__(E_HOST, message)


# --- Debian versions ----------------------------------------------------------------

def _order(c):
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256 if c else 0


def _compare_part(a, b):
    """dpkg's comparison of an upstream version or a revision."""
    while a or b:
        na = re.match(r"[^0-9]*", a).group()
        nb = re.match(r"[^0-9]*", b).group()
        for i in range(max(len(na), len(nb))):
            ca, cb = _order(na[i:i + 1]), _order(nb[i:i + 1])
            if ca != cb:
                return -1 if ca < cb else 1
        a, b = a[len(na):], b[len(nb):]
        da = re.match(r"[0-9]*", a).group()
        db = re.match(r"[0-9]*", b).group()
        if int(da or 0) != int(db or 0):
            return -1 if int(da or 0) < int(db or 0) else 1
        a, b = a[len(da):], b[len(db):]
    return 0


def split_version(v):
    """(epoch, upstream, revision) of a Debian version."""
    epoch, _, rest = v.rpartition(":") if ":" in v else ("0", "", v)
    upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "")
    return int(epoch or 0), upstream, revision


def compare_versions(a, b):
    """-1, 0 or 1 as dpkg --compare-versions orders a and b."""
    ea, ua, ra = split_version(a)
    eb, ub, rb = split_version(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(ua, ub) or _compare_part(ra, rb)


def upstream(v):
    """6.1.192-2 -> 6.1.192."""
    return split_version(v)[1]


def major_minor(v):
    """6.1.192-2 -> 6.1."""
    m = re.match(r"^(?:\d+:)?(\d+\.\d+)(?:[.~+-]|$)", v)
    return m.group(1) if m else None


# --- apt's answers --------------------------------------------------------------------

def parse_depends(text):
    """apt-cache depends: the package names of the Depends: lines, in order."""
    return [m.group(1) for m in re.finditer(r"^\s+Depends:\s+(\S+)", text, re.M)]


def parse_policy(text):
    """apt-cache policy: package -> {"candidate": str or None, "versions": [...]}."""
    out, pkg = {}, None
    for line in text.splitlines():
        if line and not line[0].isspace() and line.endswith(":"):
            pkg = line[:-1]
            out[pkg] = {"candidate": None, "versions": []}
        elif pkg and line.strip().startswith("Candidate:"):
            cand = line.split(":", 1)[1].strip()
            out[pkg]["candidate"] = None if cand == "(none)" else cand
        elif pkg and re.match(r"^\s+(\*\*\*\s+)?\S+\s+-?\d+$", line):
            out[pkg]["versions"].append(line.replace("***", "").split()[0])
    return out


def parse_madison(text):
    """apt-cache madison: package -> versions the archive has, newest first."""
    out = {}
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) >= 3 and parts[0] and parts[1]:
            versions = out.setdefault(parts[0], [])
            if parts[1] not in versions:
                versions.append(parts[1])
    return out


def nearest_version(package, want, available):
    """The version of PACKAGE to take when WANT is asked for.

    WANT itself if the archive has it.  Debian removes superseded revisions
    (6.1.192-2 goes when 6.1.192-3 comes), and a dependency of the same
    upstream version is built from the same source: take the nearest such
    one, the lowest newer revision first, else the highest older one.
    Returns (version, note); note says what was substituted, or is None.
    Raises ResolveError naming what is missing.
    """
    if want in available:
        return want, None
    same = [v for v in available if upstream(v) == upstream(want)]
    newer = sorted((v for v in same if compare_versions(v, want) > 0),
                   key=_sort_key)
    older = sorted((v for v in same if compare_versions(v, want) < 0),
                   key=_sort_key)
    if newer or older:
        got = newer[0] if newer else older[-1]
        return got, f"{package} {want} is no longer in the archive: using {got}"
    have = ", ".join(available) or "none"
    raise ResolveError(f"{package} {want} is not in the archive, nor any other "
                       f"{upstream(want)} version (the archive has: {have})")


class _Key:
    def __init__(self, v):
        self.v = v

    def __lt__(self, other):
        return compare_versions(self.v, other.v) < 0


def _sort_key(v):
    return _Key(v)


# --- the private apt ----------------------------------------------------------------

class Apt:
    """apt-get and apt-cache with the lab's own sources, lists and cache."""

    def __init__(self, root, sources=SOURCES, log=None):
        # apt takes a relative Dir:: path as relative to its root, "/".
        self.root = os.path.abspath(root)
        self.sources = sources
        self.log = log or (lambda m: None)

    def options(self):
        r = self.root
        return ["-o", f"Dir::Etc::SourceList={r}/sources.list",
                "-o", "Dir::Etc::SourceParts=/dev/null",
                "-o", f"Dir::State::Lists={r}/lists",
                "-o", f"Dir::Cache={r}/cache",
                "-o", "Dir::State::status=/dev/null",
                "-o", "APT::Get::List-Cleanup=0",
                "-o", "Debug::NoLocking=1"]

    def _prepare(self):
        for d in ("lists/partial", "cache/archives/partial"):
            os.makedirs(os.path.join(self.root, d), exist_ok=True)
        path = os.path.join(self.root, "sources.list")
        if not os.path.exists(path) or open(path).read() != self.sources:
            with open(path, "w") as f:
                f.write(self.sources)
            for old in glob.glob(os.path.join(self.root, "lists", "*_Packages*")):
                os.unlink(old)

    def _lists_age(self):
        lists = glob.glob(os.path.join(self.root, "lists", "*_Packages*"))
        if not lists:
            return None
        return time.time() - min(os.path.getmtime(f) for f in lists)

    def update(self, force=False):
        """Fetch the package lists if they are missing or old.  False when
        apt-get update failed (offline): the old lists, if any, stay."""
        if shutil.which("apt-get") is None:
            return False
        self._prepare()
        age = self._lists_age()
        if not force and age is not None and age < LISTS_MAX_AGE:
            return True
        self.log(f"apt-get update (private lists in {self.root}/lists)")
        r = subprocess.run(["apt-get", *self.options(), "-q", "update"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            self.log(f"warning: apt-get update failed: {r.stderr.strip()[-300:]}")
        return r.returncode == 0 and self._lists_age() is not None

    def cache(self, *args):
        """apt-cache's stdout, or "" when it failed."""
        r = subprocess.run(["apt-cache", *self.options(), *args],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return r.stdout if r.returncode == 0 else ""

    def download(self, specs, directory):
        """apt-get download PKG=VERSION... into directory; True on success."""
        # apt drops privileges to _apt for downloads, which must be able to
        # write here (else it warns and downloads as root anyway).
        os.chmod(directory, 0o777)
        r = subprocess.run(["apt-get", *self.options(), "-q", "download", *specs],
                           cwd=directory, stdout=subprocess.DEVNULL)
        return r.returncode == 0


# --- resolving --------------------------------------------------------------------------

def kernel_package(apt):
    """The current cloud kernel package, named by the meta package."""
    for dep in parse_depends(apt.cache("depends", KERNEL_META)):
        if re.match(r"^linux-image-\d", dep):
            return dep
    return None


def candidate(apt, package):
    return parse_policy(apt.cache("policy", package)).get(package, {}).get("candidate")


def archive_versions(apt, packages):
    return parse_madison(apt.cache("madison", *packages))


def resolve_headers(flavour_pkg, version, depends_text, madison_text):
    """The packages to unpack for building modules against a kernel: the
    flavour's headers at the image's exact version and its linux-headers-*-
    common and linux-kbuild-* dependencies at the nearest version.

    depends_text and madison_text are apt-cache's answers (depends of the
    flavour's headers; madison of all three).  Returns ([PKG=VERSION], notes).
    """
    deps = [d for d in parse_depends(depends_text)
            if re.match(r"^linux-(headers-.*-common|kbuild-)", d)]
    if not deps:
        raise ResolveError(f"apt does not know {flavour_pkg}")
    available = parse_madison(madison_text)
    if version not in available.get(flavour_pkg, []):
        have = ", ".join(available.get(flavour_pkg, [])) or "none"
        raise ResolveError(f"{flavour_pkg} {version} is not in the archive "
                           f"(the archive has: {have})")
    specs, notes = [f"{flavour_pkg}={version}"], []
    for dep in deps:
        got, note = nearest_version(dep, version, available.get(dep, []))
        specs.append(f"{dep}={got}")
        if note:
            notes.append(note)
    return specs, notes


def resolve_source(version, madison_text):
    """linux-source-<major.minor> at the nearest version to the kernel's."""
    pkg = f"linux-source-{major_minor(version)}"
    got, note = nearest_version(pkg, version, parse_madison(madison_text).get(pkg, []))
    return f"{pkg}={got}", note


# --- the cache -----------------------------------------------------------------------------

@contextlib.contextmanager
def cache_lock(cache):
    """Two runs at once must not unpack into the same folder."""
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, ".lock"), "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def stamp_of(directory):
    try:
        with open(os.path.join(directory, STAMP)) as f:
            return f.read().strip()
    except OSError:
        return None


def newest_cached_kernel(cache):
    """The newest linux-image-* package unpacked in the cache, or None."""
    found = [os.path.dirname(p) for p in glob.glob(os.path.join(cache, "linux-image-*", STAMP))]
    if not found:
        return None
    return os.path.basename(max(found, key=lambda d: _sort_key(stamp_of(d) or "0")))


def fetch_unpack(apt, specs, cache, target, stamp):
    """Download specs and unpack them all into cache/target with a stamp."""
    tmp = tempfile.mkdtemp(prefix=".dl.", dir=cache)
    try:
        if not apt.download(specs, tmp):
            raise LabError(E_HOST, f"apt-get download {' '.join(specs)} failed")
        debs = sorted(glob.glob(os.path.join(tmp, "*.deb")))
        if not debs:
            raise LabError(E_HOST, f"apt-get download {' '.join(specs)} made no .deb")
        for deb in debs:
            if subprocess.run(["dpkg", "-x", deb, os.path.join(tmp, "root")]).returncode:
                raise LabError(E_HOST, f"cannot unpack {deb}")
        dest = os.path.join(cache, target)
        shutil.rmtree(dest, ignore_errors=True)
        os.rename(os.path.join(tmp, "root"), dest)
        with open(os.path.join(dest, STAMP), "w") as f:
            f.write(stamp + "\n")
        return dest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def deb_version(deb):
    r = subprocess.run(["dpkg-deb", "-f", deb, "Version"], stdout=subprocess.PIPE, text=True)
    return r.stdout.strip()


class Kernel:
    """An unpacked kernel: its bzImage, release and packaged modules folder."""

    def __init__(self, root, package=None, version=None):
        self.root = root
        self.package = package
        self.version = version
        images = sorted(glob.glob(os.path.join(root, "boot", "vmlinuz-*")))
        if not images:
            raise LabError(E_HOST, f"no boot/vmlinuz-* in {root}")
        self.image = images[0]
        self.release = os.path.basename(self.image)[len("vmlinuz-"):]
        for sub in ("lib/modules", "usr/lib/modules"):
            moddir = os.path.join(root, sub, self.release)
            if os.path.isdir(moddir):
                self.moddir = moddir
                break
        else:
            raise LabError(E_HOST, f"no lib/modules/{self.release} in {root}")


def lab_kernel_package(apt, cache, log):
    """(package, version or None) of the lab's kernel: apt's answer, else the
    newest one in the cache (offline, other distributions)."""
    pkg = None
    if apt is not None and apt.update():
        pkg = kernel_package(apt)
    if pkg:
        cached = os.path.join(cache, pkg)
        return pkg, stamp_of(cached) or candidate(apt, pkg)
    pkg = newest_cached_kernel(cache)
    if not pkg:
        raise LabError(E_HOST, f"cannot find the {KERNEL_META} package and no kernel "
                       f"is cached in {cache}: on Debian, check the network (apt-get "
                       "update); elsewhere pass --kernel and --modules")
    log(f"warning: apt does not know {KERNEL_META}; using cached {pkg}")
    return pkg, stamp_of(os.path.join(cache, pkg))


def fetch_kernel(apt, cache, log):
    """The lab's kernel, fetched once into the cache and reused after."""
    with cache_lock(cache):
        pkg, version = lab_kernel_package(apt, cache, log)
        directory = os.path.join(cache, pkg)
        if stamp_of(directory):
            log(f"kernel: {pkg} ({stamp_of(directory)}), cached in {directory}")
        else:
            if apt is None:
                raise LabError(E_HOST, f"cannot download {pkg} without apt")
            log(f"kernel: downloading {pkg} into {cache}")
            fetch_unpack(apt, [f"{pkg}={version}" if version else pkg], cache, pkg,
                         version or "unknown")
            log(f"kernel: {pkg} {stamp_of(directory)} unpacked into {directory}")
    return Kernel(directory, pkg, stamp_of(directory))


def fetch_headers(apt, cache, release, version, log):
    """Debian's headers for kernel RELEASE at VERSION, unpacked into
    cache/linux-headers-RELEASE; returns that folder."""
    flavour = f"linux-headers-{release}"
    directory = os.path.join(cache, flavour)
    if stamp_of(directory) == version:
        return directory
    if apt is None or not apt.update():
        raise LabError(E_HOST, f"modules mode needs Debian's apt to fetch {flavour}")
    deps = apt.cache("depends", flavour)
    names = [flavour] + [d for d in parse_depends(deps)
                         if re.match(r"^linux-(headers-.*-common|kbuild-)", d)]
    specs, notes = resolve_headers(flavour, version, deps, apt.cache("madison", *names))
    for note in notes:
        log(note)
    log(f"fetching {' '.join(specs)} into {cache}")
    with cache_lock(cache):
        fetch_unpack(apt, specs, cache, flavour, version)
    return directory


def fetch_source(apt, directory, version, log):
    """Debian's linux-source tarball nearest to VERSION, into directory;
    returns (tarball path, the version it is)."""
    if apt is None or not apt.update():
        raise LabError(E_HOST, "fetching linux-source needs Debian's apt")
    pkg = f"linux-source-{major_minor(version)}"
    spec, note = resolve_source(version, apt.cache("madison", pkg))
    if note:
        log(note)
    got = spec.partition("=")[2]
    tarball = os.path.join(directory, f"{pkg}-{got}.tar.xz")
    if not os.path.isfile(tarball):
        log(f"downloading {spec}")
        root = fetch_unpack(apt, [spec], directory, ".src", got)
        os.rename(os.path.join(root, "usr", "src", f"{pkg}.tar.xz"), tarball)
        shutil.rmtree(root, ignore_errors=True)
    return tarball, got
