# SPDX-License-Identifier: GPL-2.0-only
"""--kernel-version: which Debian kernel a version names, from recorded
apt-cache answers of the stable (bookworm, bookworm-security) and sid
(unstable, experimental) archives; the mirror taken from the machine's apt
sources."""

import unittest

from helpers import data
from nstlab import kernels
from nstlab.errors import UsageError, E_HOST

STABLE = {
    ("madison", "linux-image-cloud-amd64"): "apt-stable-madison-meta.txt",
    ("madison", "linux-image-6.12-cloud-amd64"): "apt-stable-madison-meta-6.12.txt",
    ("depends", "linux-image-cloud-amd64=6.1.192-3"): "apt-stable-depends-meta-6.1.txt",
    ("madison", "linux-image-6.1.0-57-cloud-amd64"): "apt-stable-madison-image-6.1.txt",
    ("depends", "linux-image-6.1.0-57-cloud-amd64=6.1.192-3"): "apt-stable-depends-image-6.1.txt",
    ("depends", "linux-image-6.12-cloud-amd64=6.12.117-1~deb12u1"):
        "apt-stable-depends-meta-6.12.txt",
    ("madison", "linux-image-6.12.117+deb12-cloud-amd64"): "apt-stable-madison-image-6.12.txt",
    ("depends", "linux-image-6.12.117+deb12-cloud-amd64=6.12.117-1~deb12u1"):
        "apt-stable-depends-image-6.12.txt",
}
SID = {
    ("madison", "linux-image-cloud-amd64"): "apt-sid-madison-meta.txt",
    ("depends", "linux-image-cloud-amd64=7.3~rc7-1~exp1"): "apt-sid-depends-meta-7.3.txt",
    ("madison", "linux-image-7.3-cloud-amd64"): "apt-sid-madison-image-7.3.txt",
    ("depends", "linux-image-7.3-cloud-amd64=7.3~rc7-1~exp1"): "apt-sid-depends-image-7.3.txt",
    ("depends", "linux-image-cloud-amd64=7.2.13-1"): "apt-sid-depends-meta-7.2.txt",
    ("madison", "linux-image-7.2.13+deb14-cloud-amd64"): "apt-sid-madison-image-7.2.txt",
    ("depends", "linux-image-7.2.13+deb14-cloud-amd64=7.2.13-1"): "apt-sid-depends-image-7.2.txt",
}


def recorded(table):
    """apt-cache as recorded: an unknown question gets apt's empty answer."""
    def ask(*args):
        name = table.get(args)
        return data(name) if name else ""
    return ask


ASKS = {"stable": recorded(STABLE), "sid": recorded(SID)}


class Tracks(unittest.TestCase):
    def test_newest_is_experimental_over_unstable(self):
        # apt's candidate is unstable's 7.2 (experimental has priority 1);
        # the newest version is experimental's 7.3, split into image, binary
        # and modules packages.
        k = kernels.resolve_kernel_version("newest", ASKS)
        self.assertEqual((k.archive, k.image, k.version),
                         ("sid", "linux-image-7.3-cloud-amd64", "7.3~rc7-1~exp1"))
        self.assertEqual(k.packages, ["linux-image-7.3-cloud-amd64",
                                      "linux-binary-7.3-cloud-amd64",
                                      "linux-modules-7.3-cloud-amd64"])

    def test_6_1_newest_revision(self):
        k = kernels.resolve_kernel_version("6.1", ASKS)
        self.assertEqual(k.specs(), ["linux-image-6.1.0-57-cloud-amd64=6.1.192-3"])

    def test_6_12_from_its_own_meta_package(self):
        k = kernels.resolve_kernel_version("6.12", ASKS)
        self.assertEqual(k.specs(), ["linux-image-6.12.117+deb12-cloud-amd64=6.12.117-1~deb12u1"])
        self.assertEqual(k.archive, "stable")

    def test_exact_version_of_unstable(self):
        k = kernels.resolve_kernel_version("7.2.13-1", ASKS)
        self.assertEqual(k.image, "linux-image-7.2.13+deb14-cloud-amd64")
        self.assertIn("linux-binary-7.2.13+deb14-cloud-amd64", k.packages)

    def test_exact_version_of_stable(self):
        k = kernels.resolve_kernel_version("6.12.117-1~deb12u1", ASKS)
        self.assertEqual(k.image, "linux-image-6.12.117+deb12-cloud-amd64")

    def test_unknown_version_lists_what_there_is(self):
        with self.assertRaises(UsageError) as e:
            kernels.resolve_kernel_version("6.5.1-1", ASKS)
        text = str(e.exception)
        for v in ("6.1, 6.12, newest", "6.1.192-3", "6.12.117-1~deb12u1", "7.2.13-1",
                  "7.3~rc7-1~exp1"):
            self.assertIn(v, text)

    def test_track_missing_from_the_lists(self):
        with self.assertRaises(kernels.ResolveError) as e:
            kernels.resolve_kernel_version("newest", {"sid": recorded({})})
        self.assertEqual(e.exception.code, E_HOST)

    def test_archives_needed(self):
        self.assertEqual(kernels.archives_for("newest"), ["sid"])
        self.assertEqual(kernels.archives_for("6.12"), ["stable"])
        self.assertEqual(sorted(kernels.archives_for("7.2.13-1")), ["sid", "stable"])


DEB822 = """\
Types: deb
# a comment
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main

Types: deb-src
URIs: http://other.example/debian
Suites: bookworm
"""

ONE_LINE = """\
# deb http://commented.example/debian bookworm main
deb [signed-by=/k.gpg arch=amd64] http://mirror.example/debian/ bookworm main contrib
deb http://mirror.example/debian-security bookworm-security main
deb https://packages.example/apt cloud-sdk main
"""


class Mirrors(unittest.TestCase):
    def test_deb822(self):
        m = kernels.mirrors(kernels.parse_apt_sources(DEB822))
        self.assertEqual(m, {"archive": "http://mirror.example/debian",
                             "security": "http://mirror.example/debian-security"})

    def test_one_line(self):
        m = kernels.mirrors(kernels.parse_apt_sources(ONE_LINE))
        self.assertEqual(m, {"archive": "http://mirror.example/debian",
                             "security": "http://mirror.example/debian-security"})

    def test_override(self):
        m = kernels.mirrors([], "http://local.example/debian/")
        self.assertEqual(m["security"], "http://local.example/debian-security")

    def test_sources_lists(self):
        m = kernels.mirrors(kernels.parse_apt_sources(DEB822))
        sid = kernels.sources_list("sid", m)
        self.assertIn("http://mirror.example/debian unstable main", sid)
        self.assertIn("http://mirror.example/debian experimental main", sid)
        stable = kernels.sources_list("stable", m)
        self.assertIn("http://mirror.example/debian-security bookworm-security main", stable)

    def test_no_mirror_is_a_host_problem(self):
        with self.assertRaises(kernels.LabError) as e:
            kernels.sources_list("stable", {"archive": "http://m.example/debian"})
        self.assertEqual(e.exception.code, E_HOST)


if __name__ == "__main__":
    unittest.main()
