# SPDX-License-Identifier: GPL-2.0-only
"""Package resolution from recorded apt-cache answers."""

import unittest

from helpers import data
from nstlab import kernels


class Versions(unittest.TestCase):
    def test_compare(self):
        less = [("6.1.192-2", "6.1.192-3"), ("6.1.9-1", "6.1.10-1"), ("7.3~rc7-1", "7.3-1"),
                ("6.1.192-3", "1:6.1.0-1"), ("6.12.117-1+deb12u1", "6.12.117-2"),
                ("1.0", "1.0-1"), ("1.0a", "1.0b")]
        for a, b in less:
            self.assertEqual(kernels.compare_versions(a, b), -1, (a, b))
            self.assertEqual(kernels.compare_versions(b, a), 1, (b, a))
        self.assertEqual(kernels.compare_versions("6.1.192-3", "6.1.192-3"), 0)

    def test_parts(self):
        self.assertEqual(kernels.upstream("6.1.192-2"), "6.1.192")
        self.assertEqual(kernels.upstream("1:7.3~rc7-1~exp1"), "7.3~rc7")
        self.assertEqual(kernels.major_minor("6.1.192-2"), "6.1")
        self.assertEqual(kernels.major_minor("7.3~rc7-1~exp1"), "7.3")
        self.assertIsNone(kernels.major_minor("unknown"))


class Answers(unittest.TestCase):
    def test_depends(self):
        self.assertEqual(kernels.parse_depends(data("apt-depends-meta.txt")),
                         ["linux-image-6.1.0-57-cloud-amd64"])
        self.assertEqual(kernels.parse_depends(data("apt-depends-headers.txt")),
                         ["linux-headers-6.1.0-57-common", "linux-kbuild-6.1",
                          "linux-compiler-gcc-12-x86"])

    def test_policy(self):
        p = kernels.parse_policy(data("apt-policy.txt"))
        self.assertEqual(p["linux-image-6.1.0-57-cloud-amd64"]["candidate"], "6.1.192-3")
        self.assertEqual(p["linux-kbuild-6.1"]["versions"], ["6.1.192-3", "6.1.176-1"])

    def test_madison(self):
        m = kernels.parse_madison(data("apt-madison-source.txt"))
        self.assertEqual(m["linux-source-6.1"][:3], ["6.1.192-3", "6.1.192-2", "6.1.192-1"])


class Resolve(unittest.TestCase):
    def test_exact(self):
        specs, notes = kernels.resolve_headers(
            "linux-headers-6.1.0-57-cloud-amd64", "6.1.192-3",
            data("apt-depends-headers.txt"), data("apt-madison-current.txt"))
        self.assertEqual(specs, ["linux-headers-6.1.0-57-cloud-amd64=6.1.192-3",
                                 "linux-headers-6.1.0-57-common=6.1.192-3",
                                 "linux-kbuild-6.1=6.1.192-3"])
        self.assertEqual(notes, [])

    def test_gone_from_the_archive(self):
        # The headers are still 6.1.192-2; kbuild is only at 6.1.192-3.
        specs, notes = kernels.resolve_headers(
            "linux-headers-6.1.0-56-cloud-amd64", "6.1.192-2",
            data("apt-depends-headers-56.txt"), data("apt-madison-kbuild-gone.txt"))
        self.assertEqual(specs, ["linux-headers-6.1.0-56-cloud-amd64=6.1.192-2",
                                 "linux-headers-6.1.0-56-common=6.1.192-2",
                                 "linux-kbuild-6.1=6.1.192-3"])
        self.assertEqual(notes, ["linux-kbuild-6.1 6.1.192-2 is no longer in the archive: "
                                 "using 6.1.192-3"])

    def test_no_version_of_the_same_upstream(self):
        with self.assertRaises(kernels.ResolveError) as e:
            kernels.resolve_headers(
                "linux-headers-6.1.0-56-cloud-amd64", "6.1.192-2",
                data("apt-depends-headers-56.txt"), data("apt-madison-kbuild-missing.txt"))
        self.assertEqual(str(e.exception), "linux-kbuild-6.1 6.1.192-2 is not in the archive, "
                         "nor any other 6.1.192 version (the archive has: 6.1.176-1)")

    def test_flavour_headers_must_match(self):
        with self.assertRaises(kernels.ResolveError) as e:
            kernels.resolve_headers(
                "linux-headers-6.1.0-57-cloud-amd64", "6.1.192-2",
                data("apt-depends-headers.txt"), data("apt-madison-current.txt"))
        self.assertIn("linux-headers-6.1.0-57-cloud-amd64 6.1.192-2 is not in the archive",
                      str(e.exception))

    def test_unknown_headers(self):
        with self.assertRaises(kernels.ResolveError):
            kernels.resolve_headers("linux-headers-9-cloud-amd64", "9.0-1", "", "")

    def test_nearest_prefers_the_next_newer_revision(self):
        got = kernels.nearest_version("p", "6.1.192-2", ["6.1.192-5", "6.1.192-1", "6.1.192-3"])
        self.assertEqual(got[0], "6.1.192-3")
        got = kernels.nearest_version("p", "6.1.192-4", ["6.1.192-1", "6.1.192-3", "6.1.190-9"])
        self.assertEqual(got[0], "6.1.192-3")

    def test_source(self):
        self.assertEqual(kernels.resolve_source("6.1.192-2", data("apt-madison-source.txt")),
                         ("linux-source-6.1=6.1.192-2", None))
        spec, note = kernels.resolve_source("6.1.192-4", data("apt-madison-source.txt"))
        self.assertEqual(spec, "linux-source-6.1=6.1.192-3")
        self.assertIn("no longer in the archive", note)


class PrivateApt(unittest.TestCase):
    def test_never_the_machines_sources(self):
        opts = " ".join(kernels.Apt("/c/apt").options())
        for o in ("Dir::Etc::SourceList=/c/apt/sources.list", "Dir::Etc::SourceParts=/dev/null",
                  "Dir::State::Lists=/c/apt/lists", "Dir::Cache=/c/apt/cache"):
            self.assertIn(o, opts)

    def test_relative_root_is_made_absolute(self):
        # apt would take a relative Dir:: path as relative to "/".
        opts = kernels.Apt("cache/apt").options()
        self.assertTrue(all(o.partition("=")[2].startswith("/") for o in opts if "Dir::" in o))


if __name__ == "__main__":
    unittest.main()
