# SPDX-License-Identifier: GPL-2.0-only
"""The rehearsals' histories: edits of the source, each of which must change it."""

import os
import tempfile
import unittest

import helpers  # noqa: F401
from nstlab import rehearsal


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

    def test_each_history_breaks_at_c3(self):
        for name, history in rehearsal.HISTORIES.items():
            self.assertIn("BREAKS", history[2][3], name)
            self.assertEqual(sum("BREAKS" in (h or (0, 0, 0, ""))[3] for h in history), 1)


if __name__ == "__main__":
    unittest.main()
