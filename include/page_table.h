/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Builder for x86 paging structures, shared by the host (L1's tables),
 * by L1 guest code (L2's tables and EPT) and by the host unit tests.
 * Memory is reached through callbacks, so the same code works on guest
 * memory seen from the host, on identity-mapped memory inside a guest and
 * on plain host buffers.
 *
 * Formats (SDM Vol. 3A 4.5 4-level paging, 4.4 PAE paging; Vol. 3C 29.3 EPT):
 * levels are numbered from the leaf: 1 = PTE, 2 = PDE, 3 = PDPTE, 4 = PML4E.
 */
#ifndef NST_PAGE_TABLE_H
#define NST_PAGE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

enum pt_format {
	PT_4LEVEL,	/* 4-level paging: PML4 root, 48-bit linear addresses */
	PT_PAE,		/* PAE paging: a 4-entry PDPT root, 32-bit linear addresses */
	PT_EPT,		/* 4-level EPT: guest-physical to host-physical */
};

/* EPT entry bits (SDM Vol. 3C 29.3.2). */
#define EPT_R		(1ull << 0)
#define EPT_W		(1ull << 1)
#define EPT_X		(1ull << 2)
#define EPT_RWX		(EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT	3		/* memory type, leaf entries */
#define EPT_MT_UC	0ull
#define EPT_MT_WB	6ull
#define EPT_IGNORE_PAT	(1ull << 6)
#define EPT_LARGE	(1ull << 7)
#define EPT_A		(1ull << 8)
#define EPT_D		(1ull << 9)

struct page_table {
	enum pt_format format;
	uint64_t root;			/* physical address of the top-level table */
	/* Returns a pointer through which the table page at @pa is accessed. */
	void *(*map)(void *ctx, uint64_t pa);
	/* Returns the physical address of a new, zeroed page; 0 if none left. */
	uint64_t (*alloc)(void *ctx);
	void *ctx;
};

/* Allocates the root table; false if the allocator is exhausted. */
bool pt_init(struct page_table *pt, enum pt_format format,
	     void *(*map)(void *ctx, uint64_t pa), uint64_t (*alloc)(void *ctx), void *ctx);

/* Number of levels the format walks (4, 3 for PAE). */
int pt_levels(const struct page_table *pt);

/*
 * Returns the entry for @va at @level, allocating the intermediate tables
 * when @create is set (with the format's permissive non-leaf flags); NULL
 * if a table on the way is absent (or cannot be allocated), or if @va is
 * outside what the format translates.
 */
uint64_t *pt_entry(struct page_table *pt, uint64_t va, int level, bool create);

/* Maps the 4 KiB page at @va to @pa with leaf @flags; false on failure. */
bool pt_map(struct page_table *pt, uint64_t va, uint64_t pa, uint64_t flags);
/* Maps [va, va + size) to [pa, pa + size) with 4 KiB pages. */
bool pt_map_range(struct page_table *pt, uint64_t va, uint64_t pa, uint64_t size,
		  uint64_t flags);
/* Clears the leaf entry of @va, if any; returns its old value. */
uint64_t pt_unmap(struct page_table *pt, uint64_t va);
/* Walks the tables; true and *pa set if @va is mapped by a present leaf. */
bool pt_translate(struct page_table *pt, uint64_t va, uint64_t *pa);

/* The flags pt_entry() gives a non-leaf entry of @format at @level. */
uint64_t pt_table_flags(enum pt_format format, int level);
/* True if the entry is present (EPT: readable, writable or executable). */
bool pt_entry_present(enum pt_format format, uint64_t entry);

#endif /* NST_PAGE_TABLE_H */
