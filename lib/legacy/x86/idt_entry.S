/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IDT entry stubs of 64-bit guests.  Each stub makes the frame uniform
 * (a zero error code where the CPU pushes none), pushes its vector and
 * joins the common path, which saves the GPRs as a struct ex_regs and the
 * x87/SSE state (handlers are C code and may use SSE), calls
 * guest_exception_dispatch(regs) and returns with IRETQ.
 */

/* Vectors for which the CPU pushes an error code (SDM Vol. 3A 6.13). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			   (v) == 21 || (v) == 29 || (v) == 30)

	.text
	.code64

	.align 16
	.globl guest_idt_stubs
guest_idt_stubs:
	vector = 0
	.rept 256
	.align 16
	.if !HAS_ERROR_CODE(vector)
	pushq $0
	.endif
	pushq $vector
	jmp guest_idt_common
	vector = vector + 1
	.endr

guest_idt_common:
	pushq %r15
	pushq %r14
	pushq %r13
	pushq %r12
	pushq %r11
	pushq %r10
	pushq %r9
	pushq %r8
	pushq %rdi
	pushq %rsi
	pushq %rbp
	pushq %rbx
	pushq %rdx
	pushq %rcx
	pushq %rax
	/* 22 quadwords were pushed on a 16-byte aligned frame: still aligned. */
	movq %rsp, %rdi
	subq $512, %rsp
	fxsaveq (%rsp)
	call guest_exception_dispatch
	fxrstorq (%rsp)
	addq $512, %rsp
	popq %rax
	popq %rcx
	popq %rdx
	popq %rbx
	popq %rbp
	popq %rsi
	popq %rdi
	popq %r8
	popq %r9
	popq %r10
	popq %r11
	popq %r12
	popq %r13
	popq %r14
	popq %r15
	addq $16, %rsp		/* vector and error code */
	iretq

/*
 * Return address of a 64-bit guest's entry function: returning from it
 * reports DONE.  The stack is 16-byte aligned here, as at a call site.
 */
	.globl guest_code_returned
guest_code_returned:
	call guest_returned
	ud2

	.section .note.GNU-stack, "", @progbits
