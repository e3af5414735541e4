/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An L2 ready for the agent: L1 in VMX operation, L2's page tables
 * (identity map of guest memory), optionally L1's EPT for L2 (identity),
 * VPID and PCIDs, and one VMCS.  Tests add their own mappings between
 * l2_env_create() and l2_env_start().
 *
 *	struct l2_env e;
 *
 *	l2_env_create(&e, &(struct l2_env_setup){ .mode = L2_PAE_MODE, .ept = true });
 *	l2_pt_map(&e.pt, WINDOW, page);
 *	l2_env_start(&e);
 *	GUEST_ASSERT_EQ(l2_read(&e.agent, WINDOW), ...);
 */
#ifndef SELFTEST_KVM_L2_ENV_H
#define SELFTEST_KVM_L2_ENV_H

#include <stdbool.h>
#include <stdint.h>

#include "page_table.h"
#include "x86/l2_agent.h"
#include "x86/l2_paging.h"
#include "x86/vmx_l2.h"

struct l2_env_setup {
	enum l2_mode mode;
	bool ept;		/* L1 gives L2 an identity EPT */
	uint16_t vpid;		/* non-zero: "enable VPID" with this VPID */
	uint16_t pcid;		/* long mode, non-zero: CR4.PCIDE=1, L2 starts on this PCID */
	uint32_t proc2;		/* more secondary controls */
};

struct l2_env {
	struct l1_vmx *vmx;
	enum l2_mode mode;
	struct page_table pt;	/* L2's paging structures; GUEST_CR3 is pt.root | pcid */
	struct page_table ept;	/* L1's EPT for L2, valid if eptp */
	uint64_t eptp;		/* 0: no EPT */
	struct l2_vmcs *vmcs;
	struct l2_agent agent;
};

/*
 * Enters VMX operation and builds the tables and the VMCS (with the
 * watchdog); GUEST_SKIPs what the vCPU lacks (PCID).
 */
void l2_env_create(struct l2_env *e, const struct l2_env_setup *s);
/* Runs the agent to its first VMCALL. */
void l2_env_start(struct l2_env *e);
/*
 * INVEPT of the EPTP's mappings (single-context where offered, else
 * global): after L1 changes its EPT, the processor may use the old
 * translations until then (SDM Vol. 3C 29.4.3.3, Guidelines for use of
 * the INVEPT instruction).
 */
void l2_env_invept(struct l2_env *e);
/* Leaves VMX operation. */
void l2_env_destroy(struct l2_env *e);

/* Host side: NULL if KVM offers L1 what @s needs, else what is missing. */
const char *l2_env_problem(const struct l2_env_setup *s);

#endif /* SELFTEST_KVM_L2_ENV_H */
