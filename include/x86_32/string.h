/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A 32-bit L1 has no libc: the string functions it uses are the KVM
 * selftests library's string_override.c, built for it.
 */
#ifndef SELFTEST_KVM_X86_32_STRING_H
#define SELFTEST_KVM_X86_32_STRING_H

#include <stddef.h>

void *memcpy(void *dest, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *s1, const void *s2, size_t n);
size_t strnlen(const char *s, size_t maxlen);

#endif /* SELFTEST_KVM_X86_32_STRING_H */
