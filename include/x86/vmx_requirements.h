/* SPDX-License-Identifier: GPL-2.0-only */
/* Host side of VMX: requirements and capabilities, to skip before a VM starts. */
#ifndef SELFTEST_KVM_VMX_REQUIREMENTS_H
#define SELFTEST_KVM_VMX_REQUIREMENTS_H

#include <stdbool.h>

#include "x86/vmx_l2.h"

/* NULL when KVM offers nested VMX to guests, else what is missing. */
const char *vmx_requirement_problem(void);
/* Skips the test (__TEST_REQUIRE) unless KVM offers nested VMX. */
void vmx_requirements(void);
/* The VMX capabilities KVM gives L1 (the feature MSRs); false if unreadable. */
bool host_vmx_caps(struct vmx_caps *caps);

/* What a scenario needs of KVM's nested VMX, for vmx_needs_problem(). */
enum vmx_need {
	NEED_EPT = 1 << 0,		/* "enable EPT" for L2 */
	NEED_VPID = 1 << 1,		/* "enable VPID" for L2 */
	NEED_UG = 1 << 2,		/* "unrestricted guest" */
	NEED_TIMER = 1 << 3,		/* the VMX-preemption timer */
	NEED_NESTED_STATE = 1 << 4,	/* KVM_GET/SET_NESTED_STATE */
};

/* NULL if KVM offers everything in @needs (enum vmx_need bits), else what is missing. */
const char *vmx_needs_problem(unsigned int needs);

#endif /* SELFTEST_KVM_VMX_REQUIREMENTS_H */
