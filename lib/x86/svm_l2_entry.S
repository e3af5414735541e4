/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * void svm_enter(struct vmx_l2_regs *regs, uint64_t vmcb_pa, uint64_t host_save_pa)
 *
 * VMRUN of the vmcb12 at @vmcb_pa with L2's GPRs from @regs, and back.
 * VMRUN and #VMEXIT switch only RAX, RSP and RIP through the VMCB (AMD APM
 * Vol. 2 15.5.1, 15.6): every other GPR is L2's own across VMRUN and L1's
 * after #VMEXIT only because this stub saves and loads them.  RAX is the
 * VMCB address here; L2's RAX is vmcb->save.rax (svm_run() copies it).
 *
 * VMRUN does not switch FS, GS, TR, LDTR, KernelGSBase and the syscall
 * and sysenter MSRs (15.5.2): L1's go to @host_save_pa with VMSAVE and
 * L2's come from the vmcb12 with VMLOAD, and back after #VMEXIT.  GIF is
 * clear (CLGI) from before the first VMSAVE until after the last VMLOAD,
 * so that no interrupt reaches L1 while it holds L2's segment state;
 * #VMEXIT leaves GIF clear (15.6) and STGI sets it again.  L1's RFLAGS
 * (IF=1) are restored.
 */
#include "x86/vmx_regs_abi.h"

	.text
	.code64
	.globl svm_enter
svm_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushfq
	pushq %rdi			/* 16(%rsp): regs */
	pushq %rsi			/* 8(%rsp): vmcb12 */
	pushq %rdx			/* (%rsp): L1's VMSAVE area */

	clgi
	movq %rdx, %rax
	vmsave %rax
	movq %rsi, %rax
	vmload %rax

	movq VMX_L2_RBX(%rdi), %rbx
	movq VMX_L2_RCX(%rdi), %rcx
	movq VMX_L2_RDX(%rdi), %rdx
	movq VMX_L2_RSI(%rdi), %rsi
	movq VMX_L2_RBP(%rdi), %rbp
	movq VMX_L2_R8(%rdi), %r8
	movq VMX_L2_R9(%rdi), %r9
	movq VMX_L2_R10(%rdi), %r10
	movq VMX_L2_R11(%rdi), %r11
	movq VMX_L2_R12(%rdi), %r12
	movq VMX_L2_R13(%rdi), %r13
	movq VMX_L2_R14(%rdi), %r14
	movq VMX_L2_R15(%rdi), %r15
	movq VMX_L2_RDI(%rdi), %rdi
	vmrun %rax

	/* #VMEXIT: RSP and RAX are L1's again (RAX: the vmcb12, from VMRUN). */
	pushq %rdi
	movq 24(%rsp), %rdi
	movq %rbx, VMX_L2_RBX(%rdi)
	movq %rcx, VMX_L2_RCX(%rdi)
	movq %rdx, VMX_L2_RDX(%rdi)
	movq %rsi, VMX_L2_RSI(%rdi)
	movq %rbp, VMX_L2_RBP(%rdi)
	movq %r8, VMX_L2_R8(%rdi)
	movq %r9, VMX_L2_R9(%rdi)
	movq %r10, VMX_L2_R10(%rdi)
	movq %r11, VMX_L2_R11(%rdi)
	movq %r12, VMX_L2_R12(%rdi)
	movq %r13, VMX_L2_R13(%rdi)
	movq %r14, VMX_L2_R14(%rdi)
	movq %r15, VMX_L2_R15(%rdi)
	popq VMX_L2_RDI(%rdi)

	movq 8(%rsp), %rax
	vmsave %rax
	movq (%rsp), %rax
	vmload %rax
	stgi

	addq $24, %rsp
	popfq
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .note.GNU-stack, "", @progbits
