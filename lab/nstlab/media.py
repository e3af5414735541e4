# SPDX-License-Identifier: GPL-2.0-only
"""Boot media: the initramfs (busybox, /init, the modules, the run's settings
and the suite) and, for Bochs, a bootable ISO."""

import os
import shutil
import subprocess

from . import deps
from .errors import LabError, E_HOST, E_LAB

# Fast-booting command line: no KASLR, mitigations, watchdogs or audit;
# cryptomgr.notests alone saves ~10 s in Bochs.  panic=0: on a panic the machine stays stopped
# for us to read the console; rebooting would boot the CD again and run the
# suite twice.
CMDLINE = ("console=ttyS0,115200 quiet nokaslr mitigations=off tsc=reliable "
           "no_timer_check nowatchdog audit=0 cryptomgr.notests panic=0 rdinit=/init")

DIRS = ("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp",
        "lab/modules", "suite")


def _write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def _base(root, lab_dir):
    for d in DIRS:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    busybox = deps.static_busybox()
    if not busybox:
        raise LabError(E_HOST, "no static busybox")
    shutil.copyfile(busybox, os.path.join(root, "bin", "busybox"))
    os.chmod(os.path.join(root, "bin", "busybox"), 0o755)
    # /init's interpreter must exist before /init can install the other applets.
    os.symlink("busybox", os.path.join(root, "bin", "sh"))
    shutil.copyfile(os.path.join(lab_dir, "init.sh"), os.path.join(root, "init"))
    os.chmod(os.path.join(root, "init"), 0o755)
    shutil.copyfile(os.path.join(lab_dir, "coverage.sh"), os.path.join(root, "lab", "coverage.sh"))
    # Scripts written for bash get busybox ash, which knows many bashisms
    # ([[ ]], local, ${v//a/b}) but not arrays; run_tests.sh should stay POSIX
    # sh anyway.
    _write(os.path.join(root, "bin", "bash"), '#!/bin/sh\nexec /bin/sh "$@"\n', 0o755)


def _settings(root, cfg, env):
    """/lab/{vendor,params,tests,args,flags,env}, one item per line, as /init
    reads them; env: the NAME=VALUE lines, exported in this order."""
    lab = os.path.join(root, "lab")
    _write(os.path.join(lab, "vendor"), cfg.cpu.module + "\n")
    _write(os.path.join(lab, "params"), "".join(p + "\n" for p in cfg.param_sets))
    _write(os.path.join(lab, "tests"), "".join(t + "\n" for t in cfg.tests if t))
    # Kept as they are, empty ones too: an empty file means no argument.
    _write(os.path.join(lab, "args"), "".join(a + "\n" for a in cfg.run_args))
    _write(os.path.join(lab, "flags"),
           f"repeat {cfg.repeat}\n" + ("bisect\n" if cfg.bisect else "")
           + ("selfcheck\n" if cfg.self_check else "")
           + ("coverage\n" if cfg.coverage else ""))
    _write(os.path.join(lab, "env"), "".join(e + "\n" for e in env))


def _suite(root, suite_dir, log):
    dst = os.path.join(root, "suite")
    try:
        shutil.copytree(suite_dir, dst, symlinks=True, dirs_exist_ok=True)
    except OSError as e:
        raise LabError(E_LAB, f"cannot copy the suite: {e}")
    # The initramfs has no C library: a dynamic test would fail to start.
    x86 = os.path.join(dst, "x86")
    for name in sorted(os.listdir(x86)) if os.path.isdir(x86) else []:
        path = os.path.join(x86, name)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            continue
        with open(path, "rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
        if not deps.is_static(path):
            log(f"warning: {name} is not statically linked; it cannot run in the lab")


def _cpio(root, out):
    """Uncompressed on purpose: in Bochs (~60 MIPS) decompressing costs more
    wall time than reading the bigger file from the emulated CD."""
    names = []
    for d, subdirs, files in os.walk(root):
        subdirs.sort()
        rel = os.path.relpath(d, root)
        names.append("." if rel == "." else "./" + rel)
        names += ["./" + os.path.normpath(os.path.join(rel, f)) for f in files]
    data = "".join(n + "\0" for n in sorted(names)).encode()
    with open(out, "wb") as f:
        r = subprocess.run(["cpio", "--null", "-o", "-H", "newc", "-R", "0:0", "--quiet"],
                           cwd=root, input=data, stdout=f)
    if r.returncode:
        raise LabError(E_HOST, "cpio failed")


def initramfs(work, lab_dir, cfg, modules, suite_dir, log, env=None):
    """Build WORK/initrd.  modules: name -> source path (plain .ko copies);
    env: the guest's NAME=VALUE settings (default cfg.env)."""
    from . import kmod
    root = os.path.join(work, "initramfs")
    _base(root, lab_dir)
    for name, src in modules.items():
        kmod.copy_module(src, os.path.join(root, "lab", "modules", name + ".ko"))
    _settings(root, cfg, cfg.env if env is None else env)
    _suite(root, suite_dir, log)
    out = os.path.join(work, "initrd")
    _cpio(root, out)
    return out


def iso(work, kernel, initrd):
    """A bootable CD: Bochs cannot load a kernel the way QEMU's -kernel does.
    ISOLINUX also writes to the serial port, whose banner marks the
    bootloader."""
    d = os.path.join(work, "iso")
    os.makedirs(os.path.join(d, "isolinux"))
    for src in (deps.first_file(deps.ISOLINUX), deps.first_file(deps.LDLINUX)):
        shutil.copy(src, os.path.join(d, "isolinux"))
    shutil.copyfile(kernel, os.path.join(d, "vmlinuz"))
    shutil.copyfile(initrd, os.path.join(d, "initrd"))
    _write(os.path.join(d, "isolinux", "isolinux.cfg"),
           "SERIAL 0 115200\nDEFAULT lab\nPROMPT 0\nTIMEOUT 0\nLABEL lab\n"
           f"  KERNEL /vmlinuz\n  INITRD /initrd\n  APPEND {CMDLINE}\n")
    out = os.path.join(work, "lab.iso")
    r = subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-o", out,
                        "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat",
                        "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table", d],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    shutil.rmtree(d, ignore_errors=True)
    if r.returncode:
        raise LabError(E_HOST, f"xorriso failed:\n{r.stdout}")
    return out
