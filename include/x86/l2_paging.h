/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Paging for L2, built by L1 in its own memory from the guest page pool:
 * L2's page tables (4-level or PAE) and L1's EPT for L2.  L1's memory is
 * identity mapped for it, so physical addresses are usable as pointers.
 */
#ifndef NST_X86_L2_PAGING_H
#define NST_X86_L2_PAGING_H

#include <stdint.h>

#include "page_table.h"
#include "x86/vmx.h"

/* Flags of L2's own (non-EPT) leaf entries: present and writable. */
#define L2_PTE_RW	(1ull << 1)

/*
 * L2 page tables for @mode that identity map all of guest memory but page 0
 * (L2's code, stack and agent block included): linear == L2-physical.
 */
void l2_pt_create(struct page_table *pt, enum l2_mode mode);
/* Maps one 4 KiB page of L2's linear space; asserts on failure. */
void l2_pt_map(struct page_table *pt, uint64_t va, uint64_t pa);
/* The four PDPTEs of a PAE table (for GUEST_PDPTRn). */
uint64_t pae_pdpte(const struct page_table *pt, int i);

/* An EPT that identity maps all of guest memory (read, write, execute, WB). */
void ept_create(struct page_table *ept);
/* Maps one guest-physical page of L2 with EPT permission/memory-type @flags. */
void ept_map(struct page_table *ept, uint64_t l2_gpa, uint64_t l1_gpa, uint64_t flags);
/* EPT leaf flags: read, write, execute, write-back. */
#define EPT_LEAF_RWX_WB	(EPT_RWX | (EPT_MT_WB << EPT_MT_SHIFT))

/* The EPTP for @ept (SDM Vol. 3C 25.6.11): 4-level walk, WB, A/D flags if @ad. */
uint64_t ept_pointer(const struct vmx_caps *caps, const struct page_table *ept, bool ad);

/* The size of guest memory (slot 0), as L1 sees it. */
uint64_t guest_memory_size(void);

#endif /* NST_X86_L2_PAGING_H */
