# SPDX-License-Identifier: GPL-2.0-only
"""Exit codes: vmtest's own, their --bisect mapping, and bisect-step's."""

import unittest

import helpers  # noqa: F401
from nstlab import results
from nstlab.console import SetRecord
from nstlab.errors import E_PASS, E_FAIL, E_USAGE, E_HOST, E_LAB, E_NOTHING


class BisectMapping(unittest.TestCase):
    def test_table(self):
        table = {E_PASS: 0, E_FAIL: 1, E_USAGE: 128, E_HOST: 128, E_LAB: 125,
                 E_NOTHING: 125, 7: 7}
        for code, mapped in table.items():
            self.assertEqual(results.bisect_exit(code, True), mapped, code)
            self.assertEqual(results.bisect_exit(code, False), code, code)

    def test_usage_under_bisect_is_never_125_1_or_2(self):
        self.assertNotIn(results.bisect_exit(E_USAGE, True), (125, 1, 2))

    def test_last_word(self):
        self.assertEqual(results.last_word(E_PASS, False), "PASS")
        self.assertEqual(results.last_word(E_FAIL, True), "FAIL (exit 1)")
        self.assertEqual(results.last_word(E_LAB, False), "FAIL: lab failure (exit 4)")
        self.assertEqual(results.last_word(E_LAB, True), "FAIL: lab failure (exit 125)")
        self.assertEqual(results.last_word(E_NOTHING, True), "nothing ran (exit 125)")


class ClosingLine(unittest.TestCase):
    def test_lost_runs_count_as_failures(self):
        s1 = SetRecord(runs=2, passed=10, failed=1, skipped=3)
        s2 = SetRecord()
        self.assertEqual(results.closing_line({1: s1, 2: s2}, 4),
                         "vmtest: 10 passed, 3 failed, 3 skipped")


class SelfCheckLines(unittest.TestCase):
    def test_per_kind_lines_then_the_total(self):
        s1 = SetRecord(runs=2, passed=15, failed=0, skipped=3,
                       kinds={"run": [1, 10, 0, 2], "selfcheck": [1, 5, 0, 1]})
        # The self-check run of set 2 never finished.
        s2 = SetRecord(runs=1, passed=7, failed=0, skipped=1, kinds={"run": [1, 7, 0, 1]})
        sets = {1: s1, 2: s2}
        self.assertEqual(results.kind_lines(sets, ("run", "selfcheck"), 2),
                         ["vmtest: normal runs: 17 passed, 0 failed, 3 skipped",
                          "vmtest: self-check runs: 5 passed, 1 failed, 1 skipped"])
        self.assertEqual(results.closing_line(sets, 4), "vmtest: 22 passed, 1 failed, 4 skipped")
        self.assertEqual(results.kind_lines(sets, ("run",), 2), [])

    def test_kernels_added_up(self):
        self.assertEqual(results.add_counts([(1, 2, 3), (10, 0, 1)]), (11, 2, 4))

    def test_codes_of_several_kernels(self):
        self.assertEqual(results.combine_codes([E_PASS, E_FAIL, E_LAB]), E_FAIL)
        self.assertEqual(results.combine_codes([E_PASS, E_HOST, E_LAB]), E_HOST)
        self.assertEqual(results.combine_codes([E_NOTHING, E_PASS]), E_PASS)
        self.assertEqual(results.combine_codes([E_NOTHING, E_NOTHING]), E_NOTHING)


class Step(unittest.TestCase):
    def test_verdicts(self):
        cases = [(0, 0, "good"), (1, 1, "bad"), (4, 1, "bad"), (125, 125, "skip"),
                 (128, 128, "abort"), (130, 128, "abort"), (143, 128, "abort")]
        for rc, code, word in cases:
            got, reason = results.step_verdict(rc, "3 passed, 1 failed, 0 skipped",
                                               "FAIL (exit 1)", "x")
            self.assertEqual((got, results.step_word(got)), (code, word), rc)

    def test_line(self):
        self.assertEqual(results.step_line(125, "4d1dd6a", "does not build"),
                         "bisect-step: skip (exit 125): 4d1dd6a: does not build")
        self.assertEqual(results.step_line(128, None, "bad usage"),
                         "bisect-step: abort (exit 128): bad usage")


if __name__ == "__main__":
    unittest.main()
