/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An SVM L2 ready for the agent: SVM enabled, L2's page tables (identity
 * map of guest memory), optionally nested page tables (identity), and one
 * vmcb12.  Tests add their own mappings between svm_l2_env_create() and
 * svm_l2_env_start().  The counterpart of x86/l2_env.h.
 *
 *	struct svm_l2_env e;
 *
 *	svm_l2_env_create(&e, &(struct svm_l2_env_setup){ .mode = L2_PAE_MODE, .npt = true });
 *	l2_pt_map(&e.pt, WINDOW, page);
 *	svm_l2_env_start(&e);
 *	GUEST_ASSERT_EQ(l2_read(&e.agent, WINDOW), ...);
 */
#ifndef SELFTEST_KVM_SVM_L2_ENV_H
#define SELFTEST_KVM_SVM_L2_ENV_H

#include <stdbool.h>
#include <stdint.h>

#include "page_table.h"
#include "x86/l2_agent.h"
#include "x86/l2_paging.h"
#include "x86/svm_l2.h"
#include "x86/svm_npt.h"

struct svm_l2_env_setup {
	enum l2_mode mode;
	bool npt;		/* L1 gives L2 identity nested page tables */
	uint32_t asid;		/* 0: ASID 1 */
};

struct svm_l2_env {
	struct l1_svm *svm;
	enum l2_mode mode;
	struct page_table pt;	/* L2's paging structures; its CR3 is pt.root */
	struct page_table npt;	/* L1's nested page tables for L2, valid if has_npt */
	bool has_npt;
	struct l2_vmcb *vmcb;
	struct l2_agent agent;
};

/* Enables SVM and builds the tables and the vmcb12; GUEST_SKIPs without NPT if it needs it. */
void svm_l2_env_create(struct svm_l2_env *e, const struct svm_l2_env_setup *s);
/*
 * Runs the agent to its first VMMCALL; for a PAE L2 without nested paging,
 * then checks its PDPTEs (svm_assert_pdptes_unchanged()).
 */
void svm_l2_env_start(struct svm_l2_env *e);
/* Disables SVM. */
void svm_l2_env_destroy(struct svm_l2_env *e);

/*
 * For a PAE L2 without nested paging, after it ran on the PAE tables @pt:
 * neither the CPU nor KVM sets the bits (2:1, 8:5) that APM Vol. 2 5.3
 * reserves in a legacy-PAE PDPTE, or the next VMRUN that loads them fails.
 * QEMU's TCG, the AMD lab's emulated CPU, sets the accessed flag (bit 5)
 * there in a walk it does itself: with NST_EMULATOR=tcg the scenario then
 * skips, naming the flaw; anywhere else it fails at this rule.
 */
void svm_assert_pdptes_unchanged(const struct page_table *pt);

#endif /* SELFTEST_KVM_SVM_L2_ENV_H */
