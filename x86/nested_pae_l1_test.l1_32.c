// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 32-bit PAE L1 of nested_pae_l1_test (see that file for the rules).
 * L1 and L2 both use PAE paging and map WINDOW to different pages.
 */
#include "self_check.h"
#include "ucall_common.h"
#include "x86/l1_32.h"
#include "x86/l1_memory.h"
#include "x86/l2_agent.h"
#include "x86/l2_paging.h"
#include "x86/vmx_l2.h"
#include "nested_pae_l1_test.h"

struct setup {
	struct l1_vmx *vmx;
	struct page_table l1_pt;	/* L1's own tables (built by the host) */
	struct page_table l2_pt[2];
	uint64_t *l1_page[2], *l2_page[2];
	struct l2_vmcs *v;
	struct l2_agent agent;
};

static uint64_t *marked_page(uint64_t mark)
{
	uint64_t *p = guest_alloc_pages(1);

	p[0] = mark;
	return p;
}

/* Maps WINDOW in L1's own PAE tables (a new page directory under PDPTE 3). */
static void l1_map_window(struct setup *s, uint64_t *page)
{
	GUEST_ASSERT(pt_map(&s->l1_pt, WINDOW, (uintptr_t)page, 1ull << 1));
	invlpg(WINDOW);
}

static void setup(struct setup *s, uint32_t arg)
{
	uint64_t eptp = 0;
	struct page_table ept;

	s->vmx = vmx_enable();
	pt_attach(&s->l1_pt, PT_PAE, get_cr3() & ~0x1full);
	for (int i = 0; i < 2; i++) {
		s->l1_page[i] = marked_page(MARK_L1(i));
		s->l2_page[i] = marked_page(MARK_L2(i));
		l2_pt_create(&s->l2_pt[i], L2_PAE_MODE);
		l2_pt_map(&s->l2_pt[i], WINDOW, (uintptr_t)s->l2_page[i]);
	}
	l1_map_window(s, s->l1_page[0]);
	if (arg & ARG_EPT) {
		ept_create(&ept);
		eptp = ept_pointer(s->vmx->caps, &ept, false);
	}
	s->v = l2_vmcs_create(s->vmx, &(struct l2_setup){
		.mode = L2_PAE_MODE, .entry = l2_agent_entry(L2_PAE_MODE),
		.cr3 = s->l2_pt[0].root, .eptp = eptp, .vpid = arg & ARG_VPID ? 1 : 0,
		.watchdog = true, .proc = CPU_BASED_USE_TSC_OFFSETTING });
	vmcs_write(TSC_OFFSET, 0);
	l2_agent_start(&s->agent, s->vmx, s->v);
}

static uint64_t l1_read_window(void)
{
	return *(volatile uint64_t *)(uintptr_t)WINDOW;
}

/* a: each of L1 and L2 sees only its own page, entry after entry. */
static void apart(struct setup *s)
{
	for (int round = 0; round < 50; round++) {
		GUEST_ASSERT_EQ(l2_read(&s->agent, WINDOW), MARK_L2(0));
		GUEST_ASSERT_RULE(l1_read_window(), MARK_L1(0), MARK_L2(0));
	}
}

/* b: L2 switches CR3; L1 keeps its mapping and reads L2's new PDPTEs (EPT). */
static void l2_cr3_switch(struct setup *s)
{
	l2_write_cr3(&s->agent, s->l2_pt[1].root);
	GUEST_ASSERT_EQ(l1_read_window(), MARK_L1(0));
	for (int i = 0; i < 4; i++)
		GUEST_ASSERT_RULE(vmcs_read(GUEST_PDPTR(i)), pae_pdpte(&s->l2_pt[1], i),
				  pae_pdpte(&s->l2_pt[0], i));
	GUEST_ASSERT_EQ(l2_read(&s->agent, WINDOW), MARK_L2(1));
	GUEST_ASSERT_EQ(l1_read_window(), MARK_L1(0));
}

/* c: L1 changes its own PDPT in memory and reloads CR3 between entries. */
static void l1_pdpt_change(struct setup *s)
{
	uint64_t *pdpt = (uint64_t *)(uintptr_t)s->l1_pt.root;

	GUEST_ASSERT_EQ(l2_read(&s->agent, WINDOW), MARK_L2(0));
	/* A new page directory for PDPTE 3, mapping WINDOW to L1's page 1. */
	pdpt[WINDOW_PDPTE] = 0;
	l1_map_window(s, s->l1_page[1]);
	set_cr3(get_cr3());
	GUEST_ASSERT_EQ(l1_read_window(), MARK_L1(1));
	for (int round = 0; round < 10; round++) {
		GUEST_ASSERT_EQ(l2_read(&s->agent, WINDOW), MARK_L2(0));
		/* SDM Vol. 3C 28.5.4: the exit reloads L1's PDPTEs from HOST_CR3. */
		GUEST_ASSERT_RULE(l1_read_window(), MARK_L1(1), MARK_L1(0));
	}
}

static uint64_t l2_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

/* d: 64-bit fields written through their _HIGH encodings alone take effect. */
static void high_halves(struct setup *s)
{
	uint64_t pdpte = vmcs_read(GUEST_PDPTR(WINDOW_PDPTE));
	uint32_t reason;

	GUEST_ASSERT(l2_agent_do(&s->agent, L2_OP_CALL, (uintptr_t)l2_rdtsc, 0) < TSC_BIG);
	vmcs_write(VMCS_FIELD_HIGH(TSC_OFFSET), TSC_BIG >> 32);
	GUEST_ASSERT_RULE(l2_agent_do(&s->agent, L2_OP_CALL, (uintptr_t)l2_rdtsc, 0) >= TSC_BIG,
			  true, false);

	/* PDPTE 3 moved to 4 GiB up: L2's page directory is then unmapped in EPT. */
	vmcs_write(VMCS_FIELD_HIGH(GUEST_PDPTR(WINDOW_PDPTE)), 1);
	reason = l2_agent_submit(&s->agent, L2_OP_READ, WINDOW, 0);
	vmx_assert_exit(reason, EXIT_REASON_EPT_VIOLATION);
	GUEST_ASSERT_EQ(vmcs_read(GUEST_PHYSICAL_ADDRESS) >> 32, 1);
	vmcs_write(VMCS_FIELD_HIGH(GUEST_PDPTR(WINDOW_PDPTE)), pdpte >> 32);
	vmx_assert_exit(l2_agent_resume(&s->agent), EXIT_REASON_VMCALL);
	GUEST_ASSERT_EQ(s->agent.req->result, MARK_L2(0));
}

/* e: save/restore while L2 runs, and while L1 runs right after an exit. */
static void save_restore(struct setup *s)
{
	GUEST_ASSERT_EQ(l2_read(&s->agent, WINDOW), MARK_L2(0));
	l2_sync_host(&s->agent, STAGE_L2_ACTIVE);
	GUEST_ASSERT_EQ(l1_read_window(), MARK_L1(0));
	GUEST_ASSERT_EQ(l2_read(&s->agent, WINDOW), MARK_L2(0));
	GUEST_SYNC(STAGE_L1_ACTIVE);
	GUEST_ASSERT_RULE(l1_read_window(), MARK_L1(0), MARK_L2(0));
	GUEST_ASSERT_EQ(l2_read(&s->agent, WINDOW), MARK_L2(0));
}

void l1_32_main(uint32_t arg)
{
	static void (* const scenario[])(struct setup *) = {
		[SC_APART] = apart, [SC_L2_CR3] = l2_cr3_switch, [SC_L1_PDPT] = l1_pdpt_change,
		[SC_HIGH] = high_halves, [SC_SAVE_RESTORE] = save_restore,
	};
	struct setup s;

	setup(&s, arg);
	scenario[arg & ARG_SCENARIO_MASK](&s);
	vmx_disable(s.vmx);
	GUEST_DONE();
}
