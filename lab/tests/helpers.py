# SPDX-License-Identifier: GPL-2.0-only
"""Shared by the unit tests: the recorded inputs and replaying a console."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
sys.path.insert(0, os.path.dirname(HERE))

from nstlab import console  # noqa: E402


def data(name):
    with open(os.path.join(DATA, name), errors="replace") as f:
        return f.read()


def replay(name, nsets, step=0.1, start=1000.0, timeout=1200):
    """Feed a recorded console to a Console, one line every step seconds,
    ticking the watchdog after each line as the host loop does; returns the
    Console and the time of the last line."""
    con = console.Console(nsets)
    con.set_timeout(start, timeout)
    t = start
    for line in data(name).splitlines():
        t += step
        con.feed(line, t)
        con.tick(t)
    return con, t
