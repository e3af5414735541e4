// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scenario runner of the tests on the kselftest harness
 * (scenario_harness.h).  The harness runs each scenario in a child process
 * and prints its result; in that child the runner runs the scenario itself
 * in a process of its own (twice with --self-check), under a timeout cut
 * to what is left of the test's budget, reads its output for the rule's
 * tag and a skip reason, and turns the outcome into the harness's result
 * code: a known KVM bug's failure into XFAIL, a self-check into a pass only
 * when the inverted run failed at the rule.
 */
#include <errno.h>
#include <fnmatch.h>
#include <numa.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emulator_flaws.h"
#include "known_failures.h"
#include "kselftest.h"
#include "scenario_runner.h"
#include "self_check.h"

#define DEFAULT_TIMEOUT		120
#define MAX_TIMEOUT		86400
#define MAX_NUMA_NODE		1023
/* Kept from the test's budget to report the scenarios left when it runs out. */
#define BUDGET_RESERVE		5

/*
 * The kselftest timeout in settings, which run_tests.sh passes as
 * NST_TEST_TIMEOUT; the Makefile defines it from that file.
 */
#ifndef NST_SETTINGS_TIMEOUT
#error "NST_SETTINGS_TIMEOUT: the timeout in settings, from the Makefile"
#endif

/* Set by scenario_runner_setup() before the harness forks its children. */
static bool self_check;
static unsigned int default_timeout = DEFAULT_TIMEOUT;
/* CLOCK_MONOTONIC time after which no run starts. */
static double deadline;

/* How one run of a scenario ended. */
struct run {
	bool failed;
	bool timed_out;
	bool signalled;
	bool skipped;
	bool rule_failed;	/* its output carries RULE_ASSERT_TAG */
	bool rule_value_seen;	/* the rule's report went on to its value */
	char rule_file[256];	/* the first failed rule assertion's file */
	char rule_expr[256];	/* and its expression */
	uint64_t rule_value;	/* and the value it saw */
	char skip_reason[512];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *val)
{
	char *end;

	errno = 0;
	*val = strtoul(s, &end, 10);
	return !errno && *s >= '0' && *s <= '9' && !*end && *val >= min && *val <= max;
}

/* False, with a message, if @name is set but not a number from @min to @max. */
static bool env_uint(const char *name, unsigned long min, unsigned long max,
		     unsigned long *val, bool *set)
{
	const char *env = getenv(name);

	*set = env && *env;
	if (!*set || parse_uint(env, min, max, val))
		return true;
	fprintf(stderr, "%s=%s: expected a number from %lu to %lu\n", name, env, min, max);
	return false;
}

static void usage(const char *prog, const struct scenario_option *test_opts,
		  unsigned int nr_test_opts)
{
	printf("usage: %s [options] [harness options]\n"
	       "  -l                list the scenarios (those selected) and what each checks\n"
	       "  -s PATTERN        run the scenarios matching the glob PATTERN (repeatable)\n"
	       "  --self-check      run each scenario, then inverted: the inverted run must\n"
	       "                    fail at the rule's own assertion\n"
	       "  --numa-node N     place memory on NUMA node N\n"
	       "Environment: NST_SCENARIO_TIMEOUT (seconds per scenario, default %u),\n"
	       "NST_TEST_TIMEOUT (the whole test's budget, default %u s, twice that with\n"
	       "--self-check), NST_NUMA_NODE (as --numa-node), NST_SELF_CHECK=1 (as\n"
	       "--self-check), NST_RUN_KNOWN_CRASHES=1 (run scenarios known to crash the host).\n",
	       prog, DEFAULT_TIMEOUT, NST_SETTINGS_TIMEOUT);
	if (nr_test_opts)
		printf("Options of this test:\n");
	for (unsigned int n = 0; n < nr_test_opts; n++)
		printf("  --%s N%*s%s\n", test_opts[n].name,
		       (int)(15 - strlen(test_opts[n].name)), "", test_opts[n].help);
	printf("The harness's options follow.\n");
}

/*
 * Takes "--NAME N" or "--NAME=N" of @opts at argv[*i]: -1 if argv[*i] is
 * none of them, 0 if it is valid, else (after a message) the exit code 2.
 */
static int take_test_option(int argc, char **argv, int *i,
			    const struct scenario_option *opts, unsigned int nr)
{
	for (unsigned int n = 0; n < nr; n++) {
		const char *name = opts[n].name, *a = argv[*i], *arg = NULL;
		size_t len = strlen(name);
		unsigned long v;

		if (strncmp(a, "--", 2) || strncmp(a + 2, name, len) ||
		    (a[len + 2] && a[len + 2] != '='))
			continue;
		if (a[len + 2] == '=')
			arg = a + len + 3;
		else if (*i + 1 < argc)
			arg = argv[++*i];
		if (!arg) {
			fprintf(stderr, "%s: --%s needs an argument\n", argv[0], name);
			return 2;
		}
		if (!parse_uint(arg, opts[n].min, opts[n].max, &v)) {
			fprintf(stderr, "%s: --%s %s: expected a number from %llu to %llu\n",
				argv[0], name, arg, (unsigned long long)opts[n].min,
				(unsigned long long)opts[n].max);
			return 2;
		}
		*opts[n].value = v;
		return 0;
	}
	return -1;
}

/* The -s patterns: "-t NAME" for each scenario of @names that @pattern matches. */
static bool select_scenarios(struct scenario_options *o, const char *pattern,
			     const char *const *names, unsigned int nr)
{
	bool selected = false;

	for (unsigned int n = 0; n < nr; n++) {
		if (fnmatch(pattern, names[n], 0))
			continue;
		o->args[o->nargs++] = "-t";
		o->args[o->nargs++] = (char *)names[n];
		selected = true;
	}
	return selected;
}

int scenario_parse_options(int argc, char **argv, const char *const *names, unsigned int nr,
			   const struct scenario_option *test_opts, unsigned int nr_test_opts,
			   struct scenario_options *o)
{
	const char *env = getenv("NST_SELF_CHECK");
	bool patterns = false, selected = false;
	unsigned long node;

	memset(o, 0, sizeof(*o));
	o->self_check = env && *env && strcmp(env, "0");
	o->numa_node = -1;
	/* Each -s becomes at most one "-t NAME" for every scenario. */
	o->args = calloc(argc * (2 * nr + 1) + 1, sizeof(*o->args));
	if (!o->args)
		return KSFT_FAIL;
	o->args[o->nargs++] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool takes_arg = !strcmp(a, "-s") || !strcmp(a, "--numa-node");
		int ret = take_test_option(argc, argv, &i, test_opts, nr_test_opts);

		if (ret >= 0) {
			if (ret)
				return ret;
			continue;
		}
		if (takes_arg && i + 1 == argc) {
			fprintf(stderr, "%s: %s needs an argument\n", argv[0], a);
			return 2;
		}
		if (!strcmp(a, "--self-check")) {
			o->self_check = true;
		} else if (!strcmp(a, "-l")) {
			o->list = true;
		} else if (!strcmp(a, "-s")) {
			patterns = true;
			selected |= select_scenarios(o, argv[++i], names, nr);
		} else if (!strcmp(a, "--numa-node")) {
			if (!parse_uint(argv[++i], 0, MAX_NUMA_NODE, &node)) {
				fprintf(stderr, "%s: --numa-node %s: expected a number from 0 to %u\n",
					argv[0], argv[i], MAX_NUMA_NODE);
				return 2;
			}
			o->numa_node = node;
		} else {
			o->help |= !strcmp(a, "-h");
			o->args[o->nargs++] = argv[i];
		}
	}
	if (o->help)
		usage(argv[0], test_opts, nr_test_opts);
	/* -s that matches nothing selects nothing (the harness would run all). */
	if (patterns && !selected && !o->help) {
		if (o->list)
			return KSFT_PASS;
		fprintf(stderr, "%s: no scenario matches the -s patterns\n", argv[0]);
		return 2;
	}
	return -1;
}

/*
 * libnuma's lookup of a device's NUMA affinity, which only its
 * device-affinity calls use (the runner makes none).  Defining it keeps the
 * static link from pulling in libnuma's affinity code, and with it
 * getaddrinfo(), which glibc cannot provide to static binaries.
 */
int resolve_affinity(const char *id, struct bitmask *mask);
int resolve_affinity(const char *id, struct bitmask *mask)
{
	errno = ENOSYS;
	return -1;
}

/* Binds this process and its children (every scenario) to NUMA node @node. */
static bool bind_numa_node(unsigned long node)
{
	struct bitmask *nodes;

	if (numa_available() < 0) {
		fprintf(stderr, "NUMA node %lu requested, but the host has no NUMA support\n",
			node);
		return false;
	}
	if (node > (unsigned long)numa_max_node() ||
	    !numa_bitmask_isbitset(numa_all_nodes_ptr, node)) {
		fprintf(stderr, "no NUMA node %lu on this host (highest is %d)\n", node,
			numa_max_node());
		return false;
	}
	/* A policy, not a placement: it applies to the guest memory allocated later. */
	nodes = numa_allocate_nodemask();
	numa_bitmask_setbit(nodes, node);
	numa_set_membind(nodes);
	numa_free_nodemask(nodes);
	return true;
}

bool scenario_runner_setup(const struct scenario_options *o)
{
	const char *crashes = getenv("NST_RUN_KNOWN_CRASHES");
	unsigned long val, budget;
	bool set;

	self_check = o->self_check;
	if (!env_uint("NST_SCENARIO_TIMEOUT", 1, MAX_TIMEOUT, &val, &set))
		return false;
	if (set)
		default_timeout = val;
	if (!env_uint("NST_TEST_TIMEOUT", BUDGET_RESERVE + 1, MAX_TIMEOUT, &budget, &set))
		return false;
	/* The whole test must report before run_tests.sh or kselftest kills it. */
	if (!set)
		budget = NST_SETTINGS_TIMEOUT * (self_check ? 2 : 1);
	deadline = now() + budget - BUDGET_RESERVE;
	if (!emulator_flaws_setup())
		return false;
	if (crashes && *crashes && strcmp(crashes, "0") && strcmp(crashes, "1")) {
		fprintf(stderr, "NST_RUN_KNOWN_CRASHES=%s: expected 0 or 1\n", crashes);
		return false;
	}
	if (!env_uint("NST_NUMA_NODE", 0, MAX_NUMA_NODE, &val, &set))
		return false;
	if (o->numa_node >= 0) {
		val = o->numa_node;
		set = true;
	}
	return !set || bind_numa_node(val);
}

static unsigned int row_timeout(unsigned int timeout)
{
	return timeout ? timeout : default_timeout;
}

/* NST_AFTER_RUN's time, after each run, within the harness's timeout. */
#define AFTER_RUN_ALLOWANCE	600

unsigned int scenario_harness_timeout(unsigned int timeout)
{
	unsigned int runs = self_check ? 2 : 1;
	const char *hook = getenv("NST_AFTER_RUN");

	return (row_timeout(timeout) + (hook && *hook ? AFTER_RUN_ALLOWANCE : 0)) * runs +
	       BUDGET_RESERVE;
}

/* The row's timeout, cut to what is left of the test's budget; 0 if none is. */
static unsigned int run_timeout(const struct scenario_call *c)
{
	unsigned int timeout = row_timeout(c->timeout);
	double left = deadline - now();

	if (left < 1)
		return 0;
	return left < timeout ? (unsigned int)left : timeout;
}

/*
 * The first line of a failed rule assertion's report (test_assert()):
 * "  FILE:LINE: [rule] EXPR".
 */
static void take_rule_site(struct run *r, const char *line, size_t len)
{
	const char *tag = memmem(line, len, RULE_ASSERT_TAG, strlen(RULE_ASSERT_TAG));
	const char *file = line, *expr = tag + strlen(RULE_ASSERT_TAG);
	const char *colon, *end;
	size_t n;

	r->rule_failed = true;
	while (file < tag && (*file == ' ' || *file == '\t'))
		file++;
	/* "FILE:LINE: " before the tag: the file ends at the colon before LINE. */
	colon = tag - 2 > file ? memrchr(file, ':', tag - 2 - file) : NULL;
	if (colon)
		snprintf(r->rule_file, sizeof(r->rule_file), "%.*s", (int)(colon - file), file);
	end = memchr(expr, '\n', line + len - expr);
	n = (end ? end : line + len) - expr;
	snprintf(r->rule_expr, sizeof(r->rule_expr), "%.*s", (int)n, expr);
}

/* The report's message, "VALUE, expected ..." (self_check.h), after its site. */
static void take_rule_value(struct run *r, const char *line, size_t len)
{
	static const char after[] = ", expected ";
	char buf[64], *start, *end;

	snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
	start = buf + strspn(buf, " \t");
	r->rule_value = strtoull(start, &end, 0);
	r->rule_value_seen = end != start && !strncmp(end, after, strlen(after));
}

/*
 * One line of the run's output: a skip's "1..0 # SKIP" (ksft_exit_skip()
 * before any plan) becomes the skip reason, the rest passes through.
 */
static void take_line(struct run *r, const char *line, size_t len)
{
	static const char skip[] = "1..0 # SKIP ";
	const char *s = line + strlen(skip);

	if (len >= strlen(skip) && !strncmp(line, skip, strlen(skip))) {
		if (!strncmp(s, "- ", 2))
			s += 2;
		snprintf(r->skip_reason, sizeof(r->skip_reason), "%.*s",
			 (int)strcspn(s, "\n"), s);
		return;
	}
	if (r->rule_failed && !r->rule_value_seen)
		take_rule_value(r, line, len);
	else if (!r->rule_failed && memmem(line, len, RULE_ASSERT_TAG, strlen(RULE_ASSERT_TAG)))
		take_rule_site(r, line, len);
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}

/*
 * Passes @fd's lines on until it closes or @end; false on a timeout.  A
 * line longer than the buffer is taken in pieces (assertion reports, which
 * carry the tag, are short).
 */
static bool read_output(struct run *r, int fd, double end)
{
	char buf[4096];
	size_t len = 0;
	ssize_t n;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = end - now();
		char *nl;

		if (left <= 0)
			return false;
		n = poll(&p, 1, (int)(left * 1000) + 1);
		if (!n)
			return false;
		if (n > 0)
			n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		while ((nl = memchr(buf, '\n', len))) {
			size_t line = nl - buf + 1;

			take_line(r, buf, line);
			memmove(buf, buf + line, len - line);
			len -= line;
		}
		if (len == sizeof(buf)) {
			take_line(r, buf, len);
			len = 0;
		}
	}
	if (len)
		take_line(r, buf, len);
	return true;
}

/* Waits for @pid until @end, then kills it; false if it had to be killed. */
static bool wait_run(pid_t pid, double end, int *status)
{
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);

		if (w == pid)
			return true;
		if (w < 0 && errno != EINTR) {
			*status = KSFT_FAIL << 8;
			return true;
		}
		if (now() >= end)
			break;
		usleep(5000);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return false;
}

/* Runs @c once in a process of its own, normal or inverted, for up to @timeout seconds. */
/*
 * NST_AFTER_RUN: a shell command run after each run of a scenario, when no
 * VM of the test exists (the lab's --coverage collects its trace there).
 */
static void after_run_hook(const char *name)
{
	const char *cmd = getenv("NST_AFTER_RUN");
	int rc;

	if (!cmd || !*cmd)
		return;
	fflush(stdout);
	rc = system(cmd);
	if (rc)
		ksft_print_msg("%s: NST_AFTER_RUN exited with status %#x\n", name, rc);
}

static void run_once(const struct scenario_call *c, bool inverted, unsigned int timeout,
		     struct run *r)
{
	double start = now(), end = start + timeout;
	int fds[2], status;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	fflush(stdout);
	fflush(stderr);
	if (pipe(fds) || (pid = fork()) < 0) {
		ksft_print_msg("%s: cannot start a run: %s\n", c->name, strerror(errno));
		r->failed = true;
		return;
	}
	if (!pid) {
		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		close(fds[1]);
		/* Line by line, so that a run that hangs still shows what it printed. */
		setvbuf(stdout, NULL, _IOLBF, 0);
		guest_inverted = inverted;
		c->run(c->row);
		exit(KSFT_PASS);
	}
	close(fds[1]);
	/* The output may close before the run ends: wait for its end as well. */
	r->timed_out = !read_output(r, fds[0], end);
	close(fds[0]);
	r->timed_out = !wait_run(pid, r->timed_out ? now() : end, &status);

	ksft_print_msg("%s%s: %.2f s\n", c->name, inverted ? " (inverted)" : "", now() - start);
	after_run_hook(c->name);
	if (r->timed_out) {
		ksft_print_msg("%s: timed out after %u s, the guest or the host hung\n", c->name,
			       timeout);
		r->failed = true;
	} else if (WIFSIGNALED(status)) {
		ksft_print_msg("%s: killed by signal %d (%s)\n", c->name, WTERMSIG(status),
			       strsignal(WTERMSIG(status)));
		r->signalled = r->failed = true;
	} else if (WEXITSTATUS(status) == KSFT_SKIP) {
		r->skipped = true;
		if (!r->skip_reason[0])
			strcpy(r->skip_reason, "skipped");
	} else {
		r->failed = WEXITSTATUS(status) != KSFT_PASS;
	}
}

static void bug_diag(const struct known_bug *bug)
{
	ksft_print_msg("known KVM bug %s, seen on %s\n", bug->id, bug->seen);
}

/* How @r ended, for a known bug's row that failed other than at the bug's rule. */
static void describe_failure(const struct run *r, char *buf, size_t size)
{
	if (r->timed_out)
		snprintf(buf, size, "it timed out");
	else if (r->signalled)
		snprintf(buf, size, "it was killed by a signal");
	else if (!r->rule_failed)
		snprintf(buf, size, "it failed, but not at a rule assertion");
	else if (!r->rule_value_seen)
		snprintf(buf, size, "it failed at %s: [rule] %s, whose report has no value",
			 r->rule_file, r->rule_expr);
	else
		snprintf(buf, size, "it failed at %s: [rule] %s with %#llx", r->rule_file,
			 r->rule_expr, (unsigned long long)r->rule_value);
}

/*
 * A known bug's row that failed: XFAIL only at the bug's own rule assertion
 * with the bug's wrong value, anything else is a failure that names the bug.
 */
static bool failed_at_bug_rule(const struct known_failure *k, const struct run *r)
{
	const struct rule_site seen = {
		.file = r->rule_file, .expr = r->rule_expr, .value = r->rule_value,
	};
	char how[600];

	if (!r->timed_out && !r->signalled && r->rule_failed && r->rule_value_seen &&
	    known_failure_matches(k, &seen)) {
		ksft_print_msg("failed at the bug's rule: %s: [rule] %s with %#llx\n",
			       k->rule.file, k->rule.expr, (unsigned long long)k->rule.value);
		return true;
	}
	describe_failure(r, how, sizeof(how));
	ksft_print_msg("not the known bug's failure: it shows at %s: [rule] %s with %#llx, "
		       "but %s\n", k->rule.file, k->rule.expr,
		       (unsigned long long)k->rule.value, how);
	return false;
}

/* The self-check: the normal run passed, so the inverted run must fail at the rule. */
static int self_check_inverted(const struct scenario_call *c)
{
	unsigned int timeout = run_timeout(c);
	struct run r;

	if (!timeout) {
		ksft_print_msg("%s: the test's time budget ran out before the inverted run\n",
			       c->name);
		return KSFT_FAIL;
	}
	ksft_print_msg("%s: self-check, inverted run\n", c->name);
	run_once(c, true, timeout, &r);
	if (r.failed && r.rule_failed && !r.timed_out && !r.signalled) {
		ksft_print_msg("%s: the inverted run failed at the rule, as it must\n", c->name);
		return KSFT_PASS;
	}
	if (!r.failed)
		ksft_print_msg("%s: the inverted run %s: the rule's check cannot fail\n", c->name,
			       r.skipped ? "skipped" : "passed");
	else
		ksft_print_msg("%s: the inverted run failed, but not at a rule assertion\n",
			       c->name);
	return KSFT_FAIL;
}

int scenario_run(const struct scenario_call *c, char *reason, size_t size)
{
	const char *test = program_invocation_short_name;
	const struct known_failure *k = known_crash_find(test, c->name);
	unsigned int timeout = run_timeout(c);
	struct run r;

	ksft_print_msg("%s: %s\n", c->name, c->purpose);
	if (k) {
		snprintf(reason, size, "known to crash this kernel (NST_RUN_KNOWN_CRASHES=1 "
			 "runs it): %s: %s", k->bug->id, k->bug->summary);
		return KSFT_SKIP;
	}
	if (!timeout) {
		ksft_print_msg("%s: not run, the test's time budget ran out\n", c->name);
		return KSFT_FAIL;
	}
	k = known_failure_find(test, c->name);
	if (self_check)
		ksft_print_msg("%s: self-check, normal run\n", c->name);
	run_once(c, false, timeout, &r);

	if (r.skipped) {
		snprintf(reason, size, "%s", r.skip_reason);
		return KSFT_SKIP;
	}
	if (k && r.failed) {
		bug_diag(k->bug);
		if (!failed_at_bug_rule(k, &r))
			return KSFT_FAIL;
		if (self_check) {
			snprintf(reason, size, "the normal run is a known failure, nothing to "
				 "invert: %s: %s", k->bug->id, k->bug->summary);
			return KSFT_SKIP;
		}
		snprintf(reason, size, "%s: %s", k->bug->id, k->bug->summary);
		return KSFT_XFAIL;
	}
	if (k) {
		bug_diag(k->bug);
		ksft_print_msg("the known KVM bug did not show: it looks fixed on this kernel\n");
		if (!self_check) {
			snprintf(reason, size, "%s: %s", k->bug->id, k->bug->summary);
			return KSFT_XPASS;
		}
	}
	if (r.failed) {
		if (self_check)
			ksft_print_msg("%s: the normal run failed, so the inverted run would "
				       "prove nothing\n", c->name);
		return KSFT_FAIL;
	}
	return self_check ? self_check_inverted(c) : KSFT_PASS;
}
