# SPDX-License-Identifier: GPL-2.0-only
"""--coverage: the guest's markers, functions to source files, the table."""

import json
import os
import tempfile
import unittest
from unittest import mock

import helpers  # noqa: F401
from nstlab import cli, coverage, vmtest
from nstlab.errors import LabError, E_HOST

NM = """\
0000000000001000 t nested_vmx_run\tdebian/build/build_amd64_none_cloud-amd64/arch/x86/kvm/vmx/nested.c:3512
0000000000002000 t handle_vmfunc\tdebian/build/build_amd64_none_cloud-amd64/arch/x86/kvm/vmx/nested.c:5800
0000000000003000 T vmx_vcpu_run\t/build/linux/arch/x86/kvm/vmx/vmx.c:7100
0000000000003800 t kvm_vcpu_ioctl	debian/build/build_amd64_none_cloud-amd64/arch/x86/kvm/../../../virt/kvm/kvm_main.c:4000
0000000000004000 t no_line_info
0000000000005000 d some_data\tarch/x86/kvm/vmx/vmx.c:10
"""

CONSOLE = [
    "LAB: set 1 params \"ept=1\" begin",
    "LAB: coverage traceable kvm_intel nested_vmx_run handle_vmfunc",
    "LAB: coverage traceable kvm_intel vmx_vcpu_run orphan",
    "LAB: coverage set 1 hit nested_vmx_run vmx_vcpu_run",
    "LAB: coverage set 1 lost 0",
    "LAB: coverage set 2 hit vmx_vcpu_run",
    "LAB: coverage set 2 lost 7",
]


class Coverage(unittest.TestCase):
    def test_nm_maps_text_symbols_to_files_below_the_build_folder(self):
        files = coverage.function_files(NM)
        self.assertEqual(files, {"nested_vmx_run": {"arch/x86/kvm/vmx/nested.c"},
                                 "handle_vmfunc": {"arch/x86/kvm/vmx/nested.c"},
                                 "vmx_vcpu_run": {"arch/x86/kvm/vmx/vmx.c"},
                                 "kvm_vcpu_ioctl": {"virt/kvm/kvm_main.c"}})

    def test_markers(self):
        rec = coverage.parse(CONSOLE)
        self.assertEqual(rec.traceable["kvm_intel"],
                         {"nested_vmx_run", "handle_vmfunc", "vmx_vcpu_run", "orphan"})
        self.assertEqual(rec.hits, {1: {"nested_vmx_run", "vmx_vcpu_run"}, 2: {"vmx_vcpu_run"}})
        self.assertEqual(rec.lost, {1: 0, 2: 7})

    def test_table_per_file_and_set_union_last_and_never_hit(self):
        rec = coverage.parse(CONSOLE)
        sources = {"kvm_intel": coverage.function_files(NM)}
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "coverage.json")
            lines = coverage.report(rec, sources, {1: "ept=1", 2: "ept=0"}, "kvm_intel", out)
            with open(out) as f:
                data = json.load(f)
        text = "\n".join(lines)
        self.assertRegex(text, r"arch/x86/kvm/vmx/nested.c\s+1/2\s+0/2\s+1/2")
        self.assertRegex(text, r"arch/x86/kvm/vmx/vmx.c\s+1/1\s+1/1\s+1/1")
        self.assertIn("arch/x86/kvm/vmx/nested.c: 1/2 functions entered; never: handle_vmfunc",
                      text)
        self.assertIn("set 2: the trace buffer dropped 7 events", text)
        self.assertIn("1 traceable functions have no source file", text)
        self.assertEqual(data["sets"]["1"]["files"]["arch/x86/kvm/vmx/nested.c"],
                         ["nested_vmx_run"])
        self.assertEqual(data["unmapped"], ["orphan [kvm_intel]"])

    def test_unavailable(self):
        rec = coverage.parse(["LAB: coverage unavailable no function tracer in this kernel"])
        self.assertEqual(coverage.report(rec, {}, {}, "kvm_intel", "/nonexistent"),
                         ["coverage: unavailable: no function tracer in this kernel"])


class CoverageOptions(unittest.TestCase):
    def test_longer_limits_unless_given(self):
        c = cli.vmtest_config(["--coverage", "-t", "x", "--", "--", "-o", "a"])
        self.assertEqual(c.run_args, ["-o", str(cli.settings_timeout() * 4), "--", "-o", "a"])
        self.assertEqual(c.timeout, 4800)
        c = cli.vmtest_config(["--coverage", "--timeout", "99", "--run-args", "-o 7"])
        self.assertEqual((c.run_args, c.timeout), (["-o", "7"], 99))
        self.assertFalse(cli.vmtest_config([]).coverage)



class CoverageBeforeTheBoot(unittest.TestCase):
    """Without debug info for the modules the run cannot be reported: that
    is said (exit 3) before the boot, not after the whole suite ran."""

    def run_of(self, *argv):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        run = vmtest.Run(cli.vmtest_config(["--coverage", *argv]))
        self.addCleanup(run.cleanup)
        return run

    def prepare(self, run, image=("/boot/vmlinuz", None)):
        """prepare() up to the debug info: nothing after it may happen."""
        no = mock.Mock(side_effect=AssertionError("went on towards the boot"))
        with mock.patch.dict(os.environ, {"TMPDIR": self.tmp}), \
                mock.patch.object(vmtest, "get_kernel", return_value=image), \
                mock.patch.object(vmtest, "collect_modules",
                                  return_value={"kvm": "/kvm.ko", "kvm-intel": "/kvm-intel.ko"}), \
                mock.patch.object(vmtest, "check_param_names"), \
                mock.patch.object(vmtest, "make_out_dir", no), \
                mock.patch.object(vmtest, "get_suite", no), \
                mock.patch.object(vmtest.media, "initramfs", no):
            with self.assertRaises(LabError) as e:
                vmtest.prepare(run)
        self.assertEqual(e.exception.code, E_HOST)
        return str(e.exception)

    def test_modules_without_debug_info(self):
        mods = tempfile.TemporaryDirectory()
        self.addCleanup(mods.cleanup)
        for name in ("kvm.ko", "kvm-intel.ko"):
            with open(os.path.join(mods.name, name), "wb") as f:
                f.write(b"\x7fELF not a module with debug info")
        run = self.run_of("--modules", mods.name)
        self.assertIn("--coverage needs debug info in", self.prepare(run))

    def test_no_debian_kernel(self):
        run = self.run_of()
        self.assertIn("--coverage needs a Debian kernel", self.prepare(run))

    def test_the_dbg_package_cannot_be_had(self):
        run = self.run_of()
        run.kernel = mock.Mock(package="linux-image-6.1.0-57-cloud-amd64", version="6.1.192-3")
        why = "--coverage needs the debug info of linux-image-6.1.0-57-cloud-amd64: ..."
        with mock.patch.object(vmtest.coverage, "debug_modules",
                               side_effect=LabError(E_HOST, why)) as dm:
            self.assertEqual(self.prepare(run), why)
        dm.assert_called_once()

    def test_the_default_kernel_is_kept_for_its_dbg_package(self):
        """lab/vmtest without --kernel-version boots the package the meta
        package names; its -dbg gives the debug info."""
        run = self.run_of()
        k = mock.Mock(image="/img", moddir="/mods", release="6.1.0-57-cloud-amd64",
                      package="linux-image-6.1.0-57-cloud-amd64", version="6.1.192-3")
        with mock.patch.object(vmtest.kernels, "fetch_kernel", return_value=k), \
                mock.patch.object(vmtest.deps, "is_debian", return_value=False):
            self.assertEqual(vmtest.get_kernel(run), ("/img", "/mods"))
        self.assertIs(run.kernel, k)


if __name__ == "__main__":
    unittest.main()
