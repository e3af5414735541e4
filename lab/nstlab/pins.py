# SPDX-License-Identifier: GPL-2.0-only
"""kernel-pins: the exact Debian versions CI runs, from lab/pinned-kernels.

A pin names a --kernel-version track (6.1, 6.12, newest: the version is one
of its meta package's, as --kernel-version takes it) or "rehearsal" (the
version of linux-source-SERIES that lab/bisect-rehearsal bisects).  The
archive drops superseded versions: a pin that has left it is replaced by the
nearest newer version of the same series, VERSION.PATCHLEVEL of its upstream
version (6.1.192-3 and 6.1.194-1 are 6.1; 7.3~rc7-1~exp1 and 7.3.1-1 are
7.3), and a line says so first.  Another series (6.1 to 6.12, 7.3 to 7.4) is
never taken: no newer version of the series is an error (exit 3).

  lab/kernel-pins [--file FILE] [NAME...]            the versions to run
  lab/kernel-pins [--file FILE] --newest [NAME...]   the archive's newest

The first prints one Debian version per NAME on stdout (default: every pin),
the report on stderr; the second (make check-newest) prints, per pin, the
archive's newest version of its track against the pin.
"""

import os
import re
import sys

from . import cli, kernels
from .errors import LabError, UsageError, E_HOST, E_USAGE

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PINS = os.path.join(LAB_DIR, "pinned-kernels")
# How the messages name the file.
PINS_NAME = "lab/pinned-kernels"
SOURCE_PIN = "rehearsal"
VERSION = re.compile(r"^(?:\d+:)?\d+\.\d+[A-Za-z0-9.+~-]*$")

USAGE = """\
Usage: kernel-pins [--file FILE] [--newest] [NAME...]

The exact Debian versions make check runs, from lab/pinned-kernels: per NAME
(default: every pin) its pinned version on stdout, one a line, or, when the
archive no longer has it, the nearest newer version of its series
(VERSION.PATCHLEVEL), which the first line on stderr names.  A NAME that is a
Debian version is printed as it is.

  --newest      make check-newest: the archive's newest version of each pin's
                track (6.1, 6.12, newest; rehearsal: linux-source-SERIES)
                against the pin: newer, same or older
  --file FILE   another pins file (default: lab/pinned-kernels)
  -h, --help    this text

Exit status: 0; 2 bad usage, a bad pins file, a NAME that is neither a pin nor
a version; 3 a pin without a version of its series in the archive, or (with
--newest) the archive unreachable.
"""


class PinError(LabError):
    """A pin that cannot be run: the archive lacks its series."""

    def __init__(self, message):
        super().__init__(E_HOST, message)


def series(version):
    """VERSION.PATCHLEVEL of a Debian version: 6.1.192-3 -> 6.1,
    7.3~rc7-1~exp1 -> 7.3."""
    return kernels.major_minor(version)


def parse(text, where=PINS_NAME):
    """NAME -> VERSION, in the file's order.  Blank lines and '#' comments are
    left out; a line is NAME VERSION.  A 6.1 or 6.12 pin must be of that
    series."""
    pins = {}
    for n, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        bad = f"{where}:{n}: "
        if len(words) != 2:
            raise UsageError(bad + "want NAME VERSION")
        name, version = words
        if name not in kernels.TRACKS and name != SOURCE_PIN:
            raise UsageError(bad + f"unknown pin '{name}' (give {', '.join(kernels.TRACKS)} "
                             f"or {SOURCE_PIN})")
        if not VERSION.match(version) or series(version) is None:
            raise UsageError(bad + f"'{version}' is not a Debian kernel version")
        if name in kernels.TRACKS and name != "newest" and series(version) != name:
            raise UsageError(bad + f"pin {name} holds {version}, of series {series(version)}")
        if name in pins:
            raise UsageError(bad + f"pin {name} given twice")
        pins[name] = version
    return pins


def read(path=PINS):
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise UsageError(f"cannot read the pins file {path}: {e.strerror}")
    return parse(text, PINS_NAME if os.path.abspath(path) == PINS else path)


def _sorted(versions):
    return sorted(set(versions), key=kernels._sort_key)


def label(name, version):
    """How a line names a pinned version: a kernel by its version, the
    rehearsal's by its package too."""
    return f"linux-source-{series(version)} {version}" if name == SOURCE_PIN else version


class Choice:
    """What a pin runs: its version, or the nearest newer one of its series
    (note says so)."""

    def __init__(self, name, pinned, version, note=None):
        self.name = name
        self.pinned = pinned
        self.version = version
        self.note = note

    def line(self):
        if self.note:
            return f"{self.name}: {label(self.name, self.version)} (pinned " \
                f"{self.pinned} has left the archive)"
        return f"{self.name}: {label(self.name, self.pinned)} (pinned, in the archive)"


def choose(name, pinned, available):
    """The version to run for the pin NAME = PINNED, given the versions of
    its kind the archive has (any series).  Raises PinError when the pin is
    gone and no newer version of its series is there."""
    if pinned in available:
        return Choice(name, pinned, pinned)
    s = series(pinned)
    newer = _sorted(v for v in available
                    if series(v) == s and kernels.compare_versions(v, pinned) > 0)
    if newer:
        got = newer[0]
        return Choice(name, pinned, got,
                      f"warning: pinned {name} is {label(name, pinned)}, which has left "
                      f"the archive: running {got} instead, the nearest newer version of "
                      f"its series {s}; update {PINS_NAME}")
    have = ", ".join(reversed(_sorted(available))) or "none"
    raise PinError(f"pinned {name} is {label(name, pinned)}, which has left the archive, "
                   f"and the archive has no newer version of its series {s} "
                   f"(VERSION.PATCHLEVEL) to run instead (it has: {have}); another series "
                   f"is never taken: update {PINS_NAME}")


def kernel_versions(asks):
    """Every version of the tracks' meta packages in the archives: what
    --kernel-version takes as an exact version."""
    return [v for metas in kernels.available_versions(asks).values()
            for vs in metas.values() for v in vs]


def source_versions(version, asks):
    """The versions of linux-source-SERIES of VERSION in the archives."""
    pkg = f"linux-source-{series(version)}"
    return [v for ask in asks.values()
            for v in kernels.parse_madison(ask("madison", pkg)).get(pkg, [])]


def available(name, pinned, asks):
    return source_versions(pinned, asks) if name == SOURCE_PIN else kernel_versions(asks)


def check_names(pins, names):
    """Each name must be a pin, or a Debian version (run as it is)."""
    for name in names:
        if name in pins:
            continue
        if name in kernels.TRACKS or name == SOURCE_PIN:
            raise UsageError(f"'{name}' is not pinned in {PINS_NAME} (it pins "
                             f"{', '.join(pins) or 'nothing'}): pin it there, or run it "
                             f"unpinned with make check-newest")
        if not cli.KERNEL_VERSION.match(name):
            raise UsageError(f"'{name}' is neither a pin of {PINS_NAME} nor a Debian version")


def resolve(pins, names, asks):
    """[(NAME, Choice or None)] for NAMES (pins; a Debian version that is no
    pin gets None: it is run as it is).  asks: archive -> apt-cache."""
    check_names(pins, names)
    return [(n, choose(n, pins[n], available(n, pins[n], asks)) if n in pins else None)
            for n in names]


def report(resolved):
    """The lines about what runs: every fallback first, then one per name."""
    notes = [c.note for _, c in resolved if c and c.note]
    lines = [c.line() if c else f"{n}: {n} (an exact version, not a pin)"
             for n, c in resolved]
    return notes + lines


def newest_of(name, pinned, asks):
    """The archive's newest version of the pin's track: the meta package's
    newest, as --kernel-version NAME resolves it; for the rehearsal, the
    newest linux-source of the pin's series."""
    if name == SOURCE_PIN:
        return kernels.newest(source_versions(pinned, asks))
    archive, meta = kernels.TRACKS[name]
    return kernels.newest(kernels.available_versions(asks).get(archive, {}).get(meta, []))


def compare_line(name, pinned, newest, gone):
    """check-newest's line about one pin."""
    if newest is None:
        return f"check-newest: {name}: the archive has no version of it, pinned is {pinned}"
    c = kernels.compare_versions(newest, pinned)
    word = "newer" if c > 0 else "same" if c == 0 else "older"
    line = f"check-newest: {name}: newest is {label(name, newest)}, pinned is {pinned}: {word}"
    if gone:
        line += " (the pinned version has left the archive)"
    return line


def newest_report(pins, names, asks):
    lines = []
    for name in names:
        if name not in pins:
            lines.append(f"check-newest: {name}: " + (
                "not pinned" if name in kernels.TRACKS or name == SOURCE_PIN
                else "an exact version, not a pin"))
            continue
        pinned = pins[name]
        lines.append(compare_line(name, pinned, newest_of(name, pinned, asks),
                                  pinned not in available(name, pinned, asks)))
    return lines


# --- the archive ---------------------------------------------------------------------

def archive_asks(cache, log):
    """archive -> apt-cache of the lab's private apt, or None with the reason
    when an archive has no package lists (offline, nothing cached)."""
    apts = {a: kernels.apt_for(cache, a, log) for a in kernels.SUITES}
    missing = [f"{a}: {apt.error or 'no package lists'}"
               for a, apt in apts.items() if not apt.usable()]
    if missing:
        return None, "; ".join(missing)
    return {a: (lambda *args, apt=apt: apt.cache(*args)) for a, apt in apts.items()}, None


def run_pins(cache, names, log, path=PINS):
    """The Choices of NAMES against today's archive; unchecked (the pins as
    they are, with a warning) when the archive cannot be reached: vmtest then
    takes what its cache has of them."""
    pins = read(path)
    names = names or list(pins)
    check_names(pins, names)
    asks, why = archive_asks(cache, log)
    if asks is None:
        log(f"warning: cannot check the pins against the Debian archive ({why}): "
            "running them as they are")
        return [(n, Choice(n, pins[n], pins[n]) if n in pins else None) for n in names]
    resolved = resolve(pins, names, asks)
    for line in report(resolved):
        log(line)
    return resolved


def pinned_version(cache, name, log, path=PINS):
    """The version the pin NAME runs (for bisect-rehearsal)."""
    return run_pins(cache, [name], log, path)[0][1].version


def main(argv):
    cache = os.environ.get("LAB_CACHE", os.path.join(LAB_DIR, "cache"))

    def err(text):
        sys.stderr.write(f"kernel-pins: {text}\n")
        sys.stderr.flush()

    newest, path, names = False, PINS, []
    args = list(argv)
    try:
        while args:
            a = args.pop(0)
            if a in ("-h", "--help"):
                sys.stdout.write(USAGE)
                return 0
            if a == "--newest":
                newest = True
            elif a == "--file" or a.startswith("--file="):
                path = a.partition("=")[2] if "=" in a else (args.pop(0) if args else None)
                if not path:
                    raise UsageError("--file needs a FILE")
            elif a.startswith("-"):
                raise UsageError(f"unknown option {a}")
            else:
                names.append(a)
        if newest:
            pins = read(path)
            asks, why = archive_asks(cache, err)
            if asks is None:
                raise LabError(E_HOST, f"cannot reach the Debian archive ({why})")
            for line in newest_report(pins, names or list(pins), asks):
                print(line, flush=True)
            return 0
        for name, choice in run_pins(cache, names, err, path):
            print(choice.version if choice else name, flush=True)
    except LabError as e:
        if e.code == E_USAGE and str(e).startswith("unknown option"):
            sys.stderr.write(USAGE)
        err(f"error: {e}")
        return e.code
    return 0
