/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host side of a VM whose vCPU is an L1 that builds its own L2s (see
 * x86/l1_memory.h), and of moving such a vCPU, L2 running or not, into a
 * new VM (the live-migration path of Documentation/virt/kvm/api.rst:
 * KVM_GET/SET_NESTED_STATE after the other vCPU state).
 */
#ifndef SELFTEST_KVM_L1_VM_H
#define SELFTEST_KVM_L1_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm_util.h"
#include "x86/guest_skip.h"
#include "x86/l1_memory.h"

/*
 * A VM with one vCPU running @l1_code, a pool of @pool_pages (0: the
 * default) and the description of L1's memory; guest_inverted (the
 * self-check) is copied into it.
 */
struct kvm_vcpu *l1_vm_create(void *l1_code, uint64_t pool_pages);

/*
 * Runs the vCPU until a GUEST_SYNC or GUEST_DONE, which it returns.  A
 * guest assert or unhandled exception fails the test, GUEST_SKIP skips it,
 * GUEST_PRINTF messages are printed; any other exit fails the test.
 */
uint64_t vcpu_run_ucall(struct kvm_vcpu *vcpu, struct ucall *uc);
/*
 * The part of vcpu_run_ucall() after asserts: true for GUEST_SYNC and
 * GUEST_DONE, false after printing a GUEST_PRINTF; skips the test for
 * GUEST_SKIP and fails it for any other ucall.
 */
bool l1_ucall_returns(const struct ucall *uc);
/* Runs the vCPU to GUEST_DONE (a GUEST_SYNC fails the test) and frees its VM. */
void vcpu_run_to_done(struct kvm_vcpu *vcpu);
/*
 * A table-driven scenario: runs @l1_code to GUEST_DONE in a new L1 VM (a
 * pool of @pool_pages, 0 for the default) whose copy of the global @cfg is
 * *@row, the row guest code reads.
 */
#define l1_run_row(l1_code, pool_pages, cfg, row)				\
do {										\
	struct kvm_vcpu *__vcpu = l1_vm_create(l1_code, pool_pages);		\
										\
	cfg = *(row);								\
	sync_global_to_guest(__vcpu->vm, cfg);					\
	vcpu_run_to_done(__vcpu);						\
} while (0)
/* Runs the vCPU to GUEST_SYNC(@stage); anything else fails the test. */
void vcpu_run_to_sync(struct kvm_vcpu *vcpu, uint64_t stage);

/* How vm_migrate() restores the segment and control registers. */
enum sregs_restore {
	RESTORE_SREGS2,		/* KVM_SET_SREGS2 with the saved PDPTRs */
	RESTORE_SREGS,		/* KVM_SET_SREGS: no PDPTRs given */
};

/*
 * Saves the state of the VM's only vCPU, nested state included, recreates
 * the VM on the same guest memory and restores the state there.  Returns
 * the new vCPU.
 */
struct kvm_vcpu *vm_migrate(struct kvm_vcpu *vcpu, enum sregs_restore how);

/* True if the vCPU is in guest mode (L2 active) according to its nested state. */
bool vcpu_in_guest_mode(struct kvm_vcpu *vcpu);

/* Moves the calling thread to another allowed host CPU; -1 if there is none. */
int vcpu_thread_move_cpu(void);

#endif /* SELFTEST_KVM_L1_VM_H */
