/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host-side asserts and diagnostics.  A failed assert prints file, line,
 * the expression, errno and a message as KTAP diagnostics, then ends the
 * current scenario (see scenario.h) as a failure.
 */
#ifndef NST_TEST_UTIL_H
#define NST_TEST_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))

void __test_assert(const char *file, int line, const char *expr, int err,
		   const char *fmt, ...)
	__attribute__((format(printf, 5, 6), noreturn));

/* Ends the current scenario as skipped, with @fmt as the reason. */
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Prints a KTAP diagnostic line ("# ..."). */
void test_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TEST_ASSERT(cond, fmt, ...)						\
do {										\
	if (!(cond))								\
		__test_assert(__FILE__, __LINE__, #cond, errno, fmt, ##__VA_ARGS__); \
} while (0)

#define TEST_ASSERT_EQ(a, b)							\
do {										\
	uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);			\
										\
	if (__a != __b)								\
		__test_assert(__FILE__, __LINE__, #a " == " #b, 0,		\
			      "%s = 0x%llx, %s = 0x%llx", #a,			\
			      (unsigned long long)__a, #b,			\
			      (unsigned long long)__b);				\
} while (0)

void __test_assert_rule(const char *file, int line, const char *expr, uint64_t actual,
			uint64_t good, uint64_t bad) __attribute__((noreturn));

/*
 * The host-side assertion of a scenario's rule; see GUEST_ASSERT_RULE() in
 * ucall.h.  An inverted run (--self-check) expects @bad instead of @good.
 */
#define TEST_ASSERT_RULE(actual, good, bad)					\
do {										\
	uint64_t __ra = (uint64_t)(actual);					\
	uint64_t __rg = (uint64_t)(good), __rb = (uint64_t)(bad);		\
										\
	if (__ra != (scenario_inverted() ? __rb : __rg))			\
		__test_assert_rule(__FILE__, __LINE__, #actual, __ra, __rg, __rb); \
} while (0)

/* True while the current scenario runs inverted (--self-check). */
bool scenario_inverted(void);

#define TEST_FAIL(fmt, ...)	__test_assert(__FILE__, __LINE__, "", 0, fmt, ##__VA_ARGS__)

/* Skips the current scenario unless @cond holds; @fmt names what is missing. */
#define TEST_REQUIRE(cond, fmt, ...)						\
do {										\
	if (!(cond))								\
		test_skip(fmt, ##__VA_ARGS__);					\
} while (0)

/* Reads a whole small file (e.g. a sysfs attribute) into @buf; false if absent. */
bool read_sysfs_str(const char *path, char *buf, size_t size);

#endif /* NST_TEST_UTIL_H */
