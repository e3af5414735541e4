// SPDX-License-Identifier: GPL-2.0-only
/*
 * ucalls of a 32-bit L1 (include/x86_32/ucall_common.h): the struct is on
 * the stack, identity mapped, and its address goes to the host in EDI with
 * an IN from the library's ucall port, as the library's x86 ucall does.
 */
#include "ucall_common.h"
#include "x86/l2_agent_abi.h"

static void ucall_send(struct ucall *uc)
{
	asm volatile("inb %%dx, %%al"
		     : : "d"(L2_UCALL_PORT), "D"(uc) : "eax", "memory");
}

void ucall(uint64_t cmd, int nargs, ...)
{
	struct ucall uc = { .cmd = cmd };
	va_list va;

	va_start(va, nargs);
	for (int i = 0; i < nargs && i < UCALL_MAX_ARGS; i++)
		uc.args[i] = va_arg(va, uint64_t);
	va_end(va);
	ucall_send(&uc);
}

void ucall_fmt(uint64_t cmd, const char *fmt, ...)
{
	struct ucall uc = { .cmd = cmd };
	va_list va;

	va_start(va, fmt);
	guest_vsnprintf(uc.buffer, UCALL_BUFFER_LEN, fmt, va);
	va_end(va);
	ucall_send(&uc);
}

void ucall_assert(uint64_t cmd, const char *exp, const char *file, unsigned int line,
		  const char *fmt, ...)
{
	struct ucall uc = { .cmd = cmd };
	va_list va;

	uc.args[GUEST_ERROR_STRING] = (uintptr_t)exp;
	uc.args[GUEST_FILE] = (uintptr_t)file;
	uc.args[GUEST_LINE] = line;
	va_start(va, fmt);
	guest_vsnprintf(uc.buffer, UCALL_BUFFER_LEN, fmt, va);
	va_end(va);
	ucall_send(&uc);
}
