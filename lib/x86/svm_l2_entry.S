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
#include "x86/l2_regs_asm.h"

	.text
	.code64
	.globl svm_enter
svm_enter:
	PUSH_CALLEE_SAVED
	pushq %rdi			/* 16(%rsp): regs */
	pushq %rsi			/* 8(%rsp): vmcb12 */
	pushq %rdx			/* (%rsp): L1's VMSAVE area */

	clgi
	movq %rdx, %rax
	vmsave %rax
	movq %rsi, %rax
	vmload %rax

	L2_LOAD_GPRS %rdi
	movq VMX_L2_RDI(%rdi), %rdi
	vmrun %rax

	/* #VMEXIT: RSP and RAX are L1's again (RAX: the vmcb12, from VMRUN). */
	pushq %rdi
	movq 24(%rsp), %rdi
	L2_SAVE_GPRS %rdi
	popq VMX_L2_RDI(%rdi)

	movq 8(%rsp), %rax
	vmsave %rax
	movq (%rsp), %rax
	vmload %rax
	stgi

	addq $24, %rsp
	POP_CALLEE_SAVED
	ret

	.section .note.GNU-stack, "", @progbits
