// SPDX-License-Identifier: GPL-2.0-only
/*
 * KTAP producer: version line, plan, one result line per test, "# "
 * diagnostics and the kselftest totals line.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "ktap.h"

void ktap_init(struct ktap *k, FILE *out)
{
	memset(k, 0, sizeof(*k));
	k->out = out;
}

void ktap_header(struct ktap *k, unsigned int planned)
{
	k->planned = planned;
	fprintf(k->out, "KTAP version 1\n1..%u\n", planned);
	fflush(k->out);
}

void ktap_plan_skip_all(struct ktap *k, const char *reason)
{
	fprintf(k->out, "KTAP version 1\n1..0 # SKIP %s\n", reason);
	fflush(k->out);
}

void ktap_report(struct ktap *k, enum ktap_result result, const char *name,
		 const char *reason)
{
	static const char * const directive[KTAP_XPASS + 1] = {
		[KTAP_SKIP] = "SKIP",
		[KTAP_XFAIL] = "XFAIL",
		[KTAP_XPASS] = "XPASS",
	};
	bool ok = result != KTAP_FAIL;

	k->counts[result]++;
	k->reported++;
	fprintf(k->out, "%s %u %s", ok ? "ok" : "not ok", k->reported, name);
	if (directive[result])
		fprintf(k->out, " # %s %s", directive[result], reason ? reason : "");
	fputc('\n', k->out);
	fflush(k->out);
}

void ktap_diag(struct ktap *k, const char *fmt, ...)
{
	va_list ap;

	fputs("# ", k->out);
	va_start(ap, fmt);
	vfprintf(k->out, fmt, ap);
	va_end(ap);
	fputc('\n', k->out);
	fflush(k->out);
}

int ktap_finish(struct ktap *k)
{
	unsigned int *c = k->counts;

	fprintf(k->out, "# Totals: pass:%u fail:%u xfail:%u xpass:%u skip:%u error:%u\n",
		c[KTAP_PASS], c[KTAP_FAIL], c[KTAP_XFAIL], c[KTAP_XPASS], c[KTAP_SKIP],
		k->planned > k->reported ? k->planned - k->reported : 0);
	fflush(k->out);

	if (c[KTAP_FAIL] || k->reported != k->planned)
		return KSFT_FAIL;
	/* Nothing ran for real: never a pass. */
	if (!c[KTAP_PASS] && !c[KTAP_XFAIL] && !c[KTAP_XPASS])
		return KSFT_SKIP;
	return KSFT_PASS;
}
