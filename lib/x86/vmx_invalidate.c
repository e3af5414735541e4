// SPDX-License-Identifier: GPL-2.0-only
/* INVEPT and INVVPID for L1 (see x86/vmx_l2.h). */
#include "x86/vmx_l2.h"

bool vmx_has_invept(const struct vmx_caps *caps, uint64_t type)
{
	uint64_t bit = type == VMX_EPT_EXTENT_CONTEXT ? VMX_EPT_EXTENT_CONTEXT_BIT :
		       type == VMX_EPT_EXTENT_GLOBAL ? VMX_EPT_EXTENT_GLOBAL_BIT : 0;

	return (caps->ept_vpid & VMX_EPT_INVEPT_BIT) && (caps->ept_vpid & bit);
}

bool vmx_has_invvpid(const struct vmx_caps *caps, uint64_t type)
{
	/* Bits 40-43: individual-address, single-context, all-context, retaining globals. */
	return type <= VMX_VPID_EXTENT_SINGLE_NON_GLOBAL &&
	       (caps->ept_vpid & VMX_VPID_INVVPID_BIT) &&
	       (caps->ept_vpid & (VMX_VPID_EXTENT_INDIVIDUAL_ADDR_BIT << type));
}

void ept_invalidate(uint64_t type, uint64_t eptp)
{
	__GUEST_ASSERT(!__invept(type, eptp), "INVEPT type %lu failed (error %u)", type,
		       vmx_instruction_error());
}

void vpid_invalidate(uint64_t type, uint16_t vpid, uint64_t gla)
{
	__GUEST_ASSERT(!__invvpid(type, vpid, gla), "INVVPID type %lu of VPID %u failed (error %u)",
		       type, vpid, vmx_instruction_error());
}
