# SPDX-License-Identifier: GPL-2.0-only
"""Host tools the lab needs: checking for them, installing them as root on
Debian (the machine's own apt, for host packages only), or naming them."""

import glob
import os
import shutil
import subprocess

from .errors import LabError, E_HOST

BUSYBOX = ("/bin/busybox", "/usr/bin/busybox", "/sbin/busybox", "/usr/sbin/busybox")
ISOLINUX = ("/usr/lib/ISOLINUX/isolinux.bin", "/usr/share/syslinux/isolinux.bin",
            "/usr/lib/syslinux/bios/isolinux.bin")
LDLINUX = ("/usr/lib/syslinux/modules/bios/ldlinux.c32", "/usr/share/syslinux/ldlinux.c32",
           "/usr/lib/syslinux/bios/ldlinux.c32")
BIOS = ("/usr/share/bochs/BIOS-bochs-latest", "/usr/local/share/bochs/BIOS-bochs-latest")
VGABIOS = ("/usr/share/vgabios/vgabios.bin", "/usr/share/bochs/VGABIOS-lgpl-latest",
           "/usr/local/share/bochs/VGABIOS-lgpl-latest")

# (check, Debian, Fedora, Arch): a check is a command name, a tuple of paths
# of which one must exist, or "busybox-static".
COMMON = [("busybox-static", "busybox-static", "busybox", "busybox"),
          ("cpio", "cpio", "cpio", "cpio")]
# Any Bochs: its VGA BIOS and the boot image's tools.
BOCHS_MEDIA = [(VGABIOS, "vgabios", "vgabios", "bochs (AUR)"),
               (ISOLINUX, "isolinux", "syslinux", "syslinux"),
               (LDLINUX, "syslinux-common", "syslinux", "syslinux"),
               ("xorriso", "xorriso", "xorriso", "libisoburn")]
BOCHS = [("bochs-bin", "bochs", "bochs", "bochs (AUR)"),
         (BIOS, "bochsbios", "bochs-bios", "bochs (AUR)")] + BOCHS_MEDIA
# Bochs 3.0 built from source (bochsbuild): the compiler, the term display's
# curses and the debugger's readline; tar needs xz, dpkg-deb unpacks the BIOS.
BOCHS_BUILD = [("g++", "g++", "gcc-c++", "gcc"),
               ("make", "make", "make", "make"),
               ("xz", "xz-utils", "xz", "xz"),
               (("/usr/include/ncurses.h", "/usr/include/ncursesw/ncurses.h"),
                "libncurses-dev", "ncurses-devel", "ncurses"),
               (("/usr/include/readline/readline.h",), "libreadline-dev", "readline-devel",
                "readline"),
               ("dpkg-deb", "dpkg", "dpkg", "dpkg")] + BOCHS_MEDIA
# The AMD lab (QEMU's TCG).
QEMU = [("qemu-system-x86_64", "qemu-system-x86", "qemu-system-x86-core", "qemu-system-x86")]
MAKE = ("make", "make", "make", "make")
DPKG = ("dpkg-deb", "dpkg", "dpkg", "dpkg")


def first_file(paths):
    for p in paths:
        if os.path.exists(p):
            return p
    return None


def is_static(path):
    """Is path statically linked?  An ELF file without a PT_INTERP header."""
    try:
        with open(path, "rb") as f:
            elf = f.read(1 << 16)
    except OSError:
        return False
    if elf[:4] != b"\x7fELF":
        return False
    import struct
    is64 = elf[4] == 2
    phoff = struct.unpack_from("<Q" if is64 else "<I", elf, 0x20 if is64 else 0x1c)[0]
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36 if is64 else 0x2a)
    for i in range(phnum):
        off = phoff + i * phentsize
        if off + 4 <= len(elf) and struct.unpack_from("<I", elf, off)[0] == 3:
            return False
    return True


def static_busybox():
    """A static busybox: the initramfs has no C library for a dynamic one."""
    for p in BUSYBOX:
        if os.access(p, os.X_OK) and is_static(p):
            return p
    return None


def _ok(check):
    if check == "busybox-static":
        return static_busybox() is not None
    if isinstance(check, tuple):
        return first_file(check) is not None
    return shutil.which(check) is not None


def _name(check):
    return " or ".join(check) if isinstance(check, tuple) else check


def is_debian():
    return (os.path.isfile("/etc/debian_version") and shutil.which("apt-get")
            and shutil.which("dpkg"))


def apt_install(packages, log):
    """apt-get install with the machine's apt (after one update if it has no
    lists yet); raises on failure."""
    if not glob.glob("/var/lib/apt/lists/*_Packages*"):
        log("apt has no package lists yet: running apt-get update")
        subprocess.run(["apt-get", "update", "-q"], stdout=2)
    log(f"installing missing packages: {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    r = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends",
                        *packages], stdout=2, env=env)
    if r.returncode:
        raise LabError(E_HOST, f"apt-get install {' '.join(packages)} failed")


def _advice(entries):
    deb = sorted({e[1] for e in entries})
    fed = sorted({e[2] for e in entries})
    pac = sorted({e[3] for e in entries if not e[3].endswith(" (AUR)")})
    aur = sorted({e[3][:-6] for e in entries if e[3].endswith(" (AUR)")})
    arch = "; ".join(x for x in (pac and "pacman -S " + " ".join(pac),
                                 aur and "from the AUR: " + " ".join(aur)) if x)
    return ("install them (as root), then run again:\n"
            f"  Debian/Ubuntu: apt-get install {' '.join(deb)}\n"
            f"  Fedora:        dnf install {' '.join(fed)}\n"
            f"  Arch:          {arch}")


def check(entries, log):
    """Install what is missing (root on Debian), or say what to install."""
    missing = [e for e in entries if not _ok(e[0])]
    if not missing:
        return
    if is_debian() and os.geteuid() == 0:
        apt_install([e[1] for e in missing], log)
        still = [_name(e[0]) for e in entries if not _ok(e[0])]
        if still:
            raise LabError(E_HOST, f"still missing after apt-get install: {' '.join(still)}")
        return
    raise LabError(E_HOST, f"missing: {' '.join(_name(e[0]) for e in missing)}\n"
                   + _advice(missing))


def check_commands(pairs, log):
    """Commands or files ("command|package" style pairs) for a kernel build."""
    check([(c if not c.startswith("/") else (c,), p, p, p) for c, p in pairs], log)
