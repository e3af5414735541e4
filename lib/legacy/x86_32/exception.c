// SPDX-License-Identifier: GPL-2.0-only
/* Exceptions of the 32-bit L1: guest_asm_safe() fixups, else a report to the host. */
#include "ucall.h"
#include "x86/exception.h"

/* What start.S's stubs and PUSHAL leave on the stack. */
struct frame32 {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vector, error_code, eip, cs, eflags;
};

volatile uint64_t guest_fixup_rip;
volatile uint64_t guest_fixup_vector;

void l1_32_exception(struct frame32 *f);
void l1_32_exception(struct frame32 *f)
{
	if (guest_fixup_rip && f->vector < 32) {
		f->eip = guest_fixup_rip;
		guest_fixup_vector = f->vector;
		guest_fixup_rip = 0;
		return;
	}
	ucall_unhandled(f->vector, f->error_code, f->eip,
			f->vector == PF_VECTOR ? read_cr2() : 0);
}

void guest_returned(void) __attribute__((noreturn));
void guest_returned(void)
{
	for (;;)
		GUEST_DONE();
}
