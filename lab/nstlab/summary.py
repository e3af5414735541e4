# SPDX-License-Identifier: GPL-2.0-only
"""vmtest's report on stderr after a run: failure context, the per-set table,
the phase times and the warnings."""

import os

from . import machines


def span(a, b):
    """Seconds between two timestamps, or "-" when one is missing."""
    if a is None or b is None:
        return "-"
    return f"{b - a:.1f}"


def row(name, value):
    return f"  {name:<44} {value:>8}"


def _tail(path, n):
    try:
        with open(path, errors="replace") as f:
            return [l.rstrip("\n").rstrip("\r") for l in f.readlines()[-n:]]
    except OSError:
        return []


def failure_context(run, con):
    out = [""]
    if con.crash is not None:
        out.append(f"---- the guest kernel's crash report ({run.out}/crash.log) ----")
        out += con.excerpt()
    else:
        out.append(f"---- last 30 lines of the guest console ({run.console}) ----")
        out += con.lines[-30:]
    if con.report:
        out.append("---- the guest's failure report (insmod, rmmod, dmesg) ----")
        out += con.report
    if machines.is_bochs(run.emulator) and "done" not in con.t and con.crash is None:
        out.append(f"---- last lines of the Bochs log ({run.out}/bochs.log) ----")
        out += [l for l in _tail(os.path.join(run.out, "bochs.log"), 40) if l.strip()][-15:]
        out += _tail(os.path.join(run.out, "emulator.out"), 5)
    out.append("----")
    return out


def _set_rows(run, con):
    cfg = run.cfg
    out = [f"  {'set':<3} {'params':<22} {'result':<9} {'runs':>4} {'failed':>6}  "
           f"{'scenarios':<14} {cfg.cpu.modname} parameters"]
    for i, params in enumerate(cfg.param_sets, 1):
        s = con.sets[i]
        result = s.state or (f"exit={s.rc}" if s.rc is not None else "no run")
        quoted = f'"{params}"'
        out.append(f"  {i:<3} {quoted:<22} {result:<9} "
                   f"{f'{s.runs}/{cfg.runs_per_set}':>4} {s.fails:>6}  "
                   f"{f'{s.passed}/{s.failed}/{s.skipped}':<14} {s.info}".rstrip())
    out.append("  (runs: finished/asked; failed: runs that failed; scenarios: "
               "passed/failed/skipped)")
    return out


def _phase_rows(run, con):
    t, cfg = run.t, run.cfg
    out = ["  phase (wall time, host clock)                    seconds",
           row("host: kernel (cache or download)", span(t["host0"], t["kernel"])),
           row("host: suite", span(t["kernel"], t["suite"])),
           row("host: initramfs and boot image", span(t["suite"], t["built"]))]
    if "boot" in con.t:
        out.append(row("emulator start to bootloader", span(t["emu"], con.t["boot"])))
        out.append(row("bootloader to /init", span(con.t["boot"], con.t.get("init"))))
    else:
        out.append(row("emulator start to /init", span(t["emu"], con.t.get("init"))))
    out.append(row("insmod irqbypass kvm", span(con.t.get("init"), con.t.get("modload"))))
    prev = con.t.get("modload") or con.t.get("init") or t["emu"]
    for i, params in enumerate(cfg.param_sets, 1):
        st = con.sets[i].t
        p = f'set {i} "{params}"'
        tests = "tests" if cfg.runs_per_set == 1 else f"tests ({con.sets[i].runs} runs)"
        out.append(row(f"{p} insmod {cfg.cpu.modname}", span(st.get("begin"),
                                                              st.get("loaded"))))
        out.append(row(f"{p} {tests}", span(st.get("loaded"), st.get("exit"))))
        if len(cfg.kinds) > 1:
            for k in cfg.kinds:
                secs = con.sets[i].kind_secs.get(k)
                out.append(row(f"  of which {k} runs",
                               "-" if secs is None else f"{secs:.1f}"))
        out.append(row(f"{p} rmmod", span(st.get("exit"), st.get("end"))))
        for k in ("begin", "loaded", "exit", "end"):
            prev = st.get(k, prev)
    if "poweroff" in con.t:
        out.append(row("poweroff", span(con.t["poweroff"], t["end"])))
    else:
        why = con.stop_why or "emulator exit"
        out.append(row(f"last marker to end ({why})", span(prev, t["end"])))
    out.append(row("emulator total", span(t["emu"], t["end"])))
    out.append(row("total", span(t["host0"], t["end"])))
    return out


def norm_bool(v):
    return {"1": "Y", "Y": "Y", "y": "Y", "on": "Y",
            "0": "N", "N": "N", "n": "N", "off": "N"}.get(v, v)


def readback_warnings(params, info, i, module="kvm_intel"):
    """kvm_intel (kvm_amd) quietly turns features off that the CPU lacks
    (e.g. ept=1 without EPT): say so when a set did not get what it asked
    for."""
    got = dict(w.partition("=")[::2] for w in info.split())
    out = []
    for w in ("nested=1 " + params).split():
        name, eq, want = w.partition("=")
        if eq and name in got and norm_bool(got[name]) != norm_bool(want):
            out.append(f"vmtest: warning: set {i} asked for {w} but {module} has "
                       f"{name}={got[name]}")
    return out


def report(run, con, verdict):
    """The lines vmtest prints on stderr after the machine stopped."""
    out = []
    if verdict.lab_error or verdict.died_in_tests or con.crash is not None:
        out += failure_context(run, con)
    elif con.report:
        out += ["", "---- the guest's failure report (dmesg) ----"] + con.report
    version = f" ({run.bochs.version})" if run.bochs else ""
    out += ["", f"vmtest summary: {run.emulator}{version}, kernel {run.kver}"]
    out += [f"  {s}" for s in run.module_src]
    out += [""] + _set_rows(run, con) + [""] + _phase_rows(run, con) + [""]
    for i, params in enumerate(run.cfg.param_sets, 1):
        if con.sets[i].info:
            out += readback_warnings(params, con.sets[i].info, i, run.cfg.cpu.modname)
    if con.warnings:
        out.append(f"vmtest: note: the guest kernel printed {con.warnings} "
                   "WARNING/BUG/Oops line(s)")
    if con.timed_out and con.state == "poweroff":
        out.append("vmtest: warning: the machine did not power off; it was stopped")
    out.append(f"vmtest: logs in {run.out}")
    return out


def errors(run, con, verdict):
    """The error lines that close the report, before the last word."""
    out = []
    if con.modload_fail or any(s.state == "modfail" for s in con.sets.values()):
        what = con.modload_fail[:-3] if con.modload_fail else run.cfg.cpu.modname
        out.append(f"error: {what} failed to load: {con.load_report or 'no message'}")
    if con.crash is not None:
        where = f" in {con.crash_where}" if con.crash_where else ""
        s = con.crash_set
        in_set = f', set {s} "{run.cfg.param_sets[s - 1]}"' if s and con.crash_where else ""
        out.append(f"error: the guest kernel crashed during {con.crash_state}"
                   f"{where}{in_set}: {con.crash}")
    elif con.timed_out and con.state != "poweroff":
        where = f" in {con.running()}" if con.running() else ""
        out.append(f"error: no result within {run.cfg.timeout}s (during {con.state}"
                   f"{where}): the machine hung")
    elif con.reboot:
        where = f" in {con.running()}" if con.running() else ""
        out.append(f"error: the machine reset (during {con.state}{where})")
    if verdict.lab_error:
        out.append(f"lab failure: {verdict.lab_error}")
    return out
