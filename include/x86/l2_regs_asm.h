/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Assembler macros of the VMX and SVM entry stubs (lib/x86/vmx_l2_entry.S,
 * lib/x86/svm_l2_entry.S): L1's callee-saved registers around an entry,
 * and L2's GPRs in struct vmx_l2_regs (offsets: vmx_regs_abi.h).
 *
 * RAX and RDI are left to the stubs: RDI holds the struct's address while
 * the others move, and VMX loads RAX from the struct where SVM's VMRUN
 * takes it from the VMCB.
 */
#ifndef NST_X86_L2_REGS_ASM_H
#define NST_X86_L2_REGS_ASM_H

#include "x86/vmx_regs_abi.h"

#ifdef __ASSEMBLER__

/* The SysV callee-saved GPRs and RFLAGS (IF), in this order. */
.macro PUSH_CALLEE_SAVED
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushfq
.endm

.macro POP_CALLEE_SAVED
	popfq
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
.endm

/* L2's GPRs but RAX and RDI from the struct at \regs; MOVs keep RFLAGS. */
.macro L2_LOAD_GPRS regs
	movq VMX_L2_RBX(\regs), %rbx
	movq VMX_L2_RCX(\regs), %rcx
	movq VMX_L2_RDX(\regs), %rdx
	movq VMX_L2_RSI(\regs), %rsi
	movq VMX_L2_RBP(\regs), %rbp
	movq VMX_L2_R8(\regs), %r8
	movq VMX_L2_R9(\regs), %r9
	movq VMX_L2_R10(\regs), %r10
	movq VMX_L2_R11(\regs), %r11
	movq VMX_L2_R12(\regs), %r12
	movq VMX_L2_R13(\regs), %r13
	movq VMX_L2_R14(\regs), %r14
	movq VMX_L2_R15(\regs), %r15
.endm

/* L2's GPRs but RAX and RDI into the struct at \regs. */
.macro L2_SAVE_GPRS regs
	movq %rbx, VMX_L2_RBX(\regs)
	movq %rcx, VMX_L2_RCX(\regs)
	movq %rdx, VMX_L2_RDX(\regs)
	movq %rsi, VMX_L2_RSI(\regs)
	movq %rbp, VMX_L2_RBP(\regs)
	movq %r8, VMX_L2_R8(\regs)
	movq %r9, VMX_L2_R9(\regs)
	movq %r10, VMX_L2_R10(\regs)
	movq %r11, VMX_L2_R11(\regs)
	movq %r12, VMX_L2_R12(\regs)
	movq %r13, VMX_L2_R13(\regs)
	movq %r14, VMX_L2_R14(\regs)
	movq %r15, VMX_L2_R15(\regs)
.endm

#endif /* __ASSEMBLER__ */
#endif /* NST_X86_L2_REGS_ASM_H */
