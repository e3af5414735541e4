// SPDX-License-Identifier: GPL-2.0-only
/*
 * nested_pae_l1_test: a 32-bit L1 hypervisor with PAE paging running a PAE
 * L2; the PDPTEs of L1 and L2 must stay apart across transitions (KVM keeps
 * one PDPTR cache per vCPU, shared by L1 and L2).  Intel SDM Vol. 3C:
 *  - 28.5.4 (loading host PDPTEs): a VM exit to a host with PAE paging
 *    ("host address-space size" 0) loads the PDPTEs from memory at HOST_CR3;
 *  - 27.3.2.4: VM entry loads L2's PDPTEs from GUEST_PDPTR0-3 with EPT,
 *    from memory at L2's CR3 without;
 *  - 28.3.1: with EPT the exit saves L2's PDPTEs in GUEST_PDPTR0-3;
 *  - 25.11.2: a 32-bit VMM accesses a 64-bit field as two halves.
 * The L1 side is x86/nested_pae_l1_test.l1_32.c, built as a 32-bit image.
 */
#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_32.h"
#include "x86/l1_vm.h"
#include "x86/vmx_requirements.h"
#include "nested_pae_l1_test.h"

static void run_l1_32(uint32_t arg)
{
	struct kvm_vcpu *vcpu;
	struct ucall uc;

	vcpu = l1_32_vm_create(arg);
	/* L1's TSC far below TSC_BIG (api.rst, KVM_SET_MSRS: IA32_TSC is writable). */
	vcpu_set_msr(vcpu, MSR_IA32_TSC, 0);
	while (l1_32_run_ucall(vcpu, &uc) == UCALL_SYNC) {
		/* api.rst: nested state says whether L2 was running when saved. */
		TEST_ASSERT_EQ(vcpu_in_guest_mode(vcpu), uc.args[1] == STAGE_L2_ACTIVE);
		vcpu = vm_migrate(vcpu, RESTORE_SREGS2);
	}
	kvm_vm_free(vcpu->vm);
}

static void test_arg(const struct scenario *s)
{
	uint32_t arg = (uintptr_t)s->arg;
	const char *problem = vmx_needs_problem((arg & ARG_EPT ? NEED_EPT : 0) |
		(arg & ARG_VPID ? NEED_VPID : 0) |
		((arg & ARG_SCENARIO_MASK) == SC_SAVE_RESTORE ? NEED_NESTED_STATE : 0));

	__TEST_REQUIRE(!problem, "%s", problem);
	run_l1_32(arg);
}

#define ARG(sc, flags)	((void *)(uintptr_t)((sc) | (flags)))

static const struct scenario scenarios[] = {
	{ "apart_noept_novpid", "L1 and L2 keep their own WINDOW page (no EPT, no VPID)",
	  test_arg, ARG(SC_APART, 0) },
	{ "apart_noept_vpid", "L1 and L2 keep their own WINDOW page (no EPT, VPID)",
	  test_arg, ARG(SC_APART, ARG_VPID) },
	{ "apart_ept_novpid", "L1 and L2 keep their own WINDOW page (EPT, no VPID)",
	  test_arg, ARG(SC_APART, ARG_EPT) },
	{ "apart_ept_vpid", "L1 and L2 keep their own WINDOW page (EPT, VPID)",
	  test_arg, ARG(SC_APART, ARG_EPT | ARG_VPID) },
	{ "l2_cr3_switch", "after L2's MOV to CR3 L1 keeps its page, reads L2's new PDPTEs",
	  test_arg, ARG(SC_L2_CR3, ARG_EPT) },
	{ "l1_pdpt_change_noept", "L1 reloads its changed PDPT: both see the right pages",
	  test_arg, ARG(SC_L1_PDPT, 0) },
	{ "l1_pdpt_change_ept", "L1 reloads its changed PDPT: both see the right pages (EPT)",
	  test_arg, ARG(SC_L1_PDPT, ARG_EPT) },
	{ "high_halves_only", "VMWRITEs of only the _HIGH halves of 64-bit fields take effect",
	  test_arg, ARG(SC_HIGH, ARG_EPT) },
	{ "save_restore", "save/restore with L2 active, and with L1 active after an exit",
	  test_arg, ARG(SC_SAVE_RESTORE, ARG_EPT) },
};

SCENARIO_MAIN(vmx_requirements, scenarios)
