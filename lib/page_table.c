// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 paging-structure builder (see page_table.h).  Freestanding: it runs
 * on the host, in 64-bit guests and in 32-bit guests.
 */
#include <stddef.h>

#include "page_table.h"

#define PT_P		(1ull << 0)
#define PT_RW		(1ull << 1)
#define PT_US		(1ull << 2)
#define PT_PS		(1ull << 7)
#define PT_ADDR_MASK	0x000ffffffffff000ull

int pt_levels(const struct page_table *pt)
{
	return pt->format == PT_PAE ? 3 : 4;
}

uint64_t pt_table_flags(enum pt_format format, int level)
{
	switch (format) {
	case PT_EPT:
		return EPT_RWX;
	case PT_PAE:
		/* PDPTE bits 1, 2 and 5-8 are reserved (SDM Vol. 3A 4.4.1). */
		if (level == 3)
			return PT_P;
		return PT_P | PT_RW | PT_US;
	default:
		return PT_P | PT_RW | PT_US;
	}
}

bool pt_entry_present(enum pt_format format, uint64_t entry)
{
	if (format == PT_EPT)
		return entry & EPT_RWX;
	return entry & PT_P;
}

static bool is_large(enum pt_format format, uint64_t entry, int level)
{
	if (level == 1)
		return false;
	if (format == PT_PAE && level == 3)
		return false;
	return entry & (format == PT_EPT ? EPT_LARGE : PT_PS);
}

static bool va_in_range(const struct page_table *pt, uint64_t va)
{
	if (pt->format == PT_PAE)
		return va < (1ull << 32);
	if (pt->format == PT_EPT)
		return va < (1ull << 48);
	/* Canonical 48-bit linear address: bits 63:47 all equal. */
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

static unsigned int pt_index(const struct page_table *pt, uint64_t va, int level)
{
	unsigned int shift = 12 + 9 * (level - 1);

	if (pt->format == PT_PAE && level == 3)
		return (va >> 30) & 3;
	return (va >> shift) & 511;
}

bool pt_init(struct page_table *pt, enum pt_format format,
	     void *(*map)(void *ctx, uint64_t pa), uint64_t (*alloc)(void *ctx), void *ctx)
{
	pt->format = format;
	pt->map = map;
	pt->alloc = alloc;
	pt->ctx = ctx;
	pt->root = alloc(ctx);
	return pt->root != 0;
}

uint64_t *pt_entry(struct page_table *pt, uint64_t va, int level, bool create)
{
	uint64_t table = pt->root;

	if (!va_in_range(pt, va) || level < 1 || level > pt_levels(pt))
		return NULL;
	for (int l = pt_levels(pt); ; l--) {
		uint64_t *entry = (uint64_t *)pt->map(pt->ctx, table) + pt_index(pt, va, l);
		uint64_t next;

		if (l == level)
			return entry;
		if (!pt_entry_present(pt->format, *entry)) {
			if (!create)
				return NULL;
			next = pt->alloc(pt->ctx);
			if (!next)
				return NULL;
			*entry = next | pt_table_flags(pt->format, l);
		} else if (is_large(pt->format, *entry, l)) {
			return NULL;
		}
		table = *entry & PT_ADDR_MASK;
	}
}

bool pt_map(struct page_table *pt, uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t *pte = pt_entry(pt, va, 1, true);

	if (!pte)
		return false;
	if (pt->format != PT_EPT)
		flags |= PT_P;
	*pte = (pa & PT_ADDR_MASK) | flags;
	return true;
}

bool pt_map_range(struct page_table *pt, uint64_t va, uint64_t pa, uint64_t size,
		  uint64_t flags)
{
	for (uint64_t off = 0; off < size; off += 4096)
		if (!pt_map(pt, va + off, pa + off, flags))
			return false;
	return true;
}

uint64_t pt_unmap(struct page_table *pt, uint64_t va)
{
	uint64_t *pte = pt_entry(pt, va, 1, false);
	uint64_t old = 0;

	if (pte) {
		old = *pte;
		*pte = 0;
	}
	return old;
}

bool pt_translate(struct page_table *pt, uint64_t va, uint64_t *pa)
{
	uint64_t table = pt->root;

	if (!va_in_range(pt, va))
		return false;
	for (int l = pt_levels(pt); l >= 1; l--) {
		uint64_t entry = ((uint64_t *)pt->map(pt->ctx, table))[pt_index(pt, va, l)];
		uint64_t page_size = 1ull << (12 + 9 * (l - 1));

		if (!pt_entry_present(pt->format, entry))
			return false;
		if (l == 1 || is_large(pt->format, entry, l)) {
			*pa = (entry & PT_ADDR_MASK & ~(page_size - 1)) | (va & (page_size - 1));
			return true;
		}
		table = entry & PT_ADDR_MASK;
	}
	return false;
}
