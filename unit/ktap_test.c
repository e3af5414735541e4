// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the KTAP producer: exact output and kselftest exit codes. */
#include <stdlib.h>
#include <string.h>

#include "ktap.h"
#include "unit.h"

struct capture {
	char *text;
	size_t size;
	FILE *f;
	struct ktap k;
};

static void capture_start(struct capture *c)
{
	c->f = open_memstream(&c->text, &c->size);
	ktap_init(&c->k, c->f);
}

static int capture_finish(struct capture *c)
{
	int code = ktap_finish(&c->k);

	fclose(c->f);
	return code;
}

static bool output_format(void)
{
	const char *want =
		"KTAP version 1\n1..4\n"
		"ok 1 a\n"
		"not ok 2 b\n"
		"ok 3 c # SKIP no VMX\n"
		"ok 4 d # XFAIL known bug\n"
		"# Totals: pass:1 fail:1 xfail:1 xpass:0 skip:1 error:0\n";
	struct capture c;
	int code;

	capture_start(&c);
	ktap_header(&c.k, 4);
	ktap_report(&c.k, KTAP_PASS, "a", NULL);
	ktap_report(&c.k, KTAP_FAIL, "b", NULL);
	ktap_report(&c.k, KTAP_SKIP, "c", "no VMX");
	ktap_report(&c.k, KTAP_XFAIL, "d", "known bug");
	code = capture_finish(&c);
	if (strcmp(c.text, want))
		printf("# got:\n%s", c.text);
	UNIT_CHECK(!strcmp(c.text, want));
	UNIT_CHECK(code == KSFT_FAIL);
	free(c.text);
	return true;
}

/* Reports @n results and returns the exit code. */
static int code_for(const enum ktap_result *r, unsigned int n, unsigned int planned)
{
	struct capture c;
	int code;

	capture_start(&c);
	ktap_header(&c.k, planned);
	for (unsigned int i = 0; i < n; i++)
		ktap_report(&c.k, r[i], "t", "why");
	code = capture_finish(&c);
	free(c.text);
	return code;
}

static bool exit_codes(void)
{
	enum ktap_result pass_skip[] = { KTAP_PASS, KTAP_SKIP };
	enum ktap_result skips[] = { KTAP_SKIP, KTAP_SKIP };
	enum ktap_result xfail[] = { KTAP_XFAIL };
	enum ktap_result xpass[] = { KTAP_PASS, KTAP_XPASS };

	UNIT_CHECK(code_for(pass_skip, 2, 2) == KSFT_PASS);
	/* Nothing ran for real: a skip, never a pass. */
	UNIT_CHECK(code_for(skips, 2, 2) == KSFT_SKIP);
	UNIT_CHECK(code_for(NULL, 0, 0) == KSFT_SKIP);
	UNIT_CHECK(code_for(xfail, 1, 1) == KSFT_PASS);
	/* kselftest: an unexpected pass is ok; the report says the bug looks fixed. */
	UNIT_CHECK(code_for(xpass, 2, 2) == KSFT_PASS);
	/* Fewer results than planned is a failure. */
	UNIT_CHECK(code_for(pass_skip, 1, 2) == KSFT_FAIL);
	return true;
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "output_format", output_format },
		{ "exit_codes", exit_codes },
	};

	return unit_main(cases, sizeof(cases) / sizeof(cases[0]));
}
