/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by nested_pae_l1_test's host side and its 32-bit L1. */
#ifndef SELFTEST_KVM_NESTED_PAE_L1_TEST_H
#define SELFTEST_KVM_NESTED_PAE_L1_TEST_H

#define WINDOW		0xc0000000u	/* PDPTE 3 in both L1's and L2's tables */
#define WINDOW_PDPTE	3
#define MARK_L1(i)	(0x1111000000000000ull + (i))
#define MARK_L2(i)	(0x2222000000000000ull + (i))
#define TSC_BIG		(1ull << 50)

/* The argument the host gives the 32-bit L1. */
enum { SC_APART, SC_L2_CR3, SC_L1_PDPT, SC_HIGH, SC_SAVE_RESTORE };
#define ARG_SCENARIO_MASK	0xff
#define ARG_EPT			(1u << 8)
#define ARG_VPID		(1u << 9)

#define STAGE_L2_ACTIVE		1
#define STAGE_L1_ACTIVE		2

#endif /* SELFTEST_KVM_NESTED_PAE_L1_TEST_H */
