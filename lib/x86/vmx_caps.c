// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMX capability MSRs and control-bit queries (SDM Vol. 3C Appendix A),
 * shared by L1 guest code and the host.
 */
#include "x86/vmx_l2.h"

static const uint32_t ctl_msr[][2] = {
	/* plain MSR, TRUE_* MSR */
	[VMX_CTL_PIN] = { MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS },
	[VMX_CTL_PROC] = { MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS },
	[VMX_CTL_PROC2] = { MSR_IA32_VMX_PROCBASED_CTLS2, MSR_IA32_VMX_PROCBASED_CTLS2 },
	[VMX_CTL_EXIT] = { MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS },
	[VMX_CTL_ENTRY] = { MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS },
};

static uint64_t *ctl_field(struct vmx_caps *caps, enum vmx_ctl ctl)
{
	uint64_t *fields[] = {
		[VMX_CTL_PIN] = &caps->pin, [VMX_CTL_PROC] = &caps->proc,
		[VMX_CTL_PROC2] = &caps->proc2, [VMX_CTL_EXIT] = &caps->exit,
		[VMX_CTL_ENTRY] = &caps->entry,
	};

	return fields[ctl];
}

static uint64_t ctl_value(const struct vmx_caps *caps, enum vmx_ctl ctl)
{
	return *ctl_field((struct vmx_caps *)caps, ctl);
}

bool vmx_caps_read(struct vmx_caps *caps, bool (*read_msr)(uint32_t msr, uint64_t *val))
{
	bool true_ctls;

	*caps = (struct vmx_caps){ 0 };
	if (!read_msr(MSR_IA32_VMX_BASIC, &caps->basic))
		return false;
	true_ctls = caps->basic & VMX_BASIC_TRUE_CTLS;
	for (int c = VMX_CTL_PIN; c <= VMX_CTL_ENTRY; c++) {
		if (c == VMX_CTL_PROC2)
			continue;
		if (!read_msr(ctl_msr[c][true_ctls], ctl_field(caps, c)))
			return false;
	}
	/* The secondary controls and EPT/VPID MSRs exist only if usable. */
	if (caps->proc >> 32 & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) {
		if (!read_msr(MSR_IA32_VMX_PROCBASED_CTLS2, &caps->proc2))
			return false;
		if ((caps->proc2 >> 32 &
		     (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID)) &&
		    !read_msr(MSR_IA32_VMX_EPT_VPID_CAP, &caps->ept_vpid))
			return false;
	}
	return read_msr(MSR_IA32_VMX_MISC, &caps->misc) &&
	       read_msr(MSR_IA32_VMX_CR0_FIXED0, &caps->cr0_fixed0) &&
	       read_msr(MSR_IA32_VMX_CR0_FIXED1, &caps->cr0_fixed1) &&
	       read_msr(MSR_IA32_VMX_CR4_FIXED0, &caps->cr4_fixed0) &&
	       read_msr(MSR_IA32_VMX_CR4_FIXED1, &caps->cr4_fixed1) &&
	       read_msr(MSR_IA32_VMX_VMCS_ENUM, &caps->vmcs_enum);
}

bool vmx_ctl_allowed1(const struct vmx_caps *caps, enum vmx_ctl ctl, uint32_t bits)
{
	return ((ctl_value(caps, ctl) >> 32) & bits) == bits;
}

bool vmx_ctl_allowed0(const struct vmx_caps *caps, enum vmx_ctl ctl, uint32_t bits)
{
	return !((uint32_t)ctl_value(caps, ctl) & bits);
}

uint32_t vmx_ctl_value(const struct vmx_caps *caps, enum vmx_ctl ctl, uint32_t want)
{
	static const char * const fields[] = {
		[VMX_CTL_PIN] = "PIN_BASED_VM_EXEC_CONTROL",
		[VMX_CTL_PROC] = "CPU_BASED_VM_EXEC_CONTROL",
		[VMX_CTL_PROC2] = "SECONDARY_VM_EXEC_CONTROL",
		[VMX_CTL_EXIT] = "VM_EXIT_CONTROLS",
		[VMX_CTL_ENTRY] = "VM_ENTRY_CONTROLS",
	};
	uint64_t v = ctl_value(caps, ctl);
	uint32_t missing = want & ~(uint32_t)(v >> 32);

	if (missing)
		GUEST_SKIP("%s bits 0x%x: KVM does not allow them to be 1 (SDM Vol. 3C A.3-A.5)",
			   fields[ctl], missing);
	return want | (uint32_t)v;
}

bool vmx_has_proc2(const struct vmx_caps *caps, uint32_t bits)
{
	return vmx_ctl_allowed1(caps, VMX_CTL_PROC, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) &&
	       vmx_ctl_allowed1(caps, VMX_CTL_PROC2, bits);
}
