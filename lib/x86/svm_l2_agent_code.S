/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The L2 agent for SVM: lib/x86/l2_agent_code.S assembled again, reporting
 * with VMMCALL (AMD APM Vol. 2 15.9: intercepted, it exits to L1), under
 * svm_-prefixed symbols.
 */
#define L2_AGENT_REPORT		vmmcall
#define L2_AGENT_SYM(name)	svm_##name
#include "l2_agent_code.S"
