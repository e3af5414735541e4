// SPDX-License-Identifier: GPL-2.0-only
/* The L2 agent's SVM side (see x86/svm_l2_agent.h). */
#include "x86/l2_agent.h"
#include "x86/svm_l2.h"
#include "x86/svm_l2_agent.h"

extern char svm_l2_agent_code_start[], svm_l2_agent_code_end[], svm_l2_agent64[],
	svm_l2_agent32[];

static struct l2_agent_code svm_agent_code = {
	.start = svm_l2_agent_code_start, .end = svm_l2_agent_code_end,
	.entry64 = svm_l2_agent64, .entry32 = svm_l2_agent32,
};

void *svm_l2_agent_entry(enum l2_mode mode)
{
	return l2_agent_code_entry(&svm_agent_code, mode);
}

static uint32_t svm_agent_run(struct l2_agent *a)
{
	return svm_run(a->svm, a->vmcb);
}

static void svm_agent_skip(struct l2_agent *a, unsigned int len)
{
	svm_skip_instruction(a->vmcb, len);
}

static void svm_agent_set_rip(struct l2_agent *a, uint64_t rip)
{
	a->vmcb->vmcb->save.rip = rip;
}

static struct vmx_l2_regs *svm_agent_regs(struct l2_agent *a)
{
	return &a->vmcb->regs;
}

static enum l2_mode svm_agent_mode(struct l2_agent *a)
{
	return a->vmcb->mode;
}

static void svm_agent_assert_exit(struct l2_agent *a, const char *file, int line, uint32_t got,
				  uint32_t want)
{
	/* The agent's exits are 32 bits wide: report VMEXIT_INVALID (-1) as the VMCB has it. */
	uint64_t code = svm_exit_code(a->vmcb->vmcb);

	__svm_assert_exit(file, line, a->vmcb, (uint32_t)code == got ? code : got, want);
}

static const struct l2_agent_ops svm_agent_ops = {
	.report_exit = SVM_EXIT_VMMCALL,
	.run = svm_agent_run,
	.skip = svm_agent_skip,
	.set_rip = svm_agent_set_rip,
	.regs = svm_agent_regs,
	.mode = svm_agent_mode,
	.entry = svm_l2_agent_entry,
	.assert_exit = svm_agent_assert_exit,
};

void svm_l2_agent_start(struct l2_agent *a, struct l1_svm *svm, struct l2_vmcb *v)
{
	a->svm = svm;
	a->vmcb = v;
	l2_agent_bind(a, &svm_agent_ops);
}
