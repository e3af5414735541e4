/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The seeded random walk of the control-caching tests (nested_controls_test
 * for vmcs12, svm_vmcb_cache_test for vmcb12): L1 changes one control at a
 * time between nested entries and checks every probe after each change.
 * Every few steps an event comes between two entries: the test's own (a
 * VMPTRLD, VMLOAD/VMSAVE...) or the host's, a save/restore into a new VM or
 * a move of the vCPU thread to another CPU.
 */
#ifndef SELFTEST_KVM_CONTROL_WALK_H
#define SELFTEST_KVM_CONTROL_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm_util.h"

/* The events the library handles; a test numbers its own from WALK_EV_TEST. */
enum walk_event {
	WALK_EV_NONE,
	WALK_EV_MIGRATE,	/* the host saves the vCPU and restores it into a new VM */
	WALK_EV_CPU_MOVE,	/* the host moves the vCPU thread to another CPU */
	WALK_EV_TEST,
};

/* What the host asks of L1, copied into the guest before it starts. */
struct walk_plan {
	int row;		/* a toggle scenario's row; -1 for a walk */
	uint64_t seed;		/* the walk's, never 0 */
	unsigned int steps;
	int event;		/* enum walk_event, or the test's own */
	unsigned int event_every;	/* steps between two events */
};

struct walk_ops {
	/* Changes row @row; false if it cannot change now (another is drawn). */
	bool (*toggle)(void *ctx, int row);
	/* Runs L2 through every probe and checks each. */
	void (*run_cycle)(void *ctx);
	/* The test's own events, those from WALK_EV_TEST on. */
	void (*event)(void *ctx, int event);
};

/*
 * L1: checks the defaults, then takes @p->steps steps, each toggling one of
 * the @nr rows of @usable drawn from @p->seed and checking every probe.
 */
void l1_control_walk(void *ctx, const int *usable, int nr, const struct walk_plan *p,
		     const struct walk_ops *ops);

/*
 * Host, before the VM: skips a scenario whose host event cannot happen
 * here (WALK_EV_CPU_MOVE with one usable host CPU).
 */
void walk_host_require(int event);

/*
 * Host: acts on the GUEST_SYNC (@uc) of L1's WALK_EV_MIGRATE or
 * WALK_EV_CPU_MOVE event; returns the vCPU to run on.
 */
struct kvm_vcpu *walk_host_event(struct kvm_vcpu *vcpu, const struct ucall *uc,
				 const struct walk_plan *p);

#endif /* SELFTEST_KVM_CONTROL_WALK_H */
