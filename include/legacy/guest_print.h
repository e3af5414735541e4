/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * String and formatting helpers safe for guest code: no libc (whose
 * routines may use instructions or state the guest does not have).
 */
#ifndef NST_GUEST_PRINT_H
#define NST_GUEST_PRINT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A small vsnprintf: flags '-' and '0', a width, length modifiers hh, h,
 * l, ll, z, and conversions d i u x X p s c %.  Always NUL-terminates
 * (when @size > 0); returns the length the full output would have.
 */
int guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int guest_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
size_t guest_strnlen(const char *s, size_t max);

#endif /* NST_GUEST_PRINT_H */
