# SPDX-License-Identifier: GPL-2.0-only
"""--kernel-tree: the tree's version, the Debian kernel it builds against,
and the refusals before the boot (no headers package, vermagic, imports)."""

import unittest

import helpers  # noqa: F401
from nstlab import treebuild
from nstlab.errors import UsageError
from test_kmod import tiny_module

MAKEFILE_61 = """\
# SPDX-License-Identifier: GPL-2.0
VERSION = 6
PATCHLEVEL = 1
SUBLEVEL = 192
EXTRAVERSION =
NAME = Curry Ramen
"""


def module(vermagic):
    return tiny_module(f"license=GPL\0vermagic={vermagic}\0".encode())


class Version(unittest.TestCase):
    def test_makefile(self):
        self.assertEqual(treebuild.tree_version(MAKEFILE_61), ("6.1", "6.1.192"))
        self.assertEqual(treebuild.tree_version(MAKEFILE_61.replace("192", "")),
                         ("6.1", "6.1.0"))
        self.assertIsNone(treebuild.tree_version("all:\n\ttrue\n"))

    def test_tracks(self):
        self.assertEqual(treebuild.track_for("6.1"), "6.1")
        self.assertEqual(treebuild.track_for("6.12"), "6.12")
        # 7.x: Debian's newest (unstable, experimental), built in the chroot.
        self.assertEqual(treebuild.track_for("7.3"), "newest")
        with self.assertRaises(UsageError) as e:
            treebuild.track_for("5.15")
        self.assertIn("no Debian headers package for a 5.15 tree", str(e.exception))

    def test_kernel_must_match(self):
        treebuild.check_match("6.12", "6.12.117-1~deb12u1")
        with self.assertRaises(UsageError):
            treebuild.check_match("6.1", "6.12.117-1~deb12u1")


class Fit(unittest.TestCase):
    VM = "6.1.0-57-cloud-amd64 SMP preempt mod_unload modversions"
    PACKAGED = {"kvm": module(VM), "kvm-intel": module(VM)}

    def test_fits(self):
        built = {"kvm": module(self.VM), "kvm-intel": module(self.VM)}
        self.assertEqual(treebuild.check_modules(built, self.PACKAGED, "  LD [M]  kvm.ko\n"), [])

    def test_vermagic_differs(self):
        built = {"kvm": module("6.1.0-57-cloud-amd64 SMP mod_unload"),
                 "kvm-intel": module(self.VM)}
        got = treebuild.check_modules(built, self.PACKAGED, "")
        self.assertEqual(len(got), 1)
        self.assertIn("kvm.ko vermagic", got[0])

    def test_unresolved_import(self):
        built = {"kvm": module(self.VM), "kvm-intel": module(self.VM)}
        log = 'WARNING: modpost: "kvm_no_such_export" [/w/src/arch/x86/kvm/kvm-intel.ko] undefined!\n'
        got = treebuild.check_modules(built, self.PACKAGED, log)
        self.assertEqual(got, ["kvm-intel.ko imports kvm_no_such_export, which the kernel "
                               "does not export"])


if __name__ == "__main__":
    unittest.main()
