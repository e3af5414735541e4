# SPDX-License-Identifier: GPL-2.0-only
"""bisect-rehearsal: show that "git bisect run lab/bisect-step" finds a nested
VMX regression.  It makes a git repository from Debian's linux-source-6.1
(the version lab/pinned-kernels pins as "rehearsal", or the nearest newer 6.1
one when the archive no longer has it; with --source newest, the lab
kernel's version or the nearest the archive still has), adds a known history
on top and bisects it:

  c1  harmless: a documentation line
  c2  harmless: a comment in vmx/nested.c (rebuilds nested.o)
  c3  BREAKS:   handle_vmxon() no longer raises #UD when CR4.VMXE=0
                (vmx_smoke_test's vmxon_vmxoff scenario checks that #UD)
  c4  does not compile (vmx/vmx.c); git bisect picks it first in c1..c9
  c5  fixes the build (reverts c4)
  c6-c9 harmless: README, a comment in x86.c, documentation

It passes when the first bad commit found is exactly c3 and c4 was skipped.

With --history pdptr the source is Debian's newest (7.x) and c3 is a real
posted patch, "KVM: nVMX: remove unnecessary code in prepare_vmcs02", which
drops prepare_vmcs02()'s late write of GUEST_PDPTR0-3: a PAE L2 under nested
EPT then runs on stale PDPTEs, which nested_pdptr_test sees.

  c1  harmless: a documentation line
  c2  harmless: a comment in vmx/nested.c
  c3  BREAKS:   the patch
  c4-c6 harmless: README, a comment in x86.c, documentation

It passes when the first bad commit found is exactly c3.

With --history standin (make check) the tree is a stand-in made on the spot,
a Makefile of the lab kernel's version and arch/x86/kvm/ with two small
modules in place of KVM: kvm.ko, and kvm-intel.ko with the parameters vmtest
loads it with and one, vmxon_checks_cr4, that a stand-in suite reads in the
guest.  Everything else is the real path: git bisect run, bisect-step's
modules mode against Debian's headers of the lab kernel, vmtest --bisect
booting it in the lab, the verdicts and git's answer, in a minute or two.

  c1  harmless: a comment in kvm-intel.c
  c2  BREAKS:   vmxon_checks_cr4 becomes N (the suite's one test fails)
  c3  does not compile; git bisect picks it first in c1..c6
  c4  fixes the build (reverts c3)
  c5, c6 harmless: README, documentation

It passes when the first bad commit found is exactly c2 and c3 was skipped
(three steps: c3 skip, c2 bad, c1 good).
"""

import fcntl
import os
import re
import shutil
import subprocess
import sys
import time

from . import cli, deps, kernels, pins, progress, selftest
from .errors import LabError, UsageError, Interrupted, install_signal_handlers

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(LAB_DIR)
NESTED = "arch/x86/kvm/vmx/nested.c"

# (file, regex, replacement or None to append, commit message); None for the
# revert of the commit before.
HISTORY = [
    ("Documentation/virt/kvm/index.rst", None, "\n.. Rehearsal: a harmless line.\n",
     "Documentation: a harmless line (rehearsal c1)"),
    (NESTED, r"(static int handle_vmxon\(struct kvm_vcpu \*vcpu\)\n)",
     r"/* VMXON exit handler (rehearsal c2). */\n\1",
     "KVM: nVMX: a harmless comment (rehearsal c2)"),
    # VMXON in L1 with CR4.VMXE=0 then no longer gets #UD (SDM: VMXON raises
    # #UD if CR4.VMXE = 0), which vmxon_vmxoff checks.
    (NESTED, r"\n\tif \(!kvm_read_cr4_bits\(vcpu, X86_CR4_VMXE\)\) \{\n"
     r"\t\tkvm_queue_exception\(vcpu, UD_VECTOR\);\n\t\treturn 1;\n\t\}\n", r"\n",
     "KVM: nVMX: drop the CR4.VMXE check of VMXON (rehearsal c3, BREAKS)"),
    ("arch/x86/kvm/vmx/vmx.c", None, "\nstatic int rehearsal_c4 = no_such_symbol_c4;\n",
     "KVM: VMX: does not compile (rehearsal c4)"),
    None,
    ("README", None, "\nRehearsal: a harmless line.\n",
     "README: a harmless line (rehearsal c6)"),
    ("arch/x86/kvm/x86.c", r"\n", r"\n/* Rehearsal c7: a harmless comment. */\n",
     "KVM: x86: a harmless comment (rehearsal c7)"),
    ("Documentation/virt/kvm/index.rst", None, "\n.. Rehearsal: another harmless line.\n",
     "Documentation: another harmless line (rehearsal c8)"),
    ("README", None, "\nRehearsal: another harmless line.\n",
     "README: another harmless line (rehearsal c9)"),
]


# The patch as posted, against 7.x's prepare_vmcs02(): three edits in one commit.
PDPTR_PATCH = [
    (r"\n\tbool load_guest_pdptrs_vmcs12 = false;\n", r"\n"),
    (r"\n\n\t\tload_guest_pdptrs_vmcs12 = !nested_vmx_is_evmptr12_valid\(vmx\) \|\|\n"
     r"\t\t\t!\(evmcs->hv_clean_fields & HV_VMX_ENLIGHTENED_CLEAN_FIELD_GUEST_GRP1\);\n",
     r"\n"),
    (r"\t/\* Late preparation of GUEST_PDPTRs now that EFER and CRs are set\. \*/\n"
     r"\tif \(load_guest_pdptrs_vmcs12 && nested_cpu_has_ept\(vmcs12\) &&\n"
     r"\t    is_pae_paging\(vcpu\)\) \{\n(?:\t\tvmcs_write64\(GUEST_PDPTR\d, "
     r"vmcs12->guest_pdptr\d\);\n){4}\t\}\n\n", ""),
]

PDPTR_HISTORY = [
    ("Documentation/virt/kvm/index.rst", None, "\n.. Rehearsal: a harmless line.\n",
     "Documentation: a harmless line (rehearsal c1)"),
    (NESTED, r"(static int prepare_vmcs02\(struct kvm_vcpu \*vcpu)",
     r"/* Prepares vmcs02 (rehearsal c2). */\n\1",
     "KVM: nVMX: a harmless comment (rehearsal c2)"),
    (NESTED, PDPTR_PATCH, None,
     "KVM: nVMX: remove unnecessary code in prepare_vmcs02 (rehearsal c3, BREAKS)"),
    ("README", None, "\nRehearsal: a harmless line.\n",
     "README: a harmless line (rehearsal c4)"),
    ("arch/x86/kvm/x86.c", r"\n", r"\n/* Rehearsal c5: a harmless comment. */\n",
     "KVM: x86: a harmless comment (rehearsal c5)"),
    ("Documentation/virt/kvm/index.rst", None, "\n.. Rehearsal: another harmless line.\n",
     "Documentation: another harmless line (rehearsal c6)"),
]

# The stand-in tree (--history standin): what bisect-step needs of a kernel
# tree (a Makefile with the version, arch/x86/kvm and virt/kvm) and a KVM of
# two small modules that build against Debian's headers in seconds.
STANDIN_KVM_INTEL = "arch/x86/kvm/kvm-intel.c"
STANDIN_FILES = {
    "Makefile": "VERSION = {v}\nPATCHLEVEL = {p}\nSUBLEVEL = {s}\nEXTRAVERSION =\n"
                "NAME = bisect-rehearsal stand-in\n",
    "README": "A stand-in kernel tree of lab/bisect-rehearsal --history standin.\n",
    "Documentation/virt/kvm/index.rst": "KVM\n===\n",
    "virt/kvm/README": "The stand-in has no generic KVM code.\n",
    "arch/x86/kvm/Makefile": "# SPDX-License-Identifier: GPL-2.0-only\n"
                             "obj-m += kvm.o kvm-intel.o\n",
    "arch/x86/kvm/kvm.c": """\
// SPDX-License-Identifier: GPL-2.0-only
/* A stand-in for kvm.ko (lab/bisect-rehearsal --history standin). */
#include <linux/module.h>

static int __init standin_kvm_init(void)
{
	return 0;
}

static void __exit standin_kvm_exit(void)
{
}

module_init(standin_kvm_init);
module_exit(standin_kvm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kvm stand-in of the bisect rehearsal");
""",
    STANDIN_KVM_INTEL: """\
// SPDX-License-Identifier: GPL-2.0-only
/*
 * A stand-in for kvm-intel.ko (lab/bisect-rehearsal --history standin): the
 * parameters vmtest loads it with, and vmxon_checks_cr4, which the stand-in
 * suite reads in the guest (Y: VMXON checks CR4.VMXE, as the SDM wants).
 */
#include <linux/module.h>

static int nested;
module_param(nested, int, 0444);

static bool ept = true;
module_param(ept, bool, 0444);

static bool vmxon_checks_cr4 = true;
module_param(vmxon_checks_cr4, bool, 0444);

static int __init standin_vmx_init(void)
{
	return 0;
}

static void __exit standin_vmx_exit(void)
{
}

module_init(standin_vmx_init);
module_exit(standin_vmx_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kvm-intel stand-in of the bisect rehearsal");
""",
}

STANDIN_HISTORY = [
    (STANDIN_KVM_INTEL, r"(static int nested;)", r"/* Stand-in (rehearsal c1). */\n\1",
     "KVM: VMX: a harmless comment (rehearsal c1)"),
    (STANDIN_KVM_INTEL, r"static bool vmxon_checks_cr4 = true;",
     "static bool vmxon_checks_cr4 = false;",
     "KVM: nVMX: VMXON no longer checks CR4.VMXE (rehearsal c2, BREAKS)"),
    (STANDIN_KVM_INTEL, None, "\nstatic int rehearsal_c3 = no_such_symbol_c3;\n",
     "KVM: VMX: does not compile (rehearsal c3)"),
    None,
    ("README", None, "\nRehearsal: a harmless line.\n",
     "README: a harmless line (rehearsal c5)"),
    ("Documentation/virt/kvm/index.rst", None, "\n.. Rehearsal: a harmless line.\n",
     "Documentation: a harmless line (rehearsal c6)"),
]

# The suite of the stand-in: run_tests.sh as the lab needs it (KTAP, the
# closing line, exit 0 or 1), one test that reads the parameter.
STANDIN_SUITE = """\
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The suite of lab/bisect-rehearsal --history standin: one test, which
# reads the stand-in kvm_intel's vmxon_checks_cr4 parameter.
printf 'KTAP version 1\\n1..1\\n'
v=$(cat /sys/module/kvm_intel/parameters/vmxon_checks_cr4 2>/dev/null)
if [ "$v" = Y ]; then
	echo "ok 1 vmxon_checks_cr4"
	echo "1 passed, 0 failed, 0 skipped"
	exit 0
fi
echo "not ok 1 vmxon_checks_cr4 # kvm_intel's vmxon_checks_cr4 is ${v:-missing}, not Y"
echo "0 passed, 1 failed, 0 skipped"
exit 1
"""

HISTORIES = {"vmxon": HISTORY, "pdptr": PDPTR_HISTORY, "standin": STANDIN_HISTORY}
# The breaking commit and the one that must be skipped (1-based), per history.
OUTCOME = {"vmxon": (3, 4), "pdptr": (3, None), "standin": (2, 3)}


class Failed(Exception):
    pass


def msg(text):
    sys.stderr.write(f"bisect-rehearsal: {text}\n")
    sys.stderr.flush()


class Git:
    def __init__(self, tree):
        self.base = ["git", "-C", tree, "-c", "user.name=rehearsal",
                     "-c", "user.email=rehearsal@lab.invalid",
                     "-c", "core.autocrlf=false", "-c", "gc.auto=0"]

    def __call__(self, *args, check=True, out=False):
        r = subprocess.run(self.base + list(args), text=True,
                           stdout=subprocess.PIPE if out else subprocess.DEVNULL)
        if check and r.returncode:
            raise Failed(f"git {' '.join(args)} failed")
        return r.stdout.strip() if out else r.returncode


def base_tag(version):
    """The tag of the unpacked source: git refuses '~' (7.3~rc7) in names."""
    return "base-" + version.replace("~", "_")


def make_repository(tree, tarball, version, src_pkg):
    """The base repository, made once (a minute or two for 1.3 GB) and
    tagged; a rerun resets to the tag and writes the history again."""
    git = Git(tree)
    if os.path.isdir(tree) and git("rev-parse", "-q", "--verify",
                                   f"refs/tags/{base_tag(version)}", check=False) == 0:
        return git
    msg(f"making a git repository of {src_pkg} {version} in {tree} (a minute or two, "
        f"once)")
    shutil.rmtree(tree, ignore_errors=True)
    shutil.rmtree(tree + ".tmp", ignore_errors=True)
    os.makedirs(tree + ".tmp")
    t0 = time.time()
    with progress.Ticker(lambda: msg(f"still unpacking {os.path.basename(tarball)}: "
                                     f"{progress.duration(time.time() - t0)}")):
        unpacked = subprocess.run(["tar", "-xf", tarball, "-C", tree + ".tmp"]).returncode
    if unpacked:
        raise Failed(f"cannot unpack {tarball}")
    os.rename(os.path.join(tree + ".tmp", src_pkg), tree)
    os.rmdir(tree + ".tmp")
    # -f: Debian's top-level .gitignore ignores everything but debian/.
    t0 = time.time()
    with progress.Ticker(lambda: msg(f"still making the repository: "
                                     f"{progress.duration(time.time() - t0)}")):
        git("init", "-q")
        git("add", "-A", "-f")
        git("commit", "-q", "-m", f"{src_pkg} {version}")
    git("tag", base_tag(version))
    return git


def edit(tree, path, pattern, replacement):
    """Appends @replacement, or substitutes it for @pattern's first match;
    @pattern may be a list of (pattern, replacement), each of which must
    change something."""
    full = os.path.join(tree, path)
    with open(full) as f:
        text = f.read()
    edits = pattern if isinstance(pattern, list) else [(pattern, replacement)]
    new = text
    for pat, repl in edits:
        old = new
        new = old + repl if pat is None else re.sub(pat, repl, old, count=1)
        if new == old:
            raise Failed(f"the edit of {path} changed nothing")
    with open(full, "w") as f:
        f.write(new)


def write_history(git, tree, history):
    """The commits c1...; returns their hashes."""
    commits = []
    for item in history:
        if item is None:
            git("revert", "--no-edit", "HEAD")
        else:
            path, pattern, replacement, message = item
            edit(tree, path, pattern, replacement)
            git("commit", "-q", "-a", "-m", message)
        commits.append(git("rev-parse", "HEAD", out=True))
    return commits


def build_suite(directory):
    """The suite at this repository's HEAD (git archive), so that
    uncommitted edits do not interfere."""
    src, suite = os.path.join(directory, "suite-src"), os.path.join(directory, "suite")
    for d in (src, suite):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(src)
    log = os.path.join(directory, "suite-build.log")
    archive = subprocess.Popen(["git", "-C", REPO_DIR, "archive", "HEAD"],
                               stdout=subprocess.PIPE)
    untar = subprocess.run(["tar", "-x", "-C", src], stdin=archive.stdout)
    archive.wait()
    t0 = time.time()
    msg(f"building the suite at HEAD into {suite}")
    with open(log, "w") as f, progress.Ticker(lambda: msg(
            f"still building the suite: {progress.duration(time.time() - t0)}")):
        made = subprocess.run(["make", "-s", "-C", src, "install", f"INSTALL_PATH={suite}"],
                              stdout=f, stderr=subprocess.STDOUT)
    if archive.returncode or untar.returncode or made.returncode:
        raise Failed(f"the suite at HEAD does not build (see {log})")
    return suite


def bisect(git, tree, cfg, suite, commits, version):
    state = os.path.join(cfg.dir, f"state-{cfg.mode}")
    if cfg.fresh:
        shutil.rmtree(state, ignore_errors=True)
    log = os.path.join(cfg.dir, f"bisect-{cfg.mode}.log")
    msg(f"git bisect start c{len(commits)} c0; git bisect run lab/bisect-step --mode {cfg.mode} "
        f"{' '.join(cfg.step_args)}")
    msg(f"log: {log}")
    git("bisect", "start", commits[-1], base_tag(version))
    step = [os.path.join(LAB_DIR, "bisect-step"), "--mode", cfg.mode, "--suite", suite,
            "--state", state, *cfg.step_args]
    shown = re.compile(r"^bisect-step: (good|bad|skip|abort)|first bad commit")
    t0 = time.time()
    seen = {"said": t0, "steps": 0, "last": ""}

    def beat():
        # Between two verdicts a step builds and boots: say so after a silence.
        if time.time() - seen["said"] >= progress.HEARTBEAT - 1:
            msg(f"bisecting: {progress.duration(time.time() - t0)}, {seen['steps']} "
                f"step(s) done; now: {progress.shorten(seen['last'] or 'starting')}")
            seen["said"] = time.time()

    with open(log, "w") as f, progress.Ticker(beat, 5):
        run = subprocess.Popen(git.base + ["bisect", "run", *step], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for line in run.stdout:
            f.write(line)
            if line.strip():
                seen["last"] = line.strip()
            if shown.search(line):
                sys.stderr.write(line)
                sys.stderr.flush()
                seen["said"] = time.time()
                seen["steps"] += line.startswith("bisect-step: ")
        run.wait()
    bisect_log = git("bisect", "log", out=True, check=False)
    found = git("rev-parse", "-q", "--verify", "refs/bisect/bad", out=True, check=False)
    git("bisect", "reset", check=False)
    return log, bisect_log, found


def checks(log, bisect_log, found, commits, mode, history):
    nbad, nskip = OUTCOME[history]
    bad = commits[nbad - 1]
    with open(log, errors="replace") as f:
        text = f.read()
    steps = re.findall(r"^bisect-step: (?:good|bad|skip).*$", text, re.M)
    results = [
        (f"git bisect run found exactly the breaking commit c{nbad} ({bad[:12]})",
         re.search(rf"^{bad} is the first bad commit", text, re.M) and found == bad),
        ("no step aborted", not re.search(r"^bisect-step: abort", text, re.M)),
    ]
    if nskip:
        skip = commits[nskip - 1]
        results.insert(1, (f"the non-compiling commit c{nskip} was skipped (bisect-step "
                           "exit 125)",
                           re.search(rf"^git bisect skip {skip}", bisect_log or "", re.M)))
    failed = 0
    for n, (what, ok) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {n} {what}")
        failed += not ok
    print(f"# {len(steps)} steps, {mode} mode:")
    for s in steps:
        print(f"#   {s}")
    return failed, len(results)


def make_standin(tree, version):
    """The stand-in tree of the lab kernel's VERSION, made anew (a few
    files), committed and tagged."""
    shutil.rmtree(tree, ignore_errors=True)
    v, p, s = (kernels.upstream(version).split(".") + ["0", "0"])[:3]
    for path, text in STANDIN_FILES.items():
        full = os.path.join(tree, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text.format(v=v, p=p, s=s) if path == "Makefile" else text)
    git = Git(tree)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", f"stand-in tree of Linux {v}.{p}.{s}")
    git("tag", base_tag(version))
    return git


def standin_suite(directory):
    shutil.rmtree(os.path.join(directory, "suite"), ignore_errors=True)
    return selftest.script_suite(directory, "suite", STANDIN_SUITE)


def source_of(history, source, cache):
    """The apt to fetch the source with, and the version of the source: the
    one lab/pinned-kernels pins as "rehearsal" (vmxon, --source pinned: make
    check), else the kernel version whose source it is: the lab kernel's
    (vmxon), or Debian's newest (pdptr)."""
    if history == "pdptr":
        kernel = kernels.fetch_kernel_version(cache, "newest", msg)
        return kernels.apt_for(cache, kernels.TRACKS["newest"][0], msg), kernel.version
    if source == "pinned":
        version = pins.pinned_version(cache, pins.SOURCE_PIN, msg)
        return kernels.apt_for(cache, source_archive(version), msg), version
    apt = kernels.Apt(os.path.join(cache, "apt"), log=msg) if deps.is_debian() else None
    return apt, kernels.lab_kernel_package(apt, cache, msg)[1]


def source_archive(version):
    """The archive whose linux-source has VERSION's series: the stable one
    for Debian 12's 6.1 and 6.12, else unstable/experimental."""
    stable = [t for t, (archive, _) in kernels.TRACKS.items() if archive == "stable"]
    return "stable" if kernels.major_minor(version) in stable else "sid"


def rehearse(cfg):
    t0 = time.time()
    os.makedirs(cfg.dir, exist_ok=True)
    cfg.dir = os.path.realpath(cfg.dir)
    lock = open(os.path.join(cfg.dir, ".lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise Failed(f"another rehearsal is using {cfg.dir}")
    cache = os.environ.get("LAB_CACHE", os.path.join(LAB_DIR, "cache"))
    apt, kversion = source_of(cfg.history, cfg.source, cache)
    tree = os.path.join(cfg.dir, "linux")
    if cfg.history == "standin":
        version = kversion
        msg(f"a stand-in tree of Linux {kernels.upstream(version)} in {tree}")
        git = make_standin(tree, version)
    else:
        tarball, version = kernels.fetch_source(apt, cfg.dir, kversion, msg)
        src_pkg = f"linux-source-{kernels.major_minor(version)}"
        git = make_repository(tree, tarball, version, src_pkg)
    git("bisect", "reset", check=False)
    git("checkout", "-q", "-f", "-B", "rehearsal", base_tag(version))
    git("clean", "-q", "-f", "-d", "-x")
    t_repo = time.time()
    commits = write_history(git, tree, HISTORIES[cfg.history])
    msg("history: " + " ".join(f"c{i} {c[:12]}" + (" (breaks)" if i == OUTCOME[cfg.history][0]
                                                     else "")
                               for i, c in enumerate(commits, 1)))
    suite = cfg.suite or (standin_suite(cfg.dir) if cfg.history == "standin"
                          else build_suite(cfg.dir))
    t_bisect = time.time()
    log, blog, found = bisect(git, tree, cfg, suite, commits, version)
    failed, total = checks(log, blog, found, commits, cfg.mode, cfg.history)
    t_end = time.time()
    print(f"# times (s): repository {int(t_repo - t0)}, bisection {int(t_end - t_bisect)}, "
          f"total {int(t_end - t0)}")
    print(f"{total - failed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv):
    install_signal_handlers()
    cache = os.environ.get("LAB_CACHE", os.path.join(LAB_DIR, "cache"))
    default_dir = os.environ.get("REHEARSAL_DIR", os.path.join(cache, "rehearsal"))
    try:
        cfg = cli.rehearsal_config(argv, default_dir)
        if cfg is None:
            sys.stdout.write(cli.REHEARSAL_USAGE)
            return 0
        return rehearse(cfg)
    except cli.BadOption as e:
        sys.stderr.write(cli.REHEARSAL_USAGE)
        msg(f"error: {e}")
        return 2
    except pins.PinError as e:
        # As make check's kernel-pins: no version of the pin's series.
        msg(f"error: {e}")
        return e.code
    except (UsageError, Failed, LabError) as e:
        msg(f"error: {e}")
        return 2
    except Interrupted as e:
        msg("interrupted")
        return e.code
