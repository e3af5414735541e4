// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scenario runner behind every test binary: option parsing, one KTAP
 * result per scenario, each scenario in a child process under a timeout.
 */
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "known_failures.h"
#include "ktap.h"
#include "kvm_util.h"
#include "scenario.h"
#include "scenario_internal.h"

#define DEFAULT_SCENARIO_TIMEOUT	120
#define MAX_PATTERNS			32

/* Written by the scenario's child, read by the parent after it exits. */
struct scenario_outcome {
	int code;
	bool expect_failure;
	char reason[256];
};

static struct scenario_outcome *outcome;
static bool in_scenario;
static bool inverted;
bool guest_inverted;
static unsigned int timeout_override;

bool scenario_inverted(void)
{
	return inverted;
}

void scenario_expect_failure(const char *reason)
{
	if (!in_scenario)
		return;
	outcome->expect_failure = true;
	snprintf(outcome->reason, sizeof(outcome->reason), "%s", reason);
}

unsigned int scenario_default_timeout(void)
{
	const char *env = getenv("NST_SCENARIO_TIMEOUT");

	if (timeout_override)
		return timeout_override;
	if (env && atoi(env) > 0)
		return atoi(env);
	return DEFAULT_SCENARIO_TIMEOUT;
}

void scenario_end(int code, const char *reason)
{
	fflush(stdout);
	if (!in_scenario) {
		if (code == KSFT_SKIP)
			printf("KTAP version 1\n1..0 # SKIP %s\n", reason ? reason : "");
		exit(code);
	}
	outcome->code = code;
	if (reason && !outcome->expect_failure)
		snprintf(outcome->reason, sizeof(outcome->reason), "%s", reason);
	exit(code);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits for @pid up to @timeout seconds; kills it when time runs out. */
static int wait_scenario(pid_t pid, unsigned int timeout, bool *timed_out)
{
	double deadline = now() + timeout;
	int status;

	*timed_out = false;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now() > deadline) {
			*timed_out = true;
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return status;
		}
		usleep(5000);
	}
}

static enum ktap_result classify(const struct scenario *s, int status, bool timed_out,
				 const char **reason)
{
	bool failed;

	*reason = outcome->reason;
	if (timed_out) {
		test_diag("%s: timed out, guest or host hung", s->name);
		failed = true;
	} else if (WIFSIGNALED(status)) {
		test_diag("%s: killed by signal %d (%s)", s->name, WTERMSIG(status),
			       strsignal(WTERMSIG(status)));
		failed = true;
	} else if (WEXITSTATUS(status) == KSFT_SKIP) {
		return KTAP_SKIP;
	} else {
		failed = WEXITSTATUS(status) != KSFT_PASS;
	}

	if (inverted) {
		if (!failed)
			test_diag("%s: the inverted check passed: this check cannot fail",
				       s->name);
		*reason = NULL;
		return failed ? KTAP_PASS : KTAP_FAIL;
	}
	if (outcome->expect_failure)
		return failed ? KTAP_XFAIL : KTAP_XPASS;
	*reason = NULL;
	return failed ? KTAP_FAIL : KTAP_PASS;
}

static enum ktap_result run_scenario(const struct test_suite *suite, const struct scenario *s,
				     const char **reason)
{
	const char *known = known_failure(suite->name, s->name);
	const char *crash = known_crash(suite->name, s->name);
	static char crash_reason[300];
	unsigned int timeout = s->timeout ? s->timeout : scenario_default_timeout();
	bool timed_out;
	double start;
	int status;
	pid_t pid;

	if (inverted && s->no_inverted) {
		*reason = "no inverted variant";
		return KTAP_SKIP;
	}
	if (crash) {
		snprintf(crash_reason, sizeof(crash_reason),
			 "known to crash this kernel (NST_RUN_KNOWN_CRASHES=1 runs it): %s", crash);
		*reason = crash_reason;
		return KTAP_SKIP;
	}
	memset(outcome, 0, sizeof(*outcome));
	fflush(stdout);
	start = now();
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		in_scenario = true;
		guest_inverted = inverted;
		if (known)
			scenario_expect_failure(known);
		s->run(s);
		scenario_end(KSFT_PASS, NULL);
	}
	status = wait_scenario(pid, timeout, &timed_out);
	test_diag("%s: %.2f s", s->name, now() - start);
	return classify(s, status, timed_out, reason);
}

static void usage(FILE *f, const struct test_suite *suite, const char *prog)
{
	fprintf(f, "usage: %s [options]\n"
		"  -l, --list             list the scenarios and what each checks\n"
		"  -s, --scenario PATTERN run only scenarios matching PATTERN (repeatable)\n"
		"  -T, --timeout SECONDS  per-scenario timeout (default %u)\n"
		"      --self-check       run each scenario inverted: it must fail\n"
		"      --numa-node N      place guest memory on NUMA node N\n"
		"  -h, --help             this help\n", prog, DEFAULT_SCENARIO_TIMEOUT);
	for (const struct test_option *o = suite->options; o && o->name; o++)
		fprintf(f, "      --%s ARG  %s\n", o->name, o->help);
	fprintf(f, "Environment: NST_SCENARIO_TIMEOUT, NST_NUMA_NODE.\n");
}

static bool selected(const struct scenario *s, char **patterns, int nr)
{
	if (!nr)
		return true;
	for (int i = 0; i < nr; i++)
		if (!fnmatch(patterns[i], s->name, 0))
			return true;
	return false;
}

enum { OPT_SELF_CHECK = 256, OPT_NUMA_NODE, OPT_SUITE };

static bool parse_uint(const char *arg, unsigned long max, unsigned long *val)
{
	char *end;

	errno = 0;
	*val = strtoul(arg, &end, 0);
	return !errno && *arg && !*end && *val <= max;
}

/* Builds the long-option table: the common ones, then the suite's own. */
static struct option *build_options(const struct test_suite *suite)
{
	static const struct option common[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "scenario", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "self-check", no_argument, NULL, OPT_SELF_CHECK },
		{ "numa-node", required_argument, NULL, OPT_NUMA_NODE },
		{ "help", no_argument, NULL, 'h' },
	};
	unsigned int n = ARRAY_SIZE(common), extra = 0;
	struct option *opts;

	while (suite->options && suite->options[extra].name)
		extra++;
	opts = calloc(n + extra + 1, sizeof(*opts));
	TEST_ASSERT(opts, "calloc");
	memcpy(opts, common, sizeof(common));
	for (unsigned int i = 0; i < extra; i++)
		opts[n + i] = (struct option){ suite->options[i].name, required_argument,
					       NULL, OPT_SUITE + i };
	return opts;
}

static void list_scenarios(const struct test_suite *suite)
{
	for (unsigned int i = 0; i < suite->nr_scenarios; i++)
		printf("%-40s %s\n", suite->scenarios[i].name, suite->scenarios[i].purpose);
}

int test_main(const struct test_suite *suite, int argc, char **argv)
{
	struct option *opts = build_options(suite);
	char *patterns[MAX_PATTERNS];
	unsigned int planned = 0;
	int nr_patterns = 0, c;
	const char *problem;
	unsigned long val;
	struct ktap k;

	while ((c = getopt_long(argc, argv, "ls:T:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list_scenarios(suite);
			return 0;
		case 's':
			if (nr_patterns == MAX_PATTERNS)
				goto bad;
			patterns[nr_patterns++] = optarg;
			break;
		case 'T':
			if (!parse_uint(optarg, 86400, &val) || !val)
				goto bad;
			timeout_override = val;
			break;
		case OPT_SELF_CHECK:
			inverted = true;
			break;
		case OPT_NUMA_NODE:
			if (!parse_uint(optarg, 1023, &val))
				goto bad;
			vm_set_default_numa_node(val);
			break;
		case 'h':
			usage(stdout, suite, argv[0]);
			return 0;
		default:
			if (c >= OPT_SUITE && suite->options[c - OPT_SUITE].parse(optarg))
				break;
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;

	for (unsigned int i = 0; i < suite->nr_scenarios; i++)
		planned += selected(&suite->scenarios[i], patterns, nr_patterns);
	if (!planned) {
		fprintf(stderr, "%s: no scenario matches\n", argv[0]);
		return 2;
	}

	outcome = mmap(NULL, sizeof(*outcome), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(outcome != MAP_FAILED, "mmap");
	setvbuf(stdout, NULL, _IOLBF, 0);
	ktap_init(&k, stdout);
	ktap_header(&k, planned);
	ktap_diag(&k, "%s%s", suite->name, inverted ? " (self-check: inverted scenarios)" : "");
	problem = suite->requirements ? suite->requirements() : NULL;

	for (unsigned int i = 0; i < suite->nr_scenarios; i++) {
		const struct scenario *s = &suite->scenarios[i];
		enum ktap_result r;
		const char *reason;

		if (!selected(s, patterns, nr_patterns))
			continue;
		if (problem) {
			ktap_report(&k, KTAP_SKIP, s->name, problem);
			continue;
		}
		ktap_diag(&k, "%s: %s", s->name, s->purpose);
		r = run_scenario(suite, s, &reason);
		ktap_report(&k, r, s->name, reason);
	}
	return ktap_finish(&k);

bad:
	usage(stderr, suite, argv[0]);
	return 2;
}
