/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KVM selftests library's ucall_common.h for a 32-bit L1: the same
 * struct ucall, commands and guest macros.  The ucall goes to the host by
 * the library's port with the struct's guest-physical address in EDI (a
 * 32-bit guest cannot hold the host address the library passes in RDI);
 * the host side is lib/x86/l1_32_host.c.
 */
#ifndef SELFTEST_KVM_X86_32_UCALL_COMMON_H
#define SELFTEST_KVM_X86_32_UCALL_COMMON_H

#include <stdarg.h>
#include <stdint.h>

enum {
	UCALL_NONE,
	UCALL_SYNC,
	UCALL_ABORT,
	UCALL_PRINTF,
	UCALL_DONE,
	UCALL_UNHANDLED,
};

#define UCALL_MAX_ARGS		7
#define UCALL_BUFFER_LEN	1024

struct ucall {
	uint64_t cmd;
	uint64_t args[UCALL_MAX_ARGS];
	char buffer[UCALL_BUFFER_LEN];
	uint64_t hva;		/* unused here: the host finds the struct by EDI */
};

/* What a failed assert puts in args[] (as the library's ucall_assert()). */
enum {
	GUEST_ERROR_STRING,
	GUEST_FILE,
	GUEST_LINE,
};

void ucall(uint64_t cmd, int nargs, ...);
void ucall_fmt(uint64_t cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ucall_assert(uint64_t cmd, const char *exp, const char *file, unsigned int line,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int guest_vsnprintf(char *buf, int n, const char *fmt, va_list args);
int guest_snprintf(char *buf, int n, const char *fmt, ...);

#define GUEST_SYNC(stage)	ucall(UCALL_SYNC, 2, 0ull, (uint64_t)(stage))
#define GUEST_DONE()		ucall(UCALL_DONE, 0)
#define GUEST_PRINTF(fmt, args...)	ucall_fmt(UCALL_PRINTF, fmt, ##args)

#define ____GUEST_ASSERT(cond, exp, fmt, args...)				\
do {										\
	if (!(cond))								\
		ucall_assert(UCALL_ABORT, exp, __FILE__, __LINE__, fmt, ##args); \
} while (0)

#define __GUEST_ASSERT(cond, fmt, args...)	____GUEST_ASSERT(cond, #cond, fmt, ##args)
#define GUEST_ASSERT(cond)			____GUEST_ASSERT(cond, #cond, #cond)
#define GUEST_FAIL(fmt, args...)						\
	ucall_assert(UCALL_ABORT, "Unconditional guest failure", __FILE__, __LINE__, fmt, ##args)

#define __GUEST_ASSERT_OP(a, b, op)						\
do {										\
	uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);			\
										\
	____GUEST_ASSERT(__a op __b, #a " " #op " " #b, "%#lx vs. %#lx", __a, __b); \
} while (0)
#define GUEST_ASSERT_EQ(a, b)	__GUEST_ASSERT_OP(a, b, ==)
#define GUEST_ASSERT_NE(a, b)	__GUEST_ASSERT_OP(a, b, !=)

#endif /* SELFTEST_KVM_X86_32_UCALL_COMMON_H */
