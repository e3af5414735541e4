// SPDX-License-Identifier: GPL-2.0-only
/* The seeded random walk of the control-caching tests (x86/control_walk.h). */
#include <sched.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "ucall_common.h"
#include "x86/control_walk.h"
#include "x86/l1_vm.h"

/* The GUEST_SYNC stage of a host event. */
#define WALK_SYNC_EVENT		0x77a1c

/* xorshift64: the walk is reproducible from the seed the host prints. */
static uint64_t walk_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static void walk_event(void *ctx, const struct walk_plan *p, const struct walk_ops *ops)
{
	if (p->event == WALK_EV_MIGRATE || p->event == WALK_EV_CPU_MOVE)
		GUEST_SYNC(WALK_SYNC_EVENT);
	else
		ops->event(ctx, p->event);
}

void l1_control_walk(void *ctx, const int *usable, int nr, const struct walk_plan *p,
		     const struct walk_ops *ops)
{
	uint64_t state = p->seed | 1;

	GUEST_ASSERT(nr > 0 && p->event_every);
	ops->run_cycle(ctx);		/* the defaults themselves */
	for (unsigned int step = 0; step < p->steps; step++) {
		while (!ops->toggle(ctx, usable[walk_random(&state) % nr]))
			;
		ops->run_cycle(ctx);
		if (p->event != WALK_EV_NONE && step % p->event_every == p->event_every - 1) {
			walk_event(ctx, p, ops);
			ops->run_cycle(ctx);
		}
	}
}

void walk_host_require(int event)
{
	cpu_set_t allowed;

	if (event != WALK_EV_CPU_MOVE)
		return;
	TEST_ASSERT(!sched_getaffinity(0, sizeof(allowed), &allowed), "sched_getaffinity");
	__TEST_REQUIRE(CPU_COUNT(&allowed) > 1,
		       "one host CPU for the vCPU thread: no other CPU to move it to");
}

struct kvm_vcpu *walk_host_event(struct kvm_vcpu *vcpu, const struct ucall *uc,
				 const struct walk_plan *p)
{
	TEST_ASSERT(uc->args[1] == WALK_SYNC_EVENT, "unexpected GUEST_SYNC(%lu)", uc->args[1]);
	if (p->event == WALK_EV_MIGRATE)
		return vm_migrate(vcpu, RESTORE_SREGS2);
	TEST_ASSERT_EQ(p->event, WALK_EV_CPU_MOVE);
	ksft_print_msg("vCPU thread on host CPU %d\n", vcpu_thread_move_cpu());
	return vcpu;
}
