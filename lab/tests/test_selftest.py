# SPDX-License-Identifier: GPL-2.0-only
"""lab/selftest's own command line."""

import os
import subprocess
import unittest

from helpers import HERE

SELFTEST = os.path.join(os.path.dirname(HERE), "selftest")


class SelftestUsage(unittest.TestCase):
    def run_selftest(self, *argv):
        return subprocess.run([SELFTEST, *argv], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_help(self):
        for flag in ("--help", "-h"):
            r = self.run_selftest(flag)
            self.assertEqual(r.returncode, 0, flag)
            self.assertTrue(r.stdout.startswith("Usage: selftest [--quick]\n"), r.stdout)
            self.assertIn("--quick", r.stdout)
            self.assertEqual(r.stderr, "")

    def test_bad_usage(self):
        for argv in (["--frob"], ["--quick", "--quick"], ["--help", "--quick"]):
            r = self.run_selftest(*argv)
            self.assertEqual(r.returncode, 2, argv)
            self.assertTrue(r.stderr.startswith("Usage: selftest"), r.stderr)
            self.assertEqual(r.stdout, "")


if __name__ == "__main__":
    unittest.main()
