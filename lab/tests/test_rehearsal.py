# SPDX-License-Identifier: GPL-2.0-only
"""The rehearsals' histories: edits of the source, each of which must change it."""

import contextlib
import io
import os
import tempfile
import unittest
from unittest import mock

import helpers  # noqa: F401
from nstlab import pins, rehearsal
from test_pins import MOVED, TODAY


class Edit(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "f.c")
        with open(self.path, "w") as f:
            f.write("int a;\nint b;\nint c;\n")

    def tearDown(self):
        self.dir.cleanup()

    def text(self):
        with open(self.path) as f:
            return f.read()

    def test_several_edits_in_one_commit(self):
        rehearsal.edit(self.dir.name, "f.c", [(r"int a;\n", ""), (r"int c;", "long c;")], None)
        self.assertEqual(self.text(), "int b;\nlong c;\n")

    def test_an_edit_that_changes_nothing_fails(self):
        with self.assertRaises(rehearsal.Failed):
            rehearsal.edit(self.dir.name, "f.c", [(r"int a;", "int a2;"), (r"int z;", "")],
                           None)

    def test_append(self):
        rehearsal.edit(self.dir.name, "f.c", None, "int d;\n")
        self.assertTrue(self.text().endswith("int c;\nint d;\n"))

    def test_each_history_breaks_once_where_it_says(self):
        for name, history in rehearsal.HISTORIES.items():
            bad, skip = rehearsal.OUTCOME[name]
            self.assertIn("BREAKS", history[bad - 1][3], name)
            self.assertEqual(sum("BREAKS" in (h or (0, 0, 0, ""))[3] for h in history), 1)
            if skip:
                self.assertIn("does not compile", history[skip - 1][3], name)
                self.assertIsNone(history[skip], name)     # the revert


class Standin(unittest.TestCase):
    """--history standin: the tree, its history and its suite, made in a
    temporary folder (git, no kernel headers)."""

    def test_tree_history_and_suite(self):
        with tempfile.TemporaryDirectory() as d:
            tree = os.path.join(d, "linux")
            git = rehearsal.make_standin(tree, "6.1.192-3")
            with open(os.path.join(tree, "Makefile")) as f:
                self.assertTrue(f.read().startswith("VERSION = 6\nPATCHLEVEL = 1\n"
                                                    "SUBLEVEL = 192\n"))
            for folder in ("arch/x86/kvm", "virt/kvm"):
                self.assertTrue(os.path.isdir(os.path.join(tree, folder)))
            commits = rehearsal.write_history(git, tree, rehearsal.STANDIN_HISTORY)
            self.assertEqual(len(commits), 6)
            path = os.path.join(tree, rehearsal.STANDIN_KVM_INTEL)
            with open(path) as f:
                text = f.read()
            # c6: c2's break is there, c3's error reverted.
            self.assertIn("static bool vmxon_checks_cr4 = false;", text)
            self.assertNotIn("no_such_symbol", text)
            self.assertIn("module_param(ept, bool, 0444);", text)
            suite = rehearsal.standin_suite(d)
            self.assertTrue(os.access(os.path.join(suite, "run_tests.sh"), os.X_OK))
            with open(os.path.join(suite, "run_tests.sh")) as f:
                script = f.read()
            self.assertIn("printf 'KTAP version 1\\n1..1\\n'", script)
            self.assertIn('echo "0 passed, 1 failed, 0 skipped"', script)

    def test_modules_mode_only(self):
        from nstlab import cli
        c = cli.rehearsal_config(["--history", "standin"], "/d")
        self.assertEqual((c.dir, c.step_args, c.source), ("/d/standin", ["--params", "ept=1"],
                                                         "newest"))
        with self.assertRaises(cli.UsageError):
            cli.rehearsal_config(["--history", "standin", "--mode", "kernel"], "/d")


class Source(unittest.TestCase):
    """make lab-rehearsal's linux-source-6.1: the pin of lab/pinned-kernels,
    with make check's fallback rule."""

    def source_of(self, archive):
        err = io.StringIO()
        # The pin of these tests, whatever lab/pinned-kernels holds.
        with mock.patch.object(pins, "archive_asks", lambda cache, log: (archive, None)), \
                mock.patch.object(pins, "read", lambda path=None: {"rehearsal": "6.1.192-3"}), \
                contextlib.redirect_stderr(err):
            apt, version = rehearsal.source_of("vmxon", "pinned", "/nonexistent")
        return apt, version, err.getvalue()

    def test_pinned(self):
        apt, version, err = self.source_of(TODAY)
        self.assertEqual((apt.archive, version), ("stable", "6.1.192-3"))
        self.assertEqual(err, "bisect-rehearsal: rehearsal: linux-source-6.1 6.1.192-3 "
                         "(pinned, in the archive)\n")

    def test_pin_gone(self):
        apt, version, err = self.source_of(MOVED)
        self.assertEqual(version, "6.1.194-1")
        self.assertTrue(err.startswith("bisect-rehearsal: warning: pinned rehearsal is "
                                       "linux-source-6.1 6.1.192-3, which has left the archive: "
                                       "running 6.1.194-1 instead"), err)

    def test_archive_of_the_series(self):
        self.assertEqual(rehearsal.source_archive("6.1.192-3"), "stable")
        self.assertEqual(rehearsal.source_archive("6.12.118-1~deb12u1"), "stable")
        self.assertEqual(rehearsal.source_archive("7.3~rc7-1~exp1"), "sid")


if __name__ == "__main__":
    unittest.main()
