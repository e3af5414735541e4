/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest exception handling.  Every vector of the guest's IDT enters
 * guest_exception_dispatch(); without a handler, the guest reports vector,
 * error code, RIP and CR2 to the host as UCALL_UNHANDLED.
 */
#ifndef NST_X86_EXCEPTION_H
#define NST_X86_EXCEPTION_H

#include <stdint.h>

#include "x86/processor.h"

#define NO_EXCEPTION	0xffu

typedef void (*guest_exception_handler_t)(struct ex_regs *regs);

void guest_set_exception_handler(int vector, guest_exception_handler_t fn);

/*
 * Runs the instruction(s) @insn with the asm operands that follow (at
 * least ": : : \"memory\""); returns the vector of an exception they
 * raise (execution resumes after them), or NO_EXCEPTION.  One vCPU at a
 * time: the fixup state is a guest global.
 */
extern volatile uint64_t guest_fixup_rip;
extern volatile uint64_t guest_fixup_vector;

#ifdef __x86_64__
#define FIXUP_ARM	"movq $1f, guest_fixup_rip(%%rip)\n\t"
#define FIXUP_DISARM	"1: movq $0, guest_fixup_rip(%%rip)"
#else
#define FIXUP_ARM	"movl $1f, guest_fixup_rip\n\t"
#define FIXUP_DISARM	"1: movl $0, guest_fixup_rip"
#endif

#define guest_asm_safe(insn, ...)						\
({										\
	guest_fixup_vector = NO_EXCEPTION;					\
	asm volatile(FIXUP_ARM insn "\n\t" FIXUP_DISARM __VA_ARGS__);		\
	(uint8_t)guest_fixup_vector;						\
})

#endif /* NST_X86_EXCEPTION_H */
