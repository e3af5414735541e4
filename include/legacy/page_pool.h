/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest page allocator.  One pool lives in guest memory; the host
 * allocates from it while building a VM and L1 guest code allocates from
 * the same pool afterwards, so their pages never overlap.
 */
#ifndef NST_PAGE_POOL_H
#define NST_PAGE_POOL_H

#include <stdint.h>

struct page_pool {
	uint64_t next;		/* guest-physical address of the next free page */
	uint64_t end;		/* first guest-physical address past the pool */
};

/* Returns the address of @npages contiguous pages (not zeroed), 0 if none. */
uint64_t page_pool_alloc(struct page_pool *pool, uint64_t npages);

/* The guest's view of the pool (its copy in guest memory). */
extern struct page_pool guest_page_pool;

/* Guest side: @npages zeroed, identity-mapped pages; asserts on exhaustion. */
void *guest_alloc_pages(uint64_t npages);
uint64_t guest_alloc_page(void);	/* one zeroed page, its address */

#endif /* NST_PAGE_POOL_H */
