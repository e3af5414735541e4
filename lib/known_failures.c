// SPDX-License-Identifier: GPL-2.0-only
/* The table of known KVM failures (see known_failures.h and README.md). */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "known_failures.h"
#include "test_util.h"

#define LOST_L2_CR3 "KVM 6.1 with shadow paging loses L2's MOV to CR3 at VM exit " \
	"(sync_vmcs02_to_vmcs12() saves GUEST_CR3 only if enable_ept); the next VM entry " \
	"reloads the stale vmcs12 CR3"

static const struct known_failure known_failures[] = {
	{
		.test = "vmx_modes_test", .scenario = "cr3_saved_on_exit_*",
		.kernel = "6.1.*", .kvm_intel = "ept=N", .reason = LOST_L2_CR3,
	},
	{
		/* Their CR3 switch step meets the same bug. */
		.test = "vmx_modes_test", .scenario = "*_noept_*",
		.kernel = "6.1.*", .kvm_intel = "ept=N", .reason = LOST_L2_CR3,
	},
	{
		.test = "vmx_modes_test", .scenario = "pae_noept_*",
		.kernel = "6.1.*", .kvm_intel = "ept=Y",
		.reason = "KVM 6.1 loses KVM_SET_SREGS2's PDPTRs when KVM_SET_NESTED_STATE "
			  "enters a PAE L2 without nested EPT (vmx_switch_vmcs() drops them "
			  "from the register cache): L2 faults after restore",
	},
	{
		.test = "nested_tlb_test", .scenario = "l2_invlpg_pae_noept_*",
		.kernel = "6.1.*", .kvm_intel = "ept=N", .crashes = true,
		.reason = "KVM 6.1 hits BUG_ON(root != mmu->root.hpa) in "
			  "shadow_walk_init_using_root() (mmu.c:2275): kvm_mmu_invalidate_gva() walks "
			  "L1's 4-level root, cached in prev_roots, with the PAE role of L2's INVLPG",
	},
};

/* True if every "name=value" of @params matches kvm_intel's sysfs parameters. */
static bool kvm_intel_params_match(const char *params)
{
	char copy[128], path[96], value[32];

	snprintf(copy, sizeof(copy), "%s", params);
	for (char *p = strtok(copy, " "); p; p = strtok(NULL, " ")) {
		char *eq = strchr(p, '=');

		if (!eq)
			return false;
		*eq = '\0';
		snprintf(path, sizeof(path), "/sys/module/kvm_intel/parameters/%s", p);
		if (!read_sysfs_str(path, value, sizeof(value)) || strcmp(value, eq + 1))
			return false;
	}
	return true;
}

static const char *find(const char *test, const char *scenario, bool crashes)
{
	struct utsname u;

	if (uname(&u))
		return NULL;
	for (unsigned int i = 0; i < ARRAY_SIZE(known_failures); i++) {
		const struct known_failure *k = &known_failures[i];

		if (k->crashes == crashes && !strcmp(k->test, test) &&
		    !fnmatch(k->scenario, scenario, 0) && !fnmatch(k->kernel, u.release, 0) &&
		    kvm_intel_params_match(k->kvm_intel))
			return k->reason;
	}
	return NULL;
}

const char *known_failure(const char *test, const char *scenario)
{
	return find(test, scenario, false);
}

const char *known_crash(const char *test, const char *scenario)
{
	const char *run = getenv("NST_RUN_KNOWN_CRASHES");

	if (run && !strcmp(run, "1"))
		return NULL;
	return find(test, scenario, true);
}
