// SPDX-License-Identifier: GPL-2.0-only
/* The lab's emulator and its known flaws (emulator_flaws.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator_flaws.h"

uint64_t emulator_flaws;

static const struct {
	const char *name;
	uint64_t flaws;
} emulators[] = {
	{ "none", 0 },
	{ "bochs-2.7", EMULATOR_FLAW_PENDING_DBG_SAVED_AT_EVERY_EXIT },
	{ "bochs-3.0", 0 },
	{ "tcg", EMULATOR_FLAW_PAE_PDPTE_ACCESSED | EMULATOR_FLAW_SVM_INTERCEPT_ALIASES },
};

bool emulator_flaws_setup(void)
{
	const char *env = getenv("NST_EMULATOR");
	unsigned int i;

	emulator_flaws = 0;
	if (!env || !*env)
		return true;
	for (i = 0; i < sizeof(emulators) / sizeof(emulators[0]); i++) {
		if (!strcmp(env, emulators[i].name)) {
			emulator_flaws = emulators[i].flaws;
			return true;
		}
	}
	fprintf(stderr, "NST_EMULATOR=%s: expected none, bochs-2.7, bochs-3.0 or tcg\n", env);
	return false;
}
