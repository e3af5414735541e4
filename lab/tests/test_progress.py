# SPDX-License-Identifier: GPL-2.0-only
"""progress.py: durations, what is left, the heartbeat thread, prefixed
lines from several threads."""

import io
import os
import tempfile
import threading
import time
import unittest

from nstlab import kernels, progress


class Durations(unittest.TestCase):
    def test_duration(self):
        for s, want in ((0, "0 s"), (-3, "0 s"), (45.4, "45 s"), (59.6, "1 min 00 s"),
                        (125, "2 min 05 s"), (3599, "59 min 59 s"), (3720, "1 h 02 min")):
            self.assertEqual(progress.duration(s), want)

    def test_left(self):
        self.assertEqual(progress.left(100, 300), "about 3 min 20 s left")
        self.assertEqual(progress.left(300, 300), "longer than the 5 min 00 s expected")
        self.assertIsNone(progress.left(10, None))

    def test_shorten(self):
        self.assertEqual(progress.shorten("a  b\tc"), "a b c")
        self.assertEqual(progress.shorten("x" * 200, 10), "xxxxxxx...")


class Downloads(unittest.TestCase):
    def test_line(self):
        self.assertEqual(kernels.download_progress("downloading and unpacking a=1", 25, 41.2e6),
                         "downloading and unpacking a=1: 25 s, 41 MB so far")

    def test_bytes_so_far(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "partial"))
            for name, n in (("a.deb", 1000), ("partial/b.deb", 234)):
                with open(os.path.join(d, name), "wb") as f:
                    f.write(b"x" * n)
            self.assertEqual(kernels.folder_bytes(d), 1234)
        self.assertEqual(kernels.folder_bytes("/nonexistent"), 0)


class Ticks(unittest.TestCase):
    def test_ticks_until_stopped(self):
        n = []
        with progress.Ticker(lambda: n.append(1), 0.02):
            time.sleep(0.15)
        got = len(n)
        self.assertGreaterEqual(got, 1)
        time.sleep(0.06)
        self.assertEqual(len(n), got)

    def test_none_before_the_interval(self):
        n = []
        with progress.Ticker(lambda: n.append(1), 5):
            pass
        self.assertEqual(n, [])

    def test_an_exception_ends_the_ticks_only(self):
        n = []

        def boom():
            n.append(1)
            raise OSError("gone")

        with progress.Ticker(boom, 0.01):
            time.sleep(0.1)
        self.assertEqual(n, [1])


class Lines(unittest.TestCase):
    def test_prefixed(self):
        self.assertEqual(progress.prefixed("[lane1] ", "a\nb\n"), ["[lane1] a", "[lane1] b"])
        self.assertEqual(progress.prefixed("[lane2] ", ""), ["[lane2] "])

    def test_whole_lines_from_threads(self):
        out = io.StringIO()
        o = progress.Output(out)

        def lane(name):
            for i in range(200):
                o.line(f"[{name}] ", f"line {i} of {name}")

        threads = [threading.Thread(target=lane, args=(n,)) for n in ("lane1", "lane2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        lines = out.getvalue().splitlines()
        self.assertEqual(len(lines), 400)
        for name in ("lane1", "lane2"):
            mine = [l for l in lines if l.startswith(f"[{name}] ")]
            self.assertEqual(mine, [f"[{name}] line {i} of {name}" for i in range(200)])

    def test_silence(self):
        now = [100.0]
        o = progress.Output(io.StringIO(), clock=lambda: now[0])
        self.assertEqual(o.silent_for("[lane1] ", 90.0), 10.0)
        o.line("[lane1] ", "x")
        now[0] = 125.0
        self.assertEqual(o.silent_for("[lane1] ", 90.0), 25.0)
        self.assertEqual(o.silent_for("[lane2] ", 120.0), 5.0)


if __name__ == "__main__":
    unittest.main()
