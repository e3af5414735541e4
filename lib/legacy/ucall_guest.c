// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest side of the ucall protocol (see ucall.h).  Compiled for 64-bit and
 * 32-bit guests alike, so it relies only on identity-mapped stacks below
 * 4 GiB and a 32-bit OUT.
 */
#include <stdint.h>

#include "guest_print.h"
#include "ucall.h"

bool guest_inverted;

static void ucall_send(struct ucall *uc)
{
	asm volatile("outl %%eax, %%dx"
		     : : "a"((uint32_t)(uintptr_t)uc), "d"((uint16_t)UCALL_PORT)
		     : "memory");
}

static void ucall_init(struct ucall *uc, uint32_t cmd)
{
	uc->cmd = cmd;
	uc->line = 0;
	for (int i = 0; i < 4; i++)
		uc->args[i] = 0;
	uc->buf[0] = '\0';
}

void ucall(uint32_t cmd, uint64_t arg0, uint64_t arg1)
{
	struct ucall uc;

	ucall_init(&uc, cmd);
	uc.args[0] = arg0;
	uc.args[1] = arg1;
	ucall_send(&uc);
}

void ucall_printf(const char *fmt, ...)
{
	struct ucall uc;
	va_list ap;

	ucall_init(&uc, UCALL_PRINTF);
	va_start(ap, fmt);
	guest_vsnprintf(uc.buf, sizeof(uc.buf), fmt, ap);
	va_end(ap);
	ucall_send(&uc);
}

/* A guest that reported a fatal condition must never run on. */
static void __attribute__((noreturn)) ucall_halt(struct ucall *uc)
{
	for (;;) {
		ucall_send(uc);
		asm volatile("ud2");
	}
}

void ucall_skip(const char *fmt, ...)
{
	struct ucall uc;
	va_list ap;

	ucall_init(&uc, UCALL_SKIP);
	va_start(ap, fmt);
	guest_vsnprintf(uc.buf, sizeof(uc.buf), fmt, ap);
	va_end(ap);
	ucall_halt(&uc);
}

void ucall_unhandled(uint64_t vector, uint64_t error_code, uint64_t rip, uint64_t cr2)
{
	struct ucall uc;

	ucall_init(&uc, UCALL_UNHANDLED);
	uc.args[0] = vector;
	uc.args[1] = error_code;
	uc.args[2] = rip;
	uc.args[3] = cr2;
	ucall_halt(&uc);
}

void ucall_assert(const char *file, int line, const char *expr, const char *fmt, ...)
{
	struct ucall uc;
	va_list ap;
	int n;

	ucall_init(&uc, UCALL_ASSERT);
	uc.line = line;
	n = guest_snprintf(uc.buf, sizeof(uc.buf), "%s:%d: %s", file, line, expr);
	if (fmt && n < (int)sizeof(uc.buf) - 2) {
		uc.buf[n++] = '\n';
		va_start(ap, fmt);
		guest_vsnprintf(uc.buf + n, sizeof(uc.buf) - n, fmt, ap);
		va_end(ap);
	}
	ucall_halt(&uc);
}

void ucall_assert_values(const char *file, int line, const char *expr,
			 const char *name_a, uint64_t a, const char *name_b, uint64_t b)
{
	struct ucall uc;

	ucall_init(&uc, UCALL_ASSERT);
	uc.line = line;
	uc.args[0] = a;
	uc.args[1] = b;
	guest_snprintf(uc.buf, sizeof(uc.buf),
		       "%s:%d: %s\n%s = 0x%llx (%llu)\n%s = 0x%llx (%llu)", file, line, expr,
		       name_a, (unsigned long long)a, (unsigned long long)a,
		       name_b, (unsigned long long)b, (unsigned long long)b);
	ucall_halt(&uc);
}

void ucall_assert_rule(const char *file, int line, const char *expr, uint64_t actual,
		       uint64_t good, uint64_t bad)
{
	struct ucall uc;

	ucall_init(&uc, UCALL_ASSERT);
	uc.line = line;
	uc.args[0] = actual;
	uc.args[1] = guest_inverted ? bad : good;
	uc.args[2] = UCALL_ASSERT_RULE;
	guest_snprintf(uc.buf, sizeof(uc.buf),
		       "%s:%d: rule: %s\n%s = 0x%llx\nexpected 0x%llx (%s run; the rule holds at 0x%llx)",
		       file, line, expr, expr, (unsigned long long)actual,
		       (unsigned long long)uc.args[1], guest_inverted ? "inverted" : "normal",
		       (unsigned long long)good);
	ucall_halt(&uc);
}
