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

void l2_pt_create_empty(struct page_table *pt, enum l2_mode mode)
{
	GUEST_ASSERT(pt_init(pt, mode == L2_LONG_MODE ? PT_4LEVEL : PT_PAE, identity, pool_page,
			     NULL));
}

void l1_pt_get(struct page_table *pt)
{
	*pt = (struct page_table){
		.format = PT_4LEVEL, .root = read_cr3() & PTE_ADDR_MASK,
		.map = identity, .alloc = pool_page,
	};
}

uint64_t *pt_entry_assert(struct page_table *pt, uint64_t va, int level)
{
	uint64_t *e = pt_entry(pt, va, level, true);

	GUEST_ASSERT_MSG(e, "no level-%d entry for 0x%llx", level, (unsigned long long)va);
	return e;
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

uint64_t ept_set_flags(struct page_table *ept, uint64_t l2_gpa, uint64_t flags)
{
	uint64_t *e = pt_entry_assert(ept, l2_gpa, 1);
	uint64_t old = *e;

	*e = (old & ~0xfffull) | (flags & 0xfffull);
	return old;
}

bool vmx_has_invept(const struct vmx_caps *caps, uint64_t type)
{
	uint64_t bit = type == INVEPT_SINGLE_CONTEXT ? VMX_EPT_INVEPT_SINGLE :
		       type == INVEPT_GLOBAL ? VMX_EPT_INVEPT_GLOBAL : 0;

	return (caps->ept_vpid & VMX_EPT_INVEPT) && (caps->ept_vpid & bit);
}

bool vmx_has_invvpid(const struct vmx_caps *caps, uint64_t type)
{
	/* Bits 40-43: individual-address, single-context, all-context, retaining globals. */
	return type <= INVVPID_SINGLE_NON_GLOBAL && (caps->ept_vpid & VMX_VPID_INVVPID) &&
	       (caps->ept_vpid & (VMX_VPID_INVVPID_ADDR << type));
}

void ept_invalidate(uint64_t type, uint64_t eptp)
{
	enum vmx_status s = invept(type, eptp);

	GUEST_ASSERT_MSG(s == VMX_OK, "INVEPT type %llu failed (%d, error %u)",
			 (unsigned long long)type, s, s == VMX_FAIL_VALID ?
			 vmx_instruction_error() : 0);
}

void vpid_invalidate(uint64_t type, uint16_t vpid, uint64_t gla)
{
	enum vmx_status s = invvpid(type, vpid, gla);

	GUEST_ASSERT_MSG(s == VMX_OK, "INVVPID type %llu of VPID %u failed (%d, error %u)",
			 (unsigned long long)type, vpid, s, s == VMX_FAIL_VALID ?
			 vmx_instruction_error() : 0);
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
