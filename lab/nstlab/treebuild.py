# SPDX-License-Identifier: GPL-2.0-only
"""vmtest --kernel-tree: a kernel tree's KVM built against Debian's headers
for the Debian kernel of the same version, checked before any boot.

Only arch/x86/kvm and virt/kvm are compiled (modbuild's out-of-tree build),
so a KVM patch on 6.1, 6.12 or the newest 7.x is tested in minutes instead of
the half hour a whole kernel takes.  7.x's headers were built with gcc-16
from unstable: that build runs in the lab's build chroot (chroot.py).  What decides (the tree's version, the Debian kernel
that matches it, whether the built modules fit that kernel) is in pure
functions for the unit tests.
"""

import hashlib
import os
import re
import time

from . import kernels, kmod, modbuild
from .errors import LabError, UsageError, E_HOST

# The Debian kernels of --kernel-version that have headers packages: 6.1 and
# 6.12 in bookworm; 7.x is the newest, in unstable or experimental.
BUILDABLE = ("6.1", "6.12")
NEWEST = "newest"


def tree_version(makefile_text):
    """(VERSION.PATCHLEVEL, VERSION.PATCHLEVEL.SUBLEVEL) of a kernel tree's
    top Makefile, or None when it is not one."""
    fields = {}
    for key in ("VERSION", "PATCHLEVEL", "SUBLEVEL"):
        m = re.search(rf"^{key}\s*=\s*(\d*)\s*$", makefile_text, re.M)
        if not m:
            return None
        fields[key] = m.group(1) or "0"
    mm = f"{fields['VERSION']}.{fields['PATCHLEVEL']}"
    return mm, f"{mm}.{fields['SUBLEVEL']}"


def track_for(major_minor):
    """The --kernel-version whose Debian kernel a tree of this version
    builds against, or a UsageError saying why there is none."""
    if major_minor in BUILDABLE:
        return major_minor
    if re.match(r"^[7-9]\.|^[1-9]\d+\.", major_minor):
        # Whether Debian's newest is this version is known once it is
        # resolved (check_match).
        return NEWEST
    raise UsageError(f"no Debian headers package for a {major_minor} tree (there are "
                     f"cloud kernels for {', '.join(BUILDABLE)} and the newest 7.x)")


def check_match(tree_mm, kernel_version):
    """A tree must be the Debian kernel's VERSION.PATCHLEVEL: every header
    outside KVM is Debian's."""
    if kernels.major_minor(kernel_version) != tree_mm:
        raise UsageError(f"the tree is {tree_mm} but the Debian kernel found is "
                         f"{kernel_version}: no headers package matches")


def vermagic(elf):
    return dict(kmod.modinfo(elf)).get("vermagic", "").strip()


def check_modules(built, packaged, log_text):
    """Refusals of built modules (name -> ELF bytes) against the packaged
    ones: a vermagic that differs (the kernel would refuse them), and symbols
    that modpost found no export for (insmod would fail on them)."""
    problems = []
    for name, elf in built.items():
        want, got = vermagic(packaged[name]), vermagic(elf)
        if want != got:
            problems.append(f"{name}.ko vermagic '{got}' differs from the kernel's '{want}'")
    for m in re.finditer(r'modpost: "([^"]+)" \[([^\]]+)\] undefined!', log_text):
        problems.append(f"{os.path.basename(m.group(2))} imports {m.group(1)}, which the "
                        "kernel does not export")
    return problems


def state_dir(cache, tree):
    tree = os.path.realpath(tree)
    h = hashlib.sha1(tree.encode()).hexdigest()[:8]
    return os.path.join(cache, "tree", f"{os.path.basename(tree)}-{h}")


def build(tree, cache, kernel, archive_apt, jobs, log):
    """Build the tree's KVM against kernel's headers; returns the folder of
    the modules.  Raises UsageError (exit 2) when they do not fit."""
    t0 = time.time()
    hdr = kernels.fetch_headers(archive_apt, cache, kernel.release, kernel.version, log)
    w = os.path.join(state_dir(cache, tree), f"modules-{kernel.release}")
    modbuild.prepare(w, hdr, kernel.release, kernel.version)
    try:
        modbuild.sync_sources(tree, os.path.join(w, "src"))
    except OSError as e:
        raise LabError(E_HOST, f"cannot copy the tree's KVM sources into {w}/src: {e}")
    blog = os.path.join(w, "build.log")
    log(f"building {tree}'s arch/x86/kvm and virt/kvm against linux-headers-"
        f"{kernel.release} {kernel.version} (log {blog})")
    if modbuild.run_make(w, hdr, kernel.version, cache, jobs, blog, log):
        err = modbuild.first_error(blog, re.escape(f"{w}/src/"), re.escape(tree + "/"))
        raise UsageError(f"the tree's KVM does not build against linux-headers-"
                         f"{kernel.release} (see {blog}): {err}")
    out = os.path.join(w, "src", "arch", "x86", "kvm")
    built = {n: kmod.read_module(os.path.join(out, n + ".ko")) for n in ("kvm", "kvm-intel")}
    packaged = {n: kmod.read_module(kmod.find_module(n, kernel.moddir))
                for n in ("kvm", "kvm-intel")}
    problems = check_modules(built, packaged, open(blog, errors="replace").read())
    if problems:
        raise UsageError("the built modules do not fit the kernel: " + "; ".join(problems))
    log(f"built in {time.time() - t0:.0f} s; vermagic '{vermagic(built['kvm'])}' matches")
    return out
