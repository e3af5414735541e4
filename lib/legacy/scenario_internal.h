/* SPDX-License-Identifier: GPL-2.0-only */
/* Between the scenario runner and the host assert code. */
#ifndef NST_SCENARIO_INTERNAL_H
#define NST_SCENARIO_INTERNAL_H

/*
 * Ends the current scenario with a kselftest code (KSFT_FAIL or KSFT_SKIP)
 * and, for a skip, its reason.  Outside a scenario it ends the program.
 */
void scenario_end(int code, const char *reason) __attribute__((noreturn));

/* Marks the failure about to end the scenario as its rule's own assertion. */
void scenario_rule_failed(void);

#endif /* NST_SCENARIO_INTERNAL_H */
