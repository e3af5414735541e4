# SPDX-License-Identifier: GPL-2.0-only
"""Child processes of bisect-step and the rehearsal: builds and vmtest, with
their output in a log (and on stderr with -v)."""

import subprocess
import sys


def run_logged(cmd, log, verbose=False, nice=False, cwd=None):
    """Run cmd with its output in log (and on stderr if verbose); its status.

    If INT or TERM arrives (as Interrupted), the child gets TERM and is waited
    for: vmtest then stops its emulator itself, so nothing outlives a step.
    """
    if nice:
        cmd = ["nice", "-n", "10", *cmd]
    with open(log, "wb") as f:
        child = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE if verbose else f,
                                 stderr=subprocess.STDOUT)
        try:
            if verbose:
                for chunk in iter(lambda: child.stdout.read1(65536), b""):
                    f.write(chunk)
                    sys.stderr.buffer.write(chunk)
                    sys.stderr.flush()
            return child.wait()
        except BaseException:
            child.terminate()
            child.wait()
            raise


def output(cmd, cwd=None):
    """cmd's stdout stripped, or None if it failed."""
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True)
    return r.stdout.strip() if r.returncode == 0 else None
