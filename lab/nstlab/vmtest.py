# SPDX-License-Identifier: GPL-2.0-only
"""vmtest: run the suite for real on an emulated machine whose CPU has VMX
(or SVM).

Our machines have no hardware VMX, so nested VMX cannot be tested on the
host.  This boots Debian's cloud kernel inside Bochs (a Haswell CPU model
with VMX emulation), loads kvm_intel nested=1 there and runs the suite's
run_tests.sh once per kvm_intel parameter set.  Where the host's own KVM
offers nested VMX, QEMU with KVM acceleration does the same much faster.
With --cpu amd, QEMU's TCG (an emulated AMD CPU with SVM) runs kvm_amd the
same way.
"""

import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from . import (bochsbuild, cli, console, coverage, deps, kernels, kmod, machines, media,
               results, summary, treebuild)
from .errors import (LabError, UsageError, Interrupted, E_USAGE, E_HOST, E_LAB,
                     install_signal_handlers)

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(LAB_DIR)
KEEP_RUNS = 10


def msg(text):
    for line in str(text).splitlines() or [""]:
        sys.stderr.write(f"vmtest: {line}\n")
    sys.stderr.flush()


class Run:
    """One vmtest run: its configuration and what it made."""

    def __init__(self, cfg, kernel_version=None, suite=None):
        self.cfg = cfg
        self.kernel_version = kernel_version
        self.suite = suite      # the installed suite (install_suite), or None
        self.kernel = None      # a kernels.Kernel fetched before the boot
        self.emulator = cfg.emulator
        self.bochs = None       # the machines.Bochs to run
        self.cache = os.environ.get("LAB_CACHE", os.path.join(LAB_DIR, "cache"))
        self.out_root = os.environ.get("LAB_OUT", os.path.join(LAB_DIR, "out"))
        self.work = None
        self.out = None
        self.console = None
        self.t = {}
        self.kver = None
        self.module_src = []
        self.accepted = False
        self.con = None
        self.emu = None
        self.debug_kos = None   # --coverage: the .ko files with debug info

    def cleanup(self):
        if self.emu is not None:
            self.emu.stop()
            self.emu = None
        if self.work and os.path.isdir(self.work):
            if self.cfg.keep:
                msg(f"kept {self.work}")
            else:
                shutil.rmtree(self.work, ignore_errors=True)
        self.work = None


# What --emulator auto runs without a host KVM that offers nested VMX (SVM):
# the lab's Bochs 3.0 for intel (it has the monitor trap flag and runs the
# suite about 2.5x faster than Debian's 2.7, which --emulator bochs keeps),
# QEMU's TCG for amd.
AUTO_EMULATOR = {"intel": "bochs-3.0", "amd": "tcg"}


def auto_emulator(cpu, host_nested):
    """The emulator --emulator auto means for @cpu: QEMU with KVM when the
    host's KVM offers nested virtualization of that CPU, else AUTO_EMULATOR."""
    return "qemu" if host_nested else AUTO_EMULATOR[cpu.name]


def choose_emulator(run):
    if run.emulator == "auto":
        cpu = run.cfg.cpu
        run.emulator = auto_emulator(cpu, machines.host_has_nested(cpu))


def check_deps(run):
    cfg, entries = run.cfg, list(deps.COMMON)
    if run.emulator == "bochs":
        entries += deps.BOCHS
    elif run.emulator == "bochs-3.0":
        # The compiler and headers only until the build is there.
        entries += deps.BOCHS_MEDIA if bochsbuild.is_built(run.cache) else deps.BOCHS_BUILD
    elif run.emulator == "tcg":
        # The AMD lab needs QEMU on every host: installed like Bochs.
        entries += deps.QEMU
    elif not cfg.dry_run:
        # QEMU with KVM only helps on a host with nested VMX (SVM); the lab
        # asks for it rather than pulling it in.
        if shutil.which("qemu-system-x86_64") is None:
            raise LabError(E_HOST, "--emulator qemu needs qemu-system-x86_64: install "
                           "qemu-system-x86 (Debian, Arch) or qemu-system-x86-core (Fedora)")
        if not os.access("/dev/kvm", os.R_OK | os.W_OK):
            raise LabError(E_HOST, "--emulator qemu needs a usable /dev/kvm")
        if not machines.host_has_nested(cfg.cpu):
            msg(f"warning: host KVM offers no nested {cfg.cpu.flag.upper()}; "
                f"{cfg.cpu.modname} will not load")
    if not cfg.suite:
        entries.append(deps.MAKE)
    if not cfg.kernel:
        entries.append(deps.DPKG)
    deps.check(entries, msg)


def get_emulator(run):
    """The Bochs to run: Debian's, or Bochs 3.0 built into the cache on
    first use (a dry run builds it too: it prepares everything)."""
    if run.emulator == "bochs":
        run.bochs = machines.debian_bochs()
    elif run.emulator == "bochs-3.0":
        run.bochs = bochsbuild.ensure(run.cache, msg)


def make_out_dir(run):
    """Logs stay in LAB_OUT/run-*/ (the last ten runs), latest -> newest.  A
    dry run keeps its files in the temporary folder and leaves LAB_OUT as it
    is."""
    if run.cfg.dry_run:
        run.out = os.path.join(run.work, "out")
        os.makedirs(run.out)
        return
    try:
        os.makedirs(run.out_root, exist_ok=True)
        name = f"run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        run.out = os.path.join(run.out_root, name)
        os.makedirs(run.out)
        latest = os.path.join(run.out_root, "latest")
        tmp = latest + ".new"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(name, tmp)
        os.replace(tmp, latest)
    except OSError as e:
        raise LabError(E_HOST, f"cannot create {run.out_root}: {e}")
    old = sorted(d for d in os.listdir(run.out_root) if d.startswith("run-"))
    for d in old[:-KEEP_RUNS]:
        shutil.rmtree(os.path.join(run.out_root, d), ignore_errors=True)


def get_kernel(run):
    """The kernel image and the folder of its packaged modules (or None)."""
    if run.cfg.kernel:
        run.kver = f"custom ({os.path.basename(run.cfg.kernel)})"
        return run.cfg.kernel, None
    k = run.kernel
    if k is None:
        apt = kernels.Apt(os.path.join(run.cache, "apt"), log=msg) if deps.is_debian() else None
        # --coverage takes the debug info of this package's -dbg.
        k = run.kernel = kernels.fetch_kernel(apt, run.cache, msg)
    run.kver = f"{k.release} ({k.package} {k.version})"
    return k.image, k.moddir


def collect_modules(run, pkg_moddir):
    """name -> file of irqbypass, kvm and the vendor module (kvm-intel or
    kvm-amd).  irqbypass rarely changes: a developer's kvm.ko can use the
    packaged one, and a custom kernel may have it built in."""
    mods, mdir = {}, run.cfg.modules
    for name in ("irqbypass", "kvm", run.cfg.cpu.module):
        src = kmod.find_module(name, mdir) if mdir else None
        if src is None and pkg_moddir and (not mdir or name == "irqbypass"):
            src = kmod.find_module(name, pkg_moddir)
        if src is None:
            if name == "irqbypass":
                continue
            raise UsageError(f"no {name}.ko in {mdir or pkg_moddir}")
        mods[name] = src
        run.module_src.append(f"{name}.ko <- {src}")
    return mods


def check_param_names(run, vendor_ko):
    """Each --params name must be one of the vendor module's parameters
    (kvm-intel.ko, kvm-amd.ko): the module refuses unknown ones only at
    insmod time, deep in a boot."""
    try:
        known = kmod.module_params(vendor_ko)
    except (OSError, ValueError, IndexError, kmod.lzma.LZMAError) as e:
        msg(f"warning: cannot read the parameters of {vendor_ko} ({e}); not checked")
        return
    bad = cli.unknown_params(run.cfg.param_sets, known)
    if bad:
        w, p = bad[0]
        raise UsageError(f"unknown {run.cfg.cpu.modname} parameter '{w.partition('=')[0]}' "
                         f"in --params \"{p}\": {os.path.basename(vendor_ko)} has "
                         f"{', '.join(sorted(known))}")


def make_install(suite):
    """This tree's suite, installed with its own Makefile into suite."""
    msg(f"suite: make -C {REPO_DIR} install")
    r = subprocess.run(["make", "-C", REPO_DIR, "install", f"INSTALL_PATH={suite}"],
                       stdout=sys.stderr.fileno())
    if r.returncode:
        raise LabError(E_LAB, "make install of the suite failed")
    if not os.access(os.path.join(suite, "run_tests.sh"), os.X_OK):
        raise LabError(E_LAB, f"make install made no executable run_tests.sh in {suite}")
    return suite


def get_suite(run):
    """The suite main() installed, a given folder, or this tree installed."""
    if run.suite:
        return run.suite
    if run.cfg.suite:
        return run.cfg.suite
    return make_install(os.path.join(run.work, "suite"))


def install_suite(cfg):
    """The suite of every boot, before any kernel is fetched: --suite's
    folder, or this tree installed once into a temporary folder.  Returns
    (suite, the temporary folder to remove or None)."""
    if cfg.suite:
        return cfg.suite, None
    deps.check([deps.MAKE], msg)
    tmp = tempfile.mkdtemp(prefix="vmtest-suite.", dir=os.environ.get("TMPDIR", "/tmp"))
    try:
        return make_install(os.path.join(tmp, "suite")), tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# The suite's list of tests (the Makefile writes it): a suite without it
# (lab/selftest's stand-ins) is not the real one, whose run_tests.sh only
# lists with -l; it is never run on the host.
TEST_LIST = "kvm-nested-tests.list"
# A listing runs each selected test with its arguments after -- and -l.
LIST_TIMEOUT = 120


def run_tests_refusal(suite, tests, run_args, log=msg):
    """What the suite's run_tests.sh says against the tests and arguments
    the guest would give it (a test name or pattern that matches no test, an
    unknown option, arguments after -- that no test takes), from a listing
    run on the host: `run_tests.sh -l TESTS... RUN-ARGS...` goes through the
    same checks as the run and exits 2 on them.  None when it accepts them or
    when the host cannot tell."""
    script = os.path.join(suite, "run_tests.sh")
    if not os.path.isfile(os.path.join(suite, TEST_LIST)):
        return None
    # The tests are x86-64 programs, run with -l when arguments follow --.
    if platform.machine() != "x86_64":
        return None
    words = run_args[:run_args.index("--")] if "--" in run_args else run_args
    # -d names a folder of the guest.
    if any(w in ("-d", "--dir") or w.startswith("--dir=") for w in words):
        return None
    env = {k: v for k, v in os.environ.items() if k not in ("OUTPUT", "NST_TEST_TIMEOUT")}
    try:
        r = subprocess.run([script, "-l", *tests, *run_args], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           errors="replace", env=env, timeout=LIST_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        log(f"warning: cannot check the tests and arguments with {script} -l ({e})")
        return None
    if r.returncode == 0:
        return None
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    if r.returncode != 2 or not lines:
        log(f"warning: {script} -l exited {r.returncode}; the tests and arguments are "
            "not checked before the boot")
        return None
    return lines[0][len(script) + 2:] if lines[0].startswith(script + ": ") else lines[0]


def check_run_tests_args(cfg, suite):
    """Refuse before any boot (exit 2) what run_tests.sh would refuse in the
    guest."""
    why = run_tests_refusal(suite, cfg.tests, cfg.run_args)
    if why:
        raise UsageError(f"run_tests.sh would refuse this run (its -l on the host): {why}")


def prepare(run):
    """Everything up to the emulator's command line."""
    run.work = tempfile.mkdtemp(prefix="vmtest.", dir=os.environ.get("TMPDIR", "/tmp"))
    run.t["host0"] = time.time()
    image, pkg_moddir = get_kernel(run)
    mods = collect_modules(run, pkg_moddir)
    check_param_names(run, mods[run.cfg.cpu.module])
    # Without the debug info the run's coverage cannot be mapped to source
    # files: said (exit 3) before the boot, not after the whole suite ran.
    if run.cfg.coverage:
        run.debug_kos = debug_kos(run)
    # Only a run that got this far takes a place among the kept logs.
    make_out_dir(run)
    run.console = os.path.join(run.out, "console.log")
    run.t["kernel"] = time.time()
    suite = get_suite(run)
    run.t["suite"] = time.time()
    initrd = media.initramfs(run.work, LAB_DIR, run.cfg, mods, suite, msg,
                             machines.guest_env(run.emulator, run.cfg.env))
    if machines.is_bochs(run.emulator):
        iso = media.iso(run.work, image, initrd)
        cmd = machines.bochs(run.work, run.out, iso, run.console, run.bochs)
    elif run.emulator == "tcg":
        cmd = machines.qemu_tcg(image, initrd, media.CMDLINE, run.console)
    else:
        cmd = machines.qemu_kvm(image, initrd, media.CMDLINE, run.console)
    run.t["built"] = time.time()
    return cmd


def emit(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def boot(run, cmd):
    """Run the machine, streaming its console; returns the emulator's status."""
    open(run.console, "w").close()
    if run.bochs:
        msg(f"emulator: {run.bochs.version}")
    msg(f"starting {run.emulator} (timeout {run.cfg.timeout}s); console: {run.console}")
    run.con = con = console.Console(len(run.cfg.param_sets))
    run.t["emu"] = time.time()
    con.set_timeout(run.t["emu"], run.cfg.timeout)
    run.emu = machines.Emulator(cmd[0], cmd[1], os.path.join(run.out, "emulator.out"))

    def on_line(line, t):
        emit(line.rstrip("\r"))
        con.feed(line, t)

    def on_tick(now):
        con.tick(now)
        if con.stop_due(now):
            msg(f"stopping {run.emulator} (pid {run.emu.pid}): {con.stop_why}")
            run.emu.stop()

    machines.follow(run.console, run.emu, on_line, on_tick)
    rc = run.emu.wait()
    run.emu = None
    run.t["end"] = time.time()
    # QEMU runs with -no-reboot: a guest reset (a triple fault) ends it
    # with status 0, which only the missing poweroff marker tells apart.
    if not machines.is_bochs(run.emulator) and rc == 0 and "poweroff" not in con.t \
            and not (con.timed_out or con.crash is not None):
        con.machine_reset(run.t["end"])
    return rc


def finish(run, emu_rc):
    """The report, the verdict and the exit code (before --bisect mapping)."""
    con, cfg = run.con, run.cfg
    v = results.verdict(con, cfg.param_sets, cfg.runs_per_set, cfg.bisect, run.emulator,
                        emu_rc, cfg.cpu.modname)
    if con.crash is not None:
        with open(os.path.join(run.out, "crash.log"), "w") as f:
            f.write("\n".join(con.excerpt()) + "\n")
    for line in summary.report(run, con, v):
        sys.stderr.write(line + "\n")
    code = v.code
    if cfg.coverage:
        try:
            for line in coverage_report(run):
                msg(line)
        except LabError as e:
            msg(f"error: {e}")
            code = code or e.code
    for line in summary.errors(run, con, v):
        msg(line)
    msg(results.last_word(code, cfg.bisect))
    return code


def debug_kos(run):
    """The .ko files whose debug info maps functions to source files:
    --modules' own, else those of the kernel's -dbg package (fetched into
    the cache).  LabError (exit 3) when there are none; prepare() asks
    before the boot."""
    cfg = run.cfg
    names = ("kvm", cfg.cpu.module)
    if cfg.modules:
        kos = [kmod.find_module(n, cfg.modules) for n in names]
        if None in kos or not all(coverage.module_files(k) for k in kos):
            raise LabError(E_HOST, f"--coverage needs debug info in {cfg.modules}'s kvm.ko "
                           f"and {cfg.cpu.module}.ko (build them with CONFIG_DEBUG_INFO)")
        return kos
    if run.kernel is None:
        raise LabError(E_HOST, "--coverage needs a Debian kernel (its -dbg package) or "
                       "--modules with debug info")
    apts = [kernels.apt_for(run.cache, a, msg) for a in kernels.archives_for(
        run.kernel_version)] if run.kernel_version else [
        kernels.Apt(os.path.join(run.cache, "apt"), log=msg)]
    d = coverage.debug_modules(run.cache, run.kernel, apts, msg)
    kos = [coverage.find_debug_ko(d, n) for n in names]
    if None in kos:
        raise LabError(E_HOST, f"{d} lacks {' or '.join(n for n, k in zip(names, kos) if not k)}")
    return kos


def coverage_report(run):
    """The coverage lines of the report; LabError when none can be made."""
    rec = coverage.parse(run.con.lines)
    if not rec.hits:
        raise LabError(E_LAB, f"coverage: nothing recorded ({rec.why or 'no set ran'})")
    sources = coverage.source_map(run.debug_kos or debug_kos(run))
    labels = {i + 1: p or "(none)" for i, p in enumerate(run.cfg.param_sets)}
    return coverage.report(rec, sources, labels, run.cfg.cpu.modname,
                           os.path.join(run.out, "coverage.json"))


def run_lab(run):
    choose_emulator(run)
    run.accepted = not run.cfg.dry_run
    check_deps(run)
    get_emulator(run)
    cmd = prepare(run)
    if run.cfg.dry_run:
        emit(" ".join(shlex.quote(c) for c in cmd[0]))
        return 0
    rc = boot(run, cmd)
    return finish(run, rc)


def fetch_versions(cfg, cache):
    """Every --kernel-version's kernel, before any boot: an unknown version
    is refused (exit 2) before minutes go into another kernel's run.  A
    kernel that cannot be had (exit 3) is replaced by --kernel-fallback's,
    saying why.  Returns [(asked, Kernel or the LabError met)]."""
    out = []
    for want in cfg.kernel_versions:
        try:
            out.append((want, kernels.fetch_kernel_version(cache, want, msg)))
        except UsageError:
            raise
        except LabError as e:
            fb = cfg.kernel_fallback
            if e.code != E_HOST or not fb or fb == want:
                out.append((want, e))
                continue
            msg(f"warning: kernel {want} cannot be had ({e}); falling back to {fb}")
            if fb in cfg.kernel_versions or any(w == fb for w, _ in out):
                continue
            out.append((fb, kernels.fetch_kernel_version(cache, fb, msg)))
    return out


def tree_kernel(cfg, cache):
    """--kernel-tree: the Debian kernel of the tree's version, with the
    tree's KVM built against its headers and checked; refused (exit 2)
    before the boot when nothing matches."""
    with open(os.path.join(cfg.kernel_tree, "Makefile"), errors="replace") as f:
        version = treebuild.tree_version(f.read())
    if version is None:
        raise UsageError(f"{cfg.kernel_tree}/Makefile has no VERSION/PATCHLEVEL/SUBLEVEL")
    mm, full = version
    track = treebuild.track_for(mm)
    msg(f"kernel tree {cfg.kernel_tree}: {full}; Debian kernel {track}")
    kernel = kernels.fetch_kernel_version(cache, track, msg)
    treebuild.check_match(mm, kernel.version)
    apt = kernels.apt_for(cache, kernels.TRACKS[track][0], msg)
    cfg.modules = treebuild.build(cfg.kernel_tree, cache, kernel, apt, os.cpu_count() or 1,
                                  msg)
    return [(f"tree {full}", kernel)]


def counts_of(run):
    con = run.con or console.Console(len(run.cfg.param_sets))
    return con.sets


def boot_one(cfg, want, kernel, suite=None):
    """One boot; returns (run, code).  kernel: a Kernel, None (the default
    or --kernel) or the LabError that kept it from being fetched."""
    run = Run(cfg, want, suite)
    try:
        if isinstance(kernel, LabError):
            run.accepted = True
            raise kernel
        run.kernel = kernel
        code = run_lab(run)
    except LabError as e:
        msg(f"error: {e}")
        code = e.code
        if code == E_USAGE:
            run.accepted = False
    finally:
        run.cleanup()
    return run, code


def read_total(path):
    """The counts an earlier run left in a --total-file, or None."""
    try:
        with open(path) as f:
            text = f.read().strip()
    except FileNotFoundError:
        return None
    except OSError as e:
        msg(f"warning: cannot read {path} ({e}); earlier runs not counted")
        return None
    m = console.CLOSING.match(text)
    if not m:
        msg(f"warning: {path} holds no 'N passed, N failed, N skipped'; earlier runs "
            "not counted")
        return None
    return tuple(int(x) for x in m.groups())


def write_total(path, c):
    try:
        with open(path + ".new", "w") as f:
            f.write(results.count_text(c) + "\n")
        os.replace(path + ".new", path)
    except OSError as e:
        msg(f"warning: cannot write {path}: {e}")


def closing(runs, total_file=None):
    """The closing lines: per kind of run (with --self-check) and, with more
    than one kernel, per kernel; the last line is always the total, with
    --total-file that of the earlier runs in it too."""
    accepted = [(label, r) for label, r in runs if r.accepted]
    if not accepted:
        return
    several = len(accepted) > 1
    cpu = accepted[0][1].cfg.cpu
    tag = "" if cpu.name == "intel" else f"{cpu.name}: "
    totals = []
    for label, run in accepted:
        sets, cfg = counts_of(run), run.cfg
        prefix = tag + (f"kernel {label}: " if several else "")
        for line in results.kind_lines(sets, cfg.kinds, len(cfg.param_sets) * cfg.repeat,
                                       prefix):
            emit(line)
        c = results.counts(sets, cfg.nruns)
        if several:
            emit(f"vmtest: {prefix}{results.count_text(c)}")
        totals.append(c)
    total = results.add_counts(totals)
    if total_file:
        earlier = read_total(total_file)
        if earlier is not None:
            emit(f"vmtest: {tag}this run: {results.count_text(total)}")
            emit(f"vmtest: earlier runs ({total_file}): {results.count_text(earlier)}")
            total = results.add_counts([total, earlier])
        write_total(total_file, total)
    emit(f"vmtest: {results.count_text(total)}")


def main(argv):
    bisect = cli.wants_bisect(argv)
    install_signal_handlers()
    runs, codes = [], []
    cfg, suite_tmp = None, None
    try:
        cfg = cli.vmtest_config(argv)
        if cfg is None:
            sys.stdout.write(cli.VMTEST_USAGE)
            return 0
        cache = os.environ.get("LAB_CACHE", os.path.join(LAB_DIR, "cache"))
        suite, suite_tmp = install_suite(cfg)
        check_run_tests_args(cfg, suite)
        if cfg.kernel_tree:
            choice = tree_kernel(cfg, cache)
        elif cfg.kernel_versions:
            choice = fetch_versions(cfg, cache)
        else:
            choice = [(None, None)]
        for want, kernel in choice:
            if want is not None:
                name = kernel.release if isinstance(kernel, kernels.Kernel) else "not fetched"
                msg(f"==== kernel {want} ({name}) ====")
            run, code = boot_one(cfg, want, kernel, suite)
            label = want if want is not None else "default"
            if run.kver:
                label = f"{label} ({run.kver.split()[0]})" if want else run.kver
            runs.append((label, run))
            codes.append(code)
            if want is not None:
                msg(f"kernel {want}: {run.kver or 'not booted'}: exit {code}")
        code = results.combine_codes(codes)
    except cli.BadOption as e:
        msg(e)
        sys.stderr.write(cli.VMTEST_USAGE)
        return results.bisect_exit(E_USAGE, bisect)
    except UsageError as e:
        msg(f"error: {e}")
        return results.bisect_exit(E_USAGE, bisect)
    except LabError as e:
        msg(f"error: {e}")
        code = e.code
    except Interrupted as e:
        msg("interrupted" if e.code == 130 else "terminated")
        return e.code
    finally:
        if suite_tmp and cfg.keep:
            msg(f"kept {suite_tmp}")
        elif suite_tmp:
            shutil.rmtree(suite_tmp, ignore_errors=True)
    closing(runs, cfg.total_file)
    return results.bisect_exit(code, bisect)
