/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GUEST_SKIP(): guest code found that the vCPU lacks something the test
 * needs (a VMX control KVM does not offer L1, say).  The host's
 * vcpu_run_ucall() (x86/l1_vm.h) then skips the test with the message.
 */
#ifndef SELFTEST_KVM_GUEST_SKIP_H
#define SELFTEST_KVM_GUEST_SKIP_H

#include "ucall_common.h"

/* A ucall command of ours, outside the library's enum ("SKIP"). */
#define UCALL_GUEST_SKIP	0x534b4950ull

#define GUEST_SKIP(fmt, args...)						\
do {										\
	ucall_fmt(UCALL_GUEST_SKIP, fmt, ##args);				\
	GUEST_FAIL("resumed after GUEST_SKIP");					\
} while (0)

#endif /* SELFTEST_KVM_GUEST_SKIP_H */
