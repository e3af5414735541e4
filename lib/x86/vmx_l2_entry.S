/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * int vmx_enter(struct vmx_l2_regs *regs, int resume, uint64_t *host_rsp)
 *
 * Loads L2's GPRs from @regs and executes VMLAUNCH (resume == 0) or
 * VMRESUME.  On a VM exit the CPU lands at vmx_exit_landing (HOST_RIP)
 * with RSP = HOST_RSP: the slot there holds @regs, where L2's GPRs are
 * saved.  HOST_RSP is written only when it differs from *@host_rsp (the
 * value this vmcs12 holds): a VMWRITE to a field KVM does not shadow marks
 * vmcs12 dirty, and an extra one on every entry would hide the lazy-copy
 * bugs the tests look for.  Returns 0 after a VM
 * exit, 1 for VMfailInvalid, 2 for VMfailValid.  L1's RFLAGS (IF=1, see
 * GUEST_START_RFLAGS in x86/processor.h) are restored either way: a VM exit clears them.
 */
#include "x86/l2_regs_asm.h"

	.text
	.code64
	.globl vmx_enter
vmx_enter:
	PUSH_CALLEE_SAVED
	pushq %rdi

	cmpq %rsp, (%rdx)
	je 1f
	movq $VMX_HOST_RSP_FIELD, %rax
	vmwrite %rsp, %rax
	jbe .Lfail			/* CF or ZF: VMfail; flags tell which */
	movq %rsp, (%rdx)
1:

	/* MOVs leave RFLAGS alone: ZF still says which instruction to use. */
	testl %esi, %esi
	movq VMX_L2_RAX(%rdi), %rax
	L2_LOAD_GPRS %rdi
	movq VMX_L2_RDI(%rdi), %rdi
	jnz .Lresume
	vmlaunch
	jmp .Lfail
.Lresume:
	vmresume
.Lfail:
	movl $1, %eax
	jc .Lout
	movl $2, %eax
	jmp .Lout

	.globl vmx_exit_landing
vmx_exit_landing:
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, VMX_L2_RAX(%rdi)
	L2_SAVE_GPRS %rdi
	popq VMX_L2_RDI(%rdi)
	xorl %eax, %eax
.Lout:
	popq %rdi
	POP_CALLEE_SAVED
	ret

	.section .note.GNU-stack, "", @progbits
