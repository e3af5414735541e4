/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest memory backing with optional NUMA placement (lib-internal). */
#ifndef NST_NUMA_MEM_H
#define NST_NUMA_MEM_H

#include <stdint.h>

/* NULL if @node (-1: none) can be used, else why not. */
const char *numa_node_problem(int node);
/* Anonymous memory for a memory slot, bound to @node when it is >= 0. */
void *guest_mem_alloc(uint64_t size, int node);
/* The node holding the (touched) page at @addr, -1 if unknown. */
int guest_mem_node(void *addr);

#endif /* NST_NUMA_MEM_H */
