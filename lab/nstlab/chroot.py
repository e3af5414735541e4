# SPDX-License-Identifier: GPL-2.0-only
"""Build chroots: a minimal Debian unstable made with debootstrap, for
headers whose compiler the host does not have.

Debian's 7.x headers were built with gcc-16 from unstable (their .config's
CONFIG_CC_VERSION_TEXT says so) and their linux-kbuild tools are linked
against unstable's C library; bookworm has neither.  The chroot is made once
under the lab cache and reused; the packages a build needs (the compiler the
headers name, the linux-kbuild package at the headers' version) are added to
it when missing.  A build runs in it with /proc mounted (objtool reads
/proc/self/limits) and the build and headers folders bind-mounted at their
own paths, all unmounted afterwards, also on errors and interruptions.

What decides (which compiler, whether a chroot is needed, what the
debootstrap failure means) is in pure functions for the unit tests.
"""

import contextlib
import os
import re
import shutil
import subprocess

from . import deps, kernels
from .errors import LabError, E_HOST

SUITE = "unstable"
# The archive of 7.x release candidates (linux-kbuild-7.3 of 7.3~rc7 is only
# there); the chroot's own apt gets it beside unstable.
EXTRA_SUITE = "experimental"
# An out-of-tree module build: make and the tools kbuild calls; dwarves for
# pahole (BTF), kmod for depmod/modinfo.
PACKAGES = ("make", "bc", "bison", "flex", "libelf-dev", "libssl-dev", "dwarves", "kmod")
TRIPLET = "x86_64-linux-gnu-"


def chroot_dir(cache):
    return os.path.join(cache, f"chroot-{SUITE}")


# --- what decides --------------------------------------------------------------------

def config_cc(config_text):
    """(command, Debian package, major) of the compiler a kernel .config was
    built with: CONFIG_CC_VERSION_TEXT="x86_64-linux-gnu-gcc-16 (Debian
    16.2.0-3) 16.2.0" -> ("x86_64-linux-gnu-gcc-16", "gcc-16", 16).  None
    when the .config names none or not a gcc."""
    m = re.search(r'^CONFIG_CC_VERSION_TEXT="([^"]*)"', config_text, re.M)
    if not m or not m.group(1).split():
        return None
    text = m.group(1)
    command = text.split()[0]
    name = command[len(TRIPLET):] if command.startswith(TRIPLET) else command
    versioned = re.match(r"^gcc-(\d+)$", name)
    if versioned:
        major = int(versioned.group(1))
    elif name == "gcc":
        last = re.search(r"(\d+)\.\d+(\.\d+)?\s*$", text)
        if not last:
            return None
        major = int(last.group(1))
    else:
        return None
    return command, f"gcc-{major}", major


def host_gcc_majors(path_dirs):
    """The gcc major versions installed as gcc-N or x86_64-linux-gnu-gcc-N in
    path_dirs: {dir: [file names]}."""
    majors = set()
    for names in path_dirs.values():
        for n in names:
            m = re.match(rf"^(?:{TRIPLET})?gcc-(\d+)$", n)
            if m:
                majors.add(int(m.group(1)))
    return majors


def needs_chroot(cc, host_majors):
    """A build needs the chroot when the host lacks the headers' gcc major
    version: another major builds objects the kernel's own do not match, and
    Debian's headers accept only a different patch release of the same one
    (DEBIAN_KERNEL_NO_CC_VERSION_CHECK).  An unknown compiler: no chroot,
    the host's make says what is wrong."""
    return cc is not None and cc[2] not in host_majors


def packages_for(cc, kbuild_spec):
    """The chroot packages a build against such headers needs."""
    return [*PACKAGES, cc[1], *([kbuild_spec] if kbuild_spec else [])]


def missing_packages(wanted, installed_text):
    """Which of wanted (NAME or NAME=VERSION) dpkg-query -W -f
    '${Package}=${Version} ${Status}\\n' does not show installed (at that
    version)."""
    have = {}
    for line in installed_text.splitlines():
        spec, _, status = line.partition(" ")
        if status.endswith("installed") and not status.endswith("not-installed"):
            name, _, version = spec.partition("=")
            have[name] = version
    out = []
    for w in wanted:
        name, _, version = w.partition("=")
        if name not in have or (version and have[name] != version):
            out.append(w)
    return out


def debootstrap_reason(log_text, mirror):
    """A one-line reason for a failed debootstrap, from its output."""
    if re.search(r"Failed getting release file|Failed getting release signature|"
                 r"Could not resolve|Connection refused|Temporary failure|"
                 r"No route to host|Network is unreachable|timed out", log_text, re.I):
        return (f"the Debian {SUITE} suite is unreachable at {mirror} "
                f"(debootstrap could not fetch its Release file)")
    if re.search(r"Release signed by unknown key|Invalid Release signature|"
                 r"Release file signed by unknown key", log_text):
        return (f"debootstrap cannot check the {SUITE} Release file's signature "
                "(update debian-archive-keyring)")
    m = re.search(r"^E: (.*)$", log_text, re.M) or \
        re.search(r"^W: (Failure .*)$", log_text, re.M)
    return f"debootstrap of {SUITE} failed: {m.group(1).strip()[:160]}" if m else \
        f"debootstrap of {SUITE} failed"


# The host's apt settings that the chroot's apt takes over: a machine whose
# mirror is a dated snapshot of the archive turns off the Release files'
# expiry check, and the chroot reaches the same mirror.
HOST_APT_OPTIONS = ("Acquire::Check-Valid-Until", "Acquire::Check-Date")


def host_apt_conf(dump_text):
    """The chroot's apt.conf lines for HOST_APT_OPTIONS, from the host's
    apt-config dump."""
    lines = []
    for line in dump_text.splitlines():
        m = re.match(r'^(\S+) "([^"]*)";$', line.strip())
        if m and m.group(1) in HOST_APT_OPTIONS:
            lines.append(f'{m.group(1)} "{m.group(2)}";\n')
    return "".join(lines)


# --- the host ---------------------------------------------------------------------------

def host_compilers():
    dirs = {}
    for d in os.environ.get("PATH", "/usr/bin").split(os.pathsep):
        try:
            dirs[d] = os.listdir(d)
        except OSError:
            pass
    return host_gcc_majors(dirs)


def headers_cc(flavour_dir):
    """config_cc of the headers' .config."""
    try:
        with open(os.path.join(flavour_dir, ".config"), errors="replace") as f:
            return config_cc(f.read())
    except OSError:
        return None


def check_debootstrap(log):
    """debootstrap (a host package): installed as root on Debian, else exit 3
    with what to install."""
    if shutil.which("debootstrap"):
        return
    try:
        deps.check([("debootstrap", "debootstrap", "debootstrap", "debootstrap")], log)
    except LabError as e:
        raise LabError(E_HOST, f"a build chroot is needed and debootstrap is missing: {e}")


def mounts_under(root, mounts_text):
    """Mount points at or below root, deepest first, from /proc/self/mounts."""
    root = os.path.realpath(root)
    points = []
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) > 1:
            p = fields[1].replace("\\040", " ")
            if p == root or p.startswith(root + "/"):
                points.append(p)
    return sorted(points, key=len, reverse=True)


def _mounts_text():
    try:
        with open("/proc/self/mounts") as f:
            return f.read()
    except OSError:
        return ""


def unmount_all(root):
    """Unmount whatever is mounted in the chroot (a run killed with -9 may
    leave its mounts): nothing may be removed through a bind mount."""
    for p in mounts_under(root, _mounts_text()):
        if subprocess.run(["umount", p], stderr=subprocess.DEVNULL).returncode:
            subprocess.run(["umount", "-l", p], stderr=subprocess.DEVNULL)
    left = mounts_under(root, _mounts_text())
    if left:
        raise LabError(E_HOST, f"cannot unmount {', '.join(left)}")


@contextlib.contextmanager
def mounted(root, binds):
    """/proc and the folders binds (bind-mounted at their own paths) inside
    root for the duration."""
    done = []
    try:
        target = os.path.join(root, "proc")
        if subprocess.run(["mount", "-t", "proc", "proc", target]).returncode:
            raise LabError(E_HOST, f"cannot mount /proc in {root} (the build chroot "
                           "needs root and mount rights)")
        done.append(target)
        for b in binds:
            target = root + os.path.realpath(b)
            os.makedirs(target, exist_ok=True)
            if subprocess.run(["mount", "--bind", b, target]).returncode:
                raise LabError(E_HOST, f"cannot bind-mount {b} into {root}")
            done.append(target)
        yield
    finally:
        for target in reversed(done):
            if subprocess.run(["umount", target]).returncode:
                subprocess.run(["umount", "-l", target])


def _chroot(root, *cmd, **kw):
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive", LC_ALL="C.UTF-8",
               PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    return subprocess.run(["chroot", root, *cmd], env=env, **kw)


def _log_tail(path, n=5):
    try:
        with open(path, errors="replace") as f:
            return "; ".join(l.strip() for l in f.readlines()[-n:] if l.strip())
    except OSError:
        return ""


def create(root, mirror, include, log_path, log):
    """debootstrap a minimal unstable with the packages include into root
    (through root.new, so that a half-made chroot is never taken for a good
    one)."""
    new = root + ".new"
    unmount_all(new)
    shutil.rmtree(new, ignore_errors=True)
    log(f"making the build chroot: debootstrap --variant=minbase {SUITE} {root} "
        f"(log {log_path}; once, a few minutes)")
    with open(log_path, "w") as f:
        r = subprocess.run(["debootstrap", "--variant=minbase",
                            f"--include={','.join(include)}",
                            f"--keyring={kernels.KEYRING}", SUITE, new, mirror],
                           stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
    if r.returncode:
        with open(log_path, errors="replace") as f:
            reason = debootstrap_reason(f.read(), mirror)
        unmount_all(new)
        shutil.rmtree(new, ignore_errors=True)
        raise LabError(E_HOST, f"cannot make the build chroot: {reason} (see {log_path})")
    with open(os.path.join(new, "etc/apt/sources.list.d", "lab-experimental.list"), "w") as f:
        f.write(f"deb {mirror} {EXTRA_SUITE} main\n")
    # The chroot's apt keeps no downloaded .deb files.
    with open(os.path.join(new, "etc/apt/apt.conf.d", "lab-no-cache"), "w") as f:
        f.write('Binary::apt::APT::Keep-Downloaded-Packages "false";\n')
    os.rename(new, root)
    with open(os.path.join(root, kernels.STAMP), "w") as f:
        f.write(f"{SUITE} {mirror}\n")


def add_packages(root, wanted, log_path, log):
    """Install what of wanted the chroot lacks (apt-get inside it)."""
    dump = subprocess.run(["apt-config", "dump"], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True).stdout \
        if shutil.which("apt-config") else ""
    with open(os.path.join(root, "etc/apt/apt.conf.d", "lab-host"), "w") as f:
        f.write(host_apt_conf(dump))
    q = _chroot(root, "dpkg-query", "-W", "-f", "${Package}=${Version} ${Status}\n",
                *[w.partition("=")[0] for w in wanted], stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True)
    missing = missing_packages(wanted, q.stdout)
    if not missing:
        return
    log(f"build chroot: installing {' '.join(missing)}")
    with open(log_path, "a") as f:
        for cmd in (["apt-get", "-q", "update"],
                    ["apt-get", "-q", "-y", "--no-install-recommends",
                     "--allow-downgrades", "install", *missing]):
            if _chroot(root, *cmd, stdin=subprocess.DEVNULL, stdout=f,
                       stderr=subprocess.STDOUT).returncode:
                raise LabError(E_HOST, f"cannot install {' '.join(missing)} in the build "
                               f"chroot {root}: {_log_tail(log_path)} (see {log_path})")


def ensure(cache, wanted, log):
    """The build chroot under cache, made if missing, with the packages of
    wanted; returns its path."""
    root = chroot_dir(cache)
    log_path = os.path.join(cache, f"chroot-{SUITE}.log")
    with kernels.cache_lock(cache, f"chroot-{SUITE}"):
        if kernels.stamp_of(root) is None:
            check_debootstrap(log)
            mirror = kernels.machine_mirrors().get("archive")
            if not mirror:
                raise LabError(E_HOST, "no Debian mirror in the machine's apt sources for "
                               f"the build chroot; set {kernels.MIRROR_ENV}=URI")
            unmount_all(root)
            shutil.rmtree(root, ignore_errors=True)
            # debootstrap takes names from the suite only; a pinned version
            # (linux-kbuild from experimental) is added by apt afterwards.
            create(root, mirror, [w for w in wanted if "=" not in w], log_path, log)
        with mounted(root, []):
            add_packages(root, wanted, log_path, log)
    return root


def command(root, cmd):
    """cmd run inside the chroot."""
    return ["chroot", root, *cmd]
