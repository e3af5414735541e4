// SPDX-License-Identifier: GPL-2.0-only
/* The self-check flag of a 32-bit L1, which the host sets in its image. */
#include <stdbool.h>

bool guest_inverted;
