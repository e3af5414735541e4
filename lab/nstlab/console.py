# SPDX-License-Identifier: GPL-2.0-only
"""The guest's serial console, as the host reads it.

The guest (lab/init.sh) reports with "LAB: " marker lines, alone on their
line; their grammar is in lab/README.md.  The host timestamps each line when
it arrives (wall time: the guest clock is not wall time under Bochs) and
follows the guest through its phases.  Besides the markers it watches for the
bootloader's banner (a second one means the machine reset), run_tests.sh's
closing line, and guest-kernel crashes, which stop the machine within seconds
rather than at the overall timeout: a crashed kernel rarely powers off.

Nothing here reads files or runs processes: Console is fed lines and times,
so recorded console streams can be replayed in unit tests.
"""

import re
from dataclasses import dataclass, field

# A crash report's first line (after an optional printk time): what the kernel
# prints for a BUG_ON, an oops, a panic, a GP fault, or a task that died with
# preemption disabled (a lock held, as after a BUG in a locked section).  Test
# output is indented, so it cannot match.
TIME = r"(?:\[\s*\d+\.\d+\]\s)?"
CRASH = re.compile(TIME + r"(?:BUG:|kernel BUG at|Oops:|Kernel panic|general protection fault"
                   r"|.*\bexited with preempt_count)")
# Counted and mentioned only.
WARNING = re.compile(TIME + r"(?:WARNING:|BUG:|Oops:|general protection)")
CLOSING = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped$")
SET_MARKER = re.compile(r'^set (\d+) params "[^"]*" ?(.*)$')
# A run of run_tests.sh: "run R" normally, "selfcheck R" with --self-check.
RUN_BEGIN = re.compile(r"^(run|selfcheck) \d+ begin$")
RUN_EXIT = re.compile(r"^(run|selfcheck) \d+ exit=(\d+)$")

# Seconds to let the rest of a crash report reach the console before the
# emulator is stopped.
CRASH_GRACE = 3
# A machine that does not stop after poweroff -f has lost nothing worth
# waiting for.
POWEROFF_GRACE = 60
# Console lines kept before a crash's first line in the excerpt.
EXCERPT_BEFORE = 10
EXCERPT_MAX = 80


@dataclass
class SetRecord:
    """What the console showed of one parameter set of the vendor module."""
    t: dict = field(default_factory=dict)  # begin, loaded, exit, end -> time
    info: str = ""      # the parameters read back from sysfs
    rc: int = None      # first failed run's status, else 0, else 125
    state: str = None   # modfail, rmmodfail or died
    begun: int = 0
    runs: int = 0       # runs finished
    fails: int = 0      # runs that failed
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    # kind ("run", "selfcheck") -> [runs finished, passed, failed, skipped]
    kinds: dict = field(default_factory=dict)
    # kind -> wall seconds its runs took (begin to exit markers)
    kind_secs: dict = field(default_factory=dict)


class Ktap:
    """Which test and scenario run_tests.sh is in, from its KTAP: each test's
    KTAP is indented, begins with "# TEST", announces a scenario with
    "# NAME: purpose" and ends it with "ok N NAME" or "not ok N NAME"."""

    NESTED_NAME = re.compile(r"^    # (\S+)$")
    NESTED_SCENARIO = re.compile(r"^    # (\S+): (.*)$")
    NESTED_RESULT = re.compile(r"^    (?:not )?ok \d+ (\S+)")
    TOP_RESULT = re.compile(r"^(?:not )?ok \d+ (\S+)")
    DURATION = re.compile(r"^\d+(\.\d+)? s$")

    def __init__(self):
        self.reset()

    def reset(self):
        self.test = None
        self.scenario = None
        self.purpose = None
        self.last_done = None

    def feed(self, line):
        m = self.NESTED_NAME.match(line)
        if m:
            self.test, self.scenario, self.last_done = m.group(1), None, None
            return
        m = self.NESTED_SCENARIO.match(line)
        if m and not self.DURATION.match(m.group(2)):
            self.scenario, self.purpose = m.group(1), m.group(2)
            return
        m = self.NESTED_RESULT.match(line)
        if m:
            self.last_done, self.scenario = m.group(1), None
            return
        if self.TOP_RESULT.match(line):
            self.test = self.scenario = self.last_done = None

    def where(self):
        """The test and scenario running, in words."""
        if not self.test:
            return "no test was running"
        if self.scenario:
            return f"test {self.test}, scenario {self.scenario} ({self.purpose})"
        if self.last_done:
            return f"test {self.test}, after scenario {self.last_done}"
        return f"test {self.test}, before its first scenario"


class Console:
    """The state of the guest as its console tells it.  feed() each line with
    its arrival time and tick() regularly; stop_at says when the emulator
    should be stopped, stop_why why."""

    def __init__(self, nsets, deadline=None):
        self.sets = {i: SetRecord() for i in range(1, nsets + 1)}
        self.state = "boot"  # boot, modload, insmod, tests, rmmod, done, poweroff
        self.cur = 0
        self.t = {}          # boot, init, modload, done, poweroff -> time
        self.modload_fail = None
        self.load_report = ""
        self.load_report_done = False
        self.report = []     # insmod, rmmod and dmesg lines of the guest
        self.run_counts = None
        self.boots = 0
        self.reboot = False
        self.crash = None    # the first crash line
        self.crash_state = None
        self.crash_where = None
        self.crash_set = 0
        self.warnings = 0
        self.timed_out = False
        self.deadline = deadline
        self.stop_at = None
        self.stop_why = None
        self.lines = []
        self.crash_index = None
        self.ktap = Ktap()

    # --- the markers ---------------------------------------------------------------

    def _run_ended(self, n, rc, kind="run"):
        """A run of run_tests.sh (of kind "run" or "selfcheck") in set n
        exited with rc.  The set's status is
        that of its first failed run, else 0 if a run passed, else 125."""
        s = self.sets.setdefault(n, SetRecord())
        s.runs += 1
        if rc == 0:
            if s.rc in (None, 125):
                s.rc = 0
        elif rc == 125:
            if s.rc is None:
                s.rc = 125
        else:
            s.fails += 1
            if s.rc in (None, 0, 125):
                s.rc = rc
        if self.run_counts:
            p, f, sk = self.run_counts
        else:
            # No closing line (run_tests.sh refused its arguments, or died):
            # a failed run still counts as one failed scenario.
            p, f, sk = 0, (0 if rc in (0, 125) else 1), 0
        s.passed += p
        s.failed += f
        s.skipped += sk
        k = s.kinds.setdefault(kind, [0, 0, 0, 0])
        for i, x in enumerate((1, p, f, sk)):
            k[i] += x
        self.run_counts = None
        self.state = "rmmod"

    def _set_marker(self, n, rest, t):
        s = self.sets.setdefault(n, SetRecord())
        self.cur = n
        if rest == "begin":
            s.t["begin"] = t
            self.state = "insmod"
            if not self.load_report_done:
                self.load_report = ""
        elif rest.startswith("loaded"):
            s.t["loaded"] = t
            s.info = rest[len("loaded"):].strip()
            self.state = "tests"
        elif rest == "modfail":
            s.t["loaded"] = t
            s.state = "modfail"
            self.state = "insmod"
            self.load_report_done = True
        elif RUN_BEGIN.match(rest):
            s.t["run_begin"] = t
            s.begun += 1
            self.run_counts = None
            self.state = "tests"
            self.ktap.reset()
        elif RUN_EXIT.match(rest):
            s.t["exit"] = t
            m = RUN_EXIT.match(rest)
            kind = m.group(1)
            s.kind_secs[kind] = s.kind_secs.get(kind, 0.0) + t - s.t.get("run_begin", t)
            self._run_ended(n, int(m.group(2)), kind)
        elif rest == "rmmodfail":
            s.t["end"] = t
            s.state = "rmmodfail"
        elif rest == "end":
            s.t["end"] = t

    def _marker(self, m, t):
        if m == "init":
            self.t["init"] = t
            self.state = "modload"
        elif m.startswith("modload ok"):
            self.t["modload"] = t
            self.load_report = ""
        elif m.startswith("modload failed "):
            self.t["modload"] = t
            self.modload_fail = m[len("modload failed "):]
            self.load_report_done = True
        elif SET_MARKER.match(m):
            g = SET_MARKER.match(m)
            self._set_marker(int(g.group(1)), g.group(2), t)
        elif m.split(": ", 1)[0] in ("insmod", "rmmod", "dmesg") and ": " in m:
            self.report.append(m)
            if not self.load_report_done and self.state != "tests":
                text = m.split(": ", 1)[1]
                self.load_report += ("\n" if self.load_report else "") + text
        elif m == "done":
            self.t["done"] = t
            self.state = "done"
        elif m == "poweroff":
            self.t["poweroff"] = t
            self.state = "poweroff"
            self._stop(t + POWEROFF_GRACE, "no power off within 60 s")

    # --- everything else -------------------------------------------------------------

    def _stop(self, when, why):
        if self.stop_at is None or when < self.stop_at:
            self.stop_at, self.stop_why = when, why

    def _crashed(self, line, t):
        self.crash = re.sub("^" + TIME, "", line)
        self.crash_state = self.state
        self.crash_set = self.cur
        self.crash_where = self.ktap.where() if self.state == "tests" else None
        self.crash_index = len(self.lines) - 1
        self._stop(t + CRASH_GRACE, "kernel crash")

    def feed(self, line, t):
        line = line.rstrip("\r")
        self.lines.append(line)
        if line.startswith("LAB: "):
            self._marker(line[len("LAB: "):], t)
            return
        if self.state == "tests":
            self.ktap.feed(line)
            m = CLOSING.match(line)
            if m:
                # run_tests.sh's closing line (its tests' output is
                # indented); the last one of a run counts.
                self.run_counts = tuple(int(x) for x in m.groups())
        if CRASH.match(line) and self.crash is None:
            self._crashed(line, t)
        if WARNING.match(line):
            self.warnings += 1
        if line.startswith("ISOLINUX "):
            self._banner(t)

    def _banner(self, t):
        self.t.setdefault("boot", t)
        self.boots += 1
        # A second boot means the machine reset (e.g. a triple fault).
        if self.boots > 1:
            self.reboot = True
            self._stop(t, "the machine reset")

    def machine_reset(self, t):
        """The machine reset and the emulator ended without a bootloader
        banner (QEMU -no-reboot exits instead of booting again)."""
        self.t.setdefault("reset", t)
        self.reboot = True
        if self.stop_why is None:
            self.stop_why = "the machine reset"

    def tick(self, now):
        """The overall watchdog: past the deadline, stop the machine now."""
        if self.deadline is not None and not self.timed_out and now >= self.deadline:
            self.timed_out = True
            self._stop(now, f"timeout after {self.timeout_s}s")

    @property
    def timeout_s(self):
        return getattr(self, "_timeout_s", "?")

    def set_timeout(self, start, seconds):
        self._timeout_s = seconds
        self.deadline = start + seconds

    def stop_due(self, now):
        """True once, when the emulator should be stopped now."""
        if self.stop_at is not None and now >= self.stop_at:
            self.stop_at = None
            return True
        return False

    def died_during_tests(self):
        return self.state in ("tests", "rmmod")

    def excerpt(self):
        """The console from a little before the crash to its end."""
        if self.crash_index is None:
            return self.lines[-30:]
        start = max(0, self.crash_index - EXCERPT_BEFORE)
        return self.lines[start:start + EXCERPT_MAX]

    def running(self):
        """Where the guest was when it stopped reporting, for messages."""
        if self.state != "tests":
            return None
        return self.ktap.where()
