/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Saving a vCPU's complete state, nested state included, and restoring it
 * into a new VM (the live-migration path, Documentation/virt/kvm/api.rst),
 * and moving the vCPU thread to another host CPU.
 */
#ifndef NST_VCPU_STATE_H
#define NST_VCPU_STATE_H

#include <linux/kvm.h>
#include <stdbool.h>

#include "kvm_util.h"

struct vcpu_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_sregs2 sregs2;	/* valid if has_sregs2: carries the PDPTRs */
	bool has_sregs2;
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp_state;
	struct kvm_debugregs debugregs;
	struct kvm_xcrs xcrs;
	bool has_xcrs;
	struct kvm_xsave *xsave;
	struct kvm_lapic_state lapic;
	struct kvm_msrs *msrs;
	struct kvm_nested_state *nested;	/* NULL without KVM_CAP_NESTED_STATE */
};

/* How vcpu_state_load() restores the segment/control registers. */
enum sregs_restore {
	RESTORE_SREGS2,		/* KVM_SET_SREGS2 with the saved PDPTRs */
	RESTORE_SREGS,		/* KVM_SET_SREGS: no PDPTRs given */
};

/* Completes a pending I/O exit (api.rst: KVM_RUN with immediate_exit) and saves. */
struct vcpu_state *vcpu_state_save(struct kvm_vcpu *vcpu);
void vcpu_state_load(struct kvm_vcpu *vcpu, const struct vcpu_state *state,
		     enum sregs_restore how);
void vcpu_state_free(struct vcpu_state *state);

/*
 * Saves the state of the VM's only vCPU, creates a new VM on the same guest
 * memory, restores the state there and frees the old VM.  Returns the new
 * vCPU.
 */
struct kvm_vcpu *vm_migrate(struct kvm_vcpu *vcpu, enum sregs_restore how);

/* True if the vCPU is in guest mode (L2 active) according to its nested state. */
bool vcpu_in_guest_mode(struct kvm_vcpu *vcpu);

/* Moves the calling thread to another allowed host CPU; -1 if there is none. */
int vcpu_thread_move_cpu(void);

#endif /* NST_VCPU_STATE_H */
