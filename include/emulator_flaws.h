/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Known flaws of the emulated lab's CPUs (lab/README.md, "Limits").  A
 * scenario that sees one of their symptoms may skip only where the lab
 * says, through NST_EMULATOR, that it runs an emulator with that flaw.
 * Anywhere else, real hardware included, the symptom breaks the scenario's
 * rule and the scenario fails at it: there the fault is KVM's.
 *
 * NST_EMULATOR is "bochs-2.7", "bochs-3.0", "tcg" (set by lab/vmtest) or
 * "none", the default.
 */
#ifndef SELFTEST_KVM_EMULATOR_FLAWS_H
#define SELFTEST_KVM_EMULATOR_FLAWS_H

#include <stdbool.h>
#include <stdint.h>

#include "x86/guest_skip.h"
#include "self_check.h"

/*
 * A VM exit for VMCALL leaves L2's single-step state in the pending debug
 * exceptions field, which SDM Vol. 3C 28.3.4 clears for that exit.
 */
#define EMULATOR_FLAW_PENDING_DBG_SAVED_AT_EVERY_EXIT	(1ull << 0)
/*
 * The CPU's own walk sets the accessed flag (bit 5) in legacy-PAE PDPTEs,
 * a bit AMD APM Vol. 2 5.3 ("PAE paging", the PDPE format) reserves.
 */
#define EMULATOR_FLAW_PAE_PDPTE_ACCESSED		(1ull << 1)
/*
 * INVD, RDTSCP and INT3 are checked against the intercepts of WBINVD,
 * RDTSC and INTn (AMD APM Vol. 2 15.9, 15.12: each has its own).
 */
#define EMULATOR_FLAW_SVM_INTERCEPT_ALIASES		(1ull << 2)

/* The flaws of the emulator NST_EMULATOR names, set in each VM's copy. */
extern uint64_t emulator_flaws;

/* Reads NST_EMULATOR into emulator_flaws; false, with a message, for a bad value. */
bool emulator_flaws_setup(void);

/*
 * Guest code saw @actual where a rule requires @good.  Where the lab's
 * emulator has @flaw and @actual is not @good, the scenario skips with the
 * message; elsewhere this is the rule's assertion.  It never inverts: it
 * guards the scenario, it is not the scenario's own rule.
 */
#define GUEST_ASSERT_RULE_UNLESS_FLAW(flaw, actual, good, fmt, args...)		\
do {										\
	uint64_t __fa = (uint64_t)(actual), __fg = (uint64_t)(good);		\
										\
	if (__fa != __fg && (emulator_flaws & (flaw)))				\
		GUEST_SKIP(fmt " (a known flaw of the emulator NST_EMULATOR names)", ##args);	\
	____GUEST_ASSERT(__fa == __fg, RULE_ASSERT_TAG #actual,		\
			 "%#lx, expected %#lx: " fmt, __fa, __fg, ##args);	\
} while (0)

#endif /* SELFTEST_KVM_EMULATOR_FLAWS_H */
