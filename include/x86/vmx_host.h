/* SPDX-License-Identifier: GPL-2.0-only */
/* Host side of VMX: requirements and capabilities, to skip before a VM starts. */
#ifndef NST_X86_VMX_HOST_H
#define NST_X86_VMX_HOST_H

#include <stdbool.h>

#include "x86/vmx.h"

/* NULL when KVM offers nested VMX to guests, else what is missing. */
const char *vmx_requirement_problem(void);
/* The VMX capabilities KVM gives L1 (the feature MSRs); false if unreadable. */
bool host_vmx_caps(struct vmx_caps *caps);

#endif /* NST_X86_VMX_HOST_H */
