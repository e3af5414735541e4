# SPDX-License-Identifier: GPL-2.0-only
"""The build chroot: which compiler the headers name, when the host needs
the chroot, what it must hold, and the failures that are host problems
(exit 3 from vmtest, 128 from bisect-step)."""

import os
import tempfile
import unittest
from unittest import mock

import helpers  # noqa: F401
from nstlab import bisect, chroot, modbuild
from nstlab.errors import LabError, E_HOST, X_ABORT

CONFIG_73 = 'CONFIG_CC_VERSION_TEXT="x86_64-linux-gnu-gcc-16 (Debian 16.2.0-3) 16.2.0"\n' \
    "CONFIG_CC_IS_GCC=y\n"
CONFIG_612 = 'CONFIG_CC_VERSION_TEXT="x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"\n'
CONFIG_61 = 'CONFIG_CC_VERSION_TEXT="gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0"\n'
HOST_BOOKWORM = {"/usr/bin": ["gcc", "gcc-12", "x86_64-linux-gnu-gcc-12", "gcc-ar-12",
                              "x86_64-linux-gnu-gcc-nm-12", "make"],
                 "/usr/local/bin": ["issues"]}


class Compiler(unittest.TestCase):
    def test_config_cc(self):
        self.assertEqual(chroot.config_cc(CONFIG_73), ("x86_64-linux-gnu-gcc-16", "gcc-16", 16))
        self.assertEqual(chroot.config_cc(CONFIG_612), ("x86_64-linux-gnu-gcc-12", "gcc-12", 12))
        self.assertEqual(chroot.config_cc(CONFIG_61), ("gcc-12", "gcc-12", 12))
        self.assertEqual(chroot.config_cc('CONFIG_CC_VERSION_TEXT="gcc (GCC) 14.1.1 20240522"\n'
                                          .replace(" 20240522", "")), ("gcc", "gcc-14", 14))
        self.assertIsNone(chroot.config_cc('CONFIG_CC_VERSION_TEXT="Debian clang version 19.1.7"\n'))
        self.assertIsNone(chroot.config_cc("CONFIG_X86_64=y\n"))

    def test_host_majors(self):
        self.assertEqual(chroot.host_gcc_majors(HOST_BOOKWORM), {12})
        self.assertEqual(chroot.host_gcc_majors({"/usr/bin": ["gcc-16", "gcc-12"]}), {12, 16})

    def test_needs_chroot(self):
        host = chroot.host_gcc_majors(HOST_BOOKWORM)
        self.assertTrue(chroot.needs_chroot(chroot.config_cc(CONFIG_73), host))
        self.assertFalse(chroot.needs_chroot(chroot.config_cc(CONFIG_612), host))
        self.assertFalse(chroot.needs_chroot(chroot.config_cc(CONFIG_61), host))
        # A host with gcc-16 (trixie's successor, unstable) builds 7.x itself.
        self.assertFalse(chroot.needs_chroot(chroot.config_cc(CONFIG_73), {16}))
        self.assertFalse(chroot.needs_chroot(None, host))

    def test_packages(self):
        got = chroot.packages_for(chroot.config_cc(CONFIG_73), "linux-kbuild-7.3=7.3~rc7-1~exp1")
        for p in ("gcc-16", "make", "bc", "bison", "flex", "libelf-dev", "libssl-dev",
                  "dwarves", "kmod", "linux-kbuild-7.3=7.3~rc7-1~exp1"):
            self.assertIn(p, got)

    def test_missing_packages(self):
        q = ("make=4.4.1-3 install ok installed\n"
             "gcc-16=16.2.0-3 install ok installed\n"
             "linux-kbuild-7.3=7.3~rc6-1~exp1 install ok installed\n"
             "dwarves= unknown ok not-installed\n")
        self.assertEqual(chroot.missing_packages(
            ["make", "gcc-16", "dwarves", "kmod", "linux-kbuild-7.3=7.3~rc7-1~exp1"], q),
            ["dwarves", "kmod", "linux-kbuild-7.3=7.3~rc7-1~exp1"])
        self.assertEqual(chroot.missing_packages(["make", "gcc-16"], q), [])


class HostApt(unittest.TestCase):
    def test_snapshot_mirror_settings(self):
        dump = ('APT "";\nAcquire::Check-Valid-Until "false";\n'
                'Acquire::Check-Date "false";\nAcquire::http::Proxy "x";\n')
        self.assertEqual(chroot.host_apt_conf(dump), 'Acquire::Check-Valid-Until "false";\n'
                         'Acquire::Check-Date "false";\n')
        self.assertEqual(chroot.host_apt_conf('APT::Architecture "amd64";\n'), "")


class Failures(unittest.TestCase):
    MIRROR = "http://mirror.invalid/debian"

    def tmp(self):
        """A folder of this test's, removed after it."""
        d = tempfile.TemporaryDirectory()
        self.addCleanup(d.cleanup)
        return d.name

    def test_unreachable_suite(self):
        log = ("I: Retrieving InRelease \nI: Retrieving Release \n"
               "E: Failed getting release file http://mirror.invalid/debian/dists/unstable/Release\n")
        got = chroot.debootstrap_reason(log, self.MIRROR)
        self.assertIn("unstable suite is unreachable at http://mirror.invalid/debian", got)

    def test_other_failure(self):
        got = chroot.debootstrap_reason("E: Couldn't find these debs: gcc-16\n", self.MIRROR)
        self.assertEqual(got, "debootstrap of unstable failed: Couldn't find these debs: gcc-16")

    def test_missing_debootstrap_is_a_host_problem(self):
        cache = self.tmp()
        with mock.patch("shutil.which", return_value=None), \
                mock.patch.object(chroot.deps, "check",
                                  side_effect=LabError(E_HOST, "missing: debootstrap")):
            with self.assertRaises(LabError) as e:
                chroot.ensure(cache, ["gcc-16"], lambda m: None)
        self.assertEqual(e.exception.code, E_HOST)
        self.assertIn("debootstrap is missing", str(e.exception))
        self.assertFalse(os.path.exists(chroot.chroot_dir(cache)))

    def test_failed_debootstrap_is_a_host_problem(self):
        cache = self.tmp()
        fake = os.path.join(cache, "debootstrap")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\necho 'E: Failed getting release file "
                    "http://mirror.invalid/debian/dists/unstable/Release'\nexit 1\n")
        os.chmod(fake, 0o755)
        env = {"PATH": f"{cache}:{os.environ['PATH']}", "LAB_DEBIAN_MIRROR": self.MIRROR}
        with mock.patch.dict(os.environ, env):
            with self.assertRaises(LabError) as e:
                chroot.ensure(cache, ["gcc-16"], lambda m: None)
        self.assertEqual(e.exception.code, E_HOST)
        self.assertIn("unstable suite is unreachable", str(e.exception))
        self.assertFalse(os.path.exists(chroot.chroot_dir(cache)))
        self.assertFalse(os.path.exists(chroot.chroot_dir(cache) + ".new"))

    def test_bisect_step_aborts(self):
        """bisect-step: no build chroot is 128 (the same for every commit)."""
        cfg = mock.Mock(jobs=1, verbose=False)
        step = bisect.Step(cfg)
        step.cache = step.state = self.tmp()
        step.tree, step.lab_release, step.lab_version = "/nonexistent", "7.3-cloud-amd64", "7.3"
        why = "cannot make the build chroot: the Debian unstable suite is unreachable"
        with mock.patch.object(bisect.kernels, "fetch_headers", return_value="/h"), \
                mock.patch.object(modbuild, "prepare"), \
                mock.patch.object(modbuild, "sync_sources"), \
                mock.patch.object(modbuild, "run_make", side_effect=LabError(E_HOST, why)):
            with self.assertRaises(bisect.Answer) as e:
                bisect.build_modules(step)
        self.assertEqual(e.exception.code, X_ABORT)
        self.assertIn("unstable suite is unreachable", str(e.exception))


class Mounts(unittest.TestCase):
    def test_mounts_under(self):
        text = ("proc /proc proc rw 0 0\n"
                "proc /c/chroot-unstable/proc proc rw 0 0\n"
                "/dev/vda /c/chroot-unstable/c/tree/x/modules-7.3 ext4 rw 0 0\n"
                "/dev/vda /c/chroot-unstable.new/proc ext4 rw 0 0\n")
        self.assertEqual(chroot.mounts_under("/c/chroot-unstable", text),
                         ["/c/chroot-unstable/c/tree/x/modules-7.3", "/c/chroot-unstable/proc"])


if __name__ == "__main__":
    unittest.main()
