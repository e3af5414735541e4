// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest memory backing: anonymous memory, optionally bound to one NUMA
 * node with libnuma (--numa-node N or NST_NUMA_NODE=N).
 */
#include <numa.h>
#include <numaif.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "kvm_util.h"
#include "numa_mem.h"

static int default_node = -1;

void vm_set_default_numa_node(int node)
{
	default_node = node;
}

int vm_default_numa_node(void)
{
	return default_node;
}

const char *numa_node_problem(int node)
{
	static char why[96];

	if (node < 0)
		return NULL;
	if (numa_available() < 0)
		return "NUMA placement requested, but the host has no NUMA support";
	if (node > numa_max_node() || !numa_bitmask_isbitset(numa_all_nodes_ptr, node)) {
		snprintf(why, sizeof(why), "no NUMA node %d on this host (highest is %d)", node,
			 numa_max_node());
		return why;
	}
	return NULL;
}

void *guest_mem_alloc(uint64_t size, int node)
{
	const char *problem = numa_node_problem(node);
	void *mem;

	TEST_ASSERT(!problem, "%s", problem);
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap of %llu bytes of guest memory",
		    (unsigned long long)size);
	/* Before the first touch, so that every page is allocated on @node. */
	if (node >= 0)
		numa_tonode_memory(mem, size, node);
	return mem;
}

int guest_mem_node(void *addr)
{
	int node = -1;

	if (get_mempolicy(&node, NULL, 0, addr, MPOL_F_NODE | MPOL_F_ADDR))
		return -1;
	return node;
}

/*
 * libnuma's lookup of a device's NUMA affinity, which only libnuma's
 * device-affinity calls use (the suite makes none).  Defining it here keeps
 * the static link from pulling in libnuma's affinity.o, and with it
 * getaddrinfo(), which glibc cannot provide to static binaries.
 */
int resolve_affinity(const char *id, struct bitmask *mask);
int resolve_affinity(const char *id, struct bitmask *mask)
{
	errno = ENOSYS;
	return -1;
}
