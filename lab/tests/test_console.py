# SPDX-License-Identifier: GPL-2.0-only
"""Recorded console streams through the console parser and the verdict."""

import unittest

from helpers import replay
from nstlab import console, results
from nstlab.errors import E_PASS, E_FAIL, E_LAB, E_NOTHING

SETS = ["ept=1", "ept=0"]


def judge(con, sets=SETS, repeat=1, bisect=False):
    return results.verdict(con, sets, repeat, bisect, "bochs", 1)


class NormalRun(unittest.TestCase):
    """Both default sets, the real suite, a clean power-off."""

    def setUp(self):
        self.con, _ = replay("console-normal.log", 2)

    def test_phases(self):
        con = self.con
        self.assertEqual(con.state, "poweroff")
        self.assertIn("done", con.t)
        self.assertEqual(con.boots, 1)
        self.assertIsNone(con.crash)
        self.assertFalse(con.timed_out)

    def test_sets(self):
        s1, s2 = self.con.sets[1], self.con.sets[2]
        self.assertEqual((s1.rc, s1.runs, s1.passed, s1.failed, s1.skipped), (0, 1, 164, 0, 2))
        self.assertEqual((s2.rc, s2.runs, s2.passed, s2.failed, s2.skipped), (0, 1, 82, 0, 84))
        self.assertTrue(s2.info.startswith("nested=Y ept=N"))

    def test_verdict_and_closing_line(self):
        v = judge(self.con)
        self.assertEqual((v.code, v.lab_error, v.died_in_tests), (E_PASS, None, False))
        self.assertEqual(results.closing_line(self.con.sets, 2),
                         "vmtest: 246 passed, 0 failed, 86 skipped")

    def test_poweroff_watchdog(self):
        # After "LAB: poweroff" the machine gets a minute to stop.
        self.assertEqual(self.con.stop_why, "no power off within 60 s")


class StandinRuns(unittest.TestCase):
    def test_repeat(self):
        con, _ = replay("console-standin-repeat.log", 2)
        self.assertEqual([con.sets[i].runs for i in (1, 2)], [2, 2])
        self.assertEqual(judge(con, repeat=2).code, E_PASS)
        self.assertEqual(results.closing_line(con.sets, 4),
                         "vmtest: 4 passed, 0 failed, 0 skipped")

    def test_missing_repeat_is_a_lab_failure(self):
        con, _ = replay("console-standin-repeat.log", 2)
        v = judge(con, repeat=3)
        self.assertEqual(v.code, E_LAB)
        self.assertIn("ran 2 of 3 times", v.lab_error)

    def test_failure(self):
        con, _ = replay("console-standin-fail.log", 1)
        self.assertEqual(judge(con, ["ept=1"]).code, E_FAIL)
        self.assertEqual(results.closing_line(con.sets, 1),
                         "vmtest: 1 passed, 1 failed, 0 skipped")

    def test_modfail(self):
        con, _ = replay("console-modfail.log", 1)
        self.assertEqual(con.sets[1].state, "modfail")
        self.assertIn("invalid module format", con.load_report)
        v = judge(con, ["ept=1"], bisect=True)
        self.assertEqual((v.code, v.lab_error), (E_LAB, "kvm_intel failed to load"))
        self.assertEqual(results.bisect_exit(v.code, True), E_NOTHING)
        self.assertEqual(results.closing_line(con.sets, 1),
                         "vmtest: 0 passed, 1 failed, 0 skipped")


class Crashes(unittest.TestCase):
    def test_panic_in_a_scenario(self):
        con, t = replay("console-panic.log", 2)
        self.assertTrue(con.crash.startswith("general protection fault"))
        self.assertEqual(con.crash_where, "test vmx_smoke_test, scenario vmxon_vmxoff "
                         "(L1 enters and leaves VMX operation, and can enter it again)")
        # Stopped within seconds of the first crash line, not at the timeout.
        self.assertLessEqual(con.stop_at - t, console.CRASH_GRACE)
        self.assertEqual(con.stop_why, "kernel crash")
        v = judge(con)
        self.assertEqual((v.code, v.died_in_tests), (E_FAIL, True))
        self.assertEqual(con.sets[1].state, "died")
        # Set 1 died, set 2 never ran: two lost runs.
        self.assertEqual(results.closing_line(con.sets, 2),
                         "vmtest: 0 passed, 2 failed, 0 skipped")

    def test_bug_in_the_middle_of_a_scenario(self):
        con, t = replay("console-bug-mid-scenario.log", 2)
        self.assertEqual(con.crash, "kernel BUG at arch/x86/kvm/mmu/mmu.c:2275!")
        self.assertEqual(con.crash_set, 2)
        self.assertTrue(con.crash_where.startswith(
            "test nested_tlb_test, scenario l2_invlpg_pae_noept_novpid (L2 rewrites"))
        self.assertTrue(con.stop_due(con.stop_at))
        v = judge(con)
        self.assertEqual((v.code, v.died_in_tests), (E_FAIL, True))
        self.assertEqual(con.sets[2].state, "died")
        self.assertEqual(results.closing_line(con.sets, 2),
                         "vmtest: 164 passed, 1 failed, 2 skipped")
        excerpt = con.excerpt()
        self.assertIn("[   71.482120] kernel BUG at arch/x86/kvm/mmu/mmu.c:2275!", excerpt)
        self.assertTrue(any("exited with preempt_count" in l for l in excerpt))
        self.assertLessEqual(len(excerpt), console.EXCERPT_MAX)

    def test_bug_in_a_harness_scenario(self):
        # The AMD lab, 7.3-rc7, kselftest-harness output: the runner's
        # "    # TEST" line names the test, the harness's own lines are no
        # scenario.  Recorded before run_tests.sh printed that line; it was
        # added where the runner prints it now.
        con, t = replay("console-svm-bug-harness.log", 1)
        self.assertEqual(con.crash, "kernel BUG at arch/x86/kvm/mmu/mmu.c:2533!")
        self.assertEqual(con.crash_where, "test svm_tlb_test, scenario l2_invlpg_pae_nonp "
                         "(L2 rewrites its own PTEs and executes INVLPG (pae, nonp))")

    def test_recorded_guest_panic(self):
        # A real boot whose stand-in scenario crashed the kernel (sysrq c).
        con, t = replay("console-sysrq-panic.log", 1)
        self.assertEqual(con.crash, "Kernel panic - not syncing: sysrq triggered crash")
        self.assertEqual(con.crash_where, "test crash_test, scenario sysrq_crash "
                         "(the kernel is made to crash (sysrq c))")
        v = judge(con, ["ept=1"], bisect=True)
        self.assertEqual((v.code, v.died_in_tests), (E_FAIL, True))
        self.assertEqual(results.closing_line(con.sets, 1),
                         "vmtest: 0 passed, 1 failed, 0 skipped")

    def test_hang_is_caught_by_the_watchdog(self):
        con, t = replay("console-hang.log", 2, timeout=60)
        self.assertIsNone(con.crash)
        self.assertFalse(con.timed_out)
        con.tick(1000.0 + 61)
        self.assertTrue(con.timed_out)
        self.assertTrue(con.stop_due(1000.0 + 61))
        self.assertEqual(con.running(), "test nested_tlb_test, scenario "
                         "l2_invlpg_long_noept_novpid (L2 rewrites its own PTE and "
                         "executes INVLPG (long, noept, novpid))")
        v = judge(con)
        self.assertEqual((v.code, v.died_in_tests), (E_FAIL, True))

    def test_crash_before_the_tests_is_a_lab_failure(self):
        con = console.Console(1)
        for i, line in enumerate(["ISOLINUX 6.04", "LAB: init",
                                  "[    9.1] BUG: unable to handle page fault"]):
            con.feed(line, float(i))
        v = judge(con, ["ept=1"], bisect=True)
        self.assertEqual((v.code, v.lab_error), (E_LAB, "kernel crash during modload"))
        self.assertEqual(results.bisect_exit(v.code, True), E_NOTHING)

    def test_indented_test_output_is_no_crash(self):
        con = console.Console(1)
        con.feed('LAB: set 1 params "ept=1" run 1 begin', 0.0)
        con.feed("    # BUG: a test's own words", 0.1)
        con.feed("# Kernel panic mentioned by a test", 0.2)
        self.assertIsNone(con.crash)

    def test_reset(self):
        con = console.Console(1)
        con.feed("ISOLINUX 6.04", 0.0)
        con.feed("LAB: init", 1.0)
        con.feed("ISOLINUX 6.04", 2.0)
        self.assertTrue(con.reboot)
        self.assertEqual(judge(con, ["ept=1"]).lab_error, "the machine reset during modload")


class SelfCheckMarkers(unittest.TestCase):
    def test_runs_counted_by_kind(self):
        lines = ["LAB: init", "LAB: modload ok irqbypass kvm",
                 'LAB: set 1 params "ept=1" begin',
                 'LAB: set 1 params "ept=1" loaded nested=Y ept=Y',
                 'LAB: set 1 params "ept=1" run 1 begin',
                 "3 passed, 0 failed, 1 skipped",
                 'LAB: set 1 params "ept=1" run 1 exit=0',
                 'LAB: set 1 params "ept=1" selfcheck 1 begin',
                 "2 passed, 1 failed, 1 skipped",
                 'LAB: set 1 params "ept=1" selfcheck 1 exit=1',
                 'LAB: set 1 params "ept=1" end', "LAB: done"]
        con = console.Console(1)
        for i, line in enumerate(lines):
            con.feed(line, 100.0 + i)
        s = con.sets[1]
        self.assertEqual((s.runs, s.fails, s.rc), (2, 1, 1))
        self.assertEqual(s.kinds, {"run": [1, 3, 0, 1], "selfcheck": [1, 2, 1, 1]})
        self.assertEqual(s.kind_secs, {"run": 2.0, "selfcheck": 2.0})


if __name__ == "__main__":
    unittest.main()
