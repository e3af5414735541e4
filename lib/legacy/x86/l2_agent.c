// SPDX-License-Identifier: GPL-2.0-only
/* L1's side of the L2 agent (see x86/l2_agent.h). */
#include <stddef.h>

#include "page_pool.h"
#include "x86/l2_agent.h"

extern char l2_agent64[], l2_agent32[];

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

void *l2_agent_entry(enum l2_mode mode)
{
#ifdef __x86_64__
	if (mode == L2_LONG_MODE)
		return l2_agent64;
#else
	GUEST_ASSERT_MSG(mode != L2_LONG_MODE, "a 32-bit L1 cannot run a 64-bit L2");
#endif
	return l2_agent32;
}

void l2_agent_start(struct l2_agent *a, struct vmx_vcpu *vmx, struct vmcs12 *v)
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
		vmx_vmcs_load(a->vmx, a->vmcs);
	vmwrite(GUEST_RIP, (uintptr_t)l2_agent_entry(a->vmcs->mode));
	a->req->op = L2_OP_NOP;
	vmx_assert_exit(vmx_run(a->vmx, a->vmcs), EXIT_REASON_VMCALL);
	vmx_skip_instruction();
}

void l2_agent_skip_ud2(void)
{
	vmwrite(GUEST_RIP, vmread(GUEST_RIP) + 2);
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

	uc->cmd = UCALL_SYNC;
	uc->args[0] = stage;
	l2_agent_do(a, L2_OP_SYNC_HOST, 0, 0);
}

void l2_batch(struct l2_agent *a, struct l2_step *steps, unsigned int n)
{
	GUEST_ASSERT((uintptr_t)(steps + n) <= (1ull << 32));
	l2_agent_do(a, L2_OP_BATCH, (uintptr_t)steps, n);
}
