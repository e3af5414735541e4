// SPDX-License-Identifier: GPL-2.0-only
/* Guest side of exception handling (see x86/exception.h). */
#include "ucall.h"
#include "x86/exception.h"

guest_exception_handler_t guest_exception_handlers[256];
volatile uint64_t guest_fixup_rip;
volatile uint64_t guest_fixup_vector;

void guest_set_exception_handler(int vector, guest_exception_handler_t fn)
{
	guest_exception_handlers[vector] = fn;
}

void guest_exception_dispatch(struct ex_regs *regs);
void guest_exception_dispatch(struct ex_regs *regs)
{
	guest_exception_handler_t fn = guest_exception_handlers[regs->vector];

	/* An instruction run by guest_asm_safe() faulted: skip past it. */
	if (guest_fixup_rip && regs->vector < 32) {
		regs->rip = guest_fixup_rip;
		guest_fixup_vector = regs->vector;
		guest_fixup_rip = 0;
		return;
	}
	if (fn) {
		fn(regs);
		return;
	}
	ucall_unhandled(regs->vector, regs->error_code, regs->rip,
			regs->vector == PF_VECTOR ? read_cr2() : 0);
}

void guest_returned(void) __attribute__((noreturn));
void guest_returned(void)
{
	for (;;)
		GUEST_DONE();
}
