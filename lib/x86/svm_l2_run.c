// SPDX-License-Identifier: GPL-2.0-only
/* L1's SVM run loop and exit reporting (see x86/svm_l2.h). */
#include "self_check.h"
#include "x86/svm_l2.h"

uint64_t svm_run(struct l1_svm *svm, struct l2_vmcb *v)
{
	struct vmcb *vmcb = v->vmcb;

	vmcb->save.rax = v->regs.rax;
	svm_enter(&v->regs, (uintptr_t)vmcb, svm->host_save_pa);
	v->regs.rax = vmcb->save.rax;
	return svm_exit_code(vmcb);
}

/*
 * By the length the caller knows: NextRIP (APM 15.7.1) needs NRIP save,
 * which L1 may lack, and a run must not depend on it.
 */
void svm_skip_instruction(struct l2_vmcb *v, unsigned int len)
{
	v->vmcb->save.rip += len;
}

static const struct {
	uint64_t code;
	const char *name;
} exit_names[] = { SVM_EXIT_REASONS };

const char *svm_exit_name(uint64_t code)
{
	for (unsigned int i = 0; i < sizeof(exit_names) / sizeof(exit_names[0]); i++)
		if (exit_names[i].code == code)
			return exit_names[i].name;
	return "?";
}

static void describe_exit(char *buf, int size, const struct l2_vmcb *v, uint64_t got,
			  uint64_t want)
{
	const struct vmcb_control_area *c = &v->vmcb->control;

	guest_snprintf(buf, size, "#VMEXIT 0x%lx (%s) at L2 rip 0x%lx, EXITINFO1 0x%lx, "
		       "EXITINFO2 0x%lx, EXITINTINFO 0x%x; wanted 0x%lx (%s)", got,
		       svm_exit_name(got), v->vmcb->save.rip, c->exit_info_1, c->exit_info_2,
		       c->exit_int_info, want, svm_exit_name(want));
}

void __svm_assert_exit(const char *file, int line, const struct l2_vmcb *v, uint64_t got,
		       uint64_t want)
{
	char desc[256];

	if (got == want)
		return;
	describe_exit(desc, sizeof(desc), v, got, want);
	ucall_assert(UCALL_ABORT, "#VMEXIT", file, line, "%s", desc);
}

void __svm_assert_exit_rule(const char *file, int line, const struct l2_vmcb *v, uint64_t got,
			    uint64_t good, uint64_t bad)
{
	uint64_t want = guest_inverted ? bad : good;
	char desc[256];

	if (got == want)
		return;
	describe_exit(desc, sizeof(desc), v, got, want);
	ucall_assert(UCALL_ABORT, RULE_ASSERT_TAG "#VMEXIT code", file, line,
		     "%s (%s run; the rule requires 0x%lx)", desc,
		     guest_inverted ? "inverted" : "normal", good);
}
