# SPDX-License-Identifier: GPL-2.0-only
"""Building a tree's KVM modules out of tree against Debian's headers for the
lab kernel (bisect-step's modules mode).

The build folder holds src, hard links to Debian's common headers plus copies
of the tree's KVM sources, and obj, the flavour's object folder, as an
out-of-tree module build expects.  src must be a real folder tree, not
symlinks: KVM's trace headers are found by relative paths from include/trace/.
"""

import filecmp
import glob
import os
import shutil
import subprocess

from . import chroot, kernels, proc
from .errors import LabError, X_ABORT

# The KVM headers outside arch/x86/kvm and virt/kvm, taken from the tree over
# Debian's: a regression in them must be seen too.  They are private to KVM or
# describe VMX; the rest of the kernel's headers stay Debian's, which is why
# the tree must be the lab kernel's version.
KVM_HEADERS = (
    "include/linux/kvm_*.h", "include/linux/kvm_host.h", "include/kvm/*.h",
    "include/uapi/linux/kvm.h", "arch/x86/include/asm/kvm_*.h",
    "arch/x86/include/asm/kvm_host.h", "arch/x86/include/asm/vmx.h",
    "arch/x86/include/asm/vmxfeatures.h", "arch/x86/include/uapi/asm/kvm.h",
    "arch/x86/include/uapi/asm/vmx.h",
)
KVM_DIRS = ("arch/x86/kvm", "virt/kvm")
# What sync_dir removes from the copy when the tree no longer has it; build
# output stays.
SOURCE_SUFFIXES = (".c", ".h", ".S")
SOURCE_NAMES = ("Kbuild", "Kconfig")
# Changes when prepare() makes the folders differently: older ones are made
# again.
PREPARE_FORMAT = "obj-v2"


def abort(message):
    raise LabError(X_ABORT, message)


def header_parts(hdr_root, release):
    """(common, flavour, kbuild) folders of the unpacked headers packages."""
    common = sorted(glob.glob(os.path.join(hdr_root, "usr/src/linux-headers-*-common")))
    flavour = os.path.join(hdr_root, "usr/src", f"linux-headers-{release}")
    kbuild = sorted(glob.glob(os.path.join(hdr_root, "usr/lib/linux-kbuild-*")))
    if not (common and os.path.isdir(flavour) and kbuild):
        abort(f"incomplete headers in {hdr_root}")
    return common[0], flavour, kbuild[0]


def prepare(w, hdr_root, release, version):
    """Make (once per headers version) the src and obj folders in w."""
    common, flavour, kbuild = header_parts(hdr_root, release)
    stamp = f"{version} {common} {PREPARE_FORMAT}"
    stamp_file = os.path.join(w, ".lab-stamp")
    if os.path.isfile(stamp_file) and open(stamp_file).read().strip() == stamp:
        return
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(w)
    src, obj = os.path.join(w, "src"), os.path.join(w, "obj")
    if subprocess.run(["cp", "-al", common, src]).returncode or \
            subprocess.run(["cp", "-a", flavour, obj]).returncode:
        abort(f"cannot prepare {w}")
    for k in ("scripts", "tools"):
        for d in (src, obj):
            link = os.path.join(d, k)
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(os.path.join(kbuild, k), link)
    # The flavour's Makefile sets KBUILD_OUTPUT and includes the common one
    # by their installed paths (/usr/src/...): point them at ours.  7.x's
    # kbuild needs KBUILD_OUTPUT (its objtree is else the M= folder's).
    with open(os.path.join(obj, "Makefile"), "w") as f:
        f.write(f"KBUILD_OUTPUT={obj}\ninclude {src}/Makefile\n")
    with open(stamp_file, "w") as f:
        f.write(stamp + "\n")


def _copy_if_changed(src, dst):
    """A file is copied only when its content differs, so make rebuilds only
    what changed between two steps (an unchanged copy keeps its old mtime and
    object).  A file replaced is unlinked first: dst may be a hard link into
    the cache."""
    if os.path.isfile(dst) and filecmp.cmp(src, dst, shallow=False):
        return
    if os.path.lexists(dst):
        os.unlink(dst)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copy2(src, dst)


def _is_source(name):
    return name.endswith(SOURCE_SUFFIXES) or name.startswith("Makefile") \
        or name in SOURCE_NAMES


def sync_dir(src, dst):
    """Make dst's copy of the tree folder src equal to it, file by file."""
    for d, _, files in os.walk(src):
        rel = os.path.relpath(d, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for name in files:
            path = os.path.join(d, name)
            if os.path.isfile(path):
                _copy_if_changed(path, os.path.join(dst, rel, name))
    for d, _, files in os.walk(dst):
        rel = os.path.relpath(d, dst)
        for name in files:
            if _is_source(name) and not os.path.exists(os.path.join(src, rel, name)):
                os.unlink(os.path.join(d, name))


def sync_sources(tree, src):
    """The tree's KVM folders and KVM headers into src."""
    for d in KVM_DIRS:
        sync_dir(os.path.join(tree, d), os.path.join(src, d))
    for pattern in KVM_HEADERS:
        for path in glob.glob(os.path.join(tree, pattern)):
            if os.path.isfile(path):
                _copy_if_changed(path, os.path.join(src, os.path.relpath(path, tree)))


def make_command(w, jobs):
    """kvm-amd is not needed (CONFIG_KVM_AMD= leaves it out); irqbypass.ko
    comes from the package (vmtest takes it when --modules has none)."""
    # CONFIG_DEBUG_INFO_BTF_MODULES= : 6.12's headers add BTF to modules
    # with pahole (dwarves), which the kernel does not need to load them.
    return ["make", "-C", os.path.join(w, "obj"), f"M={w}/src/arch/x86/kvm",
            "CONFIG_KVM_AMD=", "CONFIG_DEBUG_INFO_BTF_MODULES=", f"-j{jobs}", "modules"]


def kbuild_spec(hdr_root, version):
    """The linux-kbuild package (PKG=VERSION) unpacked with the headers: a
    build chroot installs the same one, for its tools' libraries."""
    for spec in kernels.headers_packages(hdr_root):
        if spec.startswith("linux-kbuild-"):
            return spec
    found = sorted(glob.glob(os.path.join(hdr_root, "usr/lib/linux-kbuild-*")))
    return f"{os.path.basename(found[0])}={version}" if found else None


def run_make(w, hdr_root, version, cache, jobs, log_path, log, verbose=False):
    """The build of make_command; its exit status.  On the host when it has
    the gcc the headers were built with (their CONFIG_CC_VERSION_TEXT), else
    in the lab's build chroot (chroot.py: Debian unstable, made once), with
    /proc, the build folder and the headers mounted; raises LabError (exit 3)
    when that chroot cannot be had."""
    cmd = make_command(w, jobs)
    cc = chroot.headers_cc(os.path.join(w, "obj"))
    if not chroot.needs_chroot(cc, chroot.host_compilers()):
        return proc.run_logged(cmd, log_path, verbose, nice=True)
    log(f"the headers were built with {cc[0]}, which the host lacks: building in the "
        f"build chroot {chroot.chroot_dir(cache)}")
    root = chroot.ensure(cache, chroot.packages_for(cc, kbuild_spec(hdr_root, version)), log)
    with chroot.mounted(root, [w, hdr_root]):
        return proc.run_logged(chroot.command(root, cmd), log_path, verbose, nice=True)


def first_error(log, *strip):
    """The first compiler or linker error of a build log, with the build
    folders' paths cut off, for a one-line reason."""
    import re
    pattern = re.compile(r"error:|Error [0-9]+|undefined reference|\*\*\*")
    try:
        with open(log, errors="replace") as f:
            for line in f:
                if pattern.search(line):
                    for s in strip:
                        line = re.sub(s, "", line)
                    return line.strip()[:160]
    except OSError:
        pass
    return ""
