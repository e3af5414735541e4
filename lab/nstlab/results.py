# SPDX-License-Identifier: GPL-2.0-only
"""From what the console showed to vmtest's verdict, its closing line and its
exit code; and from vmtest's exit code to bisect-step's answer."""

from dataclasses import dataclass

from .errors import (E_PASS, E_FAIL, E_USAGE, E_HOST, E_LAB, E_NOTHING,
                     X_GOOD, X_BAD, X_SKIP, X_ABORT)


def bisect_exit(code, bisect):
    """With --bisect, usage and host problems abort the bisection (the same
    would happen for every commit) and lab failures skip the commit."""
    if not bisect:
        return code
    return {E_USAGE: X_ABORT, E_HOST: X_ABORT, E_LAB: E_NOTHING}.get(code, code)


KIND_NAMES = {"run": "normal runs", "selfcheck": "self-check runs"}


def counts(sets, nruns, kind=None):
    """(passed, failed, skipped): the scenario counts of all run_tests.sh
    closing lines (of one kind of run, or all).  A run that did not finish
    (the machine died, kvm_intel or kvm_amd did not load, the set or the whole
    boot never happened) counts as one failed scenario, so a lost run never looks like a
    pass.  nruns: the runs asked for (of that kind)."""
    if kind is None:
        rows = [(s.runs, s.passed, s.failed, s.skipped) for s in sets.values()]
    else:
        rows = [s.kinds.get(kind, (0, 0, 0, 0)) for s in sets.values()]
    done, p, f, sk = (sum(r[i] for r in rows) for i in range(4))
    return p, f + nruns - done, sk


def count_text(c):
    return f"{c[0]} passed, {c[1]} failed, {c[2]} skipped"


def closing_line(sets, nruns):
    """The last line of every run that got past the command line."""
    return f"vmtest: {count_text(counts(sets, nruns))}"


def kind_lines(sets, kinds, runs_per_kind, label=""):
    """With more than one kind of run (--self-check), one line per kind
    before the closing line, so that a self-check failure is told apart from
    a failure of the suite itself."""
    if len(kinds) < 2:
        return []
    return [f"vmtest: {label}{KIND_NAMES[k]}: "
            f"{count_text(counts(sets, runs_per_kind, k))}" for k in kinds]


def add_counts(all_counts):
    """The sum of several (passed, failed, skipped)."""
    return tuple(sum(c[i] for c in all_counts) for i in range(3))


def combine_codes(codes):
    """One exit code for several boots (one per kernel): a test failure
    first, then the other failures in the order they came, else 0 if any
    passed, else 125 (nothing ran under --bisect)."""
    for c in codes:
        if c == E_FAIL:
            return c
    for c in codes:
        if c not in (E_PASS, E_NOTHING):
            return c
    return E_PASS if E_PASS in codes else (codes[0] if codes else E_PASS)


@dataclass
class Verdict:
    code: int
    lab_error: str = None
    died_in_tests: bool = False


def _sets_result(con):
    """(first failing status, any pass, any modfail) over the sets."""
    result, any_pass, any_modfail = None, False, False
    for s in con.sets.values():
        if s.state == "modfail":
            any_modfail = True
        elif s.rc == 0:
            any_pass = True
        elif s.rc not in (None, 125) and result is None:
            result = s.rc
    return result, any_pass, any_modfail


def _machine_lost(con, emulator):
    """(died in tests, lab error) when the machine crashed, hung or reset."""
    crashed = con.crash is not None
    state = con.crash_state if crashed else con.state
    if state in ("tests", "rmmod"):
        # The code under test took the machine down: a failure, not a lab
        # problem (and "bad" for git bisect).
        return True, None
    if state in ("done", "poweroff"):
        # Results are all in; only the shutdown went wrong.
        return False, "kernel crash after the tests" if crashed else None
    if crashed:
        return False, f"kernel crash during {state}"
    return False, f"{con.stop_why} during {state}"


def _missing_runs(con, param_sets, repeat):
    for i, params in enumerate(param_sets, 1):
        s = con.sets[i]
        if s.state:
            continue
        if s.rc is None:
            return f"parameter set {i} ({params}) did not run"
        if s.runs < repeat:
            return f"parameter set {i} ({params}) ran {s.runs} of {repeat} times"
    return None


def verdict(con, param_sets, repeat, bisect, emulator, emu_rc, module="kvm_intel"):
    """The run's exit code (before the --bisect mapping) and why.  module:
    the vendor module, kvm_intel or kvm_amd."""
    result, any_pass, any_modfail = _sets_result(con)
    died, lab_error = False, None
    if con.crash is not None or con.timed_out or con.reboot:
        died, lab_error = _machine_lost(con, emulator)
        if died:
            con.sets[con.crash_set or con.cur].state = "died"
    elif "done" not in con.t:
        lab_error = f"{emulator} exited (status {emu_rc}) before the guest finished"
    if not lab_error and con.modload_fail:
        lab_error = f"{con.modload_fail} failed to load"
    if not lab_error and result is None and any_modfail:
        lab_error = f"{module} failed to load"
    if not lab_error and not died and "done" in con.t:
        lab_error = _missing_runs(con, param_sets, repeat)
    if died:
        code = E_FAIL
    elif result is not None:
        code = result
    elif lab_error:
        code = E_LAB
    elif any_pass or not bisect:
        code = E_PASS
    else:
        code = E_NOTHING
    return Verdict(code, lab_error, died)


def last_word(code, bisect):
    """vmtest's last stderr line, with the code as it will exit."""
    final = bisect_exit(code, bisect) if code == E_LAB else code
    if code == E_PASS:
        return "PASS"
    if code == E_NOTHING:
        return "nothing ran (exit 125)"
    if code == E_LAB:
        return f"FAIL: lab failure (exit {final})"
    return f"FAIL (exit {final})"


# --- bisect-step ---------------------------------------------------------------------------

WORDS = {X_GOOD: "good", X_SKIP: "skip", X_ABORT: "abort"}


def step_word(code):
    return WORDS.get(code, "bad")


def step_verdict(vmtest_rc, total, last, what):
    """bisect-step's (code, reason) from vmtest --bisect's exit status, its
    closing counts ("N passed, ...") and its last message."""
    if vmtest_rc == 0:
        return X_GOOD, f"{total or 'passed'} ({what})"
    if vmtest_rc == 125:
        return X_SKIP, f"nothing could run: {last} ({what})"
    if vmtest_rc == 128:
        return X_ABORT, f"vmtest refused: {last} ({what})"
    if vmtest_rc in (130, 143):
        return X_ABORT, f"vmtest was interrupted ({what})"
    return X_BAD, f"{total or 'failed'} (vmtest exit {vmtest_rc}; {what})"


def step_line(code, commit, reason):
    """bisect-step's one-line answer on stderr."""
    return f"bisect-step: {step_word(code)} (exit {code}): {commit + ': ' if commit else ''}{reason}"
