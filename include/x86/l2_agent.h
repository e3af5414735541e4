/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The L2 agent: a tiny L2 in 64-bit and in 32-bit assembly that carries out
 * one request at a time from a block in memory and reports to L1, so that
 * L1 code in C says l2_read(agent, addr) whatever L2's paging mode and
 * whatever the vendor: the agent is assembled once per vendor from one
 * source, reporting with VMCALL for VMX and VMMCALL for SVM, and L1's side
 * reaches its vendor's run loop through struct l2_agent_ops.
 *
 * Protocol: L2 executes the report instruction; L1 sees the exit (the
 * previous request is complete), fills the request block, skips the
 * instruction and resumes; L2 performs the request and reports again.  The
 * block's address is in L2's RBX/EBX, which L1 saves and restores around
 * every exit.
 */
#ifndef SELFTEST_KVM_L2_AGENT_H
#define SELFTEST_KVM_L2_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "ucall_common.h"
#include "x86/l2_agent_abi.h"
#include "x86/vmx_l2.h"

/* The request block; its layout is x86/l2_agent_abi.h's, checked below. */
struct l2_request {
	uint64_t op;		/* L2_OP_* */
	uint64_t addr;
	uint64_t value;
	uint64_t result;
	struct ucall uc;	/* for L2_OP_SYNC_HOST */
};

/* One step of L2_OP_BATCH: the first 32 bytes of a request. */
struct l2_step {
	uint64_t op;
	uint64_t addr;
	uint64_t value;
	uint64_t result;
};

_Static_assert(offsetof(struct l2_request, op) == L2_REQ_OP, "L2_REQ_OP");
_Static_assert(offsetof(struct l2_request, addr) == L2_REQ_ADDR, "L2_REQ_ADDR");
_Static_assert(offsetof(struct l2_request, value) == L2_REQ_VALUE, "L2_REQ_VALUE");
_Static_assert(offsetof(struct l2_request, result) == L2_REQ_RESULT, "L2_REQ_RESULT");
_Static_assert(offsetof(struct l2_request, uc) == L2_REQ_UCALL, "L2_REQ_UCALL");
_Static_assert(sizeof(struct l2_step) == L2_STEP_SIZE, "L2_STEP_SIZE");

/* INVPCID types (SDM Vol. 2A, INVPCID). */
#define INVPCID_ADDR		0
#define INVPCID_SINGLE		1
#define INVPCID_ALL_GLOBAL	2
#define INVPCID_ALL		3
#define L2_INVPCID_VALUE(type, pcid)	((uint64_t)(type) | (uint64_t)(pcid) << 16)

struct l2_agent;
struct l1_svm;
struct l2_vmcb;

/* One vendor's side of the agent: its run loop and L2's RIP and GPRs. */
struct l2_agent_ops {
	uint32_t report_exit;		/* the exit of the report instruction */
	/* Enters L2 and returns the exit (reason or code) after it. */
	uint32_t (*run)(struct l2_agent *a);
	/* Advances L2's RIP by @len bytes. */
	void (*skip)(struct l2_agent *a, unsigned int len);
	void (*set_rip)(struct l2_agent *a, uint64_t rip);
	struct vmx_l2_regs *(*regs)(struct l2_agent *a);
	enum l2_mode (*mode)(struct l2_agent *a);
	/* The agent's entry for @mode in this vendor's copy. */
	void *(*entry)(enum l2_mode mode);
	void (*assert_exit)(struct l2_agent *a, const char *file, int line, uint32_t got,
			    uint32_t want);
};

struct l2_agent {
	const struct l2_agent_ops *ops;
	struct l1_vmx *vmx;		/* VMX: L1's state and the L2's VMCS */
	struct l2_vmcs *vmcs;
	struct l1_svm *svm;		/* SVM: L1's state and the L2's vmcb12 */
	struct l2_vmcb *vmcb;
	struct l2_request *req;
};

/*
 * One copy of the agent's code, assembled for one vendor from
 * lib/x86/l2_agent_code.S; L2 runs a copy of it in identity-mapped memory.
 */
struct l2_agent_code {
	char *start, *end;		/* the code as linked */
	char *entry64, *entry32;	/* its entries (entry64 NULL in a 32-bit L1) */
	char *copy;			/* the identity-mapped copy, made on first use */
};

/* The entry for @mode in @code's identity-mapped copy (made on first use). */
void *l2_agent_code_entry(struct l2_agent_code *code, enum l2_mode mode);
/*
 * Binds @a to its vendor's @ops (a->vmx/vmcs or a->svm/vmcb already set)
 * and runs the agent to its first report.
 */
void l2_agent_bind(struct l2_agent *a, const struct l2_agent_ops *ops);

/* VMX: the agent's first instruction for L2 in @mode: give it as l2_setup.entry. */
void *l2_agent_entry(enum l2_mode mode);

/* VMX: binds an agent to @v (created with l2_agent_entry()) and runs it to its first VMCALL. */
void l2_agent_start(struct l2_agent *a, struct l1_vmx *vmx, struct l2_vmcs *v);

/*
 * Submits a request and enters L2; returns the exit reason.  After the
 * report (the request is done) the report instruction is already skipped.
 * After any other exit L1 handles it and calls l2_agent_resume().
 */
uint32_t l2_agent_submit(struct l2_agent *a, unsigned int op, uint64_t addr, uint64_t value);
uint32_t l2_agent_resume(struct l2_agent *a);
/* VMX: after the #UD exit of L2_OP_TOGGLE_*: skips the UD2 (2 bytes). */
void l2_agent_skip_ud2(void);
/* Advances L2's RIP by @len bytes past an instruction L1 handled. */
void l2_agent_skip(struct l2_agent *a, unsigned int len);
/* Restarts the agent from its entry for its L2's current mode, to its first report. */
void l2_agent_restart(struct l2_agent *a);

/* Requests that must end with the report (anything else fails the scenario). */
uint64_t l2_agent_do(struct l2_agent *a, unsigned int op, uint64_t addr, uint64_t value);
uint64_t l2_read(struct l2_agent *a, uint64_t addr);
void l2_write(struct l2_agent *a, uint64_t addr, uint64_t value);
void l2_write_cr3(struct l2_agent *a, uint64_t cr3);
uint64_t l2_read_cr3(struct l2_agent *a);
void l2_invlpg(struct l2_agent *a, uint64_t addr);
/* L2 itself sends GUEST_SYNC(stage) to the host: the vCPU is in guest mode then. */
void l2_sync_host(struct l2_agent *a, uint64_t stage);	/* stage in args[1], as GUEST_SYNC */
/* The same, returning the exit after it: the report once the sync is complete. */
uint32_t l2_sync_host_submit(struct l2_agent *a, uint64_t stage);
/*
 * Runs @n steps as one L2_OP_BATCH; their results are in @steps after.
 * @steps must be memory that L2 reaches at the same address (identity
 * mapped, below 4 GiB for a 32-bit L2), e.g. from guest_alloc_pages().
 */
void l2_batch(struct l2_agent *a, struct l2_step *steps, unsigned int n);

#endif /* SELFTEST_KVM_L2_AGENT_H */
