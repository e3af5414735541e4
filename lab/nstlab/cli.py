# SPDX-License-Identifier: GPL-2.0-only
"""Command lines of vmtest, bisect-step and bisect-rehearsal.

A small hand-made parser rather than argparse: the entry points must keep
their exit codes (2, or 128 under --bisect), take everything after "--" as it
is, and accept both "--opt VALUE" and "--opt=VALUE".
"""

import os
import re
from dataclasses import dataclass, field

from . import cpus
from .errors import UsageError

# Options: name -> (destination, kind); kind is "value", "append", "flag" or
# "help".
VMTEST_OPTIONS = {
    "--cpu": ("cpu", "value"),
    "--params": ("params", "append"),
    "-t": ("tests", "append"),
    "--test": ("tests", "append"),
    "--run-args": ("run_args_strings", "append"),
    "--repeat": ("repeat", "value"),
    "--modules": ("modules", "value"),
    "--kernel": ("kernel", "value"),
    "--suite": ("suite", "value"),
    "--emulator": ("emulator", "value"),
    "--timeout": ("timeout", "value"),
    "--self-check": ("self_check", "flag"),
    "--coverage": ("coverage", "flag"),
    "--env": ("env", "append"),
    "--kernel-version": ("kernel_versions", "append"),
    "--kernel-fallback": ("kernel_fallback", "value"),
    "--kernel-tree": ("kernel_tree", "value"),
    "--bisect": ("bisect", "flag"),
    "--keep": ("keep", "flag"),
    "--dry-run": ("dry_run", "flag"),
    "--total-file": ("total_file", "value"),
    "-h": ("help", "help"),
    "--help": ("help", "help"),
}

VMTEST_USAGE = """\
Usage: vmtest [options] [-- RUN_TESTS-ARGS...]

Boot a kernel with VMX (or SVM) in an emulator, load kvm_intel (kvm_amd)
nested=1 and run the suite's run_tests.sh once per parameter set of that
module; the guest's KTAP is streamed to this terminal.  Default parameter
sets: "ept=1" and "ept=0" (--cpu amd: "npt=1" and "npt=0").

Options:
  --cpu intel|amd      the emulated CPU (default intel): intel runs kvm_intel
                       in Bochs (VMX); amd runs kvm_amd in QEMU's TCG (SVM)
  --params "P=V ..."   a kvm_intel (kvm_amd) parameter set (repeatable;
                       replaces the defaults); each name must be a parameter
                       of the kvm-intel.ko (kvm-amd.ko) used
  -t, --test NAME      test name or pattern for run_tests.sh (repeatable); the
                       tests and run_tests.sh arguments are checked with the
                       suite's run_tests.sh -l on the host before the boot
  --run-args "ARGS"    more run_tests.sh arguments, after the tests; split into
                       words like the shell does (quotes, backslashes), without
                       expansions; repeatable.  Everything after "--" is added
                       as it is, e.g. -- --self-check -- -s 'vmxon*'
  --repeat N           run run_tests.sh N times per set in the same boot; the
                       set fails if any run fails
  --self-check         after each run, run run_tests.sh --self-check (every
                       scenario normally, then inverted: it must fail at its
                       rule's own assertion); both are counted
  --coverage           record which functions of kvm.ko and the vendor module
                       each set enters (ftrace); print hits/traceable per source
                       file and set, and vmx/nested.c's (svm/nested.c's)
                       functions never entered; needs the kernel's -dbg package
                       (fetched before the boot) or debug info in --modules'
                       .ko files (else exit 3 before the boot); tests
                       run slower: per-test (run_tests.sh -o) and machine
                       (--timeout) limits default to 4 times the usual
  --env NAME=VALUE     set NAME in the guest for run_tests.sh and its tests
                       (repeatable), e.g. --env NST_RUN_KNOWN_CRASHES=1
  --kernel-version V   boot Debian's cloud kernel V: 6.1, 6.12, newest (Debian
                       unstable/experimental) or an exact Debian package
                       version; repeatable: one boot per kernel, counts added up
  --kernel-fallback V  when the kernel of --kernel-version cannot be had (the
                       archive is unreachable), use V instead and say why
  --kernel-tree DIR    build DIR's arch/x86/kvm and virt/kvm against Debian's
                       headers of the same version (6.1, 6.12), check them,
                       boot that Debian kernel with them (--cpu intel only)
  --modules DIR        use kvm.ko, kvm-intel.ko or kvm-amd.ko (and irqbypass.ko)
                       from DIR,
                       e.g. a kernel build tree, instead of the packaged ones
                       (of the default kernel, or of one --kernel-version)
  --kernel FILE        boot this bzImage instead of Debian's (needs --modules)
  --suite DIR          an installed suite (default: make -C <repo> install)
  --emulator NAME      bochs-3.0, bochs (Debian's Bochs 2.7), qemu (QEMU with
                       KVM), tcg (QEMU's TCG, --cpu amd) or auto (default): qemu
                       when the host's KVM offers nested VMX (SVM), else
                       bochs-3.0 (tcg).  bochs-3.0: Bochs 3.0 built from
                       Debian's source into the lab cache on first use (about
                       5 minutes, with a progress line every 20 s): the same
                       Haswell model as 2.7 plus the monitor trap flag, about
                       2.5x faster (--cpu intel only)
  --timeout SECONDS    overall limit for the emulated machine (default 1200,
                       or 600 + 300 per run when sets x repeat is above 2)
  --bisect             pass --bisect to run_tests.sh; exit codes for git bisect
  --keep               keep the temporary build folder
  --dry-run            prepare everything, print the emulator command, exit
                       (no log folder is made in LAB_OUT)
  --total-file FILE    add this run's counts to those FILE holds (made when
                       missing) and print the sum as the last line, so that
                       several vmtest runs (make check) end with one total
  -h, --help           this text

Environment: LAB_CACHE (kernels, apt lists, the bochs-3.0 build; default
lab/cache), LAB_OUT (logs, default lab/out; lab/out/latest is the last run).

The last line is "vmtest: N passed, N failed, N skipped", the scenario counts
of every run_tests.sh run added up (with --total-file, also those of the
earlier runs in FILE); a run that did not finish (or never started) counts
as one failure.  A guest kernel crash (BUG, Oops, panic,
general protection fault) stops the machine within seconds and names the
test and scenario that were running.

Exit status: 0 pass, 1 a test failed (or the machine died during tests),
2 bad usage/input, 3 host problem (dependency, download), 4 lab failure (boot,
module load, emulator crash or timeout), 125 nothing ran (--bisect).  With
--bisect: 2 and 3 become 128 (abort the bisection), 4 becomes 125 (skip).
"""

# Every word of a set must be NAME or NAME=VALUE: /init splits sets on blanks,
# and a quote would make the markers ambiguous.
PARAM_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(=[A-Za-z0-9_.,:+-]*)?$")
# --env: /init exports each line of /lab/env as it is.
ENV_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=[^\n]*$")
# A Debian version (epoch, upstream, revision) or one of the named tracks.
KERNEL_VERSION = re.compile(r"^(?:\d+:)?[0-9][A-Za-z0-9.+~-]*$")
KERNEL_TRACKS = ("6.1", "6.12", "newest")
POSITIVE = re.compile(r"^[1-9][0-9]*$")
EMULATORS = ("bochs", "bochs-3.0", "qemu", "tcg", "auto")


class BadOption(UsageError):
    """An unknown option or a missing value: the usage text follows."""


@dataclass
class Parsed:
    opts: dict = field(default_factory=dict)
    positional: list = field(default_factory=list)
    rest: list = field(default_factory=list)
    help: bool = False


def _split_option(arg):
    if arg.startswith("--") and "=" in arg:
        name, _, value = arg.partition("=")
        return name, value
    return arg, None


def parse(argv, options, positional=False):
    """Parse argv against options; raise UsageError on anything unknown."""
    p = Parsed()
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            p.rest = list(argv[i:])
            break
        name, value = _split_option(arg)
        if name not in options:
            if positional and not arg.startswith("-"):
                p.positional.append(arg)
                continue
            raise BadOption(f"unknown option: {name}")
        dest, kind = options[name]
        if kind == "help":
            p.help = True
            return p
        if kind == "flag":
            if value is not None:
                raise BadOption(f"option {name} takes no value")
            p.opts[dest] = True
            continue
        if value is None:
            if i >= len(argv):
                raise BadOption(f"option {name} needs a value")
            value = argv[i]
            i += 1
        if kind == "append":
            p.opts.setdefault(dest, []).append(value)
        else:
            p.opts[dest] = value
    return p


def wants_bisect(argv):
    """--bisect changes every exit code, so it is looked for before anything
    can fail, but not among run_tests.sh's arguments after "--"."""
    for arg in argv:
        if arg == "--":
            return False
        if arg == "--bisect":
            return True
    return False


class _Words:
    """State of split_words: the word so far and whether one was begun."""

    def __init__(self):
        self.words, self.word, self.have = [], "", False

    def end(self):
        if self.have:
            self.words.append(self.word)
        self.word, self.have = "", False


def split_words(s):
    """Split s into words as sh would, without any expansion.

    Blanks separate words, '...' is literal, "..." keeps everything but \\",
    \\\\, \\$ and \\` (which lose the backslash), and a backslash outside quotes
    takes the next character as it is.  The string is never evaluated: it may
    come from a Makefile variable or a CI setting.  Returns None for an
    unbalanced quote or a trailing backslash.
    """
    w = _Words()
    quote = None
    i = 0
    while i < len(s):
        c = s[i]
        if quote == "'":
            quote, w.word = (None, w.word) if c == "'" else (quote, w.word + c)
        elif quote == '"':
            if c == '"':
                quote = None
            elif c == "\\" and s[i + 1:i + 2] in ('"', "\\", "$", "`") and i + 1 < len(s):
                w.word += s[i + 1]
                i += 1
            else:
                w.word += c
        elif c in " \t\n":
            w.end()
        else:
            w.have = True
            if c in "'\"":
                quote = c
            elif c == "\\":
                if i + 1 >= len(s):
                    return None
                w.word += s[i + 1]
                i += 1
            else:
                w.word += c
        i += 1
    if quote:
        return None
    w.end()
    return w.words


@dataclass
class VmtestConfig:
    param_sets: list
    tests: list
    run_args: list
    repeat: int
    modules: str
    kernel: str
    suite: str
    emulator: str
    timeout: int
    bisect: bool
    keep: bool
    dry_run: bool
    self_check: bool = False
    env: list = field(default_factory=list)
    kernel_versions: list = field(default_factory=list)
    kernel_fallback: str = None
    kernel_tree: str = None
    cpu: cpus.Cpu = cpus.INTEL
    total_file: str = None
    coverage: bool = False

    @property
    def kinds(self):
        """The kinds of run_tests.sh run each repetition makes, in order:
        "run" (normal) and, with --self-check, "selfcheck"."""
        return ("run", "selfcheck") if self.self_check else ("run",)

    @property
    def runs_per_set(self):
        return self.repeat * len(self.kinds)

    @property
    def nruns(self):
        return len(self.param_sets) * self.runs_per_set


def _check_params(sets, cpu=cpus.INTEL):
    for p in sets:
        for w in p.split():
            if not PARAM_WORD.match(w):
                raise UsageError(f"bad {cpu.modname} parameter '{w}' in --params \"{p}\"")


def _check_words(tests, run_args):
    for t in tests:
        if not t or "\n" in t:
            raise UsageError(f"bad test name or pattern: '{t}'")
    # /init reads them one per line.
    if any("\n" in a for a in run_args):
        raise UsageError("a run_tests.sh argument holds a newline")


def _run_args(strings, rest):
    words = []
    for s in strings:
        got = split_words(s)
        if got is None:
            raise UsageError(f"unbalanced quote or trailing \\ in --run-args: {s}")
        words += got
    return words + list(rest)


def _check_env(env):
    for e in env:
        if not ENV_WORD.match(e):
            raise UsageError(f"bad --env '{e}': it must be NAME=VALUE on one line")


def _check_kernels(o):
    versions = o.get("kernel_versions", [])
    fallback = o.get("kernel_fallback")
    for v in versions + ([fallback] if fallback else []):
        if not KERNEL_VERSION.match(v) and v not in KERNEL_TRACKS:
            raise UsageError(f"bad kernel version '{v}': give 6.1, 6.12, newest or a "
                             "Debian package version")
    if (versions or fallback) and o.get("kernel"):
        raise UsageError("--kernel-version boots Debian's kernel: it cannot go with --kernel")
    # Modules built for one Debian kernel (bisect-step on a 6.12 or 7.x tree)
    # load into that kernel only.
    if o.get("modules") and (len(versions) > 1 or fallback):
        raise UsageError("--modules goes with one --kernel-version (the kernel they were "
                         "built for) and no --kernel-fallback")
    if fallback and not versions:
        raise UsageError("--kernel-fallback needs --kernel-version")
    if len(set(versions)) != len(versions):
        raise UsageError("a --kernel-version is given twice")
    tree = o.get("kernel_tree")
    if tree:
        if o.get("cpu", "intel") != "intel":
            raise UsageError("--kernel-tree is not supported with --cpu amd: it builds "
                             "kvm-intel.ko only; build the tree's kvm.ko and kvm-amd.ko "
                             "and give them with --modules DIR")
        if versions or o.get("kernel") or o.get("modules"):
            raise UsageError("--kernel-tree picks the kernel and builds the modules: it "
                             "cannot go with --kernel-version, --kernel or --modules")
        if not os.path.isfile(os.path.join(tree, "Makefile")) or \
                not os.path.isdir(os.path.join(tree, "arch", "x86", "kvm")):
            raise UsageError(f"not a kernel tree with arch/x86/kvm: {tree}")


# --coverage: tracing and the collection after each scenario run make tests
# several times slower; their time limits grow by this factor.
COVERAGE_SLOWDOWN = 4


def settings_timeout(path=os.path.join(os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))), "settings")):
    """The per-test timeout of the suite's kselftest settings file (300)."""
    try:
        with open(path) as f:
            m = re.search(r"^timeout=(\d+)$", f.read(), re.M)
    except OSError:
        m = None
    return int(m.group(1)) if m else 300


def _coverage_run_args(run_args, settings_timeout):
    """--coverage's per-test timeout for run_tests.sh (-o), first, unless the
    user's arguments hold one."""
    words = run_args[:run_args.index("--")] if "--" in run_args else run_args
    if any(w in ("-o", "--override-timeout") or w.startswith("--override-timeout=")
           for w in words):
        return run_args
    return ["-o", str(settings_timeout * COVERAGE_SLOWDOWN)] + run_args


def _timeout(value, nruns):
    """Every run gets its share of the default limit: 1200 s for the usual two
    runs, 300 s more for each run beyond."""
    if value is None:
        return 1200 if nruns <= 2 else 600 + 300 * nruns
    if not POSITIVE.match(value):
        raise UsageError("--timeout needs a number of seconds")
    return int(value)


def _check_paths(o):
    kernel, modules, suite = o.get("kernel"), o.get("modules"), o.get("suite")
    if kernel:
        if not modules:
            raise UsageError("--kernel needs --modules: the packaged modules only "
                             "load into the packaged kernel")
        if not os.path.isfile(kernel):
            raise UsageError(f"kernel file not found: {kernel}")
    if modules and not os.path.isdir(modules):
        raise UsageError(f"modules folder not found: {modules}")
    if suite:
        if not os.path.isdir(suite):
            raise UsageError(f"suite folder not found: {suite}")
        if not os.access(os.path.join(suite, "run_tests.sh"), os.X_OK):
            raise UsageError(f"{suite} has no executable run_tests.sh")


def _cpu(o):
    name = o.get("cpu", "intel")
    if name not in cpus.CPUS:
        raise UsageError(f"--cpu must be intel or amd, not '{name}'")
    return cpus.CPUS[name]


def _emulator(o, cpu):
    emulator = o.get("emulator", "auto")
    if emulator not in EMULATORS:
        raise UsageError(f"--emulator must be {', '.join(EMULATORS[:-1])} or "
                         f"{EMULATORS[-1]}, not '{emulator}'")
    if emulator not in cpu.emulators:
        raise UsageError(f"--emulator {emulator} cannot run --cpu {cpu.name}: "
                         f"{cpus.WHY_NOT[(cpu.name, emulator)]}")
    return emulator


def vmtest_config(argv):
    """The checked configuration of a vmtest command line, or None for --help."""
    p = parse(argv, VMTEST_OPTIONS)
    if p.help:
        return None
    o = p.opts
    cpu = _cpu(o)
    sets = o.get("params") or list(cpu.default_sets)
    _check_params(sets, cpu)
    tests = o.get("tests", [])
    run_args = _run_args(o.get("run_args_strings", []), p.rest)
    _check_words(tests, run_args)
    repeat = o.get("repeat", "1")
    if not POSITIVE.match(repeat):
        raise UsageError("--repeat needs a positive number")
    emulator = _emulator(o, cpu)
    _check_paths(o)
    _check_env(o.get("env", []))
    _check_kernels(o)
    self_check = bool(o.get("self_check"))
    nruns = len(sets) * int(repeat) * (2 if self_check else 1)
    timeout = _timeout(o.get("timeout"), nruns)
    if o.get("coverage"):
        run_args = _coverage_run_args(run_args, settings_timeout())
        if o.get("timeout") is None:
            timeout *= COVERAGE_SLOWDOWN
    return VmtestConfig(
        param_sets=sets, tests=tests, run_args=run_args, repeat=int(repeat),
        modules=o.get("modules"), kernel=o.get("kernel"), suite=o.get("suite"),
        emulator=emulator, timeout=timeout,
        bisect=bool(o.get("bisect")), keep=bool(o.get("keep")),
        dry_run=bool(o.get("dry_run")), self_check=self_check,
        env=o.get("env", []), kernel_versions=o.get("kernel_versions", []),
        kernel_fallback=o.get("kernel_fallback"),
        kernel_tree=o.get("kernel_tree") and os.path.abspath(o["kernel_tree"]),
        cpu=cpu, total_file=o.get("total_file"), coverage=bool(o.get("coverage")))


def unknown_params(param_sets, known):
    """The (word, set) pairs whose name the vendor module (kvm-intel.ko,
    kvm-amd.ko) does not know."""
    bad = []
    for p in param_sets:
        for w in p.split():
            if w.partition("=")[0] not in known:
                bad.append((w, p))
    return bad


# --- bisect-step ----------------------------------------------------------------

STEP_OPTIONS = {
    "--mode": ("mode", "value"),
    "--params": ("vm", "append"),
    "--repeat": ("vm", "append"),
    "--emulator": ("vm", "append"),
    "--timeout": ("vm", "append"),
    "--tree": ("tree", "value"),
    "--suite": ("suite", "value"),
    "--state": ("state", "value"),
    "-j": ("jobs", "value"),
    "--jobs": ("jobs", "value"),
    "--config": ("configs", "append"),
    "-v": ("verbose", "flag"),
    "--verbose": ("verbose", "flag"),
    "-h": ("help", "help"),
    "--help": ("help", "help"),
}

# Options passed on to vmtest as they came.
STEP_VM_OPTIONS = ("--params", "--repeat", "--emulator", "--timeout")

STEP_USAGE = """\
Usage: bisect-step [options] [TEST|PATTERN...] [-- RUN_TESTS-ARGS...]

One step of "git bisect run" from inside a Linux kernel tree: build its KVM
(modules mode) or its kernel (kernel mode) outside the tree, run the suite's
tests (default: all) in the emulated lab under the kvm_intel parameter sets,
and exit 0 good, 1 bad, 125 skip (does not build, does not boot, nothing ran),
128 abort (bad usage, host problem).  The last line on stderr gives the reason.

Options:
  --mode MODE          modules, kernel or auto (default: modules when the tree's
                       VERSION.PATCHLEVEL is the lab kernel's, else kernel)
  --params "P=V ..."   a kvm_intel parameter set (repeatable; default: vmtest's
                       "ept=1" and "ept=0")
  --repeat N           run the tests N times per set (vmtest --repeat)
  --tree DIR           the kernel tree (default: the current git work tree)
  --suite DIR          an installed suite (default: this repository's suite,
                       installed once per bisection into the state folder)
  --state DIR          build output and logs (default: $LAB_CACHE/bisect/<tree>)
  -j, --jobs N         parallel build jobs (default: the number of CPUs); builds
                       run at nice 10
  --config FILE        kernel mode: one more config fragment (repeatable)
  --emulator NAME      passed to vmtest (bochs-3.0, bochs, qemu, auto)
  --timeout SECONDS    passed to vmtest
  -v, --verbose        show the build and the lab's output (else only in logs)
  -h, --help           this text

Arguments after "--" go to run_tests.sh (e.g. -- -- -s 'vmxon*').
Environment: LAB_CACHE (default lab/cache), as for vmtest.
"""


@dataclass
class StepConfig:
    mode: str
    vm_args: list
    tests: list
    run_args: list
    tree: str
    suite: str
    state: str
    jobs: int
    configs: list
    verbose: bool


def _vm_args(argv):
    """The vmtest options of a bisect-step command line, in their order."""
    out = []
    i = 0
    while i < len(argv) and argv[i] != "--":
        name, value = _split_option(argv[i])
        if name in STEP_VM_OPTIONS:
            if value is None:
                i += 1
                value = argv[i]
            out += [name, value]
        elif name in STEP_OPTIONS and STEP_OPTIONS[name][1] in ("value", "append") \
                and value is None:
            i += 1
        i += 1
    return out


def step_config(argv):
    """The checked bisect-step configuration, or None for --help."""
    p = parse(argv, STEP_OPTIONS, positional=True)
    if p.help:
        return None
    o = p.opts
    mode = o.get("mode", "auto")
    if mode not in ("modules", "kernel", "auto"):
        raise UsageError(f"--mode must be modules, kernel or auto, not '{mode}'")
    jobs = o.get("jobs", str(os.cpu_count() or 1))
    if not POSITIVE.match(jobs):
        raise UsageError("--jobs needs a positive number")
    for c in o.get("configs", []):
        if not os.path.isfile(c):
            raise UsageError(f"config fragment not found: {c}")
    suite = o.get("suite")
    if suite is not None and not os.path.isdir(suite):
        raise UsageError(f"suite folder not found: {suite}")
    return StepConfig(
        mode=mode, vm_args=_vm_args(argv), tests=p.positional, run_args=p.rest,
        tree=o.get("tree"), suite=suite and os.path.abspath(suite),
        state=o.get("state"), jobs=int(jobs),
        configs=[os.path.abspath(c) for c in o.get("configs", [])],
        verbose=bool(o.get("verbose")))


# --- bisect-rehearsal ---------------------------------------------------------------

REHEARSAL_OPTIONS = {
    "--mode": ("mode", "value"),
    "--fresh": ("fresh", "flag"),
    "--suite": ("suite", "value"),
    "--dir": ("dir", "value"),
    "--history": ("history", "value"),
    "--source": ("source", "value"),
    "-h": ("help", "help"),
    "--help": ("help", "help"),
}

# The bisect-step tests each history's breaking commit fails.
REHEARSAL_STEP_ARGS = {
    "vmxon": ["--params", "ept=1", "vmx_smoke_test"],
    "pdptr": ["--params", "ept=1", "nested_pdptr_test"],
    "standin": ["--params", "ept=1"],
}

REHEARSAL_USAGE = """\
Usage: bisect-rehearsal [options] [-- BISECT-STEP-OPTIONS...]

Bisect a regression in Debian's linux-source with lab/bisect-step and check
that exactly the breaking commit is found.

  --history NAME  vmxon (default): Debian's 6.1 source with a made-up
                  regression (VMXON's CR4.VMXE check dropped) and a commit
                  that does not compile, which must be skipped;
                  pdptr: the newest source (7.x) with a real posted patch,
                  "KVM: nVMX: remove unnecessary code in prepare_vmcs02",
                  which breaks the PDPTEs of a PAE L2 under nested EPT;
                  standin (make check): a stand-in tree made on the spot,
                  whose KVM is two small modules that build in seconds, and
                  a stand-in suite: the real git bisect run, bisect-step,
                  modules build and boots, in a minute or two
  --source WHICH  vmxon's linux-source-6.1: pinned (default), the version
                  lab/pinned-kernels pins as "rehearsal" (the nearest newer
                  6.1 one, saying so, when the archive no longer has it), or
                  newest, the lab kernel's version in today's archive;
                  pdptr, standin: newest only (standin: the lab kernel's)
  --mode MODE     modules (default) or kernel: bisect-step's build mode
  --fresh         remove bisect-step's state first (a cold build)
  --suite DIR     an installed suite (default: this repository's HEAD, built
                  from git archive, so that uncommitted edits do not interfere)
  --dir DIR       work folder (default: $LAB_CACHE/rehearsal)
  -h, --help      this text

bisect-step options after "--" replace the defaults (--params ept=1
vmx_smoke_test; with --history pdptr: --params ept=1 nested_pdptr_test;
with --history standin: --params ept=1).
"""


@dataclass
class RehearsalConfig:
    mode: str
    fresh: bool
    suite: str
    dir: str
    step_args: list
    history: str = "vmxon"
    source: str = "pinned"


def rehearsal_config(argv, default_dir):
    p = parse(argv, REHEARSAL_OPTIONS)
    if p.help:
        return None
    o = p.opts
    mode = o.get("mode", "modules")
    if mode not in ("modules", "kernel"):
        raise UsageError("--mode must be modules or kernel")
    history = o.get("history", "vmxon")
    if history not in REHEARSAL_STEP_ARGS:
        raise UsageError(f"--history must be one of {', '.join(REHEARSAL_STEP_ARGS)}")
    source = o.get("source", "pinned" if history == "vmxon" else "newest")
    if source not in ("pinned", "newest"):
        raise UsageError("--source must be pinned or newest")
    if history == "standin" and mode != "modules":
        raise UsageError("--history standin builds in modules mode only")
    if history != "vmxon" and source == "pinned":
        raise UsageError(f"--history {history} has no pin: it bisects Debian's newest source")
    suite = o.get("suite")
    if suite is not None and not os.path.isdir(suite):
        raise UsageError(f"suite folder not found: {suite}")
    return RehearsalConfig(
        mode=mode, fresh=bool(o.get("fresh")), suite=suite and os.path.abspath(suite),
        source=source,
        dir=o.get("dir", default_dir if history == "vmxon" else
                  os.path.join(default_dir, history)),
        step_args=p.rest or REHEARSAL_STEP_ARGS[history], history=history)
