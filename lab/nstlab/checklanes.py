# SPDX-License-Identifier: GPL-2.0-only
"""lab/check-lanes: the lab part of make check, on two lanes of one emulator
each, so that a 2-core machine runs them side by side.

  1. Prepare once what every run needs: the host packages of every lab (one
     apt-get install), the suite (make install), the kernels (fetched into
     the lab cache beside the packages' install), then the Bochs 3.0 build,
     at nice 10 while the first lane's AMD runs need no Bochs.
  2. Run the jobs, each a vmtest (or the stand-in bisect rehearsal), split
     over the lanes by their measured times (ESTIMATES) so that both lanes
     end close together: plan() tries every split and keeps the one that
     ends first, Intel jobs starting only once Bochs 3.0 is built.
  3. Every line of every child streams at once, prefixed with where it comes
     from ("[lane1] ", "[lane2] ", "[bochs] ", ...); a child silent for
     progress.HEARTBEAT seconds gets a line saying what it is doing, for
     how long and what is left.  The last line is the total of both lanes,
     "vmtest: N passed, N failed, N skipped".

Each kernel x vendor has its normal run (where a known bug is XFAIL); the
self-check runs (run_tests.sh --self-check) are those --self-check names.

usage: lab/check-lanes [--pinned] [--self-check "CPU[:KERNEL] ..."] [--rehearsal]
                       TOTAL_FILE "KERNELS" "CPUS" [VMTEST-ARGS...]
"""

import itertools
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from . import bochsbuild, cpus, deps, kernels, machines, progress, vmtest
from .errors import LabError, Interrupted, E_USAGE, E_HOST, install_signal_handlers

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(LAB_DIR)
VMTEST = os.path.join(LAB_DIR, "vmtest")
REHEARSAL = os.path.join(LAB_DIR, "bisect-rehearsal")
ME = os.path.join(LAB_DIR, "check-lanes")
LANES = 2

# Wall seconds of each kind of job on CI's 2-core machine with the other
# lane busy: what plan() balances and the progress lines count down.
# Measured 2026-12-08 in bash .ci/run from a fresh clone (cold lab cache,
# nothing else on the machine), the "took" lines: Intel normal runs 3 min 00
# s and 3 min 08 s, the Intel self-check run of 6.1 5 min 29 s, the AMD runs
# with --self-check 2 min 32 s and 2 min 38 s, the stand-in rehearsal 30 s,
# the Bochs 3.0 build 280 s beside them; the AMD lab without --self-check
# from lab/README.md (51-60 s).  Update them from the "took" lines at the
# end of make check (also in CHECK_TOTAL.times).
ESTIMATES = {
    ("intel", "normal"): 190,
    ("intel", "self-check run"): 330,
    ("amd", "normal"): 60,
    ("amd", "normal and self-check"): 155,
    ("rehearsal", "stand-in"): 35,
}
# The Bochs 3.0 build beside the AMD runs, until the first Intel job can start.
BOCHS_BUILD = 300
TIMEOUTS = {"normal": 2400, "self-check run": 3000}


@dataclass
class Job:
    cpu: str            # intel, amd, or rehearsal
    kind: str           # a key of ESTIMATES with cpu
    kernel: str         # a Debian version, or "" (the rehearsal)
    argv: list
    needs_bochs: bool = False
    counts: bool = True     # its closing line goes into the lane's total
    estimate: int = 0

    def __post_init__(self):
        if not self.estimate:
            self.estimate = ESTIMATES[(self.cpu, self.kind)]

    @property
    def name(self):
        if self.cpu == "rehearsal":
            return "bisect rehearsal (stand-in KVM, lab/bisect-rehearsal --history standin)"
        return f"{self.cpu} {self.kernel} ({self.kind})"


@dataclass
class Plan:
    lanes: list                 # [[Job, ...], ...]
    ends: list                  # the estimated end of each lane, in seconds
    bochs_ready: int

    def lines(self):
        out = []
        for i, (lane, end) in enumerate(zip(self.lanes, self.ends), 1):
            jobs = ", ".join(f"{j.name} ~{progress.duration(j.estimate)}" for j in lane)
            out.append(f"lane {i}: {jobs or 'nothing'}; ends at ~{progress.duration(end)}")
        return out


def lane_order(jobs):
    """The order a lane runs its jobs in: those without Bochs first (they
    run while it builds), then the longest first."""
    return sorted(jobs, key=lambda j: (j.needs_bochs, -j.estimate))


def lane_end(jobs, bochs_ready):
    """When a lane that runs jobs (in lane_order) would end."""
    t = 0
    for j in lane_order(jobs):
        if j.needs_bochs:
            t = max(t, bochs_ready)
        t += j.estimate
    return t


def plan(jobs, lanes=LANES, bochs_ready=0):
    """The split of jobs over lanes that ends first (then: whose lanes end
    closest together, then the first such split in order), each lane in
    lane_order.  Every split is tried: make check has a handful of jobs."""
    best = None
    for assign in itertools.product(range(lanes), repeat=len(jobs)):
        split = [[j for j, a in zip(jobs, assign) if a == n] for n in range(lanes)]
        ends = [lane_end(s, bochs_ready) for s in split]
        key = (max(ends), max(ends) - min(ends))
        if best is None or key < best[0]:
            best = (key, split, ends)
    if best is None:
        return Plan([[] for _ in range(lanes)], [0] * lanes, bochs_ready)
    _, split, ends = best
    return Plan([lane_order(s) for s in split], ends, bochs_ready)


def parse_self_check(text, names, cpu_list):
    """--self-check's words: CPU (every kernel) or CPU:NAME (the kernel
    CHECK_KERNELS calls NAME) -> {(cpu, name)}."""
    out = set()
    for word in text.split():
        cpu, _, name = word.partition(":")
        if cpu not in cpus.CPUS:
            raise LabError(E_USAGE, f"--self-check: unknown CPU '{cpu}' (intel or amd)")
        if name and name not in names:
            raise LabError(E_USAGE, f"--self-check: '{name}' is not one of the kernels "
                           f"({' '.join(names)})")
        out |= {(cpu, n) for n in ([name] if name else names) if cpu in cpu_list}
    return out


def emulator_arg(args):
    """The --emulator VMTEST-ARGS give, or auto."""
    for i, a in enumerate(args):
        if a == "--":
            break
        if a == "--emulator" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--emulator="):
            return a.partition("=")[2]
    return "auto"


def intel_emulator(args, host_nested):
    e = emulator_arg(args)
    return vmtest.auto_emulator(cpus.INTEL, host_nested) if e == "auto" else e


def make_jobs(names, versions, cpu_list, self_checks, suite, args, rehearsal=False,
              host_nested=False):
    """The jobs of make check: per CPU and kernel a normal run (the AMD one
    with its self-check run in the same boot when asked), per Intel kernel
    asked a self-check run of its own, and the stand-in rehearsal."""
    jobs = []
    bochs = intel_emulator(args, host_nested) == bochsbuild.NAME
    for cpu in cpu_list:
        for name, version in zip(names, versions):
            base = [VMTEST] + (["--cpu", "amd"] if cpu == "amd" else []) + \
                ["--kernel-version", version, "--suite", suite]
            if cpu == "amd":
                both = (cpu, name) in self_checks
                jobs.append(Job(cpu, "normal and self-check" if both else "normal", version,
                                base + (["--self-check"] if both else []) + args))
                continue
            jobs.append(Job(cpu, "normal", version,
                            base + ["--timeout", str(TIMEOUTS["normal"])] + args,
                            needs_bochs=bochs))
            if (cpu, name) in self_checks:
                # run_tests.sh --self-check: each scenario normally, then
                # inverted; known failures skip there, hence the normal job.
                jobs.append(Job(cpu, "self-check run", version,
                                base + ["--timeout", str(TIMEOUTS["self-check run"]),
                                        "--run-args", "--self-check"] + args,
                                needs_bochs=bochs))
    if rehearsal:
        jobs.append(Job("rehearsal", "stand-in", "", [REHEARSAL, "--history", "standin"],
                        needs_bochs=bochs, counts=False))
    return jobs


# --- what a lane is doing, from its output ----------------------------------------

SET_BEGIN = re.compile(r'^LAB: set (\d+) params "([^"]*)" (run|selfcheck) (\d+) begin$')


class Status:
    """What a running job is at, from the lines it printed: the set and
    kind of run (the lab's markers) and the test and scenario (its KTAP)."""

    def __init__(self):
        from .console import Ktap
        self.ktap = Ktap()
        self.set = None

    def feed(self, line):
        m = SET_BEGIN.match(line)
        if m:
            kind = "normal run" if m.group(3) == "run" else "self-check run"
            self.set = f'set "{m.group(2)}", {kind}'
            self.ktap.reset()
            return
        if line.startswith("LAB: done"):
            self.set = "after the last set"
        self.ktap.feed(line)

    def where(self):
        parts = [p for p in (self.set, self.ktap.where() if self.ktap.test else None) if p]
        return ", ".join(parts) or "booting"


def heartbeat(what, elapsed, expected, where=None, lane_left=None):
    """A silent job's line: 'still running intel 6.1.192-3 (normal): 4 min
    10 s, about 50 s left; set "ept=0", normal run, test ...; the lane ends
    in about 3 min'."""
    text = f"still running {what}: {progress.duration(elapsed)}"
    text += f", {progress.left(elapsed, expected)}" if expected else ""
    if where:
        text += f"; {where}"
    if lane_left is not None:
        text += f"; the lane ends in about {progress.duration(lane_left)}"
    return text


# --- running ----------------------------------------------------------------------

class Children:
    """The running children, so that INT/TERM ends them all."""

    def __init__(self):
        self.procs = set()
        self.lock = threading.Lock()
        self.stopping = False

    def add(self, p):
        with self.lock:
            self.procs.add(p)

    def remove(self, p):
        with self.lock:
            self.procs.discard(p)

    def stop(self):
        with self.lock:
            self.stopping = True
            procs = list(self.procs)
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def stream(out, children, prefix, argv, what, expected=None, status=None, lane_left=None,
           cwd=None):
    """Run argv with its output (stdout and stderr) on out, each line with
    prefix; when it prints nothing for progress.HEARTBEAT seconds, a
    heartbeat line.  Returns its exit status."""
    t0 = time.time()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, env=env)
    children.add(p)

    def beat():
        if out.silent_for(prefix, t0) >= progress.HEARTBEAT - 1:
            rest = lane_left(time.time() - t0) if lane_left else None
            out.line(prefix, heartbeat(what, time.time() - t0, expected,
                                       status.where() if status else None, rest))

    try:
        with progress.Ticker(beat, 1 + progress.HEARTBEAT / 4):
            for raw in iter(p.stdout.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if status:
                    status.feed(line)
                out.line(prefix, line)
            return p.wait()
    finally:
        p.stdout.close()
        children.remove(p)


@dataclass
class Outcome:
    job: Job
    code: int
    seconds: float


@dataclass
class Lane:
    number: int
    jobs: list
    total: str
    outcomes: list = field(default_factory=list)


def run_lane(out, children, lane, bochs):
    """The lane's jobs one after the other; Intel jobs wait for bochs
    (a threading.Event set when the build ended; bochs.ok says how)."""
    prefix = f"[lane{lane.number}] "
    t_lane = time.time()
    for i, job in enumerate(lane.jobs):
        if children.stopping:
            return
        if job.needs_bochs and not bochs.is_set():
            out.line(prefix, "waiting for the Bochs 3.0 build ([bochs] lines)")
            while not bochs.wait(progress.HEARTBEAT):
                out.line(prefix, "still waiting for the Bochs 3.0 build: "
                         f"{progress.duration(time.time() - t_lane)}")
        if job.needs_bochs and not bochs.ok:
            out.line(prefix, f"not run: {job.name}: Bochs 3.0 was not built")
            lane.outcomes.append(Outcome(job, E_HOST, 0))
            continue
        later = sum(j.estimate for j in lane.jobs[i + 1:])
        out.line(prefix, f"==== {job.name}: job {i + 1} of {len(lane.jobs)}, "
                 f"~{progress.duration(job.estimate)}; then ~{progress.duration(later)} "
                 "more in this lane")
        argv = job.argv + (["--total-file", lane.total] if job.counts else [])
        t0 = time.time()
        code = stream(out, children, prefix, argv, job.name, job.estimate,
                      Status() if job.cpu != "rehearsal" else None,
                      lambda e, j=job, later=later: max(0, j.estimate - e) + later)
        took = time.time() - t0
        lane.outcomes.append(Outcome(job, code, took))
        out.line(prefix, f"==== {job.name}: exit {code}, took {progress.duration(took)} "
                 f"(estimated {progress.duration(job.estimate)})")


def host_entries(intel_emu, amd, bochs_built):
    """The host packages of every lab make check runs, for one apt-get."""
    entries = list(deps.COMMON) + [deps.MAKE, deps.DPKG]
    if intel_emu == bochsbuild.NAME:
        entries += deps.BOCHS_MEDIA if bochs_built else deps.BOCHS_BUILD
    elif intel_emu == "bochs":
        entries += deps.BOCHS
    if amd:
        entries += deps.QEMU
    return entries


def step(argv):
    """The preparation steps, run as children of check-lanes (so that their
    output streams with a prefix): packages, kernels, bochs."""
    cache = os.environ.get("LAB_CACHE", os.path.join(LAB_DIR, "cache"))

    def log(text):
        for line in str(text).splitlines() or [""]:
            print(line, flush=True)

    try:
        what, rest = argv[0], argv[1:]
        if what == "packages":
            intel_emu, amd = rest[0], rest[1] == "1"
            entries = host_entries(intel_emu, amd, bochsbuild.is_built(cache))
            missing = [e for e in entries if not deps._ok(e[0])]
            if missing:
                log(f"missing: {' '.join(sorted({e[1] for e in missing}))}")
            deps.check(entries, log)
            log("host packages: all there")
        elif what == "kernels":
            for v in rest:
                kernels.fetch_kernel_version(cache, v, log)
        elif what == "bochs":
            b = bochsbuild.ensure(cache, log)
            log(f"ready: {b.version}")
        else:
            log(f"unknown step {what}")
            return E_USAGE
    except LabError as e:
        log(f"error: {e}")
        return e.code
    return 0


def add_totals(paths):
    p = f = s = 0
    for path in paths:
        c = vmtest.read_total(path) if os.path.exists(path) else None
        if c:
            p, f, s = p + c[0], f + c[1], s + c[2]
    return f"{p} passed, {f} failed, {s} skipped"


USAGE = ("usage: lab/check-lanes [--pinned] [--self-check \"CPU[:KERNEL] ...\"] "
         "[--rehearsal] TOTAL_FILE \"KERNELS\" \"CPUS\" [VMTEST-ARGS...]\n")


def parse_args(argv):
    opts = {"pinned": False, "self_check": "", "rehearsal": False}
    while argv and argv[0].startswith("--") and argv[0] != "--":
        a = argv.pop(0)
        if a == "--pinned":
            opts["pinned"] = True
        elif a == "--rehearsal":
            opts["rehearsal"] = True
        elif a == "--self-check" and argv:
            opts["self_check"] = argv.pop(0)
        else:
            raise LabError(E_USAGE, f"unknown option {a}\n{USAGE}")
    if len(argv) < 3:
        raise LabError(E_USAGE, USAGE)
    total, names, cpu_list = argv[0], argv[1].split(), argv[2].split()
    if not names:
        raise LabError(E_USAGE, "no kernel")
    for c in cpu_list:
        if c not in cpus.CPUS:
            raise LabError(E_USAGE, f"unknown CPU '{c}' (intel or amd)")
    return opts, total, names, cpu_list, argv[3:]


def main(argv):
    if argv[:1] == ["--step"]:
        return step(argv[1:])
    install_signal_handlers()
    out = progress.Output(sys.stdout)
    children = Children()
    t_start = time.time()

    def say(text):
        out.line("check-lanes: ", text)

    try:
        opts, total, names, cpu_list, args = parse_args(list(argv))
        self_checks = parse_self_check(opts["self_check"], names, cpu_list)
        versions = names
        if opts["pinned"]:
            r = subprocess.run([os.path.join(LAB_DIR, "kernel-pins"), *names],
                               stdout=subprocess.PIPE, text=True)
            if r.returncode:
                return r.returncode
            versions = r.stdout.split()
            say(f"kernels (lab/pinned-kernels): {' '.join(versions)}")
        cache = os.environ.get("LAB_CACHE", os.path.join(LAB_DIR, "cache"))
        host_nested = machines.host_has_nested(cpus.INTEL)
        # The rehearsal boots the Intel lab too.
        intel_emu = intel_emulator(args, host_nested) \
            if "intel" in cpu_list or opts["rehearsal"] else None
        out_dir = os.path.dirname(os.path.abspath(total))
        os.makedirs(out_dir, exist_ok=True)
        suite = os.path.join(out_dir, "check-suite")
        lane_totals = [f"{total}.{n}" for n in range(1, LANES + 1)]
        for path in [total, f"{total}.times", *lane_totals]:
            if os.path.exists(path):
                os.unlink(path)
        jobs = make_jobs(names, versions, cpu_list, self_checks, suite, args,
                         opts["rehearsal"], host_nested)
        build = intel_emu == bochsbuild.NAME and not bochsbuild.is_built(cache)
        p = plan(jobs, LANES, BOCHS_BUILD if build else 0)
        say(f"{LANES} lanes, one emulator each; the plan, from the times measured on "
            "CI's 2-core machine" + (f" (Bochs 3.0 to build first: ~"
                                     f"{progress.duration(BOCHS_BUILD)})" if build else "")
            + ":")
        for line in p.lines():
            say("  " + line)
        not_self = [f"{c} {v}" for c in cpu_list for n, v in zip(names, versions)
                    if (c, n) not in self_checks]
        if not_self:
            say(f"self-check runs left out: {', '.join(not_self)} (--self-check, make check's "
                "CHECK_SELF_CHECK)")

        # 1. Host packages (one apt-get) beside the kernels' download; the
        # suite first, so that a build error shows before any download.
        say("preparing: host packages, the suite, the kernels"
            + (", then Bochs 3.0" if build else ""))
        t0 = time.time()
        r = stream(out, children, "[suite] ", ["make", "-s", "-C", REPO_DIR, "install",
                                               f"INSTALL_PATH={suite}"], "make install")
        if r:
            say(f"error: make install of the suite failed (exit {r})")
            return E_HOST
        say(f"suite installed in {suite} ({progress.duration(time.time() - t0)})")
        results = {}

        def prep(name, argv_, what):
            results[name] = stream(out, children, f"[{name}] ", argv_, what)

        threads = [threading.Thread(target=prep, args=(
            "packages", [ME, "--step", "packages", str(intel_emu), str(int("amd" in cpu_list))],
            "checking and installing host packages")),
            threading.Thread(target=prep, args=(
                "kernels", [ME, "--step", "kernels", *versions], "fetching the kernels"))]
        for t in threads:
            t.start()
        wait_threads(threads)
        for name in ("packages", "kernels"):
            if results[name]:
                say(f"error: {name} step failed (exit {results[name]})")
                return results[name]
        say(f"prepared in {progress.duration(time.time() - t0)}")

        # 2. Bochs 3.0 (when an Intel job needs it) beside the lanes.
        bochs = threading.Event()
        bochs.ok = True
        if build and any(j.needs_bochs for j in jobs):
            def build_bochs():
                bochs.ok = stream(out, children, "[bochs] ", [ME, "--step", "bochs"],
                                  "the Bochs 3.0 build") == 0
                bochs.set()
            threading.Thread(target=build_bochs, daemon=True).start()
        else:
            bochs.set()

        lanes = [Lane(n, jobs_, lane_totals[n - 1]) for n, jobs_ in enumerate(p.lanes, 1)]
        threads = [threading.Thread(target=run_lane, args=(out, children, lane, bochs))
                   for lane in lanes]
        for t in threads:
            t.start()
        wait_threads(threads)
    except LabError as e:
        say(f"error: {e}")
        return e.code
    except Interrupted as e:
        say("interrupted: stopping the lanes")
        children.stop()
        return e.code

    # 3. The totals: each lane's, the times, and the sum last.
    code = 0
    with open(f"{total}.times", "w") as f:
        for lane in lanes:
            for o in lane.outcomes:
                say(f"lane {lane.number}: {o.job.name}: exit {o.code}, took "
                    f"{progress.duration(o.seconds)} (estimated "
                    f"{progress.duration(o.job.estimate)})")
                f.write(f"{o.job.cpu}\t{o.job.kind}\t{o.job.kernel}\t{int(o.seconds)}\t"
                        f"{o.code}\n")
                code = code or o.code
            missing = len(lane.jobs) - len(lane.outcomes)
            if missing:
                code = code or 1
                say(f"lane {lane.number}: {missing} job(s) never ran")
    say(f"make check's lab part took {progress.duration(time.time() - t_start)}")
    text = add_totals(lane_totals)
    with open(total, "w") as f:
        f.write(text + "\n")
    for n, path in enumerate(lane_totals, 1):
        lane_text = add_totals([path]) if os.path.exists(path) else "no runs"
        out.line("", f"vmtest: lane {n}: {lane_text}")
    out.line("", f"vmtest: {text}")
    return code


def wait_threads(threads):
    """join() that lets INT/TERM reach the main thread."""
    for t in threads:
        while t.is_alive():
            t.join(0.5)
