// SPDX-License-Identifier: GPL-2.0-only
/* L2 page tables and EPT built by L1 (see x86/l2_paging.h). */
#include "x86/l1_memory.h"
#include "x86/l2_paging.h"

#define EPTP_WALK_LENGTH_4	(3ull << 3)
#define EPTP_MT_WB		6ull
#define EPTP_MT_UC		0ull
#define EPTP_AD			(1ull << 6)

/* Pool pages are identity mapped for L1: a table's address is a pointer to it. */
static void *identity(void *ctx, uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static uint64_t pool_page(void *ctx)
{
	return guest_alloc_page();
}

static void map_ranges(struct page_table *pt, const struct l1_range *r, uint64_t nr,
		       uint64_t flags)
{
	for (uint64_t i = 0; i < nr; i++)
		__GUEST_ASSERT(pt_map_range(pt, r[i].gva, r[i].gpa, r[i].npages * 4096, flags),
			       "cannot map %#lx-%#lx (L1's page pool exhausted, or above 4 GiB "
			       "for a PAE L2)", r[i].gva, r[i].gva + r[i].npages * 4096);
}

static void create(struct page_table *pt, enum pt_format format)
{
	__GUEST_ASSERT(pt_init(pt, format, identity, pool_page, NULL),
		       "L1's page pool is exhausted");
}

uint64_t l2_mode_cr4(uint64_t cr4, enum l2_mode mode, bool own_tables)
{
	if (mode != L2_LONG_MODE)
		cr4 &= ~(X86_CR4_PCIDE | X86_CR4_FSGSBASE);
	if (own_tables)
		cr4 &= ~X86_CR4_LA57;
	return cr4;
}

void l2_pt_create(struct page_table *pt, enum l2_mode mode)
{
	l2_pt_create_empty(pt, mode);
	map_ranges(pt, l1_memory.mapped, l1_memory.nr_mapped, L2_PTE_RW);
}

void l2_pt_map(struct page_table *pt, uint64_t va, uint64_t pa)
{
	__GUEST_ASSERT(pt_map(pt, va, pa, L2_PTE_RW), "cannot map L2 address 0x%llx",
			 (unsigned long long)va);
}

void l2_pt_create_empty(struct page_table *pt, enum l2_mode mode)
{
	create(pt, mode == L2_LONG_MODE ? PT_4LEVEL : PT_PAE);
}

void pt_attach(struct page_table *pt, enum pt_format format, uint64_t root)
{
	*pt = (struct page_table){ .format = format, .root = root, .map = identity,
				   .alloc = pool_page };
}

void l1_pt_own(struct page_table *pt)
{
	l2_pt_create(pt, L2_LONG_MODE);
	asm volatile("mov %0, %%cr3" : : "r"((unsigned long)pt->root) : "memory");
}

uint64_t *pt_entry_assert(struct page_table *pt, uint64_t va, int level)
{
	uint64_t *e = pt_entry(pt, va, level, true);

	__GUEST_ASSERT(e, "no level-%d entry for 0x%llx", level, (unsigned long long)va);
	return e;
}

uint64_t pae_pdpte(const struct page_table *pt, int i)
{
	return ((const uint64_t *)(uintptr_t)pt->root)[i];
}

void ept_create(struct page_table *ept)
{
	create(ept, PT_EPT);
	map_ranges(ept, l1_memory.slots, l1_memory.nr_slots, EPT_LEAF_RWX_WB);
}

void ept_map(struct page_table *ept, uint64_t l2_gpa, uint64_t l1_gpa, uint64_t flags)
{
	__GUEST_ASSERT(pt_map(ept, l2_gpa, l1_gpa, flags), "cannot map L2 GPA 0x%llx in EPT",
			 (unsigned long long)l2_gpa);
}

uint64_t ept_set_flags(struct page_table *ept, uint64_t l2_gpa, uint64_t flags)
{
	uint64_t *e = pt_entry_assert(ept, l2_gpa, 1);
	uint64_t old = *e;

	*e = (old & ~0xfffull) | (flags & 0xfffull);
	return old;
}

uint64_t ept_pointer(const struct vmx_caps *caps, const struct page_table *ept, bool ad)
{
	uint64_t eptp = ept->root | EPTP_WALK_LENGTH_4;

	__GUEST_ASSERT(caps->ept_vpid & VMX_EPT_PAGE_WALK_4_BIT, "no 4-level EPT walk");
	eptp |= caps->ept_vpid & VMX_EPTP_WB_BIT ? EPTP_MT_WB : EPTP_MT_UC;
	if (ad) {
		__GUEST_ASSERT(caps->ept_vpid & VMX_EPT_AD_BIT, "no EPT A/D flags");
		eptp |= EPTP_AD;
	}
	return eptp;
}
