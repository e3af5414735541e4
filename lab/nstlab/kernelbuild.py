# SPDX-License-Identifier: GPL-2.0-only
"""Building a whole kernel out of tree for the lab (bisect-step's kernel
mode): x86_64_defconfig once, then at every step the suite's config
fragment, lab/bisect.config and any --config appended, olddefconfig, and
bzImage plus modules."""

import os

from . import deps

# The host tools a kernel build needs beyond a compiler: (command or file,
# Debian package).
TOOLS = [("flex", "flex"), ("bison", "bison"), ("bc", "bc"), ("lz4", "lz4"),
         ("perl", "perl"), ("/usr/include/libelf.h", "libelf-dev"),
         ("/usr/include/openssl/ssl.h", "libssl-dev")]


def check_tools(log):
    deps.check_commands(TOOLS, log)


def has_in_tree_build(tree):
    """An O= build refuses a tree with its own .config or objects."""
    return os.path.isfile(os.path.join(tree, ".config")) or \
        os.path.isdir(os.path.join(tree, "include/config"))


def append_fragments(config, fragments):
    """Fragments again at every step: later assignments win, olddefconfig
    settles what a new commit's Kconfig changed."""
    with open(config, "a") as out:
        for frag in fragments:
            with open(frag) as f:
                out.write(f.read())


def unstuck(config, fragments):
    """The CONFIG_ lines of the fragments that olddefconfig did not keep
    (Kconfig dependencies)."""
    with open(config) as f:
        have = set(f.read().splitlines())
    lost = []
    for frag in fragments:
        with open(frag) as f:
            lost += [l for l in f.read().splitlines()
                     if l.startswith("CONFIG_") and "=" in l and l not in have]
    return lost


def commands(tree, o, jobs):
    """make invocations: defconfig, olddefconfig, build."""
    base = ["make", "-C", tree, f"O={o}"]
    return base + ["x86_64_defconfig"], base + ["olddefconfig"], \
        base + [f"-j{jobs}", "bzImage", "modules"]
