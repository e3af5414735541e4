# SPDX-License-Identifier: GPL-2.0-only
"""The emulated lab: boot a kernel with VMX in an emulator and run the suite."""
