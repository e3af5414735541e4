# SPDX-License-Identifier: GPL-2.0-only
"""bisect-step: one step of "git bisect run" over a Linux kernel tree.

It builds the tree's KVM (modules mode, when the tree is the lab kernel's
major.minor version) or the whole kernel (kernel mode) outside the tree, runs
the suite on it in the lab (vmtest --bisect) and answers git bisect: 0 good,
1 bad, 125 skip, 128 abort, with a one-line reason on stderr.  Build output
lives in a state folder under the lab cache and is reused by the next step.
"""

import fcntl
import hashlib
import os
import re
import shutil
import sys
import time

from . import cli, deps, kernels, kernelbuild, modbuild, proc, results, treebuild
from .errors import (LabError, UsageError, Interrupted, X_GOOD, X_SKIP, X_ABORT,
                     install_signal_handlers)

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(LAB_DIR)
VMTEST = os.path.join(LAB_DIR, "vmtest")


class Answer(Exception):
    """The step's verdict: its exit code and reason."""

    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code


def msg(text):
    sys.stderr.write(f"bisect-step: {text}\n")
    sys.stderr.flush()


class Step:
    def __init__(self, cfg):
        self.cfg = cfg
        self.cache = os.environ.get("LAB_CACHE", os.path.join(LAB_DIR, "cache"))
        self.commit = None
        self.tree = None
        self.state = None
        self.version = None
        self.lab_release = None
        self.lab_version = None
        self.mode = cfg.mode
        self.build_s = None
        self.lock = None
        # A tree of another version than the lab's default kernel (6.12,
        # 7.x): the Debian kernel of its version, its archive, and what
        # tells vmtest to boot it.
        self.archive = "stable"
        self.kernel_args = []

    def apt(self):
        if not deps.is_debian():
            return None
        return kernels.apt_for(self.cache, self.archive, msg)


def make_var(makefile, name):
    """VERSION, PATCHLEVEL and SUBLEVEL from the tree's Makefile (what "make
    kernelversion" prints, without running make in the tree)."""
    with open(makefile) as f:
        m = re.search(rf"^{name} *= *([0-9]*) *$", f.read(), re.M)
    return m.group(1) if m else ""


def find_tree(step):
    tree = step.cfg.tree or proc.output(["git", "rev-parse", "--show-toplevel"]) or os.getcwd()
    if not os.path.isdir(tree):
        raise Answer(X_ABORT, f"kernel tree not found: {tree}")
    tree = os.path.abspath(tree)
    if not (os.path.isfile(os.path.join(tree, "Makefile"))
            and os.path.isdir(os.path.join(tree, "arch/x86/kvm"))
            and os.path.isdir(os.path.join(tree, "virt/kvm"))):
        raise Answer(X_ABORT, f"{tree} is not a Linux kernel tree with arch/x86/kvm")
    mk = os.path.join(tree, "Makefile")
    v, p, s = (make_var(mk, n) for n in ("VERSION", "PATCHLEVEL", "SUBLEVEL"))
    if not (v and p):
        raise Answer(X_ABORT, f"no VERSION/PATCHLEVEL in {mk}")
    step.tree, step.version = tree, f"{v}.{p}.{s or 0}"
    step.commit = proc.output(["git", "-C", tree, "rev-parse", "--short", "HEAD"])


def lock_state(step):
    """One state folder per tree: steps of one bisection reuse its objects;
    one step at a time per folder."""
    state = step.cfg.state
    if not state:
        h = hashlib.md5(step.tree.encode()).hexdigest()[:8]
        state = os.path.join(step.cache, "bisect", f"{os.path.basename(step.tree)}-{h}")
    try:
        os.makedirs(state, exist_ok=True)
    except OSError:
        raise Answer(X_ABORT, f"cannot create {state}")
    state = os.path.realpath(state)
    if (state + "/").startswith(step.tree + "/"):
        raise Answer(X_ABORT, f"the state folder must be outside the kernel tree: {state}")
    step.state = state
    step.lock = open(os.path.join(state, ".lock"), "w")
    try:
        fcntl.flock(step.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise Answer(X_ABORT, f"another bisect-step is using {state}")


def tree_kernel(step):
    """For a tree of 6.12 or 7.x, the Debian kernel of its version (as
    vmtest --kernel-tree picks it), so that modules mode builds against its
    headers and vmtest boots it; False when there is none."""
    mm = ".".join(step.version.split(".")[:2])
    try:
        track = treebuild.track_for(mm)
    except UsageError:
        return False
    if track == kernels.DEFAULT_TRACK:
        return False
    try:
        kernel = kernels.fetch_kernel_version(step.cache, track, msg)
    except UsageError as e:
        raise Answer(X_ABORT, str(e))
    except LabError as e:
        raise Answer(X_ABORT, f"the Debian kernel for a {mm} tree cannot be had: {e}")
    if kernels.major_minor(kernel.version) != mm:
        return False
    step.lab_release, step.lab_version = kernel.release, kernel.version
    step.archive = kernels.TRACKS[track][0]
    step.kernel_args = ["--kernel-version", kernel.version]
    return True


def lab_kernel(step):
    """The cloud kernel vmtest boots: release and Debian version."""
    if tree_kernel(step):
        return
    try:
        pkg, version = kernels.lab_kernel_package(step.apt(), step.cache, msg)
    except LabError:
        pkg, version = None, None
    if not pkg or not version:
        raise Answer(X_ABORT, "cannot tell which kernel the lab boots (run lab/vmtest "
                     "once, or check apt)")
    step.lab_release = pkg[len("linux-image-"):]
    step.lab_version = version


def choose_mode(step):
    if step.mode == "kernel":
        return
    lab_kernel(step)
    if step.mode == "auto":
        same = kernels.major_minor(step.lab_version) == \
            ".".join(step.version.split(".")[:2])
        step.mode = "modules" if same else "kernel"


def bisect_key(tree):
    """What identifies the current bisection: git's BISECT_START file."""
    start = proc.output(["git", "-C", tree, "rev-parse", "--git-path", "BISECT_START"])
    if start and not start.startswith("/"):
        start = os.path.join(tree, start)
    if start and os.path.isfile(start):
        return f"{open(start).read().strip()} {int(os.path.getmtime(start))}"
    return f"not bisecting {time.time()}"


def install_suite(step):
    """The same tests must judge every step: the suite is installed once per
    bisection and reused, so edits to the suite's work tree during a
    bisection do not change the verdicts."""
    t0 = time.time()
    key = bisect_key(step.tree)
    suite = os.path.join(step.state, "suite")
    key_file = os.path.join(suite, ".bisect-key")
    if os.path.isfile(key_file) and open(key_file).read().strip() == key:
        return suite
    shutil.rmtree(suite, ignore_errors=True)
    log = os.path.join(step.state, "suite-build.log")
    if proc.run_logged(["make", "-C", REPO_DIR, "install", f"INSTALL_PATH={suite}"],
                       log, step.cfg.verbose):
        raise Answer(X_ABORT, f"the suite does not build (see {log}): "
                     f"{modbuild.first_error(log)}")
    with open(key_file, "w") as f:
        f.write(key + "\n")
    msg(f"suite installed in {suite} ({int(time.time() - t0)} s)")
    return suite


def build_modules(step):
    t0 = time.time()
    try:
        hdr = kernels.fetch_headers(step.apt(), step.cache, step.lab_release,
                                    step.lab_version, msg)
    except LabError as e:
        raise Answer(X_ABORT, str(e))
    w = os.path.join(step.state, f"modules-{step.lab_release}")
    modbuild.prepare(w, hdr, step.lab_release, step.lab_version)
    try:
        modbuild.sync_sources(step.tree, os.path.join(w, "src"))
    except OSError as e:
        raise Answer(X_ABORT, f"cannot copy the tree's KVM sources into {w}/src: {e}")
    log = os.path.join(step.state, "build.log")
    try:
        status = modbuild.run_make(w, hdr, step.lab_version, step.cache, step.cfg.jobs,
                                   log, msg, step.cfg.verbose)
    except LabError as e:
        # No build chroot (debootstrap missing, unstable unreachable): the
        # same for every commit.
        raise Answer(X_ABORT, str(e))
    if status:
        err = modbuild.first_error(log, re.escape(f"{w}/src/"), re.escape(step.tree + "/"))
        raise Answer(X_SKIP, f"kvm modules do not build against linux-headers-"
                     f"{step.lab_release} (see {log}): {err}")
    step.build_s = int(time.time() - t0)
    return [*step.kernel_args, "--modules", os.path.join(w, "src")]


def build_kernel(step):
    t0 = time.time()
    kernelbuild.check_tools(msg)
    if kernelbuild.has_in_tree_build(step.tree):
        raise Answer(X_ABORT, "the tree has in-tree build output (.config): run make "
                     "mrproper in it")
    o = os.path.join(step.state, "kernel-build")
    os.makedirs(o, exist_ok=True)
    defconfig, olddefconfig, build = kernelbuild.commands(step.tree, o, step.cfg.jobs)
    log, v = os.path.join(step.state, "build.log"), step.cfg.verbose
    if not os.path.isfile(os.path.join(o, ".config")) and \
            proc.run_logged(defconfig, log, v, nice=True):
        raise Answer(X_SKIP, f"make x86_64_defconfig failed (see {log})")
    ours = [os.path.join(LAB_DIR, "bisect.config")] + step.cfg.configs
    kernelbuild.append_fragments(os.path.join(o, ".config"),
                                 [os.path.join(REPO_DIR, "config")] + ours)
    clog = os.path.join(step.state, "config.log")
    if proc.run_logged(olddefconfig, clog, v, nice=True):
        raise Answer(X_SKIP, f"make olddefconfig failed (see {clog})")
    for line in kernelbuild.unstuck(os.path.join(o, ".config"), ours):
        msg(f"warning: {line} did not stick (Kconfig dependencies)")
    if proc.run_logged(build, log, v, nice=True):
        raise Answer(X_SKIP, f"the kernel does not build (see {log}): "
                     f"{modbuild.first_error(log, re.escape(step.tree + '/'))}")
    step.build_s = int(time.time() - t0)
    return ["--kernel", os.path.join(o, "arch/x86/boot/bzImage"), "--modules", o]


def closing_counts(log):
    """vmtest's closing counts and its last message, from its log."""
    total = last = ""
    with open(log, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if re.match(r"^vmtest: \d+ passed, \d+ failed, \d+ skipped$", line):
                total = line[len("vmtest: "):]
            elif re.match(r"^vmtest: (error|lab failure|FAIL|PASS|nothing ran)", line):
                last = line[len("vmtest: "):]
    return total, last


def show_failures(log):
    with open(log, errors="replace") as f:
        hits = [l for l in f if re.match(r"^(not ok|    not ok|    # .*:[0-9]+: )", l)]
    sys.stderr.write("".join(hits[:20]))


def run_lab(step, suite, vm_args):
    t0 = time.time()
    log = os.path.join(step.state, "vmtest.log")
    cmd = [VMTEST, "--bisect", "--suite", suite, *step.cfg.vm_args, *vm_args,
           *[f"--test={t}" for t in step.cfg.tests], "--", *step.cfg.run_args]
    rc = proc.run_logged(cmd, log, step.cfg.verbose)
    lab_s = int(time.time() - t0)
    total, last = closing_counts(log)
    if rc not in (0, 128) and not step.cfg.verbose:
        show_failures(log)
    what = (f"{' '.join(step.cfg.tests) or 'all tests'}, {step.mode} mode, "
            f"build {step.build_s} s, lab {lab_s} s, log {log}")
    raise Answer(*results.step_verdict(rc, total, last, what))


def run_step(step):
    find_tree(step)
    lock_state(step)
    choose_mode(step)
    msg(f"tree {step.tree} at {step.commit or '?'} (Linux {step.version}), "
        f"{step.mode} mode, state in {step.state}")
    suite = step.cfg.suite or install_suite(step)
    if step.mode == "modules":
        if step.version != kernels.upstream(step.lab_version):
            msg(f"warning: tree is {step.version}, the lab kernel "
                f"{kernels.upstream(step.lab_version)}: KVM is built against the lab "
                "kernel's headers")
        vm_args = build_modules(step)
    else:
        vm_args = build_kernel(step)
    msg(f"built in {step.build_s} s ({step.state}/build.log)")
    run_lab(step, suite, vm_args)


def main(argv):
    install_signal_handlers()
    step = None
    try:
        try:
            cfg = cli.step_config(argv)
        except cli.BadOption as e:
            msg(str(e))
            sys.stderr.write(cli.STEP_USAGE)
            raise Answer(X_ABORT, "bad usage")
        except UsageError as e:
            raise Answer(X_ABORT, str(e))
        if cfg is None:
            sys.stdout.write(cli.STEP_USAGE)
            return 0
        step = Step(cfg)
        run_step(step)
    except Answer as a:
        commit = step.commit if step else None
        sys.stderr.write(results.step_line(a.code, commit, str(a)) + "\n")
        return a.code
    except LabError as e:
        commit = step.commit if step else None
        sys.stderr.write(results.step_line(X_ABORT, commit, str(e)) + "\n")
        return X_ABORT
    except Interrupted as e:
        commit = step.commit if step else None
        sys.stderr.write(results.step_line(X_ABORT, commit, f"interrupted by {e}") + "\n")
        return X_ABORT
    return X_GOOD
