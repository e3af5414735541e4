# SPDX-License-Identifier: GPL-2.0-only
"""Kernel module files: finding them, unpacking .ko.xz/.zst/.gz, and reading
the parameters a module declares."""

import gzip
import lzma
import os
import shutil
import struct
import subprocess

from .errors import LabError, E_HOST

SUBDIRS = ("", "arch/x86/kvm/", "virt/lib/", "kernel/arch/x86/kvm/", "kernel/virt/lib/")
EXTENSIONS = (".ko", ".ko.xz", ".ko.zst", ".ko.gz")


def find_module(name, directory):
    """Module NAME (e.g. kvm-intel) under DIRECTORY, flat or as in a kernel
    build or modules tree, possibly compressed; None if absent."""
    for sub in SUBDIRS:
        for ext in EXTENSIONS:
            path = os.path.join(directory, sub + name + ext)
            if os.path.isfile(path):
                return path
    return None


def read_module(path):
    """The plain ELF bytes of a module file, decompressed if need be."""
    if path.endswith(".xz"):
        with lzma.open(path) as f:
            return f.read()
    if path.endswith(".gz"):
        with gzip.open(path) as f:
            return f.read()
    if path.endswith(".zst"):
        # zstd is not in Python's standard library.
        return subprocess.run(["zstd", "-qdc", path], check=True,
                              stdout=subprocess.PIPE).stdout
    with open(path, "rb") as f:
        return f.read()


def copy_module(src, dst):
    """Copy a module as a plain .ko: busybox insmod does not decompress."""
    try:
        if src.endswith(".ko"):
            shutil.copyfile(src, dst)
        else:
            with open(dst, "wb") as f:
                f.write(read_module(src))
    except (OSError, lzma.LZMAError, subprocess.CalledProcessError) as e:
        raise LabError(E_HOST, f"cannot copy module {src}: {e}")


def _sections(elf):
    """Name -> bytes of every section of a 64-bit little-endian ELF file."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3a)
    headers = []
    for i in range(shnum):
        name, _, _, _, off, size = struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
        headers.append((name, off, size))
    _, stroff, strsize = headers[shstrndx]
    strtab = elf[stroff:stroff + strsize]
    out = {}
    for name, off, size in headers:
        end = strtab.index(b"\0", name)
        out[strtab[name:end].decode()] = elf[off:off + size]
    return out


def modinfo(elf):
    """The key=value entries of a module's .modinfo section, as a list."""
    raw = _sections(elf).get(".modinfo", b"")
    entries = []
    for item in raw.split(b"\0"):
        key, eq, value = item.decode("utf-8", "replace").partition("=")
        if eq:
            entries.append((key, value))
    return entries


def module_params(path):
    """The parameter names a module declares (its parm= and parmtype=
    entries, what modinfo -p lists)."""
    names = set()
    for key, value in modinfo(read_module(path)):
        if key in ("parm", "parmtype"):
            names.add(value.partition(":")[0])
    return names
