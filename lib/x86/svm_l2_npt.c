// SPDX-License-Identifier: GPL-2.0-only
/* Nested page tables built by L1 (see x86/svm_npt.h). */
#include "x86/l1_memory.h"
#include "x86/l2_paging.h"
#include "x86/svm_npt.h"

#define NPT_FLAGS_MASK	(0xfffull | NPT_NX)

void npt_create(struct page_table *npt)
{
	l2_pt_create_empty(npt, L2_LONG_MODE);
	for (uint64_t i = 0; i < l1_memory.nr_slots; i++) {
		const struct l1_range *r = &l1_memory.slots[i];

		__GUEST_ASSERT(pt_map_range(npt, r->gpa, r->gpa, r->npages * PAGE_SIZE,
					    NPT_LEAF_RW),
			       "cannot map %#lx-%#lx in the nested page tables (pool exhausted)",
			       r->gpa, r->gpa + r->npages * 4096);
	}
}

uint64_t npt_ncr3(const struct page_table *npt)
{
	uint64_t *pml5;

	if (!(get_cr4() & X86_CR4_LA57))
		return npt->root;
	pml5 = guest_alloc_pages(1);
	pml5[0] = npt->root | pt_table_flags(PT_4LEVEL, 5);
	return (uintptr_t)pml5;
}

void npt_map(struct page_table *npt, uint64_t l2_gpa, uint64_t l1_gpa, uint64_t flags)
{
	__GUEST_ASSERT(pt_map(npt, l2_gpa, l1_gpa, flags),
		       "cannot map L2 GPA %#lx in the nested page tables", l2_gpa);
}

uint64_t npt_set_flags(struct page_table *npt, uint64_t l2_gpa, uint64_t flags)
{
	uint64_t *e = pt_entry_assert(npt, l2_gpa, 1);
	uint64_t old = *e;

	*e = (old & ~NPT_FLAGS_MASK) | (flags & NPT_FLAGS_MASK);
	return old;
}
