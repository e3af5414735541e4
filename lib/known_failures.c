// SPDX-License-Identifier: GPL-2.0-only
/*
 * The table of known KVM failures (see known_failures.h and README.md).
 * libc only: the scenario runner and its unit tests link it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "known_failures.h"

static const struct known_bug shadow_l2_cr3_lost = {
	.id = "shadow-l2-cr3-lost",
	.summary = "with shadow paging KVM loses L2's MOV to CR3 at VM exit "
		   "(sync_vmcs02_to_vmcs12() saves GUEST_CR3 only if enable_ept); the next "
		   "VM entry reloads the stale vmcs12 CR3",
	.seen = "6.1.192, 6.12.117, 7.3-rc7",
};

static const struct known_bug sregs2_pdptrs_lost = {
	.id = "sregs2-pdptrs-lost",
	.summary = "KVM loses KVM_SET_SREGS2's PDPTRs when KVM_SET_NESTED_STATE enters a PAE "
		   "L2 without nested EPT (vmx_switch_vmcs() drops them from the register "
		   "cache): L2 faults after restore",
	.seen = "6.1.192, 6.12.117, 7.3-rc7",
};

static const struct known_bug pae_invlpg_prev_root_bug = {
	.id = "pae-invlpg-prev-root-bug",
	.summary = "KVM hits BUG_ON(root != mmu->root.hpa) in shadow_walk_init_using_root(): "
		   "kvm_mmu_invalidate_gva() walks L1's 4-level root, cached in prev_roots, "
		   "with the PAE role of L2's INVLPG",
	.seen = "6.1.192 (mmu.c:2275), 6.12.117 (mmu.c:2371), 7.3-rc7 (mmu.c:2533); "
		"from SVM (kvm_amd npt=0): 6.1.192 (mmu.c:2275), 7.3-rc7 (mmu.c:2533)",
	.crashes = true,
};

static const struct known_bug vmx_abort_indicator_lost = {
	.id = "vmx-abort-indicator-lost",
	.summary = "KVM emulates a VMX abort as a triple fault of L1 (nested_vmx_abort() only "
		   "requests KVM_REQ_TRIPLE_FAULT) and never saves the VMX-abort indicator at "
		   "offset 4 of the VMCS region",
	.seen = "6.1.192, 7.3-rc7",
};

static const struct known_bug lmsw_l2_cr0_shadow_lost = {
	.id = "lmsw-l2-cr0-shadow-lost",
	.summary = "KVM emulates an L2 LMSW that L1 does not intercept through kvm_lmsw() -> "
		   "vmx_set_cr0(), which writes L2's whole CR0 to vmcs02's CR0_READ_SHADOW: "
		   "L2 then reads the real value of CR0 bits L1 owns, not L1's read shadow",
	.seen = "6.1.192, 7.3-rc7",
};

static const struct known_bug pending_dbg_lost_db_exiting = {
	.id = "pending-dbg-lost-db-exiting",
	.summary = "with #DB exiting in L1, KVM queues L2's single-step trap as a #DB VM exit "
		   "(exception_vmexit); at an MTF or INIT exit nested_vmx_update_pending_dbg() "
		   "reads only vcpu->arch.exception, so BS is not saved in "
		   "GUEST_PENDING_DBG_EXCEPTIONS and the trap is dropped",
	.seen = "6.1.192, 6.12.117, 7.3-rc7 (Bochs 3.0 lab)",
};

/*
 * The rule assertions the bugs fail, and the wrong values they see there.
 * MODES_CR3: the CR3 that L1 gave L2, its first table's root.
 */
#define MODES_CR3	{ "x86/vmx_modes_test.c", "vmcs_read(GUEST_CR3)", 0x40007000 }
/* EXIT_REASON_EXCEPTION_NMI (0): L2 faults on resuming. */
#define MODES_RESTORE	{ "x86/vmx_modes_test.c", "exit_after_restore", 0 }
#define ABORT_INDICATOR	{ "x86/vmx_msr_lists_test.c", "indicator", 0 }
/* CR0 with its real NE (bit 5), where L1's read shadow has 0. */
#define L2_CR0_VIEW	{ "x86/vmx_cr_shadow_test.c", "l2_read(v)", 0x80000033 }
#define PENDING_AT_MTF	{ "x86/vmx_debug_events_test.c", "pending_at_mtf_exit", 0 }
#define PENDING_AT_INIT	{ "x86/vmx_debug_events_test.c", "pending_at_init_exit", 0 }
#define CRASH		{ NULL, NULL, 0 }

static const struct known_failure suite_known_failures[] = {
	{ "vmx_modes_test", "cr3_saved_on_exit_long_noept_novpid", "kvm_intel.ept=N",
	  &shadow_l2_cr3_lost, MODES_CR3 },
	{ "vmx_modes_test", "cr3_saved_on_exit_long_noept_vpid", "kvm_intel.ept=N",
	  &shadow_l2_cr3_lost, MODES_CR3 },
	{ "vmx_modes_test", "cr3_saved_on_exit_pae_noept_novpid", "kvm_intel.ept=N",
	  &shadow_l2_cr3_lost, MODES_CR3 },
	{ "vmx_modes_test", "cr3_saved_on_exit_pae_noept_vpid", "kvm_intel.ept=N",
	  &shadow_l2_cr3_lost, MODES_CR3 },
	{ "vmx_modes_test", "pae_noept_novpid", "kvm_intel.ept=Y", &sregs2_pdptrs_lost,
	  MODES_RESTORE },
	{ "vmx_modes_test", "pae_noept_vpid", "kvm_intel.ept=Y", &sregs2_pdptrs_lost,
	  MODES_RESTORE },
	{ "vmx_modes_test", "cr3_saved_on_exit_pae_noept_novpid", "kvm_intel.ept=Y",
	  &sregs2_pdptrs_lost, MODES_RESTORE },
	{ "vmx_modes_test", "cr3_saved_on_exit_pae_noept_vpid", "kvm_intel.ept=Y",
	  &sregs2_pdptrs_lost, MODES_RESTORE },
	{ "nested_tlb_test", "l2_invlpg_pae_noept_novpid", "kvm_intel.ept=N",
	  &pae_invlpg_prev_root_bug, CRASH },
	{ "nested_tlb_test", "l2_invlpg_pae_noept_vpid", "kvm_intel.ept=N",
	  &pae_invlpg_prev_root_bug, CRASH },
	/* The same KVM code path, reached by a PAE L2 without nested paging under SVM. */
	{ "svm_tlb_test", "l2_invlpg_pae_nonp", "kvm_amd.npt=N", &pae_invlpg_prev_root_bug, CRASH },
	{ "vmx_msr_lists_test", "abort_indicator_exit_load", "", &vmx_abort_indicator_lost,
	  ABORT_INDICATOR },
	{ "vmx_msr_lists_test", "abort_indicator_exit_store", "", &vmx_abort_indicator_lost,
	  ABORT_INDICATOR },
	{ "vmx_cr_shadow_test", "lmsw_unmasked_other_owned", "", &lmsw_l2_cr0_shadow_lost,
	  L2_CR0_VIEW },
	{ "vmx_debug_events_test", "mtf_single_step_emulated", "", &pending_dbg_lost_db_exiting,
	  PENDING_AT_MTF },
	{ "vmx_debug_events_test", "single_step_init_db_exiting", "", &pending_dbg_lost_db_exiting,
	  PENDING_AT_INIT },
};

static const struct known_failure *table = suite_known_failures;
static unsigned int table_size = sizeof(suite_known_failures) / sizeof(suite_known_failures[0]);
static const char *sysfs_modules = "/sys/module";

void known_failures_use(const struct known_failure *t, unsigned int n)
{
	table = t;
	table_size = n;
}

const struct known_failure *known_failures_table(unsigned int *n)
{
	*n = table_size;
	return table;
}

void known_failures_use_sysfs(const char *dir)
{
	sysfs_modules = dir;
}

/* Reads a sysfs attribute without its newline; false if it cannot be read. */
static bool read_param(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, size, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* True if the module parameter of @word, "module.param=value", reads value. */
static bool param_matches(char *word)
{
	char *dot = strchr(word, '.'), *eq = strchr(word, '=');
	char path[256], value[32];

	if (!dot || !eq || eq < dot)
		return false;
	*dot = *eq = '\0';
	snprintf(path, sizeof(path), "%s/%s/parameters/%s", sysfs_modules, word, dot + 1);
	return read_param(path, value, sizeof(value)) && !strcmp(value, eq + 1);
}

/* True if every "module.param=value" word of @params matches the sysfs parameters. */
static bool params_match(const char *params)
{
	char copy[128], *save;

	snprintf(copy, sizeof(copy), "%s", params);
	for (char *p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ", &save))
		if (!param_matches(p))
			return false;
	return true;
}

static const struct known_failure *find(const char *test, const char *scenario, bool crashes)
{
	for (unsigned int i = 0; i < table_size; i++) {
		const struct known_failure *k = &table[i];

		if (k->bug->crashes == crashes && !strcmp(k->test, test) &&
		    !strcmp(k->scenario, scenario) && params_match(k->params))
			return k;
	}
	return NULL;
}

const struct known_failure *known_failure_find(const char *test, const char *scenario)
{
	return find(test, scenario, false);
}

const struct known_failure *known_crash_find(const char *test, const char *scenario)
{
	const char *run = getenv("NST_RUN_KNOWN_CRASHES");

	if (run && !strcmp(run, "1"))
		return NULL;
	return find(test, scenario, true);
}

/* True if the path @file ends with the path @tail, at a '/' or whole. */
static bool path_ends_with(const char *file, const char *tail)
{
	size_t f = strlen(file), t = strlen(tail);

	return f >= t && !strcmp(file + f - t, tail) && (f == t || file[f - t - 1] == '/');
}

bool known_failure_matches(const struct known_failure *k, const struct rule_site *seen)
{
	return k->rule.expr && seen->file && seen->expr &&
	       path_ends_with(seen->file, k->rule.file) && !strcmp(seen->expr, k->rule.expr) &&
	       seen->value == k->rule.value;
}
