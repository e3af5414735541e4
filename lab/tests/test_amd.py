# SPDX-License-Identifier: GPL-2.0-only
"""The AMD lab (vmtest --cpu amd): the option and what it changes, the
kvm_amd parameter check, the guest's vendor switch in init.sh, the TCG
command line, a recorded AMD console, and --total-file."""

import contextlib
import io
import os
import re
import subprocess
import tempfile
import unittest

from helpers import HERE, replay
from test_kmod import tiny_module
from nstlab import cli, console, cpus, machines, media, results, summary, vmtest
from nstlab.errors import UsageError, E_PASS, E_FAIL

LAB_DIR = os.path.dirname(HERE)
AMD_SETS = ["npt=1", "npt=0"]
AMD_MODINFO = (b"license=GPL\0parm=npt:Enable NPT (bool)\0parmtype=npt:bool\0"
               b"parm=nested:(int)\0parmtype=nested:int\0parmtype=vgif:int\0depends=kvm\0")


def refused(test, argv, words):
    with test.assertRaises(UsageError, msg=argv) as e:
        cli.vmtest_config(argv)
    test.assertIn(words, str(e.exception))
    return e.exception


class CpuOption(unittest.TestCase):
    def test_intel_is_the_default(self):
        for argv in ([], ["--cpu", "intel"], ["--cpu=intel"]):
            c = cli.vmtest_config(argv)
            self.assertIs(c.cpu, cpus.INTEL)
            self.assertEqual((c.param_sets, c.emulator), (["ept=1", "ept=0"], "auto"))

    def test_amd(self):
        c = cli.vmtest_config(["--cpu", "amd", "--self-check"])
        self.assertIs(c.cpu, cpus.AMD)
        self.assertEqual((c.cpu.module, c.cpu.modname), ("kvm-amd", "kvm_amd"))
        self.assertEqual((c.param_sets, c.emulator, c.nruns), (AMD_SETS, "auto", 4))
        c = cli.vmtest_config(["--cpu=amd", "--params", "npt=1 avic=0", "--emulator", "tcg"])
        self.assertEqual((c.param_sets, c.emulator), (["npt=1 avic=0"], "tcg"))
        c = cli.vmtest_config(["--cpu", "amd", "--emulator", "qemu"])
        self.assertEqual(c.emulator, "qemu")

    def test_bad_cpu(self):
        e = refused(self, ["--cpu", "arm"], "--cpu must be intel or amd, not 'arm'")
        self.assertNotIsInstance(e, cli.BadOption)
        refused(self, ["--cpu", "AMD"], "--cpu must be intel or amd")
        with self.assertRaises(cli.BadOption):
            cli.vmtest_config(["--cpu"])

    def test_emulators_that_lack_the_cpu(self):
        refused(self, ["--cpu", "amd", "--emulator", "bochs"], "Bochs's AMD model hangs")
        refused(self, ["--emulator", "tcg"], "QEMU's TCG does not emulate VMX")
        refused(self, ["--cpu", "amd", "--emulator", "kvm"],
                "--emulator must be bochs, bochs-3.0, qemu, tcg or auto")

    def test_malformed_params_name_the_module(self):
        refused(self, ["--cpu", "amd", "--params", "npt 1"], "bad kvm_amd parameter '1'")

    def test_kernel_tree_is_intel_only(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "arch", "x86", "kvm"))
            open(os.path.join(d, "Makefile"), "w").close()
            self.assertEqual(cli.vmtest_config(["--kernel-tree", d]).kernel_tree, d)
            refused(self, ["--cpu", "amd", "--kernel-tree", d],
                    "--kernel-tree is not supported with --cpu amd")

    def test_usage_text(self):
        self.assertIn("--cpu intel|amd", cli.VMTEST_USAGE)
        self.assertIn("--total-file FILE", cli.VMTEST_USAGE)


class Modules(unittest.TestCase):
    """--modules DIR and the packaged modules with kvm-amd.ko, and the
    --params names checked against it."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.d = self.dir.name
        for name, data in (("kvm.ko", tiny_module(b"license=GPL\0")),
                           ("kvm-amd.ko", tiny_module(AMD_MODINFO))):
            with open(os.path.join(self.d, name), "wb") as f:
                f.write(data)

    def tearDown(self):
        self.dir.cleanup()

    def run_of(self, argv):
        return vmtest.Run(cli.vmtest_config(argv))

    def test_modules_folder(self):
        run = self.run_of(["--cpu", "amd", "--modules", self.d])
        mods = vmtest.collect_modules(run, None)
        self.assertEqual(sorted(mods), ["kvm", "kvm-amd"])
        self.assertTrue(mods["kvm-amd"].endswith("/kvm-amd.ko"))
        # An Intel run wants kvm-intel.ko, which this folder lacks.
        run = self.run_of(["--modules", self.d])
        with self.assertRaises(UsageError) as e:
            vmtest.collect_modules(run, None)
        self.assertIn("no kvm-intel.ko in", str(e.exception))

    def test_params_checked_against_kvm_amd(self):
        ko = os.path.join(self.d, "kvm-amd.ko")
        vmtest.check_param_names(self.run_of(["--cpu", "amd"]), ko)
        vmtest.check_param_names(self.run_of(["--cpu", "amd", "--params", "npt=0 vgif=0"]), ko)
        with self.assertRaises(UsageError) as e:
            vmtest.check_param_names(self.run_of(["--cpu", "amd", "--params", "nptt=1"]), ko)
        self.assertEqual(str(e.exception), "unknown kvm_amd parameter 'nptt' in --params "
                         "\"nptt=1\": kvm-amd.ko has nested, npt, vgif")
        # Intel's defaults are no kvm_amd parameters.
        with self.assertRaises(UsageError) as e:
            vmtest.check_param_names(self.run_of(["--cpu", "amd", "--params", "ept=1"]), ko)
        self.assertIn("unknown kvm_amd parameter 'ept'", str(e.exception))


def vendor_function():
    """init.sh's vendor_module(), as it stands there."""
    with open(os.path.join(LAB_DIR, "init.sh")) as f:
        text = f.read()
    m = re.search(r"^vendor_module\(\)\n\{\n.*?^\}\n", text, re.M | re.S)
    assert m, "no vendor_module() in init.sh"
    return m.group(0)


class InitVendorSwitch(unittest.TestCase):
    """The guest learns its vendor module from /lab/vendor."""

    def vendor(self, content):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "vendor")
            if content is not None:
                with open(path, "w") as f:
                    f.write(content)
            script = vendor_function() + 'vendor_module "$1"\necho "$vmod|$vname|$SHOWN"\n'
            r = subprocess.run(["sh", "-c", script, "sh", path], stdout=subprocess.PIPE,
                               text=True, check=True)
        return r.stdout.strip().split("|")

    def test_amd(self):
        vmod, vname, shown = self.vendor("kvm-amd\n")
        self.assertEqual((vmod, vname), ("kvm-amd", "kvm_amd"))
        self.assertEqual(shown.split()[:2], ["nested", "npt"])

    def test_intel_and_missing_file(self):
        for content in ("kvm-intel\n", None):
            vmod, vname, shown = self.vendor(content)
            self.assertEqual((vmod, vname), ("kvm-intel", "kvm_intel"))
            self.assertEqual(shown.split()[:2], ["nested", "ept"])

    def test_unknown_is_kept(self):
        self.assertEqual(self.vendor("kvm-arm\n")[:2], ["kvm-arm", "kvm_arm"])

    def test_init_uses_it(self):
        with open(os.path.join(LAB_DIR, "init.sh")) as f:
            text = f.read()
        self.assertIn("\nvendor_module /lab/vendor\n", text)
        self.assertIn('load "/lab/modules/$vmod.ko" nested=1 $params', text)
        self.assertIn('rmmod "$vname"', text)
        self.assertNotIn("kvm-intel.ko nested", text)

    def test_host_writes_it(self):
        for argv, want in (([], "kvm-intel\n"), (["--cpu", "amd"], "kvm-amd\n")):
            with tempfile.TemporaryDirectory() as root:
                os.makedirs(os.path.join(root, "lab"))
                media._settings(root, cli.vmtest_config(argv), [])
                with open(os.path.join(root, "lab", "vendor")) as f:
                    self.assertEqual(f.read(), want)
                with open(os.path.join(root, "lab", "params")) as f:
                    self.assertEqual(f.read().split("\n")[0],
                                     "npt=1" if argv else "ept=1")


class GuestEmulatorName(unittest.TestCase):
    """NST_EMULATOR tells the suite which emulator's known flaws may excuse a
    scenario; --env comes after it, so that --env NST_EMULATOR=none wins."""

    def test_each_emulator(self):
        for emu, name in (("bochs", "bochs-2.7"), ("bochs-3.0", "bochs-3.0"),
                          ("tcg", "tcg"), ("qemu", "none")):
            self.assertEqual(machines.guest_env(emu, []), [f"NST_EMULATOR={name}"])

    def test_env_overrides_it(self):
        cfg = cli.vmtest_config(["--cpu", "amd", "--env", "NST_EMULATOR=none"])
        env = machines.guest_env("tcg", cfg.env)
        self.assertEqual(env, ["NST_EMULATOR=tcg", "NST_EMULATOR=none"])
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "lab"))
            media._settings(root, cfg, env)
            with open(os.path.join(root, "lab", "env")) as f:
                self.assertEqual(f.read(), "NST_EMULATOR=tcg\nNST_EMULATOR=none\n")


class TcgCommand(unittest.TestCase):
    def test_command_line(self):
        cmd, cwd = machines.qemu_tcg("/k", "/i", "console=ttyS0", "/c.log")
        self.assertIsNone(cwd)
        line = " ".join(cmd)
        for part in ("qemu-system-x86_64 -accel tcg -cpu max -smp 1",
                     "-icount shift=3,sleep=off", "-kernel /k -initrd /i -append console=ttyS0",
                     "-nodefaults", "-no-reboot", "-serial file:/c.log"):
            self.assertIn(part, line)
        cmd, _ = machines.qemu_tcg("/k", "/i", "x", "/c.log", icount=None)
        self.assertNotIn("-icount", cmd)


class RecordedAmdRun(unittest.TestCase):
    """6.1.192 in QEMU TCG, npt=1 and npt=0, each run followed by its
    self-check: every VMX test skips, guest_smoke_test passes."""

    def setUp(self):
        self.con, _ = replay("console-amd-selfcheck.log", 2)

    def test_sets(self):
        for i, npt in ((1, "Y"), (2, "N")):
            s = self.con.sets[i]
            self.assertEqual((s.rc, s.runs, s.passed, s.failed, s.skipped), (0, 2, 14, 0, 16))
            self.assertTrue(s.info.startswith(f"nested=1 npt={npt} "), s.info)
        self.assertEqual(self.con.state, "poweroff")

    def test_verdict(self):
        v = results.verdict(self.con, AMD_SETS, 2, False, "tcg", 0, "kvm_amd")
        self.assertEqual((v.code, v.lab_error), (E_PASS, None))
        self.assertEqual(results.kind_lines(self.con.sets, ("run", "selfcheck"), 2),
                         ["vmtest: normal runs: 14 passed, 0 failed, 16 skipped",
                          "vmtest: self-check runs: 14 passed, 0 failed, 16 skipped"])

    def test_module_in_the_load_failure(self):
        con = replay("console-modfail.log", 2)[0]
        v = results.verdict(con, AMD_SETS, 1, False, "tcg", 0, "kvm_amd")
        self.assertIn("kvm_amd failed to load", v.lab_error or "")

    def test_reset_without_banner_during_tests(self):
        # QEMU -no-reboot ends on a guest reset with status 0 and no banner.
        con = console.Console(2)
        for i, line in enumerate(["LAB: init", "LAB: modload ok irqbypass kvm",
                                  'LAB: set 1 params "npt=1" begin',
                                  'LAB: set 1 params "npt=1" loaded nested=1 npt=Y',
                                  'LAB: set 1 params "npt=1" run 1 begin',
                                  "KTAP version 1", "1..1", "    KTAP version 1",
                                  "    # svm_test", "    # vmrun_pae: L2 in PAE mode"]):
            con.feed(line, 100.0 + i)
        con.machine_reset(110.0)
        v = results.verdict(con, AMD_SETS, 1, False, "tcg", 0, "kvm_amd")
        self.assertEqual((v.code, v.died_in_tests), (E_FAIL, True))
        self.assertEqual(con.stop_why, "the machine reset")
        run = vmtest.Run(cli.vmtest_config(["--cpu", "amd"]))
        self.assertEqual(summary.errors(run, con, v),
                         ["error: the machine reset (during tests in test svm_test, "
                          "scenario vmrun_pae (L2 in PAE mode))"])


class TotalFile(unittest.TestCase):
    """make check's two vmtest runs (intel, then amd) end with one total."""

    def closing(self, argv, total_file):
        run = vmtest.Run(cli.vmtest_config(argv))
        run.accepted = True
        run.con = replay("console-amd-selfcheck.log", 2)[0]
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            vmtest.closing([("6.1", run)], total_file)
        return out.getvalue().splitlines()

    def test_added_up(self):
        with tempfile.TemporaryDirectory() as d:
            f = os.path.join(d, "total")
            self.assertEqual(self.closing(["--self-check"], f)[-1],
                             "vmtest: 28 passed, 0 failed, 32 skipped")
            lines = self.closing(["--cpu", "amd", "--self-check"], f)
            self.assertEqual(lines, [
                "vmtest: amd: normal runs: 14 passed, 0 failed, 16 skipped",
                "vmtest: amd: self-check runs: 14 passed, 0 failed, 16 skipped",
                "vmtest: amd: this run: 28 passed, 0 failed, 32 skipped",
                f"vmtest: earlier runs ({f}): 28 passed, 0 failed, 32 skipped",
                "vmtest: 56 passed, 0 failed, 64 skipped"])
            with open(f) as fh:
                self.assertEqual(fh.read(), "56 passed, 0 failed, 64 skipped\n")

    def test_without_it(self):
        self.assertEqual(self.closing(["--cpu", "amd", "--self-check"], None)[-1],
                         "vmtest: 28 passed, 0 failed, 32 skipped")

    def test_unreadable_content_is_not_counted(self):
        with tempfile.TemporaryDirectory() as d:
            f = os.path.join(d, "total")
            with open(f, "w") as fh:
                fh.write("garbage\n")
            self.assertEqual(self.closing(["--cpu", "amd", "--self-check"], f)[-1],
                             "vmtest: 28 passed, 0 failed, 32 skipped")


if __name__ == "__main__":
    unittest.main()
