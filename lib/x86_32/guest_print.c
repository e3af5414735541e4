// SPDX-License-Identifier: GPL-2.0-only
/*
 * guest_vsnprintf() of a 32-bit L1.  The library's (guest_sprintf.c) keeps
 * numbers in a long, 32 bits here: it would print 64-bit values truncated
 * and loop forever on one with bit 31 set.  Same conventions as the
 * library's: %l takes a 64-bit argument, as nested library code passes
 * uint64_t values with %lx in both builds.  No 64-bit division: a 32-bit
 * guest has no libgcc.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ucall_common.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static size_t guest_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

struct spec {
	bool left;
	bool zero;
	bool alt;		/* '#': 0x before a hexadecimal number */
	int width;
};

static void put_padded(struct out *o, const char *s, size_t len, const struct spec *sp)
{
	int pad = sp->width > (int)len ? sp->width - (int)len : 0;
	char fill = sp->zero && !sp->left ? '0' : ' ';
	size_t i = 0;

	/* Zero padding goes after a sign. */
	if (fill == '0' && len && s[0] == '-') {
		put(o, '-');
		i = 1;
	}
	if (!sp->left)
		while (pad-- > 0)
			put(o, fill);
	for (; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		while (pad-- > 0)
			put(o, ' ');
}

/*
 * Divides *v by @base (at most 16) and returns the remainder, in 16-bit
 * steps: a 32-bit guest has no libgcc for 64-bit division.
 */
static unsigned int div_small(uint64_t *v, unsigned int base)
{
	uint64_t q = 0;
	uint32_t r = 0;

	for (int shift = 48; shift >= 0; shift -= 16) {
		uint32_t cur = (r << 16) | ((*v >> shift) & 0xffff);

		q = (q << 16) | (cur / base);
		r = cur % base;
	}
	*v = q;
	return r;
}

static void put_number(struct out *o, uint64_t v, bool negative, unsigned int base,
		       bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = sizeof(tmp);

	do {
		tmp[--n] = digits[div_small(&v, base)];
	} while (v);
	if (negative)
		tmp[--n] = '-';
	put_padded(o, tmp + n, sizeof(tmp) - n, sp);
}

/* Reads the argument of an integer conversion with length @lmod ('H' = hh). */
static uint64_t int_arg(va_list *ap, char lmod, bool is_signed)
{
	int64_t s;

	switch (lmod) {
	case 'L':
		return is_signed ? (uint64_t)va_arg(*ap, long long) :
				   va_arg(*ap, unsigned long long);
	case 'l':
		return va_arg(*ap, uint64_t);
	case 'z':
		return va_arg(*ap, size_t);
	default:
		s = va_arg(*ap, int);
		if (lmod == 'h')
			s = is_signed ? (int16_t)s : (uint16_t)s;
		else if (lmod == 'H')
			s = is_signed ? (int8_t)s : (uint8_t)s;
		else if (!is_signed)
			s = (uint32_t)s;
		return s;
	}
}

static const char *parse_spec(const char *f, struct spec *sp, char *lmod)
{
	*sp = (struct spec){ 0 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	*lmod = 0;
	if (f[0] == 'l' && f[1] == 'l') {
		*lmod = 'L';
		f += 2;
	} else if (f[0] == 'h' && f[1] == 'h') {
		*lmod = 'H';
		f += 2;
	} else if (*f == 'l' || *f == 'h' || *f == 'z') {
		*lmod = *f++;
	}
	return f;
}

static void convert(struct out *o, char conv, char lmod, const struct spec *sp, va_list *ap)
{
	const char *s;
	uint64_t v;
	char c;

	switch (conv) {
	case 'd':
	case 'i':
		v = int_arg(ap, lmod, true);
		if ((int64_t)v < 0)
			put_number(o, -(v + 1) + 1, true, 10, false, sp);
		else
			put_number(o, v, false, 10, false, sp);
		break;
	case 'u':
		put_number(o, int_arg(ap, lmod, false), false, 10, false, sp);
		break;
	case 'x':
	case 'X':
		v = int_arg(ap, lmod, false);
		if (sp->alt && v) {
			put(o, '0');
			put(o, conv);
		}
		put_number(o, v, false, 16, conv == 'X', sp);
		break;
	case 'p':
		put(o, '0');
		put(o, 'x');
		put_number(o, (uintptr_t)va_arg(*ap, void *), false, 16, false, sp);
		break;
	case 's':
		s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		put_padded(o, s, guest_strnlen(s, 4096), sp);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		put_padded(o, &c, 1, sp);
		break;
	default:
		/* '%%' and unknown conversions are copied as they are. */
		put(o, conv);
	}
}

int guest_vsnprintf(char *buf, int size, const char *fmt, va_list ap)
{
	struct out o = { buf, size > 0 ? size : 0, 0 };
	struct spec sp;
	va_list aq;
	char lmod;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &lmod);
		if (!*fmt)
			break;
		convert(&o, *fmt++, lmod, &sp, &aq);
	}
	va_end(aq);
	if (size > 0)
		buf[o.len < (size_t)size ? o.len : (size_t)size - 1] = '\0';
	return o.len;
}

int guest_snprintf(char *buf, int size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = guest_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
