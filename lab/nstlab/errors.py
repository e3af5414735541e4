# SPDX-License-Identifier: GPL-2.0-only
"""Exit codes and the exceptions that carry them to the entry point."""

E_PASS = 0
E_FAIL = 1      # a test failed, or the machine died while tests were running
E_USAGE = 2     # bad command line or input
E_HOST = 3      # host environment: missing dependency, kernel download failed
E_LAB = 4       # lab failure: suite build, boot, module load, emulator crash or hang
E_NOTHING = 125  # --bisect: nothing ran

# git bisect run's convention.
X_GOOD = 0
X_BAD = 1
X_SKIP = 125
X_ABORT = 128


class LabError(Exception):
    """A failure with the exit code it stands for."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class UsageError(LabError):
    """A bad command line; the usage text follows the message."""

    def __init__(self, message):
        super().__init__(E_USAGE, message)


class Interrupted(Exception):
    """INT or TERM arrived; code is the shell's 128 + signal number."""

    def __init__(self, name, code):
        super().__init__(name)
        self.code = code


def install_signal_handlers():
    """Turn INT, TERM and HUP into Interrupted, so that cleanups run."""
    import signal

    def handler(signum, frame):
        name = signal.Signals(signum).name[3:]
        raise Interrupted(name, 128 + signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)
