// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exceptions of a 32-bit L1: rdmsr_safe() resumes after a faulting RDMSR;
 * any other exception is reported to the host as UCALL_UNHANDLED, as the
 * library reports a 64-bit guest's.
 */
#include "processor.h"
#include "ucall_common.h"

/* What start.S's stubs and PUSHAL leave on the stack. */
struct frame32 {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vector, error_code, eip, cs, eflags;
};

/* Where an exception resumes instead, and the vector it had. */
static volatile uint32_t fixup_eip;
static volatile uint8_t fixup_vector;

void l1_32_exception(struct frame32 *f);
void l1_32_exception(struct frame32 *f)
{
	if (fixup_eip && f->vector < 32) {
		f->eip = fixup_eip;
		fixup_vector = f->vector;
		fixup_eip = 0;
		return;
	}
	ucall_assert(UCALL_UNHANDLED, "Unhandled exception in guest", __FILE__, __LINE__,
		     "Unhandled exception %u (error code %#x) at EIP %#x, CR2 %#lx", f->vector,
		     f->error_code, f->eip, f->vector == PF_VECTOR ? get_cr2() : 0);
}

uint8_t rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	fixup_vector = 0;
	asm volatile("movl $1f, %[fixup]\n\t"
		     "rdmsr\n\t"
		     "1: movl $0, %[fixup]"
		     : "=a"(lo), "=d"(hi), [fixup] "=m"(fixup_eip) : "c"(msr) : "memory");
	*val = lo | (uint64_t)hi << 32;
	return fixup_vector;
}

void guest_returned(void) __attribute__((noreturn));
void guest_returned(void)
{
	for (;;)
		GUEST_DONE();
}
