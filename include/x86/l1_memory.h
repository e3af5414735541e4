/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory for L1 guest code that builds paging structures for L2: a pool of
 * pages in a memslot of its own, identity mapped for L1 (a page's address
 * is its guest-physical address, so L1 can put it in a page-table entry
 * and still reach it), and a description of everything else L1 maps, so
 * that L1 can give L2 the same view of the test's code and data.
 *
 * The host sets both up with l1_vm_create() (x86/l1_vm.h); L1 allocates
 * with guest_alloc_pages().
 */
#ifndef SELFTEST_KVM_L1_MEMORY_H
#define SELFTEST_KVM_L1_MEMORY_H

#include <stdint.h>

/* The pool's memslot, below 4 GiB so that a PAE L2 reaches it. */
#define L1_POOL_SLOT		10
#define L1_POOL_GPA		0x40000000ull
#define L1_POOL_DEFAULT_PAGES	8192
#define L1_MAX_RANGES		64

/* 64-bit fields only, as struct l1_memory. */
struct guest_page_pool {
	uint64_t next;		/* the next free page */
	uint64_t end;		/* first address past the pool */
	uint64_t hva_offset;	/* host virtual address minus guest address, in the pool */
};

/* A run of pages L1 maps: [gva, gva + npages pages) -> [gpa, ...). */
struct l1_range {
	uint64_t gva;
	uint64_t gpa;
	uint64_t npages;
};

/*
 * What the host mapped for L1 and which guest-physical memory exists.
 * 64-bit fields only: a 32-bit L1 (x86/l1_32.h) reads the host's layout.
 */
struct l1_memory {
	uint64_t nr_mapped;
	struct l1_range mapped[L1_MAX_RANGES];	/* every page of L1's page tables */
	uint64_t nr_slots;
	struct l1_range slots[L1_MAX_RANGES];	/* memslots: gva == gpa */
};

_Static_assert(sizeof(struct l1_range) == 24 && sizeof(struct guest_page_pool) == 24 &&
	       sizeof(struct l1_memory) == 16 + 2 * L1_MAX_RANGES * 24,
	       "one layout for 64-bit and 32-bit L1s");

/* The guest's copies are the live ones. */
extern struct guest_page_pool guest_page_pool;
extern struct l1_memory l1_memory;

/* Guest side: @npages zeroed pages of the pool; asserts on exhaustion. */
void *guest_alloc_pages(uint64_t npages);
uint64_t guest_alloc_page(void);	/* one zeroed page, its address */
/* The host's address of pool memory at @p, for a ucall made from L2. */
uint64_t guest_pool_hva(const void *p);

#endif /* SELFTEST_KVM_L1_MEMORY_H */
