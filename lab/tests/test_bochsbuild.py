# SPDX-License-Identifier: GPL-2.0-only
"""vmtest --emulator bochs-3.0: the option, the bochsrc without the sound:
line, and bochsbuild's download check and stamp with a local mirror and a
made-up build step (no network, no compiler)."""

import hashlib
import os
import tempfile
import threading
import time
import unittest
from unittest import mock

from helpers import replay
from nstlab import bochsbuild, cli, cpus, deps, machines, summary, vmtest
from nstlab.errors import LabError, UsageError, E_HOST

SOURCE_DATA = b"a made-up source tarball\n"
BIOS_DATA = b"a made-up BIOS package\n"


def entry(name, data):
    return (f"pool/main/b/bochs/{name}", hashlib.sha256(data).hexdigest(), len(data))


FAKE_FILES = {"source": entry("bochs_3.0+dfsg.orig.tar.xz", SOURCE_DATA),
              "bios": entry("bochsbios_3.0+dfsg-1_all.deb", BIOS_DATA)}


class Option(unittest.TestCase):
    def test_accepted_with_intel(self):
        for argv in (["--emulator", "bochs-3.0"], ["--cpu", "intel", "--emulator=bochs-3.0"]):
            c = cli.vmtest_config(argv)
            self.assertEqual((c.emulator, c.cpu), ("bochs-3.0", cpus.INTEL))

    def test_refused_with_amd(self):
        with self.assertRaises(UsageError) as e:
            cli.vmtest_config(["--cpu", "amd", "--emulator", "bochs-3.0"])
        self.assertNotIsInstance(e.exception, cli.BadOption)
        self.assertIn("--emulator bochs-3.0 cannot run --cpu amd: Bochs's AMD model hangs",
                      str(e.exception))

    def test_auto_is_bochs_30(self):
        """Without nested VMX on the host, auto runs the lab's Bochs 3.0 (and
        tells the suite so); --emulator bochs keeps Debian's 2.7."""
        run = vmtest.Run(cli.vmtest_config([]))
        with mock.patch.object(machines, "host_has_nested", return_value=False):
            vmtest.choose_emulator(run)
        self.assertEqual(run.emulator, "bochs-3.0")
        self.assertEqual(machines.guest_env(run.emulator, []), ["NST_EMULATOR=bochs-3.0"])
        run = vmtest.Run(cli.vmtest_config(["--emulator", "bochs"]))
        with mock.patch.object(machines, "host_has_nested", return_value=False):
            vmtest.choose_emulator(run)
        self.assertEqual(run.emulator, "bochs")
        self.assertEqual(machines.guest_env(run.emulator, ["NST_EMULATOR=none"]),
                         ["NST_EMULATOR=bochs-2.7", "NST_EMULATOR=none"])

    def test_auto_choices(self):
        self.assertEqual(vmtest.auto_emulator(cpus.INTEL, False), "bochs-3.0")
        self.assertEqual(vmtest.auto_emulator(cpus.AMD, False), "tcg")
        self.assertEqual(vmtest.auto_emulator(cpus.INTEL, True), "qemu")
        self.assertEqual(vmtest.auto_emulator(cpus.AMD, True), "qemu")
        # Every emulator auto may choose has its NST_EMULATOR name.
        for e in (*vmtest.AUTO_EMULATOR.values(), "qemu", "bochs"):
            self.assertIn(e, machines.NST_EMULATOR)

    def test_auto_runs_amd_in_tcg(self):
        run = vmtest.Run(cli.vmtest_config(["--cpu", "amd"]))
        with mock.patch.object(machines, "host_has_nested", return_value=False):
            vmtest.choose_emulator(run)
        self.assertEqual(run.emulator, "tcg")

    def test_usage_text(self):
        self.assertIn("bochs-3.0: Bochs 3.0 built from\n", cli.VMTEST_USAGE)
        self.assertIn("else\n                       bochs-3.0 (tcg)", cli.VMTEST_USAGE)
        self.assertIn("bochs (Debian's Bochs 2.7)", cli.VMTEST_USAGE)
        self.assertIn("2.5x faster (--cpu intel only)", cli.VMTEST_USAGE)
        self.assertTrue(all(len(l) <= 80 for l in cli.VMTEST_USAGE.splitlines()))

    def test_build_dependencies(self):
        debian = {e[1] for e in deps.BOCHS_BUILD}
        self.assertTrue({"g++", "make", "libncurses-dev", "libreadline-dev", "xz-utils",
                         "dpkg", "vgabios", "xorriso"} <= debian)
        # Neither Debian's Bochs nor its BIOS: the build brings its own.
        self.assertFalse({"bochs", "bochsbios"} & debian)


class Bochsrc(unittest.TestCase):
    def test_sound_line_only_with_sound(self):
        with_sound = machines.bochsrc(machines.Bochs("bochs-bin", "/b/BIOS", "2.7"),
                                      "x.iso", "con", "log")
        self.assertIn("\nsound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy\n",
                      with_sound)
        built = bochsbuild.installed("/cache")
        self.assertFalse(built.sound)
        without = machines.bochsrc(built, "x.iso", "con", "log")
        self.assertNotIn("sound:", without)
        self.assertEqual(with_sound.replace(machines.SOUND, "").replace("/b/BIOS", built.bios),
                         without)
        self.assertIn("cpu: model=corei7_haswell_4770,", without)
        self.assertIn("\nspeaker: enabled=0\ncom1: enabled=1, mode=file, dev=con\n", without)

    def test_command_and_bios_of_the_build(self):
        built = bochsbuild.installed("/cache")
        self.assertEqual(built.binary, "/cache/bochs-3.0/bin/bochs")
        self.assertEqual(built.bios, "/cache/bochs-3.0/bios/usr/share/bochs/BIOS-bochs-latest")
        with tempfile.TemporaryDirectory() as d:
            cmd, cwd = machines.bochs(d, d, "x.iso", "con", built)
            self.assertEqual(cmd, [built.binary, "-q", "-f", os.path.join(d, "bochsrc"),
                                   "-rc", os.path.join(d, "bochs.dbg")])
            self.assertEqual(cwd, d)
            with open(os.path.join(d, "bochsrc")) as f:
                self.assertIn(f"romimage: file={built.bios}\n", f.read())
            with open(os.path.join(d, "bochs.dbg")) as f:
                self.assertEqual(f.read(), "c\nquit\n")

    def test_summary_names_the_version(self):
        run = vmtest.Run(cli.vmtest_config(["--emulator", "bochs-3.0", "--params", "ept=1"]))
        run.bochs = bochsbuild.installed("/cache")
        run.kver, run.out, run.console = "6.1.0-57-cloud-amd64", "/out", "/out/console.log"
        run.con, end = replay("console-normal.log", 1)
        run.t = {"host0": 0.0, "kernel": 1.0, "suite": 2.0, "built": 3.0, "emu": 4.0, "end": end}
        v = vmtest.results.verdict(run.con, ["ept=1"], 1, False, run.emulator, 0)
        self.assertIn("vmtest summary: bochs-3.0 (Bochs 3.0, built from Debian's 3.0+dfsg "
                      "source in /cache/bochs-3.0), kernel 6.1.0-57-cloud-amd64",
                      summary.report(run, run.con, v))


class Build(unittest.TestCase):
    """ensure() with a file:// mirror and a build step that only makes the
    files a real build installs."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.cache = os.path.join(self.dir.name, "cache")
        self.mirror = os.path.join(self.dir.name, "mirror")
        for name, data in (("source", SOURCE_DATA), ("bios", BIOS_DATA)):
            path = os.path.join(self.mirror, FAKE_FILES[name][0])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        self.builds = 0
        self.logged = []

    def tearDown(self):
        self.dir.cleanup()

    def build(self, sources, prefix, work, log_file, fail=False, delay=0):
        self.builds += 1
        with open(sources["source"], "rb") as f:
            self.assertEqual(f.read(), SOURCE_DATA)
        self.assertTrue(os.path.isdir(work))
        log_file.write("configure: ok\n")
        log_file.flush()
        time.sleep(delay)
        if fail:
            raise LabError(E_HOST, "bochs-3.0: make -j2 failed")
        for path in ("bin/bochs", bochsbuild.BIOS_FILE):
            os.makedirs(os.path.join(prefix, os.path.dirname(path)), exist_ok=True)
            open(os.path.join(prefix, path), "w").close()

    def ensure(self, mirror=None, **kw):
        return bochsbuild.ensure(self.cache, self.logged.append,
                                 mirror=mirror or f"file://{self.mirror}", files=FAKE_FILES,
                                 build=lambda *a: self.build(*a, **kw))

    def stamp(self):
        path = os.path.join(self.cache, "bochs-3.0", bochsbuild.STAMP)
        return os.path.exists(path)

    def test_built_once_then_reused(self):
        got = self.ensure()
        self.assertEqual(got, bochsbuild.installed(self.cache))
        self.assertEqual(self.builds, 1)
        self.assertTrue(self.stamp())
        self.assertTrue(bochsbuild.is_built(self.cache, FAKE_FILES))
        self.assertFalse(bochsbuild.is_built(self.cache))
        self.assertIn("building Bochs 3.0 from Debian's source (about 5 minutes, once; a "
                      f"progress line every 20 s); log: {self.cache}/bochs-3.0/build.log",
                      self.logged)
        with open(os.path.join(self.cache, "bochs-3.0", "build.log")) as f:
            self.assertEqual(f.read(), "configure: ok\n")
        # The build tree is gone; the downloads stay.
        self.assertEqual(sorted(os.listdir(self.cache)),
                         [".bochs-3.0.lock", "bochs-3.0", "bochs-3.0.dl"])
        # Reused without the mirror.
        self.logged.clear()
        self.assertEqual(self.ensure(mirror="file:///nonexistent"), got)
        self.assertEqual((self.builds, self.logged), (1, []))

    def test_failed_build_leaves_no_stamp(self):
        with self.assertRaises(LabError) as e:
            self.ensure(fail=True)
        self.assertEqual(e.exception.code, E_HOST)
        self.assertIn(f"make -j2 failed; see {self.cache}/bochs-3.0/build.log",
                      str(e.exception))
        self.assertFalse(self.stamp())
        self.assertFalse(bochsbuild.is_built(self.cache, FAKE_FILES))
        self.assertEqual([d for d in os.listdir(self.cache) if ".build." in d], [])
        # The next run builds again, from the downloads already verified.
        self.ensure(mirror="file:///nonexistent")
        self.assertEqual(self.builds, 2)
        self.assertTrue(self.stamp())

    def test_build_without_binary(self):
        with self.assertRaises(LabError) as e:
            bochsbuild.ensure(self.cache, self.logged.append, mirror=f"file://{self.mirror}",
                              files=FAKE_FILES, build=lambda *a: None)
        self.assertIn("the build made no", str(e.exception))
        self.assertFalse(self.stamp())

    def test_changed_pin_rebuilds(self):
        self.ensure()
        with open(os.path.join(self.mirror, FAKE_FILES["bios"][0]), "wb") as f:
            f.write(b"a newer BIOS\n")
        files = dict(FAKE_FILES, bios=entry("bochsbios_3.0+dfsg-1_all.deb", b"a newer BIOS\n"))
        os.unlink(os.path.join(self.cache, "bochs-3.0.dl", "bochsbios_3.0+dfsg-1_all.deb"))
        bochsbuild.ensure(self.cache, self.logged.append, mirror=f"file://{self.mirror}",
                          files=files, build=self.build)
        self.assertEqual(self.builds, 2)

    def test_sha256_mismatch(self):
        with open(os.path.join(self.mirror, FAKE_FILES["source"][0]), "ab") as f:
            f.write(b"tampered\n")
        with self.assertRaises(LabError) as e:
            self.ensure()
        self.assertEqual(e.exception.code, E_HOST)
        msg = str(e.exception)
        self.assertIn("bochs_3.0+dfsg.orig.tar.xz: sha256 ", msg)
        self.assertIn(f"expected {FAKE_FILES['source'][1]} ({len(SOURCE_DATA)} bytes): "
                      "not used", msg)
        self.assertEqual(self.builds, 0)
        self.assertEqual(os.listdir(os.path.join(self.cache, "bochs-3.0.dl")), [])
        self.assertFalse(os.path.exists(os.path.join(self.cache, "bochs-3.0")))

    def test_unreachable_mirror(self):
        with self.assertRaises(LabError) as e:
            self.ensure(mirror="file:///nonexistent")
        self.assertEqual(e.exception.code, E_HOST)
        self.assertIn("cannot download file:///nonexistent/pool/main/b/bochs/"
                      "bochs_3.0+dfsg.orig.tar.xz", str(e.exception))

    def test_one_build_at_a_time(self):
        """Two lanes at once: the second waits for the lock and finds the
        stamp."""
        errors = []

        def lane():
            try:
                self.ensure(delay=0.3)
            except Exception as e:      # noqa: BLE001 (reported below)
                errors.append(e)

        lanes = [threading.Thread(target=lane) for _ in range(2)]
        for t in lanes:
            t.start()
        for t in lanes:
            t.join()
        self.assertEqual((errors, self.builds), ([], 1))

    def test_heartbeat_while_building(self):
        """A build that prints nothing for a while: progress lines from the
        build log, every heartbeat seconds."""
        bochsbuild.ensure(self.cache, self.logged.append, mirror=f"file://{self.mirror}",
                          files=FAKE_FILES, heartbeat=0.05,
                          build=lambda *a: self.build(*a, delay=0.3))
        beats = [l for l in self.logged if l.startswith("bochs-3.0: building for ")]
        self.assertGreaterEqual(len(beats), 1)
        self.assertIn("; last: configure: ok", beats[-1])

    def test_pinned_files(self):
        self.assertEqual(bochsbuild.SOURCE, (
            "pool/main/b/bochs/bochs_3.0+dfsg.orig.tar.xz",
            "78f6c73d4a6472d5130a87ab9dc306d02c7c71ed8e25b3a8ef642e2a7acd282b", 3896488))
        self.assertEqual(bochsbuild.BIOS_DEB[1],
                         "13f8f4bdd9bb5c07378b7e39042cb631ebdd41d00b0f1a3091caab17ca946a5b")
        self.assertIn("--enable-vmx=2", bochsbuild.CONFIGURE)
        self.assertNotIn("--enable-sb16", bochsbuild.CONFIGURE)


# build.log as make -j2 writes it, shortened.
MAKE_LOG = """\
$ tar xf /c/bochs-3.0.dl/bochs_3.0+dfsg.orig.tar.xz
$ ./configure --prefix=/c/bochs-3.0 --without-x11
checking if g++ supports -c -o file.o... yes
config.status: creating config.h
$ make -j2
make  libiodev.a
make[1]: Entering directory '/c/.bochs-3.0.build.x/bochs-3.0/iodev/display'
g++ -c   -I.. -I../.. -g -O2 -D_FILE_OFFSET_BITS=64    vga.cc -o vga.o
g++ -c  -I.. -I./.. -D_LARGE_FILES -g -O2    devices.cc -o devices.o
gcc -c -I.. -g -O2 fpu/softfloat.c -o softfloat.o
g++ -c   -I.. -I../.. -g -O2 -D_FILE_OFFSET_BITS=64    vgacore.cc -o vgacore.o
"""


class Progress(unittest.TestCase):
    def test_unpacking(self):
        self.assertEqual(bochsbuild.build_progress("", 3),
                         "bochs-3.0: building for 3 s: unpacking (about 5 min 57 s left)")

    def test_configure(self):
        text = MAKE_LOG[:MAKE_LOG.index("$ make")]
        self.assertEqual(bochsbuild.build_progress(text, 25),
                         "bochs-3.0: building for 25 s: configure (about 5 min 35 s left); "
                         "last: config.status: creating config.h")

    def test_make(self):
        """Four compiles in 80 s: the 477 left at that pace."""
        self.assertEqual(bochsbuild.build_progress(MAKE_LOG, 80),
                         "bochs-3.0: building for 1 min 20 s: make, 4 of 481 files compiled, "
                         "about 2 h 39 min left; last: compiling vgacore.cc")
        self.assertIn("240 of 481 files compiled, about 2 min 00 s left",
                      bochsbuild.build_progress(MAKE_LOG + "g++ -c x.cc -o x.o\n" * 236, 120))

    def test_over_time(self):
        self.assertIn("(longer than the 6 min 00 s expected)",
                      bochsbuild.build_progress("$ ./configure --prefix=/c\n", 400))

    def test_compile_lines_of_the_real_build(self):
        """The pattern counts compiler runs, not configure's checks or links."""
        lines = MAKE_LOG.splitlines()
        self.assertEqual(sum(1 for l in lines if bochsbuild.COMPILE.match(l)), 4)
        self.assertFalse(bochsbuild.COMPILE.match("g++ -o bochs main.o -lreadline"))
        self.assertFalse(bochsbuild.COMPILE.match("checking whether gcc -c works... yes"))


class Dependencies(unittest.TestCase):
    def entries(self, cache, built):
        run = vmtest.Run(cli.vmtest_config(["--emulator", "bochs-3.0"]))
        run.cache = cache
        with mock.patch.object(bochsbuild, "is_built", return_value=built) as b, \
                mock.patch.object(deps, "check") as check:
            vmtest.check_deps(run)
        b.assert_called_once_with(cache)
        return check.call_args[0][0]

    def test_build_tools_until_built(self):
        entries = self.entries("/cache", False)
        for e in deps.BOCHS_BUILD:
            self.assertIn(e, entries)
        entries = self.entries("/cache", True)
        self.assertNotIn(("g++", "g++", "gcc-c++", "gcc"), entries)
        for e in deps.BOCHS_MEDIA:
            self.assertIn(e, entries)
        # Never Debian's Bochs.
        self.assertNotIn(deps.BOCHS[0], entries)


class DryRun(unittest.TestCase):
    def test_emulator_prepared_before_the_kernel(self):
        """get_emulator() builds (or finds) Bochs 3.0 in the run's cache and
        names its version."""
        run = vmtest.Run(cli.vmtest_config(["--emulator", "bochs-3.0", "--dry-run"]))
        with mock.patch.object(bochsbuild, "ensure",
                               side_effect=lambda cache, log: bochsbuild.installed(cache)) as e:
            vmtest.get_emulator(run)
        e.assert_called_once_with(run.cache, vmtest.msg)
        self.assertEqual(run.bochs.binary, os.path.join(run.cache, "bochs-3.0", "bin", "bochs"))
        self.assertTrue(run.bochs.version.startswith("Bochs 3.0, built from"))


if __name__ == "__main__":
    unittest.main()
