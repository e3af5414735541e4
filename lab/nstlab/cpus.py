# SPDX-License-Identifier: GPL-2.0-only
"""The lab's two CPUs (vmtest --cpu): which KVM vendor module runs the tests,
its default parameter sets, and the emulators that offer that CPU's
virtualization.

intel: Bochs's Haswell model emulates VMX (or QEMU with KVM on a host whose
KVM offers nested VMX).  amd: QEMU's TCG emulates SVM with nested paging
(`-cpu max`); Bochs's AMD model hangs early in the boot of Debian's kernels
(or QEMU with KVM on a host whose KVM offers nested SVM).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Cpu:
    name: str           # the --cpu value
    module: str         # the vendor module's file name, e.g. kvm-intel
    default_sets: tuple
    flag: str           # its /proc/cpuinfo flag
    emulators: tuple    # the --emulator values that can run it, auto included

    @property
    def modname(self):
        """The module's name under /sys/module and for rmmod: kvm_intel."""
        return self.module.replace("-", "_")


INTEL = Cpu("intel", "kvm-intel", ("ept=1", "ept=0"), "vmx",
            ("bochs", "bochs-3.0", "qemu", "auto"))
AMD = Cpu("amd", "kvm-amd", ("npt=1", "npt=0"), "svm", ("tcg", "qemu", "auto"))
CPUS = {c.name: c for c in (INTEL, AMD)}

# Why an emulator cannot run a CPU, for the usage error.
NO_AMD_BOCHS = ("Bochs's AMD model hangs early in the boot of Debian's kernels; "
                "--cpu amd runs in QEMU (--emulator tcg, or qemu with KVM on a host "
                "with nested SVM)")
WHY_NOT = {
    ("intel", "tcg"): "QEMU's TCG does not emulate VMX; --emulator tcg goes with --cpu amd",
    ("amd", "bochs"): NO_AMD_BOCHS,
    ("amd", "bochs-3.0"): NO_AMD_BOCHS,
}
