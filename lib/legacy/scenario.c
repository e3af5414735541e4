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
#include "ucall.h"

#define DEFAULT_SCENARIO_TIMEOUT	120
#define MAX_TIMEOUT			86400
#define MAX_PATTERNS			32
/* Kept from the test's budget to report the scenarios left when it runs out. */
#define BUDGET_RESERVE			5

/* Written by the scenario's child, read by the parent after it exits. */
struct scenario_outcome {
	int code;
	bool expect_failure;
	bool rule_failed;	/* it failed at its rule's own assertion */
	char reason[256];
};

/* How one run of a scenario ended, as the parent saw it. */
struct scenario_run {
	bool failed;
	bool timed_out;
	bool signalled;
	bool skipped;
};

static struct scenario_outcome *outcome;
static bool in_scenario;
static bool inverted;
static unsigned int timeout_override;
/* CLOCK_MONOTONIC time after which no scenario starts; 0 for none. */
static double deadline;

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

void scenario_rule_failed(void)
{
	if (in_scenario)
		outcome->rule_failed = true;
}

unsigned int scenario_default_timeout(void)
{
	return timeout_override ? timeout_override : DEFAULT_SCENARIO_TIMEOUT;
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
	double end = now() + timeout;
	int status;

	*timed_out = false;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now() > end) {
			*timed_out = true;
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return status;
		}
		usleep(5000);
	}
}

/* The scenario's own timeout, cut to what is left of the test's budget. */
static unsigned int scenario_timeout(const struct scenario *s)
{
	unsigned int timeout = s->timeout ? s->timeout : scenario_default_timeout();
	double left;

	if (!deadline)
		return timeout;
	left = deadline - now();
	if (left < 1)
		return 0;
	return left < timeout ? (unsigned int)left : timeout;
}

/* Runs @s once in a child process, normal or inverted. */
static struct scenario_run run_once(const struct test_suite *suite, const struct scenario *s,
				    bool invert, unsigned int timeout)
{
	const char *known = invert ? NULL : known_failure(suite->name, s->name);
	struct scenario_run run = { 0 };
	double start;
	int status;
	pid_t pid;

	memset(outcome, 0, sizeof(*outcome));
	fflush(stdout);
	start = now();
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		in_scenario = true;
		inverted = invert;
		guest_inverted = invert;
		if (known)
			scenario_expect_failure(known);
		s->run(s);
		scenario_end(KSFT_PASS, NULL);
	}
	status = wait_scenario(pid, timeout, &run.timed_out);
	test_diag("%s%s: %.2f s", s->name, invert ? " (inverted)" : "", now() - start);
	if (run.timed_out) {
		test_diag("%s: timed out after %u s, guest or host hung", s->name, timeout);
		run.failed = true;
	} else if (WIFSIGNALED(status)) {
		test_diag("%s: killed by signal %d (%s)", s->name, WTERMSIG(status),
			  strsignal(WTERMSIG(status)));
		run.signalled = run.failed = true;
	} else if (WEXITSTATUS(status) == KSFT_SKIP) {
		run.skipped = true;
	} else {
		run.failed = WEXITSTATUS(status) != KSFT_PASS;
	}
	return run;
}

static enum ktap_result normal_result(struct scenario_run run, const char **reason)
{
	*reason = outcome->reason;
	if (run.skipped)
		return KTAP_SKIP;
	if (outcome->expect_failure && !run.failed)
		test_diag("the known KVM bug did not show: it looks fixed on this kernel "
			  "(lib/known_failures.c can name the fixing version)");
	if (outcome->expect_failure)
		return run.failed ? KTAP_XFAIL : KTAP_XPASS;
	*reason = NULL;
	return run.failed ? KTAP_FAIL : KTAP_PASS;
}

/*
 * The self-check of @s: it counts only if the normal run passed and the
 * inverted run then failed at the rule's own assertion (GUEST_ASSERT_RULE,
 * TEST_ASSERT_RULE), not at setup, by a timeout or by a crash.
 */
static enum ktap_result self_check(const struct test_suite *suite, const struct scenario *s,
				   unsigned int timeout, const char **reason)
{
	struct scenario_run run = run_once(suite, s, false, timeout);
	enum ktap_result r = normal_result(run, reason);
	static char why[320];

	if (r == KTAP_SKIP)
		return r;
	if (r == KTAP_XFAIL) {
		snprintf(why, sizeof(why), "the normal run is a known failure, nothing to invert: %s",
			 *reason);
		*reason = why;
		return KTAP_SKIP;
	}
	if (r == KTAP_FAIL) {
		*reason = NULL;
		test_diag("%s: the normal run failed, so the inverted run would prove nothing",
			  s->name);
		return KTAP_FAIL;
	}
	timeout = scenario_timeout(s);
	if (!timeout) {
		*reason = NULL;
		test_diag("%s: the test's time budget ran out before the inverted run", s->name);
		return KTAP_FAIL;
	}
	run = run_once(suite, s, true, timeout);
	*reason = NULL;
	if (run.failed && outcome->rule_failed && !run.timed_out && !run.signalled)
		return KTAP_PASS;
	if (!run.failed)
		test_diag("%s: the inverted run %s: this check cannot fail", s->name,
			  run.skipped ? "skipped" : "passed");
	else
		test_diag("%s: the inverted run failed, but not at the rule's assertion", s->name);
	return KTAP_FAIL;
}

static enum ktap_result run_scenario(const struct test_suite *suite, const struct scenario *s,
				     const char **reason)
{
	const char *crash = known_crash(suite->name, s->name);
	static char crash_reason[300];
	unsigned int timeout = scenario_timeout(s);

	if (crash) {
		snprintf(crash_reason, sizeof(crash_reason),
			 "known to crash this kernel (NST_RUN_KNOWN_CRASHES=1 runs it): %s", crash);
		*reason = crash_reason;
		return KTAP_SKIP;
	}
	if (!timeout) {
		*reason = NULL;
		test_diag("%s: not run, the test's time budget ran out", s->name);
		return KTAP_FAIL;
	}
	if (inverted)
		return self_check(suite, s, timeout, reason);
	return normal_result(run_once(suite, s, false, timeout), reason);
}

static void usage(FILE *f, const struct test_suite *suite, const char *prog)
{
	fprintf(f, "usage: %s [options]\n"
		"  -l, --list             list the scenarios (those matching -s) and what each checks\n"
		"  -s, --scenario PATTERN run only scenarios matching PATTERN (repeatable)\n"
		"  -T, --timeout SECONDS  per-scenario timeout (default %u)\n"
		"      --self-check       run each scenario, then inverted: the inverted run must\n"
		"                         fail at the rule's own assertion\n"
		"      --numa-node N      place guest memory on NUMA node N\n"
		"  -h, --help             this help\n", prog, DEFAULT_SCENARIO_TIMEOUT);
	for (const struct test_option *o = suite->options; o && o->name; o++)
		fprintf(f, "      --%s ARG  %s\n", o->name, o->help);
	fprintf(f, "Environment: NST_SCENARIO_TIMEOUT (seconds, as -T), NST_TEST_TIMEOUT (the\n"
		"whole test's budget, default %u s, twice that with --self-check), NST_NUMA_NODE\n"
		"(as --numa-node), NST_RUN_KNOWN_CRASHES=1 (run scenarios known to crash the host).\n",
		NST_SETTINGS_TIMEOUT);
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
	*val = strtoul(arg, &end, 10);
	return !errno && *arg >= '0' && *arg <= '9' && !*end && *val <= max;
}

/*
 * Reads a numeric environment variable: false, with a message, if it is set
 * but not a number from @min to @max.
 */
static bool env_uint(const char *name, unsigned long min, unsigned long max,
		     unsigned long *val, bool *set)
{
	const char *env = getenv(name);

	*set = env && *env;
	if (!*set)
		return true;
	if (parse_uint(env, max, val) && *val >= min)
		return true;
	fprintf(stderr, "%s=%s: expected a number from %lu to %lu\n", name, env, min, max);
	return false;
}

/* Applies and validates the NST_* environment; false on bad values. */
static bool read_environment(unsigned long *budget, bool *budget_set)
{
	const char *crashes = getenv("NST_RUN_KNOWN_CRASHES");
	unsigned long val;
	bool set;

	if (!env_uint("NST_SCENARIO_TIMEOUT", 1, MAX_TIMEOUT, &val, &set))
		return false;
	if (set && !timeout_override)
		timeout_override = val;
	if (!env_uint("NST_NUMA_NODE", 0, 1023, &val, &set))
		return false;
	if (set)
		vm_set_default_numa_node(val);
	if (!env_uint("NST_TEST_TIMEOUT", BUDGET_RESERVE + 1, MAX_TIMEOUT, budget, budget_set))
		return false;
	if (crashes && *crashes && strcmp(crashes, "0") && strcmp(crashes, "1")) {
		fprintf(stderr, "NST_RUN_KNOWN_CRASHES=%s: expected 0 or 1\n", crashes);
		return false;
	}
	return true;
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

static void list_scenarios(const struct test_suite *suite, char **patterns, int nr)
{
	for (unsigned int i = 0; i < suite->nr_scenarios; i++)
		if (selected(&suite->scenarios[i], patterns, nr))
			printf("%-40s %s\n", suite->scenarios[i].name,
			       suite->scenarios[i].purpose);
}

static void run_all(const struct test_suite *suite, struct ktap *k, char **patterns, int nr)
{
	const char *problem = suite->requirements ? suite->requirements() : NULL;

	for (unsigned int i = 0; i < suite->nr_scenarios; i++) {
		const struct scenario *s = &suite->scenarios[i];
		enum ktap_result r;
		const char *reason;

		if (!selected(s, patterns, nr))
			continue;
		if (problem) {
			ktap_report(k, KTAP_SKIP, s->name, problem);
			continue;
		}
		ktap_diag(k, "%s: %s", s->name, s->purpose);
		r = run_scenario(suite, s, &reason);
		ktap_report(k, r, s->name, reason);
	}
}

int test_main(const struct test_suite *suite, int argc, char **argv)
{
	struct option *opts = build_options(suite);
	char *patterns[MAX_PATTERNS];
	unsigned int planned = 0;
	int nr_patterns = 0, c;
	unsigned long val, budget;
	bool list = false, budget_set;
	struct ktap k;

	while ((c = getopt_long(argc, argv, "ls:T:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list = true;
			break;
		case 's':
			if (nr_patterns == MAX_PATTERNS)
				goto bad;
			patterns[nr_patterns++] = optarg;
			break;
		case 'T':
			if (!parse_uint(optarg, MAX_TIMEOUT, &val) || !val)
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
	if (list) {
		list_scenarios(suite, patterns, nr_patterns);
		return 0;
	}
	if (!read_environment(&budget, &budget_set))
		return 2;

	for (unsigned int i = 0; i < suite->nr_scenarios; i++)
		planned += selected(&suite->scenarios[i], patterns, nr_patterns);
	if (!planned) {
		fprintf(stderr, "%s: no scenario matches\n", argv[0]);
		return 2;
	}
	/* The whole test must report before run_tests.sh or kselftest kills it. */
	if (!budget_set)
		budget = NST_SETTINGS_TIMEOUT * (inverted ? 2 : 1);
	deadline = now() + budget - BUDGET_RESERVE;

	outcome = mmap(NULL, sizeof(*outcome), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(outcome != MAP_FAILED, "mmap");
	setvbuf(stdout, NULL, _IOLBF, 0);
	ktap_init(&k, stdout);
	ktap_header(&k, planned);
	ktap_diag(&k, "%s%s", suite->name,
		  inverted ? " (self-check: each scenario normal, then inverted)" : "");
	run_all(suite, &k, patterns, nr_patterns);
	return ktap_finish(&k);

bad:
	usage(stderr, suite, argv[0]);
	return 2;
}
