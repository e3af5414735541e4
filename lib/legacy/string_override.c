// SPDX-License-Identifier: GPL-2.0-only
/*
 * Plain definitions of the routines the compiler may call implicitly
 * (struct copies, initialisers).  Linked statically, they replace libc's,
 * which are selected at startup for the host's CPU (AVX and friends) and
 * would fault in a guest that has not enabled those features.  Word-sized
 * where alignment allows: the host copies the whole test image with them.
 */
#include <stddef.h>
#include <stdint.h>

#define WORD		sizeof(unsigned long)
#define ALIGNED(p)	(!((uintptr_t)(p) & (WORD - 1)))

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (ALIGNED(d) && ALIGNED(s)) {
		for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
			*(unsigned long *)d = *(const unsigned long *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned long pattern = (unsigned char)c;

	if (ALIGNED(d)) {
		pattern *= ~0ul / 0xff;		/* the byte in every byte of a word */
		for (; n >= WORD; n -= WORD, d += WORD)
			*(unsigned long *)d = pattern;
	}
	while (n--)
		*d++ = c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}
