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
#include "x86/vmx_regs_abi.h"


	.text
	.code64
	.globl vmx_enter
vmx_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushfq
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
	xorl %eax, %eax
.Lout:
	popq %rdi
	popfq
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .note.GNU-stack, "", @progbits
