# SPDX-License-Identifier: GPL-2.0-only
"""lab/pinned-kernels: which Debian version a pin runs, from recorded
apt-cache answers of the stable and sid archives (and edited copies of them:
"moved" has 6.1.194-1 where 6.1.192-3 was, "7.3.1" unstable's 7.3.1-1 and
experimental's 7.4~rc1 where 7.3~rc7 was, "7.4" 7.4~rc1 and no 7.3 at all);
check-newest's lines."""

import contextlib
import io
import os
import re
import tempfile
import unittest
from unittest import mock

from helpers import data, HERE
from nstlab import kernels, pins
from nstlab.errors import UsageError, E_HOST
from test_kernel_versions import STABLE, SID, recorded

PINNED = {"6.1": "6.1.192-3", "newest": "7.3~rc7-1~exp1", "rehearsal": "6.1.192-3"}


def asks(stable=None, sid=None):
    """The recorded archives, with some answers replaced."""
    return {"stable": recorded({**STABLE, **(stable or {})}),
            "sid": recorded({**SID, **(sid or {})})}


TODAY = asks({("madison", "linux-source-6.1"): "apt-madison-source.txt"})
MOVED = asks({("madison", "linux-image-cloud-amd64"): "apt-stable-madison-meta-moved.txt",
              ("madison", "linux-image-6.12-cloud-amd64"):
                  "apt-stable-madison-meta-6.12-moved.txt",
              ("madison", "linux-source-6.1"): "apt-madison-source-moved.txt"},
             {("madison", "linux-image-cloud-amd64"): "apt-sid-madison-meta-7.3.1.txt"})
OTHER_SERIES = asks({("madison", "linux-image-cloud-amd64"): "apt-stable-madison-meta-old.txt"},
                    {("madison", "linux-image-cloud-amd64"): "apt-sid-madison-meta-7.4.txt"})


def run(names, archive, pinned=PINNED):
    resolved = pins.resolve(pinned, names, archive)
    return {n: c and c.version for n, c in resolved}, pins.report(resolved)


class Series(unittest.TestCase):
    def test_version_patchlevel(self):
        self.assertEqual(pins.series("6.1.192-3"), "6.1")
        self.assertEqual(pins.series("6.12.117-1~deb12u1"), "6.12")
        self.assertEqual(pins.series("7.3~rc7-1~exp1"), "7.3")
        self.assertEqual(pins.series("7.3.1-1"), "7.3")


class PinPresent(unittest.TestCase):
    def test_exact_versions(self):
        versions, lines = run(["6.1", "newest", "rehearsal"], TODAY)
        self.assertEqual(versions, PINNED)
        self.assertEqual(lines, ["6.1: 6.1.192-3 (pinned, in the archive)",
                                 "newest: 7.3~rc7-1~exp1 (pinned, in the archive)",
                                 "rehearsal: linux-source-6.1 6.1.192-3 (pinned, in the archive)"])

    def test_an_older_pin_is_not_moved_up(self):
        # 6.1.176-1 is in bookworm (not the newest): the pin runs, not 6.1.192-3.
        versions, lines = run(["6.1"], TODAY, {"6.1": "6.1.176-1"})
        self.assertEqual(versions, {"6.1": "6.1.176-1"})
        self.assertFalse(any("warning" in l for l in lines))

    def test_vmtest_takes_the_pinned_versions(self):
        # What make check passes to --kernel-version names the same kernels
        # that 6.1 and newest name today.
        versions, _ = run(["6.1", "newest"], TODAY)
        for name in ("6.1", "newest"):
            pinned = kernels.resolve_kernel_version(versions[name], TODAY)
            track = kernels.resolve_kernel_version(name, TODAY)
            self.assertEqual(pinned.specs(), track.specs())

    def test_an_exact_version_runs_as_it_is(self):
        versions, lines = run(["7.2.13-1"], TODAY)
        self.assertEqual(versions, {"7.2.13-1": None})
        self.assertEqual(lines, ["7.2.13-1: 7.2.13-1 (an exact version, not a pin)"])


class PinGone(unittest.TestCase):
    def test_nearest_newer_of_the_same_series_first_line_says_so(self):
        versions, lines = run(["6.1", "newest", "rehearsal"], MOVED)
        # 6.1.194-1, not 6.12.118; 7.3.1-1, not experimental's 7.4~rc1.
        self.assertEqual(versions, {"6.1": "6.1.194-1", "newest": "7.3.1-1",
                                    "rehearsal": "6.1.194-1"})
        self.assertEqual(lines[0], "warning: pinned 6.1 is 6.1.192-3, which has left the "
                         "archive: running 6.1.194-1 instead, the nearest newer version of "
                         "its series 6.1; update lab/pinned-kernels")
        self.assertEqual(lines[1], "warning: pinned newest is 7.3~rc7-1~exp1, which has left "
                         "the archive: running 7.3.1-1 instead, the nearest newer version of "
                         "its series 7.3; update lab/pinned-kernels")
        self.assertEqual(lines[2], "warning: pinned rehearsal is linux-source-6.1 6.1.192-3, "
                         "which has left the archive: running 6.1.194-1 instead, the nearest "
                         "newer version of its series 6.1; update lab/pinned-kernels")
        self.assertEqual(lines[3:], [
            "6.1: 6.1.194-1 (pinned 6.1.192-3 has left the archive)",
            "newest: 7.3.1-1 (pinned 7.3~rc7-1~exp1 has left the archive)",
            "rehearsal: linux-source-6.1 6.1.194-1 (pinned 6.1.192-3 has left the archive)"])

    def test_the_nearest_not_the_newest(self):
        got = pins.choose("rehearsal", "6.1.191-1",
                          kernels.parse_madison(data("apt-madison-source.txt"))["linux-source-6.1"])
        self.assertEqual(got.version, "6.1.192-1")

    def test_only_the_pins_line_moves(self):
        # newest is still there: only 6.1's line warns.
        versions, lines = run(["6.1", "newest"], asks(
            {("madison", "linux-image-cloud-amd64"): "apt-stable-madison-meta-moved.txt"}))
        self.assertEqual(versions, {"6.1": "6.1.194-1", "newest": "7.3~rc7-1~exp1"})
        self.assertEqual(sum(l.startswith("warning:") for l in lines), 1)
        self.assertTrue(lines[0].startswith("warning: pinned 6.1 is 6.1.192-3"))


class PinGoneOtherSeries(unittest.TestCase):
    def test_7_3_never_becomes_7_4(self):
        with self.assertRaises(pins.PinError) as e:
            run(["newest"], OTHER_SERIES)
        self.assertEqual(e.exception.code, E_HOST)
        self.assertEqual(str(e.exception),
                         "pinned newest is 7.3~rc7-1~exp1, which has left the archive, and the "
                         "archive has no newer version of its series 7.3 (VERSION.PATCHLEVEL) "
                         "to run instead (it has: 7.4~rc1-1~exp1, 7.2.13-1, "
                         "6.12.117-1~deb12u1, 6.1.176-1); another series is never taken: "
                         "update lab/pinned-kernels")

    def test_6_1_never_becomes_6_12(self):
        # bookworm keeps an older 6.1 and the security suite a newer 6.12:
        # neither is taken.
        with self.assertRaises(pins.PinError) as e:
            run(["6.1"], OTHER_SERIES)
        self.assertIn("no newer version of its series 6.1 ", str(e.exception))

    def test_a_pin_newer_than_its_series_in_the_archive(self):
        with self.assertRaises(pins.PinError):
            run(["rehearsal"], TODAY, {"rehearsal": "6.1.193-1"})



class Main(unittest.TestCase):
    """lab/kernel-pins as make check and check-lanes run it."""

    def setUp(self):
        # The pins of these tests, whatever lab/pinned-kernels holds.
        self.dir = tempfile.TemporaryDirectory()
        self.file = os.path.join(self.dir.name, "pins")
        with open(self.file, "w") as f:
            f.write("".join(f"{n} {v}\n" for n, v in PINNED.items()))

    def tearDown(self):
        self.dir.cleanup()

    def main(self, argv, archive):
        argv = ["--file", self.file] + argv
        out, err = io.StringIO(), io.StringIO()
        with mock.patch.object(pins, "archive_asks", lambda cache, log: (archive, None)), \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = pins.main(argv)
        return code, out.getvalue(), err.getvalue()

    def test_versions_on_stdout_first_line_names_the_fallback(self):
        code, out, err = self.main(["6.1", "newest"], MOVED)
        self.assertEqual((code, out), (0, "6.1.194-1\n7.3.1-1\n"))
        self.assertTrue(err.startswith("kernel-pins: warning: pinned 6.1 is 6.1.192-3, which "
                                       "has left the archive: running 6.1.194-1 instead"), err)

    def test_another_series_only_is_exit_3(self):
        code, out, err = self.main(["6.1", "newest"], OTHER_SERIES)
        self.assertEqual((code, out), (3, ""))
        self.assertTrue(err.startswith("kernel-pins: error: pinned 6.1 is 6.1.192-3, which "
                                       "has left the archive, and"), err)

    def test_newest(self):
        code, out, err = self.main(["--newest", "newest"], MOVED)
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(out, "check-newest: newest: newest is 7.4~rc1-1~exp1, pinned is "
                         "7.3~rc7-1~exp1: newer (the pinned version has left the archive)\n")

    def test_usage(self):
        self.assertEqual(self.main(["6.12"], TODAY)[0], 2)
        self.assertEqual(self.main(["--nope"], TODAY)[0], 2)
        self.assertEqual(self.main(["--file", "/nonexistent"], TODAY)[0], 2)


class CheckNewest(unittest.TestCase):
    def test_same(self):
        self.assertEqual(pins.newest_report(PINNED, list(PINNED), TODAY), [
            "check-newest: 6.1: newest is 6.1.192-3, pinned is 6.1.192-3: same",
            "check-newest: newest: newest is 7.3~rc7-1~exp1, pinned is 7.3~rc7-1~exp1: same",
            "check-newest: rehearsal: newest is linux-source-6.1 6.1.192-3, pinned is "
            "6.1.192-3: same"])

    def test_newer(self):
        self.assertEqual(pins.newest_report(PINNED, ["6.1", "newest"], OTHER_SERIES), [
            "check-newest: 6.1: newest is 6.1.176-1, pinned is 6.1.192-3: older "
            "(the pinned version has left the archive)",
            "check-newest: newest: newest is 7.4~rc1-1~exp1, pinned is 7.3~rc7-1~exp1: "
            "newer (the pinned version has left the archive)"])
        lines = pins.newest_report({"6.1": "6.1.176-1"}, ["6.1"], TODAY)
        self.assertEqual(lines, ["check-newest: 6.1: newest is 6.1.192-3, pinned is "
                                 "6.1.176-1: newer"])

    def test_newest_is_the_tracks_not_the_series(self):
        # The newest track went on to 7.4: check-newest says so, although a
        # pinned make check would run 7.3.1-1.
        lines = pins.newest_report(PINNED, ["newest"], MOVED)
        self.assertEqual(lines, ["check-newest: newest: newest is 7.4~rc1-1~exp1, pinned is "
                                 "7.3~rc7-1~exp1: newer (the pinned version has left the "
                                 "archive)"])

    def test_names_that_are_no_pins(self):
        self.assertEqual(pins.newest_report(PINNED, ["6.12", "7.2.13-1"], TODAY), [
            "check-newest: 6.12: not pinned", "check-newest: 7.2.13-1: an exact version, "
            "not a pin"])


class PinsFile(unittest.TestCase):
    def test_parse(self):
        text = "# c\n\n6.1   6.1.192-3   # a comment\nnewest 7.3~rc7-1~exp1\nrehearsal 6.1.192-3\n"
        self.assertEqual(pins.parse(text), PINNED)
        self.assertEqual(list(pins.parse(text)), ["6.1", "newest", "rehearsal"])

    def test_refused(self):
        for text, why in [("6.1\n", "want NAME VERSION"),
                          ("6.1 6.1.192-3 x\n", "want NAME VERSION"),
                          ("stable 6.1.192-3\n", "unknown pin 'stable'"),
                          ("6.1 6.12.117-1~deb12u1\n", "of series 6.12"),
                          ("6.12 6.1.192-3\n", "of series 6.1"),
                          ("newest latest\n", "not a Debian kernel version"),
                          ("6.1 6.1.192-3\n6.1 6.1.192-2\n", "given twice")]:
            with self.assertRaises(UsageError, msg=text) as e:
                pins.parse(text, "F")
            self.assertIn(why, str(e.exception))
            self.assertTrue(str(e.exception).startswith("F:"), str(e.exception))

    def test_unpinned_track(self):
        with self.assertRaises(UsageError) as e:
            pins.resolve(PINNED, ["6.12"], TODAY)
        self.assertIn("'6.12' is not pinned in lab/pinned-kernels", str(e.exception))

    def test_the_repositorys_pins_cover_make_check(self):
        # Every name make check runs (CHECK_KERNELS, and the rehearsal's) is
        # pinned in lab/pinned-kernels.
        pinned = pins.read()
        with open(os.path.join(HERE, "..", "..", "Makefile")) as f:
            m = re.search(r"^CHECK_KERNELS \?= (.*)$", f.read(), re.M)
        for name in m.group(1).split() + [pins.SOURCE_PIN]:
            self.assertIn(name, pinned)


if __name__ == "__main__":
    unittest.main()
