// SPDX-License-Identifier: GPL-2.0-only
/*
 * The unit tests link the scenario runner without the VM library; this
 * stands in for its dependencies there, and runs a table of unit cases.
 */
#include "unit.h"

bool guest_inverted;

void vm_set_default_numa_node(int node);
void vm_set_default_numa_node(int node)
{
}

int unit_main(const struct unit_case *cases, unsigned int n)
{
	struct ktap k;

	ktap_init(&k, stdout);
	ktap_header(&k, n);
	for (unsigned int i = 0; i < n; i++)
		ktap_report(&k, cases[i].run() ? KTAP_PASS : KTAP_FAIL, cases[i].name, NULL);
	return ktap_finish(&k);
}
