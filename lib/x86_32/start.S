/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 32-bit L1 image: a header the host reads (include/x86/l1_32.h), the
 * entry point, the IDT entry stubs and the VM-entry routine, for L1 code
 * running in 32-bit protected mode with PAE paging.
 */
#include "x86/l1_32.h"
#include "x86/vmx_regs_abi.h"

/* Vectors for which the CPU pushes an error code (SDM Vol. 3A 6.13). */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			   (v) == 21 || (v) == 29 || (v) == 30)

	.code32
	.section .head, "a"
	.globl l1_32_header
l1_32_header:
	.long L1_32_MAGIC
	.long l1_32_start
	.long __bss_start
	.long __bss_end
	.long guest_page_pool
	.long l1_memory
	.long l1_32_idt_stubs
	.long guest_inverted

	.text
/* The host starts here with EAX = its argument and ESP on a stack. */
l1_32_start:
	pushl %eax
	call l1_32_main
	call guest_returned
	ud2

	.align 16
	.globl l1_32_idt_stubs
l1_32_idt_stubs:
	vector = 0
	.rept 256
	.align 16
	.if !HAS_ERROR_CODE(vector)
	pushl $0
	.endif
	pushl $vector
	jmp l1_32_idt_common
	vector = vector + 1
	.endr

l1_32_idt_common:
	pushal
	pushl %esp
	call l1_32_exception
	addl $4, %esp
	popal
	addl $8, %esp		/* vector and error code */
	iret

/*
 * int vmx_enter(struct vmx_l2_regs *regs, int resume, uint64_t *host_rsp):
 * the 32-bit twin of lib/x86/vmx_l2_entry.S (same contract).  L2's
 * registers are the low halves of the 64-bit slots; the high halves read
 * back as 0.
 */
	.globl vmx_enter
vmx_enter:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	pushfl
	movl 24(%esp), %edi	/* regs */
	movl 28(%esp), %esi	/* resume */
	movl 32(%esp), %edx	/* host_rsp */
	pushl %edi
	cmpl $0, 4(%edx)
	jne 2f
	cmpl %esp, (%edx)
	je 1f
2:	movl $VMX_HOST_RSP_FIELD, %eax
	vmwrite %esp, %eax
	jbe .Lfail
	movl %esp, (%edx)
	movl $0, 4(%edx)
1:
	testl %esi, %esi
	movl VMX_L2_RAX(%edi), %eax
	movl VMX_L2_RBX(%edi), %ebx
	movl VMX_L2_RCX(%edi), %ecx
	movl VMX_L2_RDX(%edi), %edx
	movl VMX_L2_RSI(%edi), %esi
	movl VMX_L2_RBP(%edi), %ebp
	movl VMX_L2_RDI(%edi), %edi
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
	pushl %edi
	movl 4(%esp), %edi
	movl %eax, VMX_L2_RAX(%edi)
	movl %ebx, VMX_L2_RBX(%edi)
	movl %ecx, VMX_L2_RCX(%edi)
	movl %edx, VMX_L2_RDX(%edi)
	movl %esi, VMX_L2_RSI(%edi)
	movl %ebp, VMX_L2_RBP(%edi)
	popl VMX_L2_RDI(%edi)
	xorl %eax, %eax
	movl %eax, VMX_L2_RAX+4(%edi)
	movl %eax, VMX_L2_RBX+4(%edi)
	movl %eax, VMX_L2_RCX+4(%edi)
	movl %eax, VMX_L2_RDX+4(%edi)
	movl %eax, VMX_L2_RSI+4(%edi)
	movl %eax, VMX_L2_RBP+4(%edi)
	movl %eax, VMX_L2_RDI+4(%edi)
.Lout:
	popl %edi
	popfl
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.section .note.GNU-stack, "", @progbits
