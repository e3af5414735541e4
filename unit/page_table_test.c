// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the paging-structure builder on a plain host buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "page_table.h"
#include "unit.h"

#define MEM_BASE	0x100000ull
#define MEM_PAGES	64

static uint8_t mem[MEM_PAGES * 4096] __attribute__((aligned(4096)));
static unsigned int next_page, page_limit;

static void *map(void *ctx, uint64_t pa)
{
	return mem + (pa - MEM_BASE);
}

static uint64_t alloc(void *ctx)
{
	if (next_page >= page_limit)
		return 0;
	memset(mem + next_page * 4096, 0, 4096);
	return MEM_BASE + 4096ull * next_page++;
}

static struct page_table new_pt(enum pt_format format)
{
	struct page_table pt;

	next_page = 0;
	page_limit = MEM_PAGES;
	memset(mem, 0xcc, sizeof(mem));		/* pages must come back zeroed */
	pt_init(&pt, format, map, alloc, NULL);
	return pt;
}

static bool four_level_map_translate(void)
{
	struct page_table pt = new_pt(PT_4LEVEL);
	uint64_t pa = 0;

	UNIT_CHECK(pt_map(&pt, 0x1234000, 0x5000, 1ull << 1));
	UNIT_CHECK(pt_translate(&pt, 0x1234abc, &pa) && pa == 0x5abc);
	UNIT_CHECK(*pt_entry(&pt, 0x1234000, 1, false) == (0x5000 | 3));
	/* Non-leaf entries are present, writable and user (SDM Vol. 3A 4.5). */
	for (int level = 2; level <= 4; level++)
		UNIT_CHECK((*pt_entry(&pt, 0x1234000, level, false) & 7) == 7);
	UNIT_CHECK(!pt_translate(&pt, 0x1235000, &pa));
	UNIT_CHECK(next_page == 4);		/* root + PDPT + PD + PT */
	return true;
}

static bool four_level_canonical(void)
{
	struct page_table pt = new_pt(PT_4LEVEL);
	uint64_t pa = 0;

	UNIT_CHECK(!pt_map(&pt, 0x0000800000000000ull, 0x5000, 0));
	UNIT_CHECK(pt_map(&pt, 0xffff800000001000ull, 0x6000, 0));
	/* Bit 47 selects the upper half of the PML4. */
	UNIT_CHECK(((uint64_t *)map(NULL, pt.root))[256] != 0);
	UNIT_CHECK(pt_translate(&pt, 0xffff800000001008ull, &pa) && pa == 0x6008);
	return true;
}

static bool unmap_returns_old_entry(void)
{
	struct page_table pt = new_pt(PT_4LEVEL);
	uint64_t pa;

	UNIT_CHECK(pt_map(&pt, 0x400000, 0x7000, 0));
	UNIT_CHECK(pt_unmap(&pt, 0x400000) == (0x7000 | 1));
	UNIT_CHECK(!pt_translate(&pt, 0x400000, &pa));
	UNIT_CHECK(pt_unmap(&pt, 0x800000000ull) == 0);
	return true;
}

static bool pae_pdpte_layout(void)
{
	struct page_table pt = new_pt(PT_PAE);
	uint64_t *pdpte, pa = 0;

	UNIT_CHECK(pt_levels(&pt) == 3);
	UNIT_CHECK(pt_map(&pt, 0xc0001000, 0x9000, 1ull << 1));
	/* PDPT index is bits 31:30; PDPTE bits 1, 2, 5-8 are reserved (SDM Vol. 3A 4.4.1). */
	pdpte = map(NULL, pt.root);
	UNIT_CHECK(pdpte[3] && !pdpte[0] && !pdpte[1] && !pdpte[2]);
	UNIT_CHECK((pdpte[3] & 0xfff) == 1);
	UNIT_CHECK(pt_translate(&pt, 0xc0001ffc, &pa) && pa == 0x9ffc);
	UNIT_CHECK(!pt_map(&pt, 0x100000000ull, 0x9000, 0));
	return true;
}

static bool ept_entries(void)
{
	struct page_table pt = new_pt(PT_EPT);
	uint64_t pa = 0;

	UNIT_CHECK(pt_map(&pt, 0x200000, 0xa000, EPT_R | (EPT_MT_WB << EPT_MT_SHIFT)));
	UNIT_CHECK(*pt_entry(&pt, 0x200000, 1, false) == (0xa000 | EPT_R | 0x30));
	for (int level = 2; level <= 4; level++)
		UNIT_CHECK((*pt_entry(&pt, 0x200000, level, false) & 7) == EPT_RWX);
	UNIT_CHECK(pt_translate(&pt, 0x200123, &pa) && pa == 0xa123);
	/* An EPT entry with no permission is not present. */
	*pt_entry(&pt, 0x200000, 1, false) &= ~EPT_R;
	UNIT_CHECK(!pt_translate(&pt, 0x200123, &pa));
	return true;
}

static bool large_pages(void)
{
	struct page_table pt = new_pt(PT_4LEVEL);
	uint64_t pa = 0;

	*pt_entry(&pt, 0x40000000, 2, true) = 0x600000 | 0x83;	/* 2 MiB page */
	UNIT_CHECK(pt_translate(&pt, 0x40012345, &pa) && pa == 0x612345);
	UNIT_CHECK(!pt_entry(&pt, 0x40000000, 1, true));
	return true;
}

static bool allocation_failure(void)
{
	struct page_table pt = new_pt(PT_4LEVEL);

	page_limit = 2;
	UNIT_CHECK(!pt_map(&pt, 0x1000, 0x1000, 0));
	return true;
}

int main(void)
{
	static const struct unit_case cases[] = {
		{ "four_level_map_translate", four_level_map_translate },
		{ "four_level_canonical", four_level_canonical },
		{ "unmap_returns_old_entry", unmap_returns_old_entry },
		{ "pae_pdpte_layout", pae_pdpte_layout },
		{ "ept_entries", ept_entries },
		{ "large_pages", large_pages },
		{ "allocation_failure", allocation_failure },
	};

	return unit_main(cases, sizeof(cases) / sizeof(cases[0]));
}
