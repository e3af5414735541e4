# SPDX-License-Identifier: GPL-2.0-only
"""lab/check-lanes: the jobs make check runs, their split over the two lanes
by measured times, the lanes' prefixed streams and heartbeats (real child
processes, no emulator), what a lane is doing from its output, the options."""

import io
import os
import sys
import tempfile
import unittest
from unittest import mock

from helpers import DATA
from nstlab import checklanes, progress
from nstlab.checklanes import Job
from nstlab.errors import LabError

NAMES, VERSIONS = ["6.1", "newest"], ["6.1.192-3", "7.3~rc7-1~exp1"]


def jobs(self_check="amd", cpus=("intel", "amd"), rehearsal=True, args=(), nested=False):
    checks = checklanes.parse_self_check(self_check, NAMES, list(cpus))
    return checklanes.make_jobs(NAMES, VERSIONS, list(cpus), checks, "/s", list(args),
                                rehearsal, nested)


def names(lane):
    return [j.name for j in lane]


class Jobs(unittest.TestCase):
    def test_make_check(self):
        """Each kernel x CPU has its normal run; AMD self-checks in the same
        boot; every Intel run in Bochs 3.0; the stand-in rehearsal."""
        js = jobs()
        self.assertEqual(names(js), [
            "intel 6.1.192-3 (normal)", "intel 7.3~rc7-1~exp1 (normal)",
            "amd 6.1.192-3 (normal and self-check)",
            "amd 7.3~rc7-1~exp1 (normal and self-check)",
            "bisect rehearsal (stand-in KVM, lab/bisect-rehearsal --history standin)"])
        intel, amd, reh = js[0], js[2], js[4]
        self.assertEqual(intel.argv[1:], ["--kernel-version", "6.1.192-3", "--suite", "/s",
                                          "--timeout", "2400"])
        self.assertEqual(amd.argv[1:], ["--cpu", "amd", "--kernel-version", "6.1.192-3",
                                        "--suite", "/s", "--self-check"])
        self.assertEqual([j.needs_bochs for j in js], [True, True, False, False, True])
        self.assertEqual([j.counts for j in js], [True] * 4 + [False])
        self.assertEqual(reh.argv[1:], ["--history", "standin"])

    def test_intel_self_check_is_a_job_of_its_own(self):
        js = jobs("intel:6.1 amd", rehearsal=False)
        self.assertEqual(names(js)[:3], ["intel 6.1.192-3 (normal)",
                                         "intel 6.1.192-3 (self-check run)",
                                         "intel 7.3~rc7-1~exp1 (normal)"])
        self.assertEqual(js[1].argv[-3:], ["3000", "--run-args", "--self-check"])
        self.assertEqual(js[1].estimate, 330)

    def test_vmtest_args_go_last(self):
        js = jobs("", args=["-t", "vmx_smoke_test"], rehearsal=False)
        for j in js:
            self.assertEqual(j.argv[-2:], ["-t", "vmx_smoke_test"])
        self.assertEqual(names(js)[2], "amd 6.1.192-3 (normal)")

    def test_no_bochs_with_nested_kvm_or_debians_bochs(self):
        for kw in ({"nested": True}, {"args": ["--emulator", "bochs"]},
                   {"args": ["--emulator=qemu"]}):
            self.assertFalse(any(j.needs_bochs for j in jobs(**kw)), kw)
        self.assertTrue(jobs(args=["--emulator", "bochs-3.0"], nested=True)[0].needs_bochs)
        self.assertEqual(checklanes.emulator_arg(["--", "--emulator", "bochs"]), "auto")

    def test_one_cpu(self):
        self.assertEqual({j.cpu for j in jobs(cpus=["amd"], rehearsal=False)}, {"amd"})

    def test_self_check_words(self):
        self.assertEqual(checklanes.parse_self_check("intel:6.1 amd", NAMES, ["intel", "amd"]),
                         {("intel", "6.1"), ("amd", "6.1"), ("amd", "newest")})
        self.assertEqual(checklanes.parse_self_check("intel", NAMES, ["amd"]), set())
        for bad in ("arm", "intel:6.12"):
            with self.assertRaises(LabError):
                checklanes.parse_self_check(bad, NAMES, ["intel", "amd"])


def job(name, estimate, bochs=True):
    return Job("intel", "normal", name, [name], needs_bochs=bochs, estimate=estimate)


class Split(unittest.TestCase):
    def test_lane_end_waits_for_bochs(self):
        self.assertEqual(checklanes.lane_end([job("a", 100, False), job("b", 50)], 400), 450)
        self.assertEqual(checklanes.lane_end([job("a", 500, False), job("b", 50)], 400), 550)
        self.assertEqual(checklanes.lane_end([], 400), 0)

    def test_order_in_a_lane(self):
        lane = [job("short", 10), job("amd", 5, False), job("long", 30)]
        self.assertEqual([j.kernel for j in checklanes.lane_order(lane)],
                         ["amd", "long", "short"])

    def test_both_end_together(self):
        p = checklanes.plan([job("a", 300), job("b", 250), job("c", 200), job("d", 150)])
        self.assertEqual(p.ends, [450, 450])
        self.assertEqual([sorted(j.kernel for j in lane) for lane in p.lanes],
                         [["a", "d"], ["b", "c"]])

    def test_make_check_fresh(self):
        """A fresh machine: the AMD runs while Bochs 3.0 builds, each lane
        one Intel run after it."""
        p = checklanes.plan(jobs(), 2, checklanes.BOCHS_BUILD)
        amd = [lane for lane in p.lanes if lane[0].cpu == "amd"]
        self.assertEqual(len(amd), 1)
        self.assertEqual(sum(j.cpu == "intel" for lane in p.lanes for j in lane), 2)
        self.assertEqual(sorted(p.ends), [500, 525])
        self.assertLessEqual(max(p.ends), 15 * 60 - 80)

    def test_make_check_warm(self):
        p = checklanes.plan(jobs(), 2, 0)
        self.assertEqual(sorted(p.ends), [345, 380])

    def test_with_the_intel_self_check(self):
        """make check's default, with the Intel self-check run after the build:
        the lanes still end within 15 minutes, less the host-only checks."""
        p = checklanes.plan(jobs("intel:6.1 amd"), 2, checklanes.BOCHS_BUILD)
        self.assertLessEqual(max(p.ends), 15 * 60 - 80)
        self.assertEqual(sum(j.kind == "self-check run" for lane in p.lanes for j in lane), 1)

    def test_plan_lines(self):
        p = checklanes.plan([job("a", 300, False), job("b", 125)], 2, 0)
        self.assertEqual(p.lines(), ["lane 1: intel a (normal) ~5 min 00 s; ends at ~5 min 00 s",
                                     "lane 2: intel b (normal) ~2 min 05 s; ends at ~2 min 05 s"])
        self.assertEqual(checklanes.plan([], 2).lines()[1], "lane 2: nothing; ends at ~0 s")


class Status(unittest.TestCase):
    def test_where_from_a_console(self):
        s = checklanes.Status()
        self.assertEqual(s.where(), "booting")
        with open(os.path.join(DATA, "console-normal.log")) as f:
            lines = f.read().splitlines()
        for line in lines[:lines.index("    ok 3 unhandled_ud") + 2]:
            s.feed(line)
        self.assertEqual(s.where(), 'set "ept=1", normal run, test guest_smoke_test, scenario '
                         "unhandled_pf (an unhandled #PF is reported with error code and CR2)")
        s.feed('LAB: set 2 params "ept=0" selfcheck 1 begin')
        self.assertEqual(s.where(), 'set "ept=0", self-check run')

    def test_heartbeat_line(self):
        self.assertEqual(
            checklanes.heartbeat("intel 6.1.192-3 (normal)", 250, 300,
                                 'set "ept=0", normal run', 170),
            'still running intel 6.1.192-3 (normal): 4 min 10 s, about 50 s left; '
            'set "ept=0", normal run; the lane ends in about 2 min 50 s')
        self.assertEqual(checklanes.heartbeat("make install", 21, None),
                         "still running make install: 21 s")


class Streams(unittest.TestCase):
    """stream() with real children: each line prefixed at once, a heartbeat
    after a silence, the exit status."""

    def run_child(self, code, **kw):
        out = io.StringIO()
        o = progress.Output(out)
        rc = checklanes.stream(o, checklanes.Children(), "[lane2] ",
                               [sys.executable, "-c", code], "a job", **kw)
        return rc, out.getvalue().splitlines()

    def test_prefixed(self):
        rc, lines = self.run_child("import sys; print('one'); print('two', file=sys.stderr); "
                                   "sys.exit(3)")
        self.assertEqual(rc, 3)
        self.assertEqual(sorted(lines), ["[lane2] one", "[lane2] two"])

    def test_heartbeat_after_silence(self):
        with mock.patch.object(progress, "HEARTBEAT", 0.4):
            rc, lines = self.run_child("import time; print('LAB: init'); time.sleep(1.5)",
                                       expected=60, status=checklanes.Status(),
                                       lane_left=lambda e: 100)
        self.assertEqual(rc, 0)
        # A slow start may bring a heartbeat before the child's first line.
        self.assertIn("[lane2] LAB: init", lines)
        beats = [l for l in lines if l != "[lane2] LAB: init"]
        self.assertGreaterEqual(len(beats), 1)
        for beat in beats:
            self.assertTrue(beat.startswith("[lane2] still running a job: "), beat)
        self.assertIn("; the lane ends in about 1 min 40 s", beats[-1])
        self.assertIn("; booting;", beats[-1])


class Lanes(unittest.TestCase):
    """run_lane() with real children in place of vmtest: the job lines, the
    wait for the Bochs build, a build that failed."""

    def lane(self, built, delay=0.2):
        import threading
        out = io.StringIO()
        jobs_ = [Job("amd", "normal", "k1", [sys.executable, "-c", "print('amd ran')"]),
                 Job("intel", "normal", "k1", [sys.executable, "-c", "print('intel ran')"],
                     needs_bochs=True)]
        with tempfile.TemporaryDirectory() as d:
            lane = checklanes.Lane(1, jobs_, os.path.join(d, "t.1"))
            bochs = threading.Event()
            bochs.ok = built

            def build():
                import time
                time.sleep(delay)
                bochs.set()

            threading.Thread(target=build).start()
            # The children take no --total-file.
            with mock.patch.object(checklanes, "stream",
                                   lambda o, c, prefix, argv, *a, **kw:
                                   real_stream(o, c, prefix, argv[:3], *a, **kw)):
                checklanes.run_lane(progress.Output(out), checklanes.Children(), lane, bochs)
        return lane, out.getvalue().splitlines()

    def test_waits_for_bochs(self):
        lane, lines = self.lane(True)
        self.assertEqual([o.code for o in lane.outcomes], [0, 0])
        self.assertTrue(lines[0].startswith("[lane1] ==== amd k1 (normal): job 1 of 2, "
                                            "~1 min 00 s; then ~3 min 10 s more"), lines[0])
        self.assertIn("[lane1] amd ran", lines)
        self.assertIn("[lane1] waiting for the Bochs 3.0 build ([bochs] lines)", lines)
        self.assertLess(lines.index("[lane1] waiting for the Bochs 3.0 build ([bochs] lines)"),
                        lines.index("[lane1] intel ran"))
        self.assertTrue(lines[-1].startswith("[lane1] ==== intel k1 (normal): exit 0, took "))

    def test_no_bochs(self):
        lane, lines = self.lane(False)
        self.assertEqual([o.code for o in lane.outcomes], [0, 3])
        self.assertIn("[lane1] not run: intel k1 (normal): Bochs 3.0 was not built", lines)
        self.assertNotIn("[lane1] intel ran", lines)


real_stream = checklanes.stream


class Options(unittest.TestCase):
    def test_parse(self):
        opts, total, names_, cpus, rest = checklanes.parse_args(
            ["--pinned", "--self-check", "amd", "--rehearsal", "/o/t", "6.1 newest", "intel amd",
             "-t", "x"])
        self.assertEqual((opts, total, names_, cpus, rest),
                         ({"pinned": True, "self_check": "amd", "rehearsal": True}, "/o/t",
                          NAMES, ["intel", "amd"], ["-t", "x"]))

    def test_refused(self):
        for argv in (["/o/t", "6.1"], ["--frob", "/o/t", "6.1", "intel"],
                     ["/o/t", "", "intel"], ["/o/t", "6.1", "arm"]):
            with self.assertRaises(LabError, msg=argv):
                checklanes.parse_args(argv)

    def test_totals(self):
        with tempfile.TemporaryDirectory() as d:
            paths = [os.path.join(d, n) for n in ("t.1", "t.2", "t.3")]
            for path, text in zip(paths, ("3 passed, 1 failed, 2 skipped\n",
                                          "10 passed, 0 failed, 5 skipped\n")):
                with open(path, "w") as f:
                    f.write(text)
            self.assertEqual(checklanes.add_totals(paths), "13 passed, 1 failed, 7 skipped")

    def test_host_packages(self):
        from nstlab import deps
        e = checklanes.host_entries("bochs-3.0", True, False)
        self.assertTrue(set(deps.BOCHS_BUILD + deps.QEMU + deps.COMMON) <= set(e))
        e = checklanes.host_entries("bochs-3.0", False, True)
        self.assertNotIn(deps.QEMU[0], e)
        self.assertNotIn(deps.BOCHS_BUILD[0], e)
        self.assertIn(deps.BOCHS_MEDIA[0], e)


if __name__ == "__main__":
    unittest.main()
