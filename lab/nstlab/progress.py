# SPDX-License-Identifier: GPL-2.0-only
"""Progress of long steps: durations as people read them, a heartbeat thread
that says what a step is doing while it prints nothing, and output lines
prefixed with the lane or step they come from (make check's lanes run side
by side and stream into one terminal).

Nothing here decides anything: the lab's long steps (the Bochs 3.0 build,
downloads, check-lanes' lanes) use it so that no step is silent for more
than HEARTBEAT seconds."""

import sys
import threading
import time

# Seconds between two progress lines of a step that prints nothing itself.
HEARTBEAT = 20


def duration(seconds):
    """'45 s', '2 min 05 s', '1 h 02 min'."""
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def left(elapsed, expected):
    """What is left of an expected duration: 'about 3 min 10 s left', or
    'longer than the N expected' once it is over."""
    if expected is None:
        return None
    if elapsed < expected:
        return f"about {duration(expected - elapsed)} left"
    return f"longer than the {duration(expected)} expected"


def shorten(line, width=100):
    line = " ".join(line.split())
    return line if len(line) <= width else line[:width - 3] + "..."


class Ticker:
    """Calls fn() every interval seconds in a thread of its own, from
    interval seconds after start() until stop().  An exception in fn ends
    the ticks, never the step it watches."""

    def __init__(self, fn, interval=HEARTBEAT):
        self.fn, self.interval = fn, interval
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self.done.wait(self.interval):
            try:
                self.fn()
            except Exception:   # noqa: BLE001 (a progress line is not worth a failure)
                return

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.done.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Output:
    """Whole lines on one stream from several threads, each with its
    prefix ('[lane1] '), flushed at once; remembers when each prefix last
    printed, so that a heartbeat speaks only after a silence."""

    def __init__(self, stream=None, clock=time.time):
        self.stream = stream or sys.stdout
        self.clock = clock
        self.lock = threading.Lock()
        self.last = {}

    def line(self, prefix, text):
        with self.lock:
            for part in str(text).splitlines() or [""]:
                self.stream.write(f"{prefix}{part}\n")
            self.stream.flush()
            self.last[prefix] = self.clock()

    def silent_for(self, prefix, since):
        """Seconds since prefix last printed (or since @since, if later)."""
        return self.clock() - max(self.last.get(prefix, since), since)


def prefixed(prefix, text):
    """The lines of text, each with prefix (how Output prints them)."""
    return [f"{prefix}{part}" for part in str(text).splitlines() or [""]]
