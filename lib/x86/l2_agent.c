// SPDX-License-Identifier: GPL-2.0-only
/* L1's side of the L2 agent (see x86/l2_agent.h). */
#include <stddef.h>
#include <string.h>

#include "x86/l1_memory.h"
#include "x86/l2_agent.h"

extern char l2_agent_code_start[], l2_agent_code_end[], l2_agent32[];
#ifdef __x86_64__
extern char l2_agent64[];
#endif

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
void *l2_agent_code_entry(struct l2_agent_code *code, enum l2_mode mode)
{
	uint64_t size = code->end - code->start;

	if (!code->copy) {
		code->copy = guest_alloc_pages((size + 4095) / 4096);
		memcpy(code->copy, code->start, size);
	}
	if (mode == L2_LONG_MODE) {
		__GUEST_ASSERT(code->entry64, "a 32-bit L1 cannot run a 64-bit L2");
		return code->copy + (code->entry64 - code->start);
	}
	return code->copy + (code->entry32 - code->start);
}

static struct l2_agent_code vmx_agent_code = {
	.start = l2_agent_code_start, .end = l2_agent_code_end, .entry32 = l2_agent32,
#ifdef __x86_64__
	.entry64 = l2_agent64,
#endif
};

void *l2_agent_entry(enum l2_mode mode)
{
	return l2_agent_code_entry(&vmx_agent_code, mode);
}

/* The agent's VMX side. */
static uint32_t vmx_agent_run(struct l2_agent *a)
{
	return vmx_run(a->vmx, a->vmcs);
}

static void vmx_agent_set_rip(struct l2_agent *a, uint64_t rip)
{
	if (a->vmx->current != a->vmcs)
		l2_vmcs_load(a->vmx, a->vmcs);
	vmcs_write(GUEST_RIP, rip);
}

static void vmx_agent_skip(struct l2_agent *a, unsigned int len)
{
	if (a->vmx->current != a->vmcs)
		l2_vmcs_load(a->vmx, a->vmcs);
	vmcs_write(GUEST_RIP, vmcs_read(GUEST_RIP) + len);
}

static struct vmx_l2_regs *vmx_agent_regs(struct l2_agent *a)
{
	return &a->vmcs->regs;
}

static enum l2_mode vmx_agent_mode(struct l2_agent *a)
{
	return a->vmcs->mode;
}

static void vmx_agent_assert_exit(struct l2_agent *a, const char *file, int line, uint32_t got,
				  uint32_t want)
{
	__vmx_assert_exit(file, line, got, want);
}

static const struct l2_agent_ops vmx_agent_ops = {
	.report_exit = EXIT_REASON_VMCALL,
	.run = vmx_agent_run,
	.skip = vmx_agent_skip,
	.set_rip = vmx_agent_set_rip,
	.regs = vmx_agent_regs,
	.mode = vmx_agent_mode,
	.entry = l2_agent_entry,
	.assert_exit = vmx_agent_assert_exit,
};

#define agent_assert_exit(a, got, want)						\
	((a)->ops->assert_exit(a, __FILE__, __LINE__, got, want))

void l2_agent_bind(struct l2_agent *a, const struct l2_agent_ops *ops)
{
	a->ops = ops;
	a->req = guest_alloc_pages(1);
	GUEST_ASSERT((uintptr_t)a->req < (1ull << 32));
	ops->regs(a)->rbx = (uintptr_t)a->req;
	a->req->op = L2_OP_NOP;
	agent_assert_exit(a, ops->run(a), ops->report_exit);
	ops->skip(a, L2_REPORT_LEN);
}

void l2_agent_start(struct l2_agent *a, struct l1_vmx *vmx, struct l2_vmcs *v)
{
	a->vmx = vmx;
	a->vmcs = v;
	l2_agent_bind(a, &vmx_agent_ops);
}

void l2_agent_restart(struct l2_agent *a)
{
	a->ops->set_rip(a, (uintptr_t)a->ops->entry(a->ops->mode(a)));
	a->req->op = L2_OP_NOP;
	agent_assert_exit(a, a->ops->run(a), a->ops->report_exit);
	a->ops->skip(a, L2_REPORT_LEN);
}

void l2_agent_skip_ud2(void)
{
	vmcs_write(GUEST_RIP, vmcs_read(GUEST_RIP) + 2);
}

void l2_agent_skip(struct l2_agent *a, unsigned int len)
{
	a->ops->skip(a, len);
}

uint32_t l2_agent_resume(struct l2_agent *a)
{
	uint32_t reason = a->ops->run(a);

	if (reason == a->ops->report_exit)
		a->ops->skip(a, L2_REPORT_LEN);
	return reason;
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

	if (reason != a->ops->report_exit)
		GUEST_PRINTF("L2 agent: %s of 0x%llx did not complete",
			     op < L2_NR_OPS ? op_names[op] : "?", (unsigned long long)addr);
	agent_assert_exit(a, reason, a->ops->report_exit);
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

uint32_t l2_sync_host_submit(struct l2_agent *a, uint64_t stage)
{
	struct ucall *uc = &a->req->uc;

	/* As GUEST_SYNC(stage) has them; the host finds the ucall at RDI. */
	*uc = (struct ucall){ .cmd = UCALL_SYNC, .args = { 0, stage } };
	a->ops->regs(a)->rdi = guest_pool_hva(uc);
	return l2_agent_submit(a, L2_OP_SYNC_HOST, 0, 0);
}

void l2_sync_host(struct l2_agent *a, uint64_t stage)
{
	uint32_t reason = l2_sync_host_submit(a, stage);

	if (reason != a->ops->report_exit)
		GUEST_PRINTF("L2 agent: sync %llu did not complete", (unsigned long long)stage);
	agent_assert_exit(a, reason, a->ops->report_exit);
}

void l2_batch(struct l2_agent *a, struct l2_step *steps, unsigned int n)
{
	GUEST_ASSERT((uintptr_t)(steps + n) <= (1ull << 32));
	l2_agent_do(a, L2_OP_BATCH, (uintptr_t)steps, n);
}
