# SPDX-License-Identifier: GPL-2.0-only
"""Bochs 3.0 for vmtest --emulator bochs-3.0: Debian's source and BIOS,
pinned by their sha256, fetched from the Debian archive mirror the lab
already uses, built once into the lab cache and reused after.

Debian 12 carries Bochs 2.7 only, and unstable's 3.x binary needs a newer C
library, so the lab builds the upstream tarball itself (there is no .dsc:
the .orig.tar.xz is unpacked with tar).  The BIOS comes from Debian's
bochsbios package of the same version, unpacked with dpkg-deb -x; the
"+dfsg" tarball has none.
"""

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request

from . import kernels, machines, progress
from .errors import LabError, E_HOST

VERSION = "3.0"
NAME = f"bochs-{VERSION}"
# Debian's files: (pool path, sha256, size in bytes).
SOURCE = ("pool/main/b/bochs/bochs_3.0+dfsg.orig.tar.xz",
          "78f6c73d4a6472d5130a87ab9dc306d02c7c71ed8e25b3a8ef642e2a7acd282b", 3896488)
BIOS_DEB = ("pool/main/b/bochs/bochsbios_3.0+dfsg-1_all.deb",
            "13f8f4bdd9bb5c07378b7e39042cb631ebdd41d00b0f1a3091caab17ca946a5b", 127700)
FILES = {"source": SOURCE, "bios": BIOS_DEB}
# The tarball's top folder and the BIOS inside the unpacked package.
SOURCE_DIR = f"bochs-{VERSION}"
BIOS_FILE = "bios/usr/share/bochs/BIOS-bochs-latest"
# No GUI library and no sound: a headless Bochs with its debugger (vmtest
# drives it with -rc), VMX with EPT (--enable-vmx=2) and the CPU features of
# the later models.  The prefix comes first.
CONFIGURE = ("--without-x11", "--without-x", "--without-wx", "--without-sdl2",
             "--with-rfb", "--with-nogui", "--with-term", "--disable-plugins",
             "--disable-docbook", "--enable-x86-64", "--enable-cpu-level=6",
             "--enable-vmx=2", "--enable-svm", "--enable-avx", "--enable-evex",
             "--enable-amx", "--enable-cet", "--enable-uintr", "--enable-protection-keys",
             "--enable-memtype", "--enable-3dnow", "--enable-pci", "--enable-a20-pin",
             "--enable-cdrom", "--enable-fpu", "--enable-smp", "--enable-debugger",
             "--disable-debugger-gui", "--enable-x86-debugger", "--enable-all-optimizations",
             "--enable-repeat-speedups", "--enable-idle-hack")
BUILD_LOG = "build.log"
# The build's compiler runs (make's "g++ -c ..." and "gcc -c ..." lines in
# build.log): 481 in the build of these files and this configure line, the
# progress lines' "N of M".  Its expected wall time in seconds, from the
# first progress line on: make -j2 took 300 s on a quiet 2-core machine, the
# whole build 359 s in CI.
COMPILE = re.compile(r"^(?:g\+\+|gcc|cc) (?:.* )?-c ")
COMPILE_UNITS = 481
BUILD_SECONDS = 360
STAMP = kernels.STAMP
# This build has no lowlevel sound: Bochs refuses bochsrc's sound: line.
SOUND = False


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def archive_mirror():
    """The Debian archive URI the lab's private apt uses."""
    found = kernels.machine_mirrors()
    if "archive" not in found:
        raise LabError(E_HOST, "no Debian archive mirror in the machine's apt sources "
                       f"({', '.join(kernels.APT_SOURCE_FILES)}); set "
                       f"{kernels.MIRROR_ENV}=URI")
    return found["archive"]


def fetch(mirror, entry, directory, log):
    """The file of a FILES entry in directory: a verified copy already there,
    else downloaded from mirror and verified.  A file whose sha256 differs
    is never kept."""
    path, sha, size = entry
    dest = os.path.join(directory, os.path.basename(path))
    if os.path.isfile(dest) and sha256_of(dest) == sha:
        return dest
    url = f"{mirror.rstrip('/')}/{path}"
    log(f"{NAME}: downloading {url}")
    os.makedirs(directory, exist_ok=True)
    part = dest + ".part"
    try:
        with urllib.request.urlopen(url, timeout=60) as r, open(part, "wb") as f:
            shutil.copyfileobj(r, f)
    except (OSError, ValueError) as e:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise LabError(E_HOST, f"cannot download {url}: {e}")
    got, got_size = sha256_of(part), os.path.getsize(part)
    if got != sha:
        os.unlink(part)
        raise LabError(E_HOST, f"{url}: sha256 {got} ({got_size} bytes), expected "
                       f"{sha} ({size} bytes): not used")
    os.replace(part, dest)
    return dest


def stamp_text(files=FILES):
    """What a complete install records: the pinned files and the configure
    line, so that changing either rebuilds."""
    return "".join(f"{name} {files[name][1]}\n" for name in sorted(files)) + \
        "configure " + " ".join(CONFIGURE) + "\n"


def _run(cmd, log_file, cwd, nice=False):
    log_file.write(f"$ {' '.join(cmd)}\n")
    log_file.flush()
    # At nice 10 the build takes what the emulators beside it (make check's
    # AMD lane) leave of the CPUs.
    if subprocess.run(["nice", "-n", "10", *cmd] if nice else cmd, cwd=cwd,
                      stdin=subprocess.DEVNULL, stdout=log_file,
                      stderr=subprocess.STDOUT).returncode:
        raise LabError(E_HOST, f"{NAME}: {' '.join(cmd[:2])} failed")


def build_progress(log_text, elapsed, units=COMPILE_UNITS, expected=BUILD_SECONDS):
    """The heartbeat of a build whose build.log holds log_text after
    elapsed seconds: its phase, how far it is and its last line, e.g.
    "bochs-3.0: building for 2 min 05 s: make, 123 of 481 files compiled,
    about 2 min 40 s left; last: vgacore.cc"."""
    lines = [l for l in log_text.splitlines() if l.strip()]
    steps = [l[2:] for l in lines if l.startswith("$ ")]
    done = sum(1 for l in lines if COMPILE.match(l))
    step = steps[-1].split()[0] if steps else "unpacking"
    step = os.path.basename(step)
    where = f"{NAME}: building for {progress.duration(elapsed)}: {step}"
    if done and step == "make":
        # The compiles so far set the pace of those left.
        rest = elapsed * (units - min(done, units)) / done
        where += (f", {min(done, units)} of {units} files compiled, "
                  f"about {progress.duration(rest)} left")
    else:
        where += f" ({progress.left(elapsed, expected)})"
    last = lines[-1] if lines else ""
    if COMPILE.match(last):
        src = [w for w in last.split() if re.search(r"\.(cc|c|cpp)$", w)]
        last = f"compiling {src[-1]}" if src else last
    return f"{where}; last: {progress.shorten(last)}" if last else where


def compile_bochs(sources, prefix, work, log_file):
    """Unpack, configure, make and make install the source into prefix, and
    unpack the BIOS package into prefix/bios; output into log_file."""
    _run(["tar", "xf", sources["source"]], log_file, work)
    src = os.path.join(work, SOURCE_DIR)
    _run(["./configure", f"--prefix={prefix}", *CONFIGURE], log_file, src, nice=True)
    _run(["make", f"-j{os.cpu_count() or 1}"], log_file, src, nice=True)
    _run(["make", "install"], log_file, src)
    _run(["dpkg-deb", "-x", sources["bios"], os.path.join(prefix, "bios")], log_file, work)


def installed(cache):
    """The Bochs of a complete install in the cache."""
    prefix = os.path.join(cache, NAME)
    return machines.Bochs(binary=os.path.join(prefix, "bin", "bochs"),
                          bios=os.path.join(prefix, BIOS_FILE),
                          version=f"Bochs {VERSION}, built from Debian's {VERSION}+dfsg "
                          f"source in {prefix}", sound=SOUND)


def is_built(cache, files=FILES):
    """A complete install of these files and this configure line is there."""
    return kernels.stamp_of(os.path.join(cache, NAME)) == stamp_text(files).strip()


def ensure(cache, log, mirror=None, files=FILES, build=compile_bochs,
           heartbeat=progress.HEARTBEAT):
    """Bochs 3.0 in cache/bochs-3.0, built first if no complete install (its
    stamp) is there, with a progress line every heartbeat seconds.  A failed
    build leaves no stamp, and the next run builds again from scratch."""
    prefix = os.path.join(cache, NAME)
    if is_built(cache, files):
        return installed(cache)
    # One build at a time: another lane waits here, then finds the stamp.
    with kernels.cache_lock(cache, NAME, log):
        if is_built(cache, files):
            return installed(cache)
        mirror = mirror or archive_mirror()
        downloads = os.path.join(cache, f"{NAME}.dl")
        sources = {name: fetch(mirror, entry, downloads, log)
                   for name, entry in files.items()}
        shutil.rmtree(prefix, ignore_errors=True)
        os.makedirs(prefix)
        build_log = os.path.join(prefix, BUILD_LOG)
        log(f"building Bochs {VERSION} from Debian's source (about 5 minutes, once; "
            f"a progress line every {heartbeat} s); log: {build_log}")
        t0 = time.time()
        work = tempfile.mkdtemp(prefix=f".{NAME}.build.", dir=cache)

        def beat():
            with open(build_log, errors="replace") as f:
                log(build_progress(f.read(), time.time() - t0))

        try:
            with open(build_log, "w") as f, progress.Ticker(beat, heartbeat):
                build(sources, prefix, work, f)
        except LabError as e:
            raise LabError(E_HOST, f"{e}; see {build_log}")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        bochs = installed(cache)
        for need in (bochs.binary, bochs.bios):
            if not os.path.isfile(need):
                raise LabError(E_HOST, f"{NAME}: the build made no {need}; see {build_log}")
        with open(os.path.join(prefix, STAMP), "w") as f:
            f.write(stamp_text(files))
        log(f"{NAME}: built in {time.time() - t0:.0f} s into {prefix}")
        return bochs
