// SPDX-License-Identifier: GPL-2.0-only
/*
 * The inverted-run flag of the self-check (include/self_check.h): the
 * runner (lib/scenario_runner.c) sets it in each run's process, before the
 * scenario creates its VMs, which copy it into the guest.
 */
#include <stdbool.h>

#include "self_check.h"

bool guest_inverted;

bool scenario_inverted(void)
{
	return guest_inverted;
}
