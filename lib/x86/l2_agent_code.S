/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The L2 agent (see x86/l2_agent.h), once for IA-32e mode and once for
 * 32-bit protected mode.  RBX/EBX holds the request block.
 *
 * Assembled once per vendor from this one source: as it is for VMX, where
 * the agent reports with VMCALL; lib/x86/svm_l2_agent_code.S defines
 * L2_AGENT_REPORT as VMMCALL and L2_AGENT_SYM() to give the symbols an svm_
 * prefix, then includes this file.
 *
 * Each op is a subroutine that carries out the request at RBX/EBX and
 * returns, so that L2_OP_BATCH can run several requests in one stretch of
 * L2 execution, without a VM exit between them.  Ops may clobber
 * RAX/RCX/RDX (EAX/ECX/EDX); the batch loop keeps its state in RSI/RDI.
 *
 * The code is position independent: L1 runs a copy of it in identity-mapped
 * memory (lib/x86/l2_agent.c), so that L2 can turn paging off and on.
 */
#include "x86/l2_agent_abi.h"

#ifndef L2_AGENT_REPORT
#define L2_AGENT_REPORT		vmcall
#define L2_AGENT_SYM(name)	name
#endif

#define CR4_PGE		0x80		/* SDM Vol. 3A 2.5 */
#define CR0_PG		0x80000000

	.text
	.globl L2_AGENT_SYM(l2_agent_code_start), L2_AGENT_SYM(l2_agent_code_end)
L2_AGENT_SYM(l2_agent_code_start):

#ifdef __x86_64__	/* a 32-bit L1 runs only 32-bit L2s: it cannot be a 64-bit host */
	.code64
	.globl L2_AGENT_SYM(l2_agent64)
L2_AGENT_SYM(l2_agent64):
	L2_AGENT_REPORT
	call .Ldo64
	jmp L2_AGENT_SYM(l2_agent64)

/* Carries out the request at RBX. */
.Ldo64:
	movq L2_REQ_OP(%rbx), %rax
	cmpq $L2_OP_NOP, %rax
	je .Lret64
	cmpq $L2_OP_READ, %rax
	je .Lread64
	cmpq $L2_OP_WRITE, %rax
	je .Lwrite64
	cmpq $L2_OP_WRITE_CR3, %rax
	je .Lwcr3_64
	cmpq $L2_OP_READ_CR3, %rax
	je .Lrcr3_64
	cmpq $L2_OP_INVLPG, %rax
	je .Linvlpg64
	cmpq $L2_OP_SYNC_HOST, %rax
	je .Lsync64
	cmpq $L2_OP_CALL, %rax
	je .Lcall64
	cmpq $L2_OP_READ_LOOP, %rax
	je .Lloop64
	cmpq $L2_OP_TOGGLE_PGE, %rax
	je .Lpge64
	cmpq $L2_OP_BATCH, %rax
	je .Lbatch64
	cmpq $L2_OP_INVPCID, %rax
	je .Linvpcid64
	ud2
.Lret64:
	ret
.Lread64:
	movq L2_REQ_ADDR(%rbx), %rcx
	movq (%rcx), %rax
	movq %rax, L2_REQ_RESULT(%rbx)
	ret
.Lwrite64:
	movq L2_REQ_ADDR(%rbx), %rcx
	movq L2_REQ_VALUE(%rbx), %rax
	movq %rax, (%rcx)
	ret
.Lwcr3_64:
	movq L2_REQ_ADDR(%rbx), %rax
	movq %rax, %cr3
	ret
.Lrcr3_64:
	movq %cr3, %rax
	movq %rax, L2_REQ_RESULT(%rbx)
	ret
.Linvlpg64:
	movq L2_REQ_ADDR(%rbx), %rax
	invlpg (%rax)
	ret
.Lsync64:
	movw $L2_UCALL_PORT, %dx	/* RDI: the ucall's host address, from L1 */
	inb %dx, %al
	ret
.Lcall64:
	movq L2_REQ_ADDR(%rbx), %rax
	call *%rax
	movq %rax, L2_REQ_RESULT(%rbx)
	ret
.Lloop64:
	movq L2_REQ_ADDR(%rbx), %rdx
	movq L2_REQ_VALUE(%rbx), %rcx
1:	movq (%rdx), %rax
	movq %rax, L2_REQ_RESULT(%rbx)
	decq %rcx
	jnz 1b
	ret
.Lpge64:
	movq %cr4, %rax
	xorq $CR4_PGE, %rax
	movq %rax, %cr4
	xorq $CR4_PGE, %rax
	movq %rax, %cr4
	ud2
	ret
	/* RDI counts the steps left, RSI walks them; RBX is the step. */
.Lbatch64:
	pushq %rbx
	pushq %rsi
	pushq %rdi
	movq L2_REQ_VALUE(%rbx), %rdi
	movq L2_REQ_ADDR(%rbx), %rsi
1:	testq %rdi, %rdi
	jz 2f
	movq %rsi, %rbx
	call .Ldo64
	addq $L2_STEP_SIZE, %rsi
	decq %rdi
	jmp 1b
2:	popq %rdi
	popq %rsi
	popq %rbx
	ret
	/* The 16-byte descriptor (PCID, linear address) is built on the stack. */
.Linvpcid64:
	movq L2_REQ_VALUE(%rbx), %rax
	movzwl %ax, %ecx			/* type */
	shrq $16, %rax				/* PCID */
	pushq L2_REQ_ADDR(%rbx)
	pushq %rax
	invpcid (%rsp), %rcx
	addq $16, %rsp
	ret

#endif

	.code32
	.globl L2_AGENT_SYM(l2_agent32)
L2_AGENT_SYM(l2_agent32):
	L2_AGENT_REPORT
	call .Ldo32
	jmp L2_AGENT_SYM(l2_agent32)

/* Carries out the request at EBX. */
.Ldo32:
	movl L2_REQ_OP(%ebx), %eax
	cmpl $L2_OP_NOP, %eax
	je .Lret32
	cmpl $L2_OP_READ, %eax
	je .Lread32
	cmpl $L2_OP_WRITE, %eax
	je .Lwrite32
	cmpl $L2_OP_WRITE_CR3, %eax
	je .Lwcr3_32
	cmpl $L2_OP_READ_CR3, %eax
	je .Lrcr3_32
	cmpl $L2_OP_INVLPG, %eax
	je .Linvlpg32
	cmpl $L2_OP_SYNC_HOST, %eax
	je .Lsync32
	cmpl $L2_OP_CALL, %eax
	je .Lcall32
	cmpl $L2_OP_READ_LOOP, %eax
	je .Lloop32
	cmpl $L2_OP_TOGGLE_PGE, %eax
	je .Lpge32
	cmpl $L2_OP_TOGGLE_PG, %eax
	je .Lpg32
	cmpl $L2_OP_BATCH, %eax
	je .Lbatch32
	/* OP_INVPCID: 64-bit only (PCIDs need IA-32e mode). */
	ud2
.Lret32:
	ret
.Lread32:
	movl L2_REQ_ADDR(%ebx), %ecx
	movl (%ecx), %eax
	movl 4(%ecx), %edx
	movl %eax, L2_REQ_RESULT(%ebx)
	movl %edx, L2_REQ_RESULT+4(%ebx)
	ret
.Lwrite32:
	movl L2_REQ_ADDR(%ebx), %ecx
	movl L2_REQ_VALUE(%ebx), %eax
	movl L2_REQ_VALUE+4(%ebx), %edx
	movl %eax, (%ecx)
	movl %edx, 4(%ecx)
	ret
.Lwcr3_32:
	movl L2_REQ_ADDR(%ebx), %eax
	movl %eax, %cr3
	ret
.Lrcr3_32:
	movl %cr3, %eax
	movl %eax, L2_REQ_RESULT(%ebx)
	movl $0, L2_REQ_RESULT+4(%ebx)
	ret
.Linvlpg32:
	movl L2_REQ_ADDR(%ebx), %eax
	invlpg (%eax)
	ret
.Lsync32:
	movw $L2_UCALL_PORT, %dx	/* RDI: the ucall's host address, from L1 */
	inb %dx, %al
	ret
.Lcall32:
	movl L2_REQ_ADDR(%ebx), %eax
	call *%eax
	movl %eax, L2_REQ_RESULT(%ebx)	/* a 64-bit return value is EDX:EAX */
	movl %edx, L2_REQ_RESULT+4(%ebx)
	ret
.Lloop32:
	movl L2_REQ_ADDR(%ebx), %edx
	movl L2_REQ_VALUE(%ebx), %ecx
1:	movl (%edx), %eax
	movl %eax, L2_REQ_RESULT(%ebx)
	movl 4(%edx), %eax
	movl %eax, L2_REQ_RESULT+4(%ebx)
	decl %ecx
	jnz 1b
	ret
.Lpge32:
	movl %cr4, %eax
	xorl $CR4_PGE, %eax
	movl %eax, %cr4
	xorl $CR4_PGE, %eax
	movl %eax, %cr4
	ud2
	ret
	/* Paging off and on again: L2's code is identity mapped. */
.Lpg32:
	movl %cr0, %eax
	andl $~CR0_PG, %eax
	movl %eax, %cr0
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ud2
	ret
.Lbatch32:
	pushl %ebx
	pushl %esi
	pushl %edi
	movl L2_REQ_VALUE(%ebx), %edi
	movl L2_REQ_ADDR(%ebx), %esi
1:	testl %edi, %edi
	jz 2f
	movl %esi, %ebx
	call .Ldo32
	addl $L2_STEP_SIZE, %esi
	decl %edi
	jmp 1b
2:	popl %edi
	popl %esi
	popl %ebx
	ret
L2_AGENT_SYM(l2_agent_code_end):

	.section .note.GNU-stack, "", @progbits
