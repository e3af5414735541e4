// SPDX-License-Identifier: GPL-2.0-only
/* An L2 ready for the agent (see x86/l2_env.h). */
#include "kvm_util.h"
#include "x86/l2_env.h"
#include "x86/vmx_requirements.h"

/* Long mode with PCIDs: CR4.PCIDE for L2 (SDM Vol. 3A 4.10.1), CR3 carries the PCID. */
static void enable_pcid(struct l2_env *e, uint16_t pcid)
{
	uint64_t cr4;

	if (!this_cpu_has(X86_FEATURE_PCID))
		GUEST_SKIP("the vCPU has no PCID (CPUID.1:ECX[17])");
	GUEST_ASSERT(e->mode == L2_LONG_MODE && pcid <= 0xfff);
	cr4 = vmcs_read(GUEST_CR4) | X86_CR4_PCIDE;
	vmcs_write(GUEST_CR4, cr4);
	vmcs_write(CR4_READ_SHADOW, cr4);
	vmcs_write(GUEST_CR3, e->pt.root | pcid);
}

void l2_env_create(struct l2_env *e, const struct l2_env_setup *s)
{
	e->vmx = vmx_enable();
	e->mode = s->mode;
	l2_pt_create(&e->pt, s->mode);
	e->eptp = 0;
	if (s->ept) {
		ept_create(&e->ept);
		e->eptp = ept_pointer(e->vmx->caps, &e->ept, false);
	}
	e->vmcs = l2_vmcs_create(e->vmx, &(struct l2_setup){
		.mode = s->mode, .entry = l2_agent_entry(s->mode), .cr3 = e->pt.root,
		.eptp = e->eptp, .vpid = s->vpid, .proc2 = s->proc2, .watchdog = true });
	if (s->pcid)
		enable_pcid(e, s->pcid);
}

/*
 * With EPT, VM entry loads a PAE L2's PDPTEs from GUEST_PDPTR0-3 (SDM Vol.
 * 3C 27.3.2.4): copy them from the PDPT, which the test may have changed
 * since the VMCS was made.
 */
void l2_env_start(struct l2_env *e)
{
	if (e->mode == L2_PAE_MODE && e->eptp) {
		if (e->vmx->current != e->vmcs)
			l2_vmcs_load(e->vmx, e->vmcs);
		for (int i = 0; i < 4; i++)
			vmcs_write(GUEST_PDPTR(i), pae_pdpte(&e->pt, i));
	}
	l2_agent_start(&e->agent, e->vmx, e->vmcs);
}

void l2_env_invept(struct l2_env *e)
{
	GUEST_ASSERT(e->eptp);
	ept_invalidate(vmx_has_invept(e->vmx->caps, VMX_EPT_EXTENT_CONTEXT) ?
		       VMX_EPT_EXTENT_CONTEXT : VMX_EPT_EXTENT_GLOBAL, e->eptp);
}

void l2_env_destroy(struct l2_env *e)
{
	vmx_disable(e->vmx);
}

const char *l2_env_problem(const struct l2_env_setup *s)
{
	const char *problem = vmx_needs_problem(NEED_TIMER | (s->ept ? NEED_EPT : 0) |
						(s->vpid ? NEED_VPID : 0));
	struct vmx_caps caps;

	if (problem)
		return problem;
	TEST_ASSERT(host_vmx_caps(&caps), "VMX capabilities");
	if (s->pcid && !kvm_cpu_has(X86_FEATURE_PCID))
		return "KVM offers no PCID to L1 (CPUID.1:ECX[17])";
	if ((s->proc2 & SECONDARY_EXEC_ENABLE_INVPCID) && !kvm_cpu_has(X86_FEATURE_INVPCID))
		return "KVM offers no INVPCID to L1 (CPUID.7:EBX[10])";
	if (s->ept && !vmx_has_invept(&caps, VMX_EPT_EXTENT_GLOBAL) &&
	    !vmx_has_invept(&caps, VMX_EPT_EXTENT_CONTEXT))
		return "KVM offers L1 no INVEPT";
	if (s->proc2 && !vmx_has_proc2(&caps, s->proc2))
		return "KVM does not offer L1 the secondary controls the scenario needs";
	return NULL;
}
