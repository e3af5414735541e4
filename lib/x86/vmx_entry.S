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
 * lab-notes) are restored either way: a VM exit clears them.
 */
#define HOST_RSP 0x6c14

#define R_RAX 0
#define R_RBX 8
#define R_RCX 16
#define R_RDX 24
#define R_RSI 32
#define R_RDI 40
#define R_RBP 48
#define R_R8  56
#define R_R9  64
#define R_R10 72
#define R_R11 80
#define R_R12 88
#define R_R13 96
#define R_R14 104
#define R_R15 112

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
	movq $HOST_RSP, %rax
	vmwrite %rsp, %rax
	jbe .Lfail			/* CF or ZF: VMfail; flags tell which */
	movq %rsp, (%rdx)
1:

	/* MOVs leave RFLAGS alone: ZF still says which instruction to use. */
	testl %esi, %esi
	movq R_RAX(%rdi), %rax
	movq R_RBX(%rdi), %rbx
	movq R_RCX(%rdi), %rcx
	movq R_RDX(%rdi), %rdx
	movq R_RSI(%rdi), %rsi
	movq R_RBP(%rdi), %rbp
	movq R_R8(%rdi), %r8
	movq R_R9(%rdi), %r9
	movq R_R10(%rdi), %r10
	movq R_R11(%rdi), %r11
	movq R_R12(%rdi), %r12
	movq R_R13(%rdi), %r13
	movq R_R14(%rdi), %r14
	movq R_R15(%rdi), %r15
	movq R_RDI(%rdi), %rdi
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
	movq %rax, R_RAX(%rdi)
	movq %rbx, R_RBX(%rdi)
	movq %rcx, R_RCX(%rdi)
	movq %rdx, R_RDX(%rdi)
	movq %rsi, R_RSI(%rdi)
	movq %rbp, R_RBP(%rdi)
	movq %r8, R_R8(%rdi)
	movq %r9, R_R9(%rdi)
	movq %r10, R_R10(%rdi)
	movq %r11, R_R11(%rdi)
	movq %r12, R_R12(%rdi)
	movq %r13, R_R13(%rdi)
	movq %r14, R_R14(%rdi)
	movq %r15, R_R15(%rdi)
	popq R_RDI(%rdi)
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
