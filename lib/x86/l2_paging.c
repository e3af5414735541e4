// SPDX-License-Identifier: GPL-2.0-only
/* L2 page tables and EPT built by L1 (see x86/l2_paging.h). */
#include "page_pool.h"
#include "ucall.h"
#include "x86/l2_paging.h"

#define EPTP_WALK_LENGTH_4	(3ull << 3)
#define EPTP_MT_WB		6ull
#define EPTP_MT_UC		0ull
#define EPTP_AD			(1ull << 6)

static void *identity(void *ctx, uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static uint64_t pool_page(void *ctx)
{
	return guest_alloc_page();
}

uint64_t guest_memory_size(void)
{
	/* The pool runs to the end of slot 0 (lib/kvm_vm.c). */
	return guest_page_pool.end;
}

static void create(struct page_table *pt, enum pt_format format, uint64_t leaf_flags)
{
	GUEST_ASSERT(pt_init(pt, format, identity, pool_page, NULL));
	GUEST_ASSERT_MSG(pt_map_range(pt, PAGE_SIZE, PAGE_SIZE, guest_memory_size() - PAGE_SIZE,
				      leaf_flags), "guest page pool exhausted by page tables");
}

void l2_pt_create(struct page_table *pt, enum l2_mode mode)
{
	create(pt, mode == L2_LONG_MODE ? PT_4LEVEL : PT_PAE, L2_PTE_RW);
}

void l2_pt_map(struct page_table *pt, uint64_t va, uint64_t pa)
{
	GUEST_ASSERT_MSG(pt_map(pt, va, pa, L2_PTE_RW), "cannot map L2 address 0x%llx",
			 (unsigned long long)va);
}

uint64_t pae_pdpte(const struct page_table *pt, int i)
{
	return ((const uint64_t *)(uintptr_t)pt->root)[i];
}

void ept_create(struct page_table *ept)
{
	create(ept, PT_EPT, EPT_LEAF_RWX_WB);
}

void ept_map(struct page_table *ept, uint64_t l2_gpa, uint64_t l1_gpa, uint64_t flags)
{
	GUEST_ASSERT_MSG(pt_map(ept, l2_gpa, l1_gpa, flags), "cannot map L2 GPA 0x%llx in EPT",
			 (unsigned long long)l2_gpa);
}

uint64_t ept_pointer(const struct vmx_caps *caps, const struct page_table *ept, bool ad)
{
	uint64_t eptp = ept->root | EPTP_WALK_LENGTH_4;

	GUEST_ASSERT_MSG(caps->ept_vpid & VMX_EPT_PWL4, "no 4-level EPT walk");
	eptp |= caps->ept_vpid & VMX_EPT_MT_WB ? EPTP_MT_WB : EPTP_MT_UC;
	if (ad) {
		GUEST_ASSERT_MSG(caps->ept_vpid & VMX_EPT_AD, "no EPT A/D flags");
		eptp |= EPTP_AD;
	}
	return eptp;
}
