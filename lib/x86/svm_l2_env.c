// SPDX-License-Identifier: GPL-2.0-only
/* An SVM L2 ready for the agent (see x86/svm_l2_env.h). */
#include "emulator_flaws.h"
#include "x86/svm_l2_agent.h"
#include "x86/svm_l2_env.h"

void svm_l2_env_create(struct svm_l2_env *e, const struct svm_l2_env_setup *s)
{
	e->svm = svm_enable();
	e->mode = s->mode;
	e->has_npt = s->npt;
	if (s->npt) {
		svm_require_npt(e->svm);
		npt_create(&e->npt);
	}
	l2_pt_create(&e->pt, s->mode);
	e->vmcb = l2_vmcb_create(e->svm, &(struct svm_l2_setup){
		.mode = s->mode, .entry = svm_l2_agent_entry(s->mode), .cr3 = e->pt.root,
		.ncr3 = s->npt ? npt_ncr3(&e->npt) : 0, .asid = s->asid });
}

/* Bits 2:1 and 8:5 of a legacy-PAE PDPTE are reserved (APM Vol. 2 chapter 5, the PDPE format). */
#define PDPTE_RSVD_LOW	0x1e6ull

void svm_assert_pdptes_unchanged(const struct page_table *pt)
{
	for (int i = 0; i < 4; i++) {
		uint64_t pdpte = pae_pdpte(pt, i);

		GUEST_ASSERT_RULE_UNLESS_FLAW(EMULATOR_FLAW_PAE_PDPTE_ACCESSED,
					      pdpte & PDPTE_RSVD_LOW, 0,
					      "L2's walk set reserved bits of PDPTE %d (0x%lx)",
					      i, pdpte);
	}
}

void svm_l2_env_start(struct svm_l2_env *e)
{
	svm_l2_agent_start(&e->agent, e->svm, e->vmcb);
	if (e->mode == L2_PAE_MODE && !e->has_npt)
		svm_assert_pdptes_unchanged(&e->pt);
}

void svm_l2_env_destroy(struct svm_l2_env *e)
{
	svm_disable(e->svm);
}
