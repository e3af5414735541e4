# SPDX-License-Identifier: GPL-2.0-only
"""What run_tests.sh would refuse in the guest (a test name or pattern that
matches no test, an unknown option, arguments after -- that no test takes)
is refused on the host before anything is fetched or booted: the suite's
own run_tests.sh, run with -l."""

import contextlib
import io
import os
import shutil
import tempfile
import unittest
from unittest import mock

from helpers import HERE
from nstlab import vmtest
from nstlab.errors import LabError

REPO = os.path.dirname(os.path.dirname(HERE))

# A test of the suite's kind: with -l it lists its scenarios that the -s
# patterns select (none: nothing), and it refuses unknown options.
FAKE_TEST = """#!/bin/sh
set -f
pats= list=0
while [ $# -gt 0 ]; do
	case "$1" in
	-l) list=1 ;;
	-s) pats="$pats $2"; shift ;;
	*) echo "$0: invalid option -- '$1'" >&2; exit 2 ;;
	esac
	shift
done
for s in one two; do
	hit=1
	[ -n "$pats" ] && hit=0
	for p in $pats; do case "$s" in $p) hit=1 ;; esac; done
	[ $hit = 1 ] && [ $list = 1 ] && echo "global.$s  purpose"
done
exit 0
"""


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


class RunTestsArgs(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.suite = os.path.join(tmp.name, "suite")
        os.makedirs(os.path.join(self.suite, "x86"))
        shutil.copy(os.path.join(REPO, "run_tests.sh"), self.suite)
        for t in ("vmx_a_test", "svm_b_test"):
            write(os.path.join(self.suite, "x86", t), FAKE_TEST, 0o755)
        write(os.path.join(self.suite, "kvm-nested-tests.list"), "x86/vmx_a_test\nx86/svm_b_test\n")
        self.log = []

    def refusal(self, tests, run_args=()):
        return vmtest.run_tests_refusal(self.suite, list(tests), list(run_args),
                                        self.log.append)

    def test_accepted(self):
        for tests, args in (([], []), (["vmx_a_test"], []), (["vmx_*", "x86/svm_*"], []),
                            (["svm_b_test"], ["--self-check", "-o", "30", "--", "-s", "tw*"])):
            self.assertIsNone(self.refusal(tests, args), (tests, args))
        self.assertEqual(self.log, [])

    def test_a_test_that_matches_nothing(self):
        self.assertEqual(self.refusal(["nosuchtest"]),
                         "no test matches 'nosuchtest' (-l lists the tests)")
        self.assertEqual(self.refusal(["vmx_a_test", "nested_*"]),
                         "no test matches 'nested_*' (-l lists the tests)")
        self.assertIn("the per-test timeout is -o SECONDS", self.refusal(["30"]))

    def test_arguments_run_tests_refuses(self):
        self.assertEqual(self.refusal([], ["--frob"]), "unknown option '--frob'")
        self.assertIn("bad timeout '0'", self.refusal([], ["-o", "0"]))
        self.assertEqual(self.refusal(["vmx_a_test"], ["--", "-s", "nomatch"]),
                         "no scenario of the selected tests matches the arguments after "
                         "--: -s nomatch")
        self.assertIn("vmx_a_test refuses the arguments after --",
                      self.refusal(["vmx_a_test"], ["--", "--bogus"]))

    def test_a_guest_folder_is_not_checked(self):
        self.assertIsNone(self.refusal(["nosuchtest"], ["-d", "/suite"]))

    def test_a_suite_without_the_list_is_never_run(self):
        """lab/selftest's stand-in suites run their tests whatever the
        arguments: they must not run on the host."""
        os.unlink(os.path.join(self.suite, "kvm-nested-tests.list"))
        marker = os.path.join(self.suite, "ran")
        write(os.path.join(self.suite, "run_tests.sh"), f"#!/bin/sh\ntouch {marker}\nexit 2\n",
              0o755)
        self.assertIsNone(self.refusal(["nosuchtest"]))
        self.assertFalse(os.path.exists(marker))

    def test_other_failures_are_not_a_refusal(self):
        write(os.path.join(self.suite, "run_tests.sh"), "#!/bin/sh\nexit 1\n", 0o755)
        self.assertIsNone(self.refusal(["nosuchtest"]))
        self.assertIn("exited 1", self.log[0])

    def main(self, *argv):
        """vmtest's exit code and stderr; nothing may be fetched or booted."""
        err = io.StringIO()
        no = mock.Mock(side_effect=AssertionError("fetched or booted"))
        with mock.patch.object(vmtest.kernels, "fetch_kernel_version", no), \
                mock.patch.object(vmtest.kernels, "fetch_kernel", no), \
                mock.patch.object(vmtest, "boot_one", no), \
                mock.patch.object(vmtest, "install_signal_handlers"), \
                contextlib.redirect_stderr(err):
            code = vmtest.main(["--suite", self.suite, *argv])
        return code, err.getvalue()

    def test_refused_before_the_kernel_is_fetched(self):
        code, err = self.main("--kernel-version", "6.1", "-t", "nosuchtest")
        self.assertEqual(code, 2)
        self.assertIn("vmtest: error: run_tests.sh would refuse this run (its -l on the host): "
                      "no test matches 'nosuchtest'", err)
        code, err = self.main("--bisect", "--run-args", "--frob")
        self.assertEqual(code, 128)
        self.assertIn("unknown option '--frob'", err)
        code, err = self.main("-t", "vmx_a_test", "--", "--", "-s", "nomatch")
        self.assertEqual(code, 2)
        self.assertIn("no scenario of the selected tests matches", err)


class SuiteInstall(unittest.TestCase):
    def test_installed_once_and_removed(self):
        """The default suite is installed before any kernel is fetched, and
        its temporary folder goes at the end."""
        made = []

        def fake_install(suite):
            made.append(suite)
            os.makedirs(suite)
            raise LabError(4, "make install of the suite failed")

        cfg = mock.Mock(suite=None)
        with mock.patch.object(vmtest, "make_install", side_effect=fake_install), \
                mock.patch.object(vmtest.deps, "check"):
            with self.assertRaises(LabError):
                vmtest.install_suite(cfg)
        self.assertEqual(len(made), 1)
        self.assertFalse(os.path.exists(os.path.dirname(made[0])))
        self.assertEqual(vmtest.install_suite(mock.Mock(suite="/given")), ("/given", None))


if __name__ == "__main__":
    unittest.main()
