// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the 32-bit L1's formatter (lib/x86_32/guest_print.c) against the C library's. */
#include <stdint.h>
#include <string.h>

#include "ucall_common.h"
#include "unit.h"

#define SAME(fmt, ...)								\
do {										\
	char ours[128], libc[128];						\
	int n1 = guest_snprintf(ours, sizeof(ours), fmt, __VA_ARGS__);		\
	int n2 = snprintf(libc, sizeof(libc), fmt, __VA_ARGS__);		\
										\
	if (n1 != n2 || strcmp(ours, libc)) {					\
		printf("# format \"%s\": ours '%s' (%d), libc '%s' (%d)\n",	\
		       fmt, ours, n1, libc, n2);				\
		return false;							\
	}									\
} while (0)

static bool integers(void)
{
	SAME("%d %d %d", 0, -1, 2147483647);
	SAME("%i %u", -2147483647 - 1, 4294967295u);
	SAME("%ld %lu", -9223372036854775807l - 1, 18446744073709551615ul);
	SAME("%lld %llu", -5ll, 5ull);
	SAME("%x %X %lx %llx", 0xabcu, 0xabcu, 0xdeadbeeful, 0xfeedfacecafebeefull);
	SAME("%#x %#lx", 0xabcu, 0x8000000000000031ul);
	SAME("%hhd %hhu %hd %hu", 200, 200, 70000, 70000);
	SAME("%zu", (size_t)12345);
	return true;
}

static bool widths_and_flags(void)
{
	SAME("[%5d] [%-5d] [%05d] [%05d]", 42, 42, 42, -42);
	SAME("[%8x] [%08llx] [%-8s] [%8s]", 0xbeefu, 0xbeefull, "ab", "ab");
	SAME("[%1d] [%c] [%3c]", 12345, 'x', 'y');
	return true;
}

static bool strings_and_pointers(void)
{
	SAME("%s|%s|%%|%p", "hello", "", (void *)0x1234);
	return true;
}

static bool truncation(void)
{
	char buf[8];

	UNIT_CHECK(guest_snprintf(buf, sizeof(buf), "%s", "0123456789") == 10);
	UNIT_CHECK(!strcmp(buf, "0123456"));
	UNIT_CHECK(guest_snprintf(buf, 0, "%d", 12) == 2);
	UNIT_CHECK(guest_snprintf(buf, 1, "%d", 12) == 2 && buf[0] == '\0');
	return true;
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "integers", integers },
		{ "widths_and_flags", widths_and_flags },
		{ "strings_and_pointers", strings_and_pointers },
		{ "truncation", truncation },
	};

	return unit_main(cases, sizeof(cases) / sizeof(cases[0]));
}
