// SPDX-License-Identifier: GPL-2.0-only
/*
 * L1's MSR and I/O permission maps (AMD APM Vol. 2 15.11 "MSR Intercepts",
 * 15.10.1 "I/O Permissions Map"), shared by every vmcb12 of an L1.
 */
#include "x86/svm_l2.h"

/*
 * The MSRPM covers three ranges of 8192 MSRs, each in 2 KiB with two bits
 * per MSR: the read intercept, then the write intercept (15.11, Table 15-6).
 */
static const struct {
	uint32_t first;
	uint32_t offset;
} msrpm_ranges[] = {
	{ 0x00000000, 0x0000 },
	{ 0xc0000000, 0x0800 },
	{ 0xc0010000, 0x1000 },
};
#define MSRPM_RANGE_MSRS	0x2000

static void set_bit_to(uint8_t *map, uint32_t bit, bool value)
{
	if (value)
		map[bit / 8] |= 1u << (bit % 8);
	else
		map[bit / 8] &= ~(1u << (bit % 8));
}

void svm_intercept_msr(struct l1_svm *svm, uint32_t msr, bool read, bool write)
{
	uint8_t *map = (uint8_t *)(uintptr_t)svm->msrpm_pa;

	for (unsigned int i = 0; i < sizeof(msrpm_ranges) / sizeof(msrpm_ranges[0]); i++) {
		uint32_t index = msr - msrpm_ranges[i].first;

		if (msr < msrpm_ranges[i].first || index >= MSRPM_RANGE_MSRS)
			continue;
		set_bit_to(map + msrpm_ranges[i].offset, 2 * index, read);
		set_bit_to(map + msrpm_ranges[i].offset, 2 * index + 1, write);
		return;
	}
	/* MSRs outside the ranges are always intercepted (15.11). */
	__GUEST_ASSERT(false, "MSR 0x%x is outside the MSR permission map", msr);
}

/* One bit per port; an access of several bytes checks each byte's bit (15.10.1). */
void svm_intercept_io(struct l1_svm *svm, uint16_t port, bool intercept)
{
	set_bit_to((uint8_t *)(uintptr_t)svm->iopm_pa, port, intercept);
}
