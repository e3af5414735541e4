/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A probe page for tests of faults on L2's accesses (EPT violations, nested
 * page faults): L2 reads, writes or calls into it through the agent, in
 * either paging mode and on either vendor.  It holds 64-bit marks, and at
 * offset 0 code that returns L2_PROBE_RESULT; data accesses use
 * L2_PROBE_DATA_OFFSET, so that a fault's address has an offset in the page.
 */
#ifndef SELFTEST_KVM_L2_PROBE_H
#define SELFTEST_KVM_L2_PROBE_H

#include <stdint.h>

#include "x86/l2_agent.h"

enum l2_access { L2_ACC_READ, L2_ACC_WRITE, L2_ACC_FETCH };

#define L2_PROBE_MARK(i)	(0x7e57000000000000ull | (i))
#define L2_PROBE_WRITE_MARK	0x5701e5701e5701e5ull
#define L2_PROBE_RESULT		0x600dca11u
#define L2_PROBE_DATA_OFFSET	0x18

/* The offset in the probe page that @access touches: a fault's address has it. */
static inline uint64_t l2_probe_offset(enum l2_access access)
{
	return access == L2_ACC_FETCH ? 0 : L2_PROBE_DATA_OFFSET;
}

/* Fills @page (one page of L1's) with the marks and the code. */
void l2_probe_page_fill(uint64_t *page);
/* L2 accesses the probe page mapped at @va; returns the exit as l2_agent_submit(). */
uint32_t l2_probe_access(struct l2_agent *a, enum l2_access access, uint64_t va);
/* After L2 completed the access: it read the mark, wrote its own, or ran the code. */
void l2_probe_assert_done(struct l2_agent *a, enum l2_access access, const uint64_t *page);

#endif /* SELFTEST_KVM_L2_PROBE_H */
