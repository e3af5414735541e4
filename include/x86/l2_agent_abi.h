/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The L2 agent's request block and op numbers, shared by the agent's
 * assembly (lib/x86/l2_agent_code.S) and L1's C side (x86/l2_agent.h, which
 * checks the offsets against struct l2_request with static asserts).
 */
#ifndef NST_X86_L2_AGENT_ABI_H
#define NST_X86_L2_AGENT_ABI_H

/* struct l2_request: byte offsets of its fields. */
#define L2_REQ_OP		0
#define L2_REQ_ADDR		8
#define L2_REQ_VALUE		16
#define L2_REQ_RESULT		24
#define L2_REQ_UCALL		32	/* struct ucall, for L2_OP_SYNC_HOST */
/* struct l2_step: the first 32 bytes of a request. */
#define L2_STEP_SIZE		32

/*
 * The agent's report instruction: VMCALL (0f 01 c1) for VMX, VMMCALL
 * (0f 01 d9) for SVM, both 3 bytes.
 */
#define L2_REPORT_LEN		3

/* The port of the KVM selftests library's x86 ucall (UCALL_PIO_PORT). */
#define L2_UCALL_PORT		0x1000

#define L2_OP_NOP		0
#define L2_OP_READ		1	/* result = 64-bit load from addr */
#define L2_OP_WRITE		2	/* 64-bit store of value to addr */
#define L2_OP_WRITE_CR3		3	/* MOV addr to CR3 */
#define L2_OP_READ_CR3		4	/* result = CR3 */
#define L2_OP_INVLPG		5	/* INVLPG addr */
#define L2_OP_SYNC_HOST		6	/* the ucall in the block goes to the host */
#define L2_OP_CALL		7	/* result = CALL addr (RAX, or EDX:EAX) */
/*
 * Loads addr into result, value times, with the count in RCX/ECX: an L2
 * that runs until an asynchronous exit (the preemption timer) leaves L2's
 * RIP inside the loop, so L1 resumes it without writing GUEST_RIP.  L1 ends
 * the loop by setting the count register to 1.
 */
#define L2_OP_READ_LOOP		8
/* Toggles CR4.PGE and back, then UD2 (L2 exits with #UD). */
#define L2_OP_TOGGLE_PGE	9
/* 32-bit only: clears CR0.PG and sets it again, then UD2. */
#define L2_OP_TOGGLE_PG		10
/*
 * Carries out value steps (struct l2_step) at addr in order, in one stretch
 * of L2 execution: no VM exit that L1 sees comes between them unless a step
 * itself exits.  A step may be any op but SYNC_HOST.
 */
#define L2_OP_BATCH		11
/* 64-bit only: INVPCID of type value & 0xffff, PCID value >> 16, address addr. */
#define L2_OP_INVPCID		12
#define L2_NR_OPS		13

#endif /* NST_X86_L2_AGENT_ABI_H */
