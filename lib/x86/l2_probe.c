// SPDX-License-Identifier: GPL-2.0-only
/*
 * The probe page of x86/l2_probe.h.
 */
#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"
#include "x86/l2_probe.h"

void l2_probe_page_fill(uint64_t *page)
{
	/* xor %edx, %edx; mov $L2_PROBE_RESULT, %eax; ret: the same bytes in both modes. */
	const uint8_t code[] = {
		0x31, 0xd2, 0xb8, L2_PROBE_RESULT & 0xff, (L2_PROBE_RESULT >> 8) & 0xff,
		(L2_PROBE_RESULT >> 16) & 0xff, L2_PROBE_RESULT >> 24, 0xc3,
	};

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
		page[i] = L2_PROBE_MARK(i);
	for (unsigned int i = 0; i < sizeof(code); i++)
		((uint8_t *)page)[i] = code[i];
}

uint32_t l2_probe_access(struct l2_agent *a, enum l2_access access, uint64_t va)
{
	switch (access) {
	case L2_ACC_READ:
		return l2_agent_submit(a, L2_OP_READ, va + L2_PROBE_DATA_OFFSET, 0);
	case L2_ACC_WRITE:
		return l2_agent_submit(a, L2_OP_WRITE, va + L2_PROBE_DATA_OFFSET,
				       L2_PROBE_WRITE_MARK);
	default:
		return l2_agent_submit(a, L2_OP_CALL, va, 0);
	}
}

void l2_probe_assert_done(struct l2_agent *a, enum l2_access access, const uint64_t *page)
{
	uint64_t result = a->req->result;

	switch (access) {
	case L2_ACC_READ:
		GUEST_ASSERT_EQ(result, L2_PROBE_MARK(L2_PROBE_DATA_OFFSET / 8));
		break;
	case L2_ACC_WRITE:
		GUEST_ASSERT_EQ(page[L2_PROBE_DATA_OFFSET / 8], L2_PROBE_WRITE_MARK);
		break;
	default:
		GUEST_ASSERT_EQ(result, L2_PROBE_RESULT);
	}
}
