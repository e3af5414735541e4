/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Paging for L2, built by L1 from its page pool (x86/l1_memory.h): L2's
 * page tables (4-level or PAE) and L1's EPT for L2.  The pool is identity
 * mapped for L1, so a table's physical address is a pointer to it.
 */
#ifndef SELFTEST_KVM_L2_PAGING_H
#define SELFTEST_KVM_L2_PAGING_H

#include <stdint.h>

#include "page_table.h"
#include "x86/vmx_l2.h"

/* Flags of L2's own (non-EPT) leaf entries: present and writable. */
#define L2_PTE_RW	(1ull << 1)

/*
 * L2 page tables for @mode that map what L1 maps, at the same addresses
 * (the test's code and data, L2's stack and agent block, the pool): L2
 * reaches memory through the pointers L1 uses.
 */
/*
 * L2's CR4 from L1's @cr4: a 32-bit L2 has no PCIDs or FSGSBASE, and L2's own
 * tables (@own_tables) have 4 levels, so only an L2 on L1's tables keeps
 * L1's 5-level paging (the 7.x library gives L1 CR4.LA57 where it can).
 */
uint64_t l2_mode_cr4(uint64_t cr4, enum l2_mode mode, bool own_tables);
void l2_pt_create(struct page_table *pt, enum l2_mode mode);
/* Maps one 4 KiB page of L2's linear space; asserts on failure. */
void l2_pt_map(struct page_table *pt, uint64_t va, uint64_t pa);
/* L2 page tables for @mode that map nothing: a tree to graft entries from. */
void l2_pt_create_empty(struct page_table *pt, enum l2_mode mode);
/*
 * Paging structures at @root that L1 reaches at their physical addresses
 * (a 32-bit L1's own, x86/l1_32.h); new tables come from the pool.
 */
void pt_attach(struct page_table *pt, enum pt_format format, uint64_t root);
/*
 * Moves L1 onto 4-level tables in the pool that map what its tables mapped
 * (its own are out of its reach), so that it can change its own mappings.
 * Call it before creating VMCSs: they take HOST_CR3 from CR3.
 */
void l1_pt_own(struct page_table *pt);
/*
 * The entry for @va at @level (1: PTE, 2: PDE, 3: PDPTE, 4: PML4E) of any
 * table, intermediate tables created as needed; asserts on failure.
 */
uint64_t *pt_entry_assert(struct page_table *pt, uint64_t va, int level);
/* The four PDPTEs of a PAE table (for GUEST_PDPTRn). */
uint64_t pae_pdpte(const struct page_table *pt, int i);

/* An EPT that identity maps every memslot (read, write, execute, WB). */
void ept_create(struct page_table *ept);
/* Maps one guest-physical page of L2 with EPT permission/memory-type @flags. */
void ept_map(struct page_table *ept, uint64_t l2_gpa, uint64_t l1_gpa, uint64_t flags);
/* EPT leaf flags: read, write, execute, write-back. */
#define EPT_LEAF_RWX_WB	(EPT_RWX | (EPT_MT_WB << EPT_MT_SHIFT))

/* The EPTP for @ept (SDM Vol. 3C 25.6.11): 4-level walk, WB, A/D flags if @ad. */
uint64_t ept_pointer(const struct vmx_caps *caps, const struct page_table *ept, bool ad);

/*
 * Sets the low 12 bits (permissions, memory type) of @l2_gpa's EPT leaf,
 * keeping its address; returns the old entry.
 */
uint64_t ept_set_flags(struct page_table *ept, uint64_t l2_gpa, uint64_t flags);

#endif /* SELFTEST_KVM_L2_PAGING_H */
