# SPDX-License-Identifier: GPL-2.0-only
"""Module files: lookup, .ko.xz, and the parameters read from .modinfo."""

import lzma
import os
import struct
import tempfile
import unittest

import helpers  # noqa: F401
from nstlab import kmod


def tiny_module(modinfo):
    """A minimal 64-bit ELF file with a .modinfo section and its names."""
    shstrtab = b"\0.modinfo\0.shstrtab\0"
    body = modinfo + shstrtab
    shoff = 64 + len(body)
    header = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + struct.pack(
        "<HHIQQQIHHHHHH", 1, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64, 3, 2)

    def section(name, off, size):
        return struct.pack("<IIQQQQIIQQ", name, 1, 0, 0, off, size, 0, 0, 1, 0)
    sections = (b"\0" * 64 + section(1, 64, len(modinfo))
                + section(10, 64 + len(modinfo), len(shstrtab)))
    return header + body + sections


MODINFO = (b"license=GPL\0parm=ept:Enable EPT (bool)\0parmtype=ept:bool\0"
           b"parmtype=nested:bool\0parm=vpid:(bool)\0depends=kvm\0")


class Kmod(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.d = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

    def write(self, rel, data):
        path = os.path.join(self.d, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_params_from_ko_and_ko_xz(self):
        elf = tiny_module(MODINFO)
        plain = self.write("kvm-intel.ko", elf)
        packed = self.write("x/kvm-intel.ko.xz", lzma.compress(elf))
        for path in (plain, packed):
            self.assertEqual(kmod.module_params(path), {"ept", "nested", "vpid"})

    def test_not_elf(self):
        with self.assertRaises(ValueError):
            kmod.module_params(self.write("kvm-intel.ko", b"\0" * 8192))

    def test_find_and_copy(self):
        self.write("kernel/arch/x86/kvm/kvm.ko.xz", lzma.compress(b"\x7fELF-kvm"))
        self.write("kernel/virt/lib/irqbypass.ko", b"\x7fELF-irq")
        src = kmod.find_module("kvm", self.d)
        self.assertTrue(src.endswith("kernel/arch/x86/kvm/kvm.ko.xz"))
        self.assertIsNone(kmod.find_module("kvm-intel", self.d))
        dst = os.path.join(self.d, "kvm.ko")
        kmod.copy_module(src, dst)
        with open(dst, "rb") as f:
            self.assertEqual(f.read(), b"\x7fELF-kvm")


if __name__ == "__main__":
    unittest.main()
