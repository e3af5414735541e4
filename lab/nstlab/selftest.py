# SPDX-License-Identifier: GPL-2.0-only
"""lab/selftest: check that the entry points turn what happens into the right
exit status and output, using the stand-in suite in lab/standin (one passing
and one failing KVM test) instead of the real one.

  lab/selftest           command-line checks, then seven real boots (~2 min)
  lab/selftest --quick   command-line checks only (no emulator)

Prints TAP and ends with the plain "N passed, N failed" line; exits 1 if any
check failed.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VMTEST = os.path.join(LAB_DIR, "vmtest")
STEP = os.path.join(LAB_DIR, "bisect-step")


class Checks:
    def __init__(self, tmp):
        self.tmp = tmp
        self.n = self.passed = self.failed = 0
        self.env = dict(os.environ, LAB_OUT=os.path.join(tmp, "out"))

    def check(self, what, want, patterns, prog, *args):
        """Run prog; its status must be want and each regex must match a line
        of its output (stdout and stderr together)."""
        self.n += 1
        print(f"# {what}: {os.path.basename(prog)} {' '.join(args)}", flush=True)
        r = subprocess.run([prog, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, errors="replace", env=self.env)
        lines = r.stdout.splitlines()
        missing = [p for p in patterns if not any(re.search(p, l) for l in lines)]
        if r.returncode == want and not missing:
            self.passed += 1
            print(f"ok {self.n} {what}")
            return
        self.failed += 1
        print(f"not ok {self.n} {what} (exit {r.returncode}, expected {want}"
              f"{', and output matching:' if missing else ''})")
        for p in missing:
            print(f"#   /{p}/")
        for line in lines[-25:]:
            print(f"#   {line}")

    def finish(self):
        print(f"1..{self.n}")
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def command_line(c):
    t = c.tmp
    c.check("unknown option is a usage error", 2, ["^Usage:"], VMTEST, "--no-such-option")
    c.check("--kernel without --modules is refused", 2, ["needs --modules"],
            VMTEST, "--kernel", "/bin/true")
    c.check("missing kernel file is refused", 2, ["kernel file not found"],
            VMTEST, "--kernel", "/nonexistent", "--modules", t)
    c.check("malformed --params is refused", 2, ["bad kvm_intel parameter"],
            VMTEST, "--params", "ept 1")
    c.check("missing --suite folder is refused", 2, ["suite folder not found"],
            VMTEST, "--suite", os.path.join(t, "none"))
    c.check("bad input under --bisect aborts the bisection", 128, [],
            VMTEST, "--bisect", "--kernel", "/nonexistent", "--modules", t)
    c.check("an unknown option under --bisect aborts the bisection", 128, ["^Usage:"],
            VMTEST, "--bisect", "--no-such-option")
    c.check("--repeat 0 is refused", 2, ["--repeat needs a positive number"],
            VMTEST, "--repeat", "0")
    c.check("unbalanced quote in --run-args is refused", 2, ["unbalanced quote"],
            VMTEST, "--run-args", "-s 'vmxon")
    c.check("--bisect after -- belongs to run_tests.sh", 2, ["^Usage:"],
            VMTEST, "--no-such-option", "--", "--bisect")
    c.check("--help is the usage text", 0, ["^Usage: vmtest", "^Exit status"],
            VMTEST, "--help")
    c.check("an unknown --cpu is a usage error", 2,
            ["--cpu must be intel or amd, not 'arm'"], VMTEST, "--cpu", "arm")
    c.check("--cpu amd refuses Bochs", 2, ["--emulator bochs cannot run --cpu amd"],
            VMTEST, "--cpu", "amd", "--emulator", "bochs")
    c.check("--cpu amd with a missing --modules folder is refused", 2,
            ["modules folder not found: /nonexistent"],
            VMTEST, "--cpu", "amd", "--modules", "/nonexistent")
    c.check("--cpu amd refuses --kernel-tree", 2,
            ["--kernel-tree is not supported with --cpu amd"],
            VMTEST, "--cpu", "amd", "--kernel-tree", t)


def bisect_step(c):
    """What must abort a bisection (128) rather than skip or judge."""
    t = c.tmp
    c.check("bisect-step: bad --mode aborts", 128, ["^bisect-step: abort .*--mode must be"],
            STEP, "--mode", "nonsense")
    c.check("bisect-step: an unknown option aborts", 128,
            ["^Usage: bisect-step", "^bisect-step: abort .*bad usage"], STEP, "--frob")
    c.check("bisect-step: a folder that is no kernel tree aborts", 128,
            ["^bisect-step: abort .*not a Linux kernel tree"],
            STEP, "--tree", t, "--state", os.path.join(t, "state"))
    tree = os.path.join(t, "tree")
    for d in ("arch/x86/kvm", "virt/kvm"):
        os.makedirs(os.path.join(tree, d))
    with open(os.path.join(tree, "Makefile"), "w") as f:
        f.write("VERSION = 6\nPATCHLEVEL = 1\n")
    c.check("bisect-step: a state folder inside the tree aborts", 128,
            ["^bisect-step: abort .*must be outside the kernel tree"],
            STEP, "--tree", tree, "--state", os.path.join(tree, "state"))


def build_standin(t):
    suite = os.path.join(t, "suite")
    os.makedirs(os.path.join(suite, "x86"))
    shutil.copy(os.path.join(LAB_DIR, "standin", "run_tests.sh"), suite)
    os.chmod(os.path.join(suite, "run_tests.sh"), 0o755)
    cc = os.environ.get("CC", "gcc")
    src = os.path.join(LAB_DIR, "standin", "standin_test.c")
    for name, extra in (("standin_pass", []), ("standin_fail", ["-DSTANDIN_FAIL"])):
        if subprocess.run([cc, "-static", "-O2", "-Wall", *extra, "-o",
                           os.path.join(suite, "x86", name), src]).returncode:
            print(f"Bail out! cannot build the stand-in tests with {cc} -static")
            sys.exit(1)
    return suite


CRASHING_SUITE = """#!/bin/sh
# One scenario that crashes the guest kernel (sysrq c).
printf 'KTAP version 1\\n1..1\\n    KTAP version 1\\n    1..1\\n'
printf '    # crash_test\\n    # sysrq_crash: the kernel is made to crash\\n'
sleep 1
echo c >/proc/sysrq-trigger
sleep 600
"""


RESETTING_SUITE = """#!/bin/sh
# One scenario that resets the machine (sysrq b): QEMU -no-reboot exits.
printf 'KTAP version 1\\n1..1\\n    KTAP version 1\\n    1..1\\n'
printf '    # reset_test\\n    # sysrq_reboot: the machine is made to reset\\n'
echo b >/proc/sysrq-trigger
sleep 600
"""


def script_suite(t, name, script):
    suite = os.path.join(t, name)
    os.makedirs(os.path.join(suite, "x86"))
    path = os.path.join(suite, "run_tests.sh")
    with open(path, "w") as f:
        f.write(script)
    os.chmod(path, 0o755)
    return suite


def crashing_suite(t):
    return script_suite(t, "crash-suite", CRASHING_SUITE)


def lab_inputs(c, suite):
    """Checks that need the kernel (cached or fetched) but no boot."""
    out = os.path.join(c.tmp, "out")
    c.check("an unknown kvm_intel parameter is refused", 2,
            ["unknown kvm_intel parameter 'bogus_param'"],
            VMTEST, "--suite", suite, "--params", "bogus_param=1")
    c.check("... and aborts a bisection", 128, ["unknown kvm_intel parameter"],
            VMTEST, "--bisect", "--suite", suite, "--params", "ept=1", "--params", "bogus=1")
    c.check("QEMU command line (dry run)", 0,
            ["^qemu-system-x86_64 -enable-kvm -cpu host .*-kernel .*-initrd "],
            VMTEST, "--emulator", "qemu", "--dry-run", "--suite", suite)
    c.check("Bochs command line (dry run)", 0, ["^bochs-bin -q -f .*bochsrc"],
            VMTEST, "--emulator", "bochs", "--dry-run", "--suite", suite)
    c.check("an unknown kvm_amd parameter is refused", 2,
            ["unknown kvm_amd parameter 'nptt' in --params \"nptt=1\": kvm-amd.ko has "],
            VMTEST, "--cpu", "amd", "--suite", suite, "--params", "nptt=1")
    c.check("QEMU TCG command line (--cpu amd, dry run)", 0,
            ["^qemu-system-x86_64 -accel tcg -cpu max .*-icount shift=3,sleep=off "
             ".*-kernel .*-initrd "],
            VMTEST, "--cpu", "amd", "--emulator", "tcg", "--dry-run", "--suite", suite)
    c.n += 1
    kept = glob.glob(os.path.join(out, "*"))
    print(f"{'ok' if not kept else 'not ok'} {c.n} usage errors and dry runs leave no "
          f"log folder in LAB_OUT{'' if not kept else ': ' + ' '.join(kept)}")
    c.passed += not kept
    c.failed += bool(kept)


def boots(c, suite):
    """Real boots, one at a time."""
    # Both default sets in one boot, and sysfs must show what each set asked
    # for; run_tests.sh runs twice per set and gets the extra arguments
    # unchanged.
    c.check("passing test under ept=1 and ept=0, twice, with extra arguments", 0,
            [r'^LAB: set 1 params "ept=1" loaded nested=Y ept=Y',
             r'^LAB: set 2 params "ept=0" loaded nested=Y ept=N',
             r'^LAB: set 2 params "ept=0" run 2 exit=0',
             r"^# argv: \[standin_pass\] \[--self-check\] \[-s\] \[a b\*\] \[\] \[--\] "
             r"\[-s\] \[x\]$",
             r'^  2 +"ept=0" +exit=0 +2/2 +0  2/0/0 ',
             r"^vmtest: 4 passed, 0 failed, 0 skipped$"],
            VMTEST, "--suite", suite, "-t", "standin_pass", "--repeat", "2",
            "--run-args", "--self-check -s 'a b*' ''", "--", "--", "-s", "x")
    # The AMD lab: kvm_amd under both default sets in QEMU's TCG.
    c.check("--cpu amd: passing test under npt=1 and npt=0", 0,
            [r'^LAB: set 1 params "npt=1" loaded nested=(1|Y) npt=Y',
             r'^LAB: set 2 params "npt=0" loaded nested=(1|Y) npt=N',
             r'^vmtest: starting tcg ',
             r'^  2 +"npt=0" +exit=0 +1/1 +0  1/0/0 ',
             r"^vmtest: 2 passed, 0 failed, 0 skipped$"],
            VMTEST, "--cpu", "amd", "--suite", suite, "-t", "standin_pass")
    c.check("failing test makes the host exit 1", 1,
            ["^not ok .*standin_fail", "^vmtest: 1 passed, 1 failed, 0 skipped$"],
            VMTEST, "--suite", suite, "--params", "ept=1")
    bad = os.path.join(c.tmp, "badmods")
    os.makedirs(bad)
    with open(os.path.join(bad, "kvm-intel.ko"), "wb") as f:
        f.write(b"\0" * 8192)
    cache = os.environ.get("LAB_CACHE", os.path.join(LAB_DIR, "cache"))
    kvm = glob.glob(os.path.join(cache, "linux-image-*", "**", "arch/x86/kvm/kvm.ko"),
                    recursive=True)
    if kvm:
        shutil.copy(kvm[0], bad)
        c.check("kvm_intel load failure is a lab failure (125 with --bisect)", 125,
                ["kvm_intel failed to load", "^vmtest: 0 passed, 1 failed, 0 skipped$"],
                VMTEST, "--suite", suite, "--modules", bad, "--bisect", "--params", "ept=1")
    else:
        c.n += 1
        c.failed += 1
        print(f"not ok {c.n} kvm_intel load failure: no cached kvm.ko")
    # Stopped at the crash, long before the guest's 600 s sleep or the
    # 120 s timeout would end the run.
    c.check("a guest kernel crash in a scenario is named and exits 1", 1,
            [r"^vmtest: stopping bochs .*: kernel crash",
             r"^vmtest: error: the guest kernel crashed during tests in test crash_test, "
             r"scenario sysrq_crash .*: Kernel panic - not syncing",
             r"^vmtest: 0 passed, 1 failed, 0 skipped$"],
            VMTEST, "--suite", crashing_suite(c.tmp), "--params", "ept=1",
            "--emulator", "bochs", "--timeout", "120")
    # QEMU runs with -no-reboot: a reset ends it without the poweroff marker.
    c.check("--cpu amd: a guest reset in a scenario is named and exits 1", 1,
            [r"^vmtest: error: the machine reset \(during tests in test reset_test, "
             r"scenario sysrq_reboot ",
             r"^vmtest: 0 passed, 1 failed, 0 skipped$"],
            VMTEST, "--cpu", "amd", "--suite", script_suite(c.tmp, "reset-suite",
                                                            RESETTING_SUITE),
            "--params", "npt=1", "--timeout", "120")
    c.check("nothing selected exits 125 with --bisect", 125,
            ["^vmtest: 0 passed, 0 failed, 0 skipped$"],
            VMTEST, "--suite", suite, "--params", "ept=1", "--bisect", "-t", "no_such_test")


USAGE = """\
Usage: selftest [--quick]

Check that lab/vmtest and lab/bisect-step turn what happens into the right
exit status and output, with the stand-in suite of lab/standin; prints TAP
and ends with "N passed, N failed"; exits 1 if any check failed.

  --quick     command-line checks only (no emulator)
  -h, --help  this text
"""


def main(argv):
    if argv in (["-h"], ["--help"]):
        sys.stdout.write(USAGE)
        return 0
    if argv not in ([], ["--quick"]):
        sys.stderr.write(USAGE)
        return 2
    print("TAP version 13", flush=True)
    with tempfile.TemporaryDirectory(prefix="lab-selftest.") as t:
        c = Checks(t)
        command_line(c)
        bisect_step(c)
        if argv != ["--quick"]:
            suite = build_standin(t)
            lab_inputs(c, suite)
            boots(c, suite)
        return c.finish()
