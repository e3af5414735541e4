/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Nested page tables built by L1 for an L2 (AMD APM Vol. 2 15.25 "Nested
 * Paging"): guest-physical to L1-physical, in the long-mode 4-level format
 * (15.25.5: the nested tables use the host's paging format, here always
 * long mode), from L1's page pool like L2's own tables (x86/l2_paging.h).
 */
#ifndef SELFTEST_KVM_SVM_NPT_H
#define SELFTEST_KVM_SVM_NPT_H

#include <stdint.h>

#include "page_table.h"

/*
 * Entry flags (the long-mode format, APM Vol. 2 5.4).  Nested table walks
 * are user accesses (15.25.5): every level needs U/S to be reachable.
 */
#define NPT_P		(1ull << 0)
#define NPT_US		(1ull << 2)
#define NPT_RW		(1ull << 1)
#define NPT_NX		(1ull << 63)
#define NPT_LEAF_RW	(NPT_P | NPT_RW | NPT_US)
#define NPT_LEAF_RO	(NPT_P | NPT_US)

/* Nested page tables that identity map every memslot, writable. */
void npt_create(struct page_table *npt);
/*
 * The nCR3 for @npt.  The nested walk takes the host's paging mode (15.25.5:
 * L1's at VMRUN): with 4-level paging @npt's PML4, with 5-level paging
 * (CR4.LA57) a new PML5 whose entry 0 points at it; guest-physical
 * addresses here are below 2^48.
 */
uint64_t npt_ncr3(const struct page_table *npt);
/* Maps one guest-physical page of L2 to @l1_gpa with leaf @flags. */
void npt_map(struct page_table *npt, uint64_t l2_gpa, uint64_t l1_gpa, uint64_t flags);
/*
 * Sets the flags (bits 11:0 and 63) of @l2_gpa's leaf, keeping its address;
 * flags without NPT_P make it not present.  Returns the old entry.
 */
uint64_t npt_set_flags(struct page_table *npt, uint64_t l2_gpa, uint64_t flags);

#endif /* SELFTEST_KVM_SVM_NPT_H */
