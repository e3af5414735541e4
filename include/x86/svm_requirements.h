/* SPDX-License-Identifier: GPL-2.0-only */
/* Host side of SVM: requirements, to skip before a VM starts. */
#ifndef SELFTEST_KVM_SVM_REQUIREMENTS_H
#define SELFTEST_KVM_SVM_REQUIREMENTS_H

/* NULL when KVM offers nested SVM to guests, else what is missing. */
const char *svm_requirement_problem(void);
/* Skips the test (__TEST_REQUIRE) unless KVM offers nested SVM. */
void svm_requirements(void);

/* What a scenario needs of KVM's nested SVM, for svm_needs_problem(). */
enum svm_need {
	SVM_NEED_NPT = 1 << 0,		/* nested paging for L2 */
	SVM_NEED_NESTED_STATE = 1 << 1,	/* KVM_GET/SET_NESTED_STATE */
};

/* NULL if KVM offers everything in @needs (enum svm_need bits), else what is missing. */
const char *svm_needs_problem(unsigned int needs);

#endif /* SELFTEST_KVM_SVM_REQUIREMENTS_H */
