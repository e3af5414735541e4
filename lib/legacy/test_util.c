// SPDX-License-Identifier: GPL-2.0-only
/* Host-side assert reporting and small helpers. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ktap.h"
#include "scenario.h"
#include "scenario_internal.h"
#include "test_util.h"

void test_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void __test_assert(const char *file, int line, const char *expr, int err,
		   const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	test_diag("==== Test assertion failed ====");
	if (expr[0])
		test_diag("%s:%d: %s", file, line, expr);
	else
		test_diag("%s:%d", file, line);
	if (err)
		test_diag("errno %d (%s)", err, strerror(err));
	for (char *p = msg, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl) {
			test_diag("%s", p);
			break;
		}
		*nl = '\0';
		test_diag("%s", p);
	}
	scenario_end(KSFT_FAIL, NULL);
}

void __test_assert_rule(const char *file, int line, const char *expr, uint64_t actual,
			uint64_t good, uint64_t bad)
{
	bool inverted = scenario_inverted();

	scenario_rule_failed();
	__test_assert(file, line, expr, 0, "rule: %s = 0x%llx, expected 0x%llx (%s run; "
		      "the rule holds at 0x%llx)", expr, (unsigned long long)actual,
		      (unsigned long long)(inverted ? bad : good),
		      inverted ? "inverted" : "normal", (unsigned long long)good);
}

void test_skip(const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	scenario_end(KSFT_SKIP, reason);
}

bool read_sysfs_str(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}
