// SPDX-License-Identifier: GPL-2.0-only
/* L1's side of the L2 agent (see x86/l2_agent.h). */
#include <stddef.h>
#include <string.h>

#include "x86/l1_memory.h"
#include "x86/l2_agent.h"

extern char l2_agent_code_start[], l2_agent_code_end[], l2_agent64[], l2_agent32[];

/* The agent's copy in the pool, identity mapped (x86/l1_memory.h). */
static char *agent_copy;

static const char * const op_names[] = {
	[L2_OP_NOP] = "nop",
	[L2_OP_READ] = "read",
	[L2_OP_WRITE] = "write",
	[L2_OP_WRITE_CR3] = "MOV to CR3",
	[L2_OP_READ_CR3] = "MOV from CR3",
	[L2_OP_INVLPG] = "INVLPG",
	[L2_OP_SYNC_HOST] = "sync",
	[L2_OP_CALL] = "call",
	[L2_OP_READ_LOOP] = "read loop",
	[L2_OP_TOGGLE_PGE] = "CR4.PGE toggle",
	[L2_OP_TOGGLE_PG] = "CR0.PG toggle",
	[L2_OP_BATCH] = "batch",
	[L2_OP_INVPCID] = "INVPCID",
};
_Static_assert(sizeof(op_names) / sizeof(op_names[0]) == L2_NR_OPS, "a name for every op");

/*
 * L2 runs a copy of the agent whose linear and physical addresses are the
 * same, so that it keeps running while it turns paging off and on.
 */
void *l2_agent_entry(enum l2_mode mode)
{
	uint64_t size = l2_agent_code_end - l2_agent_code_start;

	if (!agent_copy) {
		agent_copy = guest_alloc_pages((size + 4095) / 4096);
		memcpy(agent_copy, l2_agent_code_start, size);
	}
#ifdef __x86_64__
	if (mode == L2_LONG_MODE)
		return agent_copy + (l2_agent64 - l2_agent_code_start);
#else
	__GUEST_ASSERT(mode != L2_LONG_MODE, "a 32-bit L1 cannot run a 64-bit L2");
#endif
	return agent_copy + (l2_agent32 - l2_agent_code_start);
}

void l2_agent_start(struct l2_agent *a, struct l1_vmx *vmx, struct l2_vmcs *v)
{
	a->vmx = vmx;
	a->vmcs = v;
	a->req = guest_alloc_pages(1);
	GUEST_ASSERT((uintptr_t)a->req < (1ull << 32));
	v->regs.rbx = (uintptr_t)a->req;
	a->req->op = L2_OP_NOP;
	vmx_assert_exit(vmx_run(vmx, v), EXIT_REASON_VMCALL);
	vmx_skip_instruction();
}

void l2_agent_restart(struct l2_agent *a)
{
	if (a->vmx->current != a->vmcs)
		l2_vmcs_load(a->vmx, a->vmcs);
	vmcs_write(GUEST_RIP, (uintptr_t)l2_agent_entry(a->vmcs->mode));
	a->req->op = L2_OP_NOP;
	vmx_assert_exit(vmx_run(a->vmx, a->vmcs), EXIT_REASON_VMCALL);
	vmx_skip_instruction();
}

void l2_agent_skip_ud2(void)
{
	vmcs_write(GUEST_RIP, vmcs_read(GUEST_RIP) + 2);
}

static uint32_t agent_exit(uint32_t reason)
{
	if (reason == EXIT_REASON_VMCALL)
		vmx_skip_instruction();
	return reason;
}

uint32_t l2_agent_resume(struct l2_agent *a)
{
	return agent_exit(vmx_run(a->vmx, a->vmcs));
}

uint32_t l2_agent_submit(struct l2_agent *a, unsigned int op, uint64_t addr, uint64_t value)
{
	a->req->op = op;
	a->req->addr = addr;
	a->req->value = value;
	a->req->result = 0;
	return l2_agent_resume(a);
}

uint64_t l2_agent_do(struct l2_agent *a, unsigned int op, uint64_t addr, uint64_t value)
{
	uint32_t reason = l2_agent_submit(a, op, addr, value);

	if (reason != EXIT_REASON_VMCALL)
		GUEST_PRINTF("L2 agent: %s of 0x%llx did not complete", op < L2_NR_OPS ? op_names[op] : "?",
			     (unsigned long long)addr);
	vmx_assert_exit(reason, EXIT_REASON_VMCALL);
	return a->req->result;
}

uint64_t l2_read(struct l2_agent *a, uint64_t addr)
{
	return l2_agent_do(a, L2_OP_READ, addr, 0);
}

void l2_write(struct l2_agent *a, uint64_t addr, uint64_t value)
{
	l2_agent_do(a, L2_OP_WRITE, addr, value);
}

void l2_write_cr3(struct l2_agent *a, uint64_t cr3)
{
	l2_agent_do(a, L2_OP_WRITE_CR3, cr3, 0);
}

uint64_t l2_read_cr3(struct l2_agent *a)
{
	return l2_agent_do(a, L2_OP_READ_CR3, 0, 0);
}

void l2_invlpg(struct l2_agent *a, uint64_t addr)
{
	l2_agent_do(a, L2_OP_INVLPG, addr, 0);
}

void l2_sync_host(struct l2_agent *a, uint64_t stage)
{
	struct ucall *uc = &a->req->uc;

	/* As GUEST_SYNC(stage) has them; the host finds the ucall at RDI. */
	*uc = (struct ucall){ .cmd = UCALL_SYNC, .args = { 0, stage } };
	a->vmcs->regs.rdi = guest_pool_hva(uc);
	l2_agent_do(a, L2_OP_SYNC_HOST, 0, 0);
}

void l2_batch(struct l2_agent *a, struct l2_step *steps, unsigned int n)
{
	GUEST_ASSERT((uintptr_t)(steps + n) <= (1ull << 32));
	l2_agent_do(a, L2_OP_BATCH, (uintptr_t)steps, n);
}
