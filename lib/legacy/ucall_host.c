// SPDX-License-Identifier: GPL-2.0-only
/* Host side of the ucall protocol (see ucall.h). */
#include <string.h>

#include "kvm_util.h"
#include "scenario_internal.h"
#include "ucall.h"

uint32_t get_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;
	uint32_t gpa;

	memset(uc, 0, sizeof(*uc));
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != UCALL_PORT ||
	    run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 || run->io.count != 1)
		return UCALL_NONE;
	memcpy(&gpa, (char *)run + run->io.data_offset, sizeof(gpa));
	memcpy(uc, addr_gpa2hva(vcpu->vm, gpa), sizeof(*uc));
	uc->buf[sizeof(uc->buf) - 1] = '\0';
	return uc->cmd;
}

/* Logs multi-line guest text as diagnostics. */
static void diag_lines(const char *prefix, const char *text)
{
	char copy[UCALL_BUF_SIZE];

	snprintf(copy, sizeof(copy), "%s", text);
	for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n"))
		test_diag("%s%s", prefix, line);
}

void report_guest_assert(const struct ucall *uc)
{
	char copy[UCALL_BUF_SIZE];
	char *nl;

	snprintf(copy, sizeof(copy), "%s", uc->buf);
	nl = strchr(copy, '\n');
	if (nl)
		*nl++ = '\0';
	if (uc->cmd == UCALL_ASSERT && uc->args[2] == UCALL_ASSERT_RULE)
		scenario_rule_failed();
	test_diag("==== Guest assertion failed ====");
	test_diag("%s", copy);
	if (nl)
		diag_lines("  ", nl);
	TEST_FAIL("guest assertion failed");
}

static const char *vector_name(uint64_t v)
{
	static const char * const names[] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?",
		"#TS", "#NP", "#SS", "#GP", "#PF", "?", "#MF", "#AC", "#MC", "#XM", "#VE",
	};

	return v < ARRAY_SIZE(names) ? names[v] : "interrupt";
}

uint32_t vcpu_run_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	char exit_desc[512];

	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, uc)) {
		case UCALL_SYNC:
		case UCALL_DONE:
			return uc->cmd;
		case UCALL_PRINTF:
			diag_lines("guest: ", uc->buf);
			continue;
		case UCALL_ASSERT:
			report_guest_assert(uc);
		case UCALL_SKIP:
			test_skip("%s", uc->buf);
		case UCALL_UNHANDLED:
			TEST_FAIL("unexpected guest exception: vector %llu (%s), error code 0x%llx, "
				  "rip 0x%llx, cr2 0x%llx",
				  (unsigned long long)uc->args[0], vector_name(uc->args[0]),
				  (unsigned long long)uc->args[1], (unsigned long long)uc->args[2],
				  (unsigned long long)uc->args[3]);
		default:
			vcpu_describe_exit(vcpu, exit_desc, sizeof(exit_desc));
			TEST_FAIL("unexpected exit: %s", exit_desc);
		}
	}
}

void vcpu_run_expect_sync(struct kvm_vcpu *vcpu, uint64_t stage)
{
	struct ucall uc;
	uint32_t cmd = vcpu_run_ucall(vcpu, &uc);

	TEST_ASSERT(cmd == UCALL_SYNC && uc.args[0] == stage,
		    "expected the guest to sync stage %llu, got %s %llu",
		    (unsigned long long)stage, cmd == UCALL_SYNC ? "sync" : "done",
		    (unsigned long long)uc.args[0]);
}

void vcpu_run_expect_done(struct kvm_vcpu *vcpu)
{
	struct ucall uc;
	uint32_t cmd = vcpu_run_ucall(vcpu, &uc);

	TEST_ASSERT(cmd == UCALL_DONE, "expected the guest to finish, got sync %llu",
		    (unsigned long long)uc.args[0]);
}
