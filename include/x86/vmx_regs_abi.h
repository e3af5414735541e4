/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Byte offsets of struct vmx_l2_regs (x86/vmx_l2.h), where the VMX and SVM
 * entry stubs (lib/x86/vmx_l2_entry.S, lib/x86/svm_l2_entry.S, through
 * x86/l2_regs_asm.h, and lib/x86_32/start.S) load and save L2's GPRs;
 * vmx_l2.h checks them with static asserts.
 */
#ifndef NST_X86_VMX_REGS_ABI_H
#define NST_X86_VMX_REGS_ABI_H

#define VMX_L2_RAX	0
#define VMX_L2_RBX	8
#define VMX_L2_RCX	16
#define VMX_L2_RDX	24
#define VMX_L2_RSI	32
#define VMX_L2_RDI	40
#define VMX_L2_RBP	48
#define VMX_L2_R8	56
#define VMX_L2_R9	64
#define VMX_L2_R10	72
#define VMX_L2_R11	80
#define VMX_L2_R12	88
#define VMX_L2_R13	96
#define VMX_L2_R14	104
#define VMX_L2_R15	112
#define VMX_L2_REGS_SIZE 120

/* The HOST_RSP field encoding (SDM Vol. 3C B.4.4), for the entry stub. */
#define VMX_HOST_RSP_FIELD	0x6c14

#endif /* NST_X86_VMX_REGS_ABI_H */
