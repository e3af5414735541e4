// SPDX-License-Identifier: GPL-2.0-only
/* L1's page pool (see x86/l1_memory.h). */
#include "ucall_common.h"
#include "x86/l1_memory.h"

struct guest_page_pool guest_page_pool;
struct l1_memory l1_memory;

void *guest_alloc_pages(uint64_t npages)
{
	uint64_t start = guest_page_pool.next;
	uint64_t *p = (uint64_t *)(uintptr_t)start;

	__GUEST_ASSERT(npages && npages <= (guest_page_pool.end - start) / 4096,
		       "L1's page pool is exhausted (%lu pages wanted)", npages);
	guest_page_pool.next = start + npages * 4096;
	for (uint64_t i = 0; i < npages * 512; i++)
		p[i] = 0;
	return p;
}

uint64_t guest_alloc_page(void)
{
	return (uintptr_t)guest_alloc_pages(1);
}

uint64_t guest_pool_hva(const void *p)
{
	return (uintptr_t)p + guest_page_pool.hva_offset;
}
