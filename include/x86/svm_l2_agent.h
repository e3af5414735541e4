/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The L2 agent (x86/l2_agent.h) under SVM: the same agent, assembled to
 * report with VMMCALL, driven by svm_run().  After svm_l2_agent_start()
 * every request of x86/l2_agent.h (l2_read(), l2_write_cr3(), ...) works
 * as under VMX; their exit values are SVM exit codes (SVM_EXIT_*).
 */
#ifndef SELFTEST_KVM_SVM_L2_AGENT_H
#define SELFTEST_KVM_SVM_L2_AGENT_H

#include "x86/l2_agent.h"
#include "x86/svm_l2.h"

/* The agent's first instruction for L2 in @mode: give it as svm_l2_setup.entry. */
void *svm_l2_agent_entry(enum l2_mode mode);
/* Binds an agent to @v (created with svm_l2_agent_entry()) and runs it to its first VMMCALL. */
void svm_l2_agent_start(struct l2_agent *a, struct l1_svm *svm, struct l2_vmcb *v);

#endif /* SELFTEST_KVM_SVM_L2_AGENT_H */
