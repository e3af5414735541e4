// SPDX-License-Identifier: GPL-2.0-only
/* The guest page allocator (see page_pool.h). */
#include "page_pool.h"
#include "ucall.h"

/* Set up by the host when it creates the VM; the guest's copy is the live one. */
struct page_pool guest_page_pool;

uint64_t page_pool_alloc(struct page_pool *pool, uint64_t npages)
{
	uint64_t start = pool->next;

	if (!npages || npages > (pool->end - start) / 4096)
		return 0;
	pool->next = start + npages * 4096;
	return start;
}

void *guest_alloc_pages(uint64_t npages)
{
	uint64_t pa = page_pool_alloc(&guest_page_pool, npages);
	uint64_t *p = (uint64_t *)(uintptr_t)pa;

	GUEST_ASSERT_MSG(pa, "guest page pool exhausted (%llu pages wanted)",
			 (unsigned long long)npages);
	for (uint64_t i = 0; i < npages * 512; i++)
		p[i] = 0;
	return p;
}

uint64_t guest_alloc_page(void)
{
	return (uintptr_t)guest_alloc_pages(1);
}
