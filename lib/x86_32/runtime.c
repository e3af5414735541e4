// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a freestanding 32-bit L1 needs besides its own code: the self-check
 * flag the host sets in the image, and the 64-bit division that the
 * compiler calls for guest_vsnprintf() (libgcc's, which a 64-bit
 * toolchain without multilib lacks).
 */
#include <stdbool.h>
#include <stdint.h>

bool guest_inverted;

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0, r = 0;

	for (int bit = 63; bit >= 0; bit--) {
		r = r << 1 | ((n >> bit) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ull << bit;
		}
	}
	if (rem)
		*rem = r;
	return q;
}
