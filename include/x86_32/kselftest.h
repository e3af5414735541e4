/* SPDX-License-Identifier: GPL-2.0-only */
/* A 32-bit L1 has no kselftest runner: the names guest code may see. */
#ifndef SELFTEST_KVM_X86_32_KSELFTEST_H
#define SELFTEST_KVM_X86_32_KSELFTEST_H

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

#endif /* SELFTEST_KVM_X86_32_KSELFTEST_H */
