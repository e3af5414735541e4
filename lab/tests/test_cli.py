# SPDX-License-Identifier: GPL-2.0-only
"""Option parsing of vmtest, bisect-step and bisect-rehearsal, bad input
included."""

import os
import tempfile
import unittest

import helpers  # noqa: F401  (puts nstlab on the path)
from nstlab import cli
from nstlab.errors import UsageError


class Parse(unittest.TestCase):
    def test_defaults(self):
        c = cli.vmtest_config([])
        self.assertEqual(c.param_sets, ["ept=1", "ept=0"])
        self.assertEqual((c.repeat, c.timeout, c.emulator, c.bisect), (1, 1200, "auto", False))

    def test_values_and_forms(self):
        c = cli.vmtest_config(["--params", "ept=1 vpid=0", "--params=ept=0", "-t", "vmx_*",
                               "--test=nested_tlb_test", "--repeat=3", "--bisect"])
        self.assertEqual(c.param_sets, ["ept=1 vpid=0", "ept=0"])
        self.assertEqual(c.tests, ["vmx_*", "nested_tlb_test"])
        # Six runs: 600 s plus 300 s each.
        self.assertEqual((c.repeat, c.timeout, c.bisect), (3, 2400, True))

    def test_run_args_then_rest(self):
        c = cli.vmtest_config(["--run-args", "--self-check -s 'a b*' ''", "--", "--", "-s", "x"])
        self.assertEqual(c.run_args, ["--self-check", "-s", "a b*", "", "--", "-s", "x"])

    def test_help(self):
        self.assertIsNone(cli.vmtest_config(["--params", "ept=1", "-h"]))

    def test_bisect_prescan(self):
        self.assertTrue(cli.wants_bisect(["--no-such", "--bisect"]))
        self.assertFalse(cli.wants_bisect(["--no-such", "--", "--bisect"]))


class BadInput(unittest.TestCase):
    def refused(self, argv, words, option=False):
        with self.assertRaises(UsageError) as e:
            cli.vmtest_config(argv)
        self.assertIn(words, str(e.exception))
        self.assertEqual(isinstance(e.exception, cli.BadOption), option)

    def test_unknown_option(self):
        self.refused(["--no-such-option"], "unknown option: --no-such-option", option=True)

    def test_missing_value(self):
        self.refused(["--params"], "needs a value", option=True)

    def test_flag_with_value(self):
        self.refused(["--keep=1"], "takes no value", option=True)

    def test_malformed_params(self):
        self.refused(["--params", "ept 1"], "bad kvm_intel parameter '1'")
        self.refused(["--params", 'ept="1"'], "bad kvm_intel parameter")

    def test_numbers(self):
        self.refused(["--repeat", "0"], "--repeat needs a positive number")
        self.refused(["--repeat", "x"], "--repeat needs a positive number")
        self.refused(["--timeout", "-5"], "--timeout needs a number of seconds")

    def test_emulator(self):
        self.refused(["--emulator", "vmware"],
                     "--emulator must be bochs, bochs-3.0, qemu, tcg or auto")

    def test_quotes(self):
        self.refused(["--run-args", "-s 'vmxon"], "unbalanced quote")
        self.refused(["--run-args", "trailing\\"], "trailing \\")

    def test_newlines(self):
        self.refused(["-t", "a\nb"], "bad test name or pattern")
        self.refused(["-t", ""], "bad test name or pattern")
        self.refused(["--", "a\nb"], "holds a newline")

    def test_paths(self):
        self.refused(["--kernel", "/bin/true"], "needs --modules")
        with tempfile.TemporaryDirectory() as d:
            self.refused(["--kernel", "/nonexistent", "--modules", d], "kernel file not found")
            self.refused(["--suite", os.path.join(d, "none")], "suite folder not found")
            self.refused(["--suite", d], "has no executable run_tests.sh")
        self.refused(["--modules", "/nonexistent"], "modules folder not found")

    def test_unknown_params(self):
        known = {"nested", "ept", "vpid"}
        self.assertEqual(cli.unknown_params(["ept=1 vpid=0", "ept=0"], known), [])
        self.assertEqual(cli.unknown_params(["ept=1", "bogus_param=1"], known),
                         [("bogus_param=1", "bogus_param=1")])


class NewOptions(unittest.TestCase):
    def test_self_check_doubles_the_runs(self):
        c = cli.vmtest_config(["--self-check"])
        self.assertEqual((c.kinds, c.runs_per_set, c.nruns), (("run", "selfcheck"), 2, 4))
        # Four runs: 600 s plus 300 s each.
        self.assertEqual(c.timeout, 1800)

    def test_env(self):
        c = cli.vmtest_config(["--env", "NST_RUN_KNOWN_CRASHES=1", "--env=A_B="])
        self.assertEqual(c.env, ["NST_RUN_KNOWN_CRASHES=1", "A_B="])

    def test_kernel_versions(self):
        c = cli.vmtest_config(["--kernel-version", "6.1", "--kernel-version=newest",
                               "--kernel-fallback", "6.1"])
        self.assertEqual((c.kernel_versions, c.kernel_fallback), (["6.1", "newest"], "6.1"))
        c = cli.vmtest_config(["--kernel-version", "7.3~rc7-1~exp1"])
        self.assertEqual(c.kernel_versions, ["7.3~rc7-1~exp1"])
        # bisect-step's modules for a 7.x tree, with the kernel they were built for
        with tempfile.TemporaryDirectory() as d:
            c = cli.vmtest_config(["--kernel-version", "7.3~rc7-1~exp1", "--modules", d])
            self.assertEqual((c.kernel_versions, c.modules), (["7.3~rc7-1~exp1"], d))

    def test_bad(self):
        with tempfile.TemporaryDirectory() as d:
            for argv, words in ((["--env", "1X=2"], "bad --env"),
                                (["--env", "X"], "bad --env"),
                                (["--env", "X=a\nb"], "bad --env"),
                                (["--kernel-version", "latest"], "bad kernel version"),
                                (["--kernel-version", "6.1 x"], "bad kernel version"),
                                (["--kernel-version", "6.1", "--kernel", __file__,
                                  "--modules", d], "cannot go with --kernel"),
                                (["--kernel-version", "6.1", "--kernel-version", "newest",
                                  "--modules", d], "one --kernel-version"),
                                (["--kernel-fallback", "6.1"], "needs --kernel-version"),
                                (["--kernel-version", "6.1", "--kernel-version", "6.1"],
                                 "given twice")):
                with self.assertRaises(UsageError, msg=argv) as e:
                    cli.vmtest_config(argv)
                self.assertIn(words, str(e.exception))


class SplitWords(unittest.TestCase):
    def test_shell_rules(self):
        cases = {
            "a  b\tc": ["a", "b", "c"],
            "'a b' \"c d\"": ["a b", "c d"],
            "'' x": ["", "x"],
            r'"a\"b\\c\$d\`e\x"': ['a"b\\c$d`e\\x'],
            r"a\ b": ["a b"],
            "$HOME '*'": ["$HOME", "*"],
            "x'y'\"z\"": ["xyz"],
            "": [],
        }
        for s, words in cases.items():
            self.assertEqual(cli.split_words(s), words, s)

    def test_unbalanced(self):
        for s in ("'a", '"a', "a\\"):
            self.assertIsNone(cli.split_words(s), s)


class BisectStep(unittest.TestCase):
    def test_options(self):
        c = cli.step_config(["--params", "ept=1", "--mode=modules", "-j", "3", "vmx_smoke_test",
                             "--timeout=90", "-v", "--", "--", "-s", "vmxon*"])
        self.assertEqual(c.vm_args, ["--params", "ept=1", "--timeout", "90"])
        self.assertEqual((c.mode, c.jobs, c.verbose), ("modules", 3, True))
        self.assertEqual(c.tests, ["vmx_smoke_test"])
        self.assertEqual(c.run_args, ["--", "-s", "vmxon*"])

    def test_bad(self):
        for argv, words in ((["--mode", "nonsense"], "--mode must be"),
                            (["-j", "0"], "--jobs needs a positive number"),
                            (["--config", "/nonexistent"], "config fragment not found"),
                            (["--frob"], "unknown option")):
            with self.assertRaises(UsageError) as e:
                cli.step_config(argv)
            self.assertIn(words, str(e.exception))


class Rehearsal(unittest.TestCase):
    def test_defaults(self):
        c = cli.rehearsal_config([], "/d")
        self.assertEqual((c.mode, c.dir, c.step_args),
                         ("modules", "/d", ["--params", "ept=1", "vmx_smoke_test"]))

    def test_bad_mode(self):
        with self.assertRaises(UsageError):
            cli.rehearsal_config(["--mode", "auto"], "/d")

    def test_histories(self):
        c = cli.rehearsal_config(["--history", "pdptr"], "/d")
        self.assertEqual((c.history, c.dir, c.step_args),
                         ("pdptr", "/d/pdptr", ["--params", "ept=1", "nested_pdptr_test"]))
        c = cli.rehearsal_config(["--history", "pdptr", "--dir", "/x", "--", "t"], "/d")
        self.assertEqual((c.dir, c.step_args), ("/x", ["t"]))
        with self.assertRaises(UsageError):
            cli.rehearsal_config(["--history", "latest"], "/d")

    def test_source(self):
        # vmxon (make lab-rehearsal) bisects the pinned linux-source-6.1;
        # pdptr has no pin.
        self.assertEqual(cli.rehearsal_config([], "/d").source, "pinned")
        self.assertEqual(cli.rehearsal_config(["--source", "newest"], "/d").source, "newest")
        self.assertEqual(cli.rehearsal_config(["--history", "pdptr"], "/d").source, "newest")
        for argv in (["--source", "today"], ["--history", "pdptr", "--source", "pinned"]):
            with self.assertRaises(UsageError, msg=argv):
                cli.rehearsal_config(argv, "/d")


if __name__ == "__main__":
    unittest.main()
