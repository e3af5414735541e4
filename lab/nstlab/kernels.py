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

from . import progress
from .errors import LabError, UsageError, E_HOST

# The meta package whose dependency names the current cloud kernel.  The cloud
# flavour is LZ4-compressed; the generic one (XZ) takes ~70 s more to unpack in
# Bochs.  Its ABI number changes with security updates, so it is never
# hard-coded.
KERNEL_META = "linux-image-cloud-amd64"

# The kernels --kernel-version names: which archive (see SUITES) and which
# meta package's newest version.  Debian 12 carries 6.1 and, in its security
# suite, 6.12 LTS; the newest kernels are in unstable and experimental, whose
# meta package moves with every upload, so it is resolved at each run.
TRACKS = {
    "6.1": ("stable", KERNEL_META),
    "6.12": ("stable", "linux-image-6.12-cloud-amd64"),
    "newest": ("sid", KERNEL_META),
}
DEFAULT_TRACK = "6.1"

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
# archive name -> (apt folder under the lab cache, [(mirror kind, suite)]).
SUITES = {
    "stable": ("apt", [("archive", "bookworm"), ("security", "bookworm-security")]),
    "sid": ("apt-sid", [("archive", "unstable"), ("archive", "experimental")]),
}
# A mirror for the lab's private apt instead of the machine's (e.g. a local
# one, or an unreachable one to check the error path).
MIRROR_ENV = "LAB_DEBIAN_MIRROR"
APT_SOURCE_FILES = ("/etc/apt/sources.list", "/etc/apt/sources.list.d")
# Security updates replace packages: lists older than this are fetched again.
LISTS_MAX_AGE = 24 * 3600

STAMP = ".lab-stamp"
PACKAGES_FILE = ".lab-packages"


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


# --- the Debian mirror the machine uses ----------------------------------------------

def parse_apt_sources(text):
    """(URI, suite) pairs of an apt sources file, one-line or deb822 format;
    only "deb" entries."""
    pairs = []
    if re.search(r"^(Types|URIs|Suites):", text, re.M):
        for para in re.split(r"\n\s*\n", text):
            fields = {}
            for line in para.splitlines():
                if line.startswith("#") or ":" not in line or line[0].isspace():
                    continue
                k, _, v = line.partition(":")
                fields[k.strip().lower()] = v.split()
            if "deb" in fields.get("types", []) and \
                    fields.get("enabled", ["yes"])[0].lower() != "no":
                pairs += [(u, su) for u in fields.get("uris", [])
                          for su in fields.get("suites", [])]
        return pairs
    for line in text.splitlines():
        line = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()
        if len(line) >= 3 and line[0] == "deb":
            pairs.append((line[1], line[2]))
    return pairs


def mirrors(pairs, override=None):
    """{"archive": URI, "security": URI} from the machine's apt sources: the
    lab uses the mirror the machine is set up to reach, and never writes a
    host of its own.  override: one archive URI for both (the security
    archive beside it, as Debian's mirrors lay them out)."""
    if override:
        base = override.rstrip("/")
        return {"archive": base, "security": base + "-security"}
    out = {}
    for uri, suite in pairs:
        uri = uri.rstrip("/")
        if suite.endswith("-security"):
            out.setdefault("security", uri)
        elif uri.endswith("/debian"):
            out.setdefault("archive", uri)
    return out


def machine_mirrors():
    texts = []
    for p in APT_SOURCE_FILES:
        files = sorted(glob.glob(os.path.join(p, "*.list")) + glob.glob(os.path.join(p, "*.sources"))) \
            if os.path.isdir(p) else [p]
        for f in files:
            try:
                with open(f) as fh:
                    texts.append(fh.read())
            except OSError:
                pass
    return mirrors([pair for t in texts for pair in parse_apt_sources(t)],
                   os.environ.get(MIRROR_ENV))


def sources_list(archive, found):
    """The private sources.list of an archive ("stable", "sid")."""
    lines = []
    for kind, suite in SUITES[archive][1]:
        if kind not in found:
            raise LabError(E_HOST, f"no Debian {kind} mirror in the machine's apt sources "
                           f"({', '.join(APT_SOURCE_FILES)}); set {MIRROR_ENV}=URI")
        lines.append(f"deb [signed-by={KEYRING}] {found[kind]} {suite} main\n")
    return "".join(lines)


def apt_for(cache, archive, log=None):
    """The private apt of an archive, its lists under the lab cache."""
    return Apt(os.path.join(cache, SUITES[archive][0]), archive=archive, log=log)


# --- the private apt ----------------------------------------------------------------

class Apt:
    """apt-get and apt-cache with the lab's own sources, lists and cache."""

    def __init__(self, root, sources=None, log=None, archive="stable"):
        # apt takes a relative Dir:: path as relative to its root, "/".
        self.root = os.path.abspath(root)
        self._sources = sources
        self.archive = archive
        self.log = log or (lambda m: None)
        self.error = None

    @property
    def sources(self):
        if self._sources is None:
            self._sources = sources_list(self.archive, machine_mirrors())
        return self._sources

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
        t0 = time.time()
        with progress.Ticker(lambda: self.log(
                f"still in apt-get update: {progress.duration(time.time() - t0)}")):
            r = subprocess.run(["apt-get", *self.options(), "-q", "update"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # apt-get update exits 0 even when it reached no server, and only
        # says so in warnings.
        failed = r.returncode != 0 or re.search(r"^(W|E): (Failed to fetch|Some index)",
                                                r.stderr, re.M)
        if failed:
            # The first complaint names the server and what went wrong.
            lines = [l for l in r.stderr.splitlines() if l.strip()]
            self.error = (lines[0] if lines else f"exit {r.returncode}").strip()[:200]
            self.log(f"warning: apt-get update failed: {self.error}")
        return not failed and self._lists_age() is not None

    def usable(self):
        """Lists to answer from: fresh ones, or (offline) old ones with a
        warning.  False when there are none."""
        if self.update():
            return True
        if self._lists_age() is not None:
            self.log("warning: using the old package lists")
            return True
        return False

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


IMAGE = re.compile(r"^linux-image-\d[^ ]*$")


def newest(versions):
    return max(versions, key=_sort_key) if versions else None


class KernelChoice:
    """A resolved Debian kernel: its image package, version, and the packages
    to unpack with it (7.x splits the image into linux-binary-* and
    linux-modules-*)."""

    def __init__(self, archive, image, version, packages, how):
        self.archive = archive
        self.image = image
        self.version = version
        self.packages = packages
        self.how = how

    def specs(self):
        return [f"{p}={self.version}" for p in self.packages]


def _image_parts(image, depends_text):
    """The image package and its same-flavour parts, from its depends."""
    suffix = image[len("linux-image-"):]
    return [image] + [d for d in parse_depends(depends_text)
                      if d in (f"linux-binary-{suffix}", f"linux-modules-{suffix}")]


def resolve_meta(archive, meta, version, ask, how):
    """The kernel a meta package at VERSION depends on.  ask(*args) is
    apt-cache of that archive (a recorded answer in the unit tests)."""
    image = next((d for d in parse_depends(ask("depends", f"{meta}={version}"))
                  if IMAGE.match(d)), None)
    if image is None:
        raise ResolveError(f"{meta} {version} names no linux-image package")
    have = parse_madison(ask("madison", image)).get(image, [])
    got = version if version in have else newest(have)
    if got is None:
        raise ResolveError(f"{image} (from {meta} {version}) is not in the archive")
    parts = _image_parts(image, ask("depends", f"{image}={got}"))
    return KernelChoice(archive, image, got, parts, how)


def available_versions(asks):
    """archive -> meta -> versions, from each archive's apt-cache."""
    out = {}
    for track, (archive, meta) in TRACKS.items():
        if archive in asks:
            out.setdefault(archive, {})[meta] = \
                parse_madison(asks[archive]("madison", meta)).get(meta, [])
    return out


def resolve_kernel_version(want, asks):
    """The kernel --kernel-version WANT names.  asks: archive -> apt-cache.
    A track (6.1, 6.12, newest) is its meta package's newest version in its
    archive; anything else must be a version of one of those meta packages.
    An unknown version is a usage error that lists what there is."""
    avail = available_versions(asks)
    if want in TRACKS:
        archive, meta = TRACKS[want]
        v = newest(avail.get(archive, {}).get(meta, []))
        if v is None:
            raise ResolveError(f"{meta} is not in the Debian {archive} archive")
        return resolve_meta(archive, meta, v, asks[archive], f"{want}: {meta} {v}")
    for archive, metas in avail.items():
        for meta, versions in metas.items():
            if want in versions:
                return resolve_meta(archive, meta, want, asks[archive], f"{meta} {want}")
    listed = sorted({v for metas in avail.values() for vs in metas.values() for v in vs},
                    key=_sort_key)
    raise UsageError(f"unknown kernel version '{want}': give {', '.join(TRACKS)} or one "
                     f"of the versions the archive has: {', '.join(listed) or 'none'}")


def archives_for(want):
    """The archives whose lists resolving WANT needs."""
    if want in TRACKS:
        return [TRACKS[want][0]]
    return list(SUITES)


# --- the cache -----------------------------------------------------------------------------

@contextlib.contextmanager
def cache_lock(cache, name="", log=None):
    """Two runs at once must not unpack into the same folder: one holds the
    lock file .NAME.lock (.lock) of the cache, the other waits for it (and,
    with log, says so every progress.HEARTBEAT seconds)."""
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, f".{name}.lock" if name else ".lock")
    with open(path, "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            if log is None:
                fcntl.flock(f, fcntl.LOCK_EX)
            else:
                t0 = time.time()
                log(f"waiting for another run holding {path}")
                with progress.Ticker(lambda: log(
                        f"still waiting for {path}: {progress.duration(time.time() - t0)}")):
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


def folder_bytes(directory):
    """The size of the files under directory (what a download got so far)."""
    total = 0
    for d, _, files in os.walk(directory):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.path.getsize(os.path.join(d, name))
    return total


def download_progress(what, elapsed, got):
    """A download's heartbeat: 'downloading linux-image-...: 25 s, 41 MB so far'."""
    return f"{what}: {progress.duration(elapsed)}, {got / 1e6:.0f} MB so far"


def fetch_unpack(apt, specs, cache, target, stamp, log=None):
    """Download specs and unpack them all into cache/target with a stamp;
    with log, a progress line every progress.HEARTBEAT seconds."""
    tmp = tempfile.mkdtemp(prefix=".dl.", dir=cache)
    t0 = time.time()
    ticker = progress.Ticker(lambda: log(download_progress(
        f"downloading and unpacking {' '.join(specs)}", time.time() - t0, folder_bytes(tmp))))
    if log:
        ticker.start()
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
        ticker.stop()
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
        if images:
            self.image = images[0]
            self.release = os.path.basename(self.image)[len("vmlinuz-"):]
        else:
            # 7.x packages keep the image beside its modules.
            images = sorted(glob.glob(os.path.join(root, "usr/lib/modules/*/vmlinuz")))
            if not images:
                raise LabError(E_HOST, f"no boot/vmlinuz-* in {root}")
            self.image = images[0]
            self.release = os.path.basename(os.path.dirname(self.image))
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
    with cache_lock(cache, log=log):
        pkg, version = lab_kernel_package(apt, cache, log)
        directory = os.path.join(cache, pkg)
        if stamp_of(directory):
            log(f"kernel: {pkg} ({stamp_of(directory)}), cached in {directory}")
        else:
            if apt is None:
                raise LabError(E_HOST, f"cannot download {pkg} without apt")
            log(f"kernel: downloading {pkg} into {cache}")
            fetch_unpack(apt, [f"{pkg}={version}" if version else pkg], cache, pkg,
                         version or "unknown", log)
            log(f"kernel: {pkg} {stamp_of(directory)} unpacked into {directory}")
    return Kernel(directory, pkg, stamp_of(directory))


def fetch_kernel_version(cache, want, log, apt_factory=apt_for):
    """The kernel --kernel-version WANT names, resolved from the archive at
    every run (a track moves with uploads) and unpacked once per package and
    version into the cache.  Offline, the last resolution of WANT is reused
    if its kernel is cached."""
    memo = os.path.join(cache, f"kernel-version-{re.sub(r'[^A-Za-z0-9.+~-]', '_', want)}")
    apts = {a: apt_factory(cache, a, log) for a in archives_for(want)}
    usable = {a: apt for a, apt in apts.items() if apt.usable()}
    if len(usable) < len(apts):
        cached = stamp_of(memo)
        if cached and stamp_of(os.path.join(cache, cached.split()[0])) == cached.split()[1]:
            log(f"warning: the Debian archive is unreachable; using cached {cached}")
            pkg, version = cached.split()[:2]
            return Kernel(os.path.join(cache, pkg), pkg, version)
        why = "; ".join(f"{a}: {apt.error or 'no package lists'}"
                        for a, apt in apts.items() if a not in usable)
        raise LabError(E_HOST, f"cannot reach the Debian archive for kernel '{want}' "
                       f"(apt-get update failed: {why}) and no resolution of it is cached")
    choice = resolve_kernel_version(want, {a: (lambda *args, apt=apt: apt.cache(*args))
                                           for a, apt in usable.items()})
    directory = os.path.join(cache, choice.image)
    with cache_lock(cache, log=log):
        if stamp_of(directory) == choice.version:
            log(f"kernel: {choice.how} -> {choice.image} {choice.version}, cached")
        else:
            log(f"kernel: {choice.how} -> downloading {' '.join(choice.specs())}")
            fetch_unpack(usable[choice.archive], choice.specs(), cache, choice.image,
                         choice.version, log)
        os.makedirs(memo, exist_ok=True)
        with open(os.path.join(memo, STAMP), "w") as f:
            f.write(f"{choice.image} {choice.version}\n")
    return Kernel(directory, choice.image, choice.version)


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
    with cache_lock(cache, log=log):
        fetch_unpack(apt, specs, cache, flavour, version, log)
        # What was unpacked, for a build chroot that must install the same
        # linux-kbuild package.
        with open(os.path.join(directory, PACKAGES_FILE), "w") as f:
            f.write("".join(s + "\n" for s in specs))
    return directory


def headers_packages(directory):
    """The PKG=VERSION specs fetch_headers unpacked into directory ([] for a
    folder unpacked before it recorded them)."""
    try:
        with open(os.path.join(directory, PACKAGES_FILE)) as f:
            return f.read().split()
    except OSError:
        return []


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
        root = fetch_unpack(apt, [spec], directory, ".src", got, log)
        os.rename(os.path.join(root, "usr", "src", f"{pkg}.tar.xz"), tarball)
        shutil.rmtree(root, ignore_errors=True)
    return tarball, got
