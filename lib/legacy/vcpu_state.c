// SPDX-License-Identifier: GPL-2.0-only
/* vCPU state save/restore and VM migration (see vcpu_state.h). */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vcpu_state.h"

static void complete_pending_io(struct kvm_vcpu *vcpu)
{
	int r;

	/* api.rst: I/O exits complete only when userspace re-enters KVM_RUN. */
	vcpu->run->immediate_exit = 1;
	r = ioctl(vcpu->fd, KVM_RUN, NULL);
	vcpu->run->immediate_exit = 0;
	TEST_ASSERT(r < 0 && errno == EINTR, "KVM_RUN with immediate_exit: %d", r);
}

/* All the MSRs KVM saves and restores (KVM_GET_MSR_INDEX_LIST) that read back. */
static struct kvm_msrs *save_msrs(struct kvm_vcpu *vcpu)
{
	struct kvm_msr_list probe = { .nmsrs = 0 }, *list;
	struct kvm_msrs *msrs;
	int kvm = kvm_open_dev(), r;

	r = ioctl(kvm, KVM_GET_MSR_INDEX_LIST, &probe);
	TEST_ASSERT(r < 0 && errno == E2BIG, "KVM_GET_MSR_INDEX_LIST size");
	list = calloc(1, sizeof(*list) + probe.nmsrs * sizeof(list->indices[0]));
	TEST_ASSERT(list, "calloc");
	list->nmsrs = probe.nmsrs;
	TEST_ASSERT(!ioctl(kvm, KVM_GET_MSR_INDEX_LIST, list), "KVM_GET_MSR_INDEX_LIST");
	close(kvm);

	msrs = calloc(1, sizeof(*msrs) + list->nmsrs * sizeof(msrs->entries[0]));
	TEST_ASSERT(msrs, "calloc");
	for (uint32_t i = 0; i < list->nmsrs; i++)
		msrs->entries[i].index = list->indices[i];
	msrs->nmsrs = list->nmsrs;
	free(list);
	/* KVM_GET_MSRS stops at the first MSR it cannot read: drop it and go on. */
	while ((r = ioctl(vcpu->fd, KVM_GET_MSRS, msrs)) < (int)msrs->nmsrs) {
		TEST_ASSERT(r >= 0, "KVM_GET_MSRS");
		memmove(&msrs->entries[r], &msrs->entries[r + 1],
			(msrs->nmsrs - r - 1) * sizeof(msrs->entries[0]));
		msrs->nmsrs--;
	}
	return msrs;
}

static struct kvm_xsave *save_xsave(struct kvm_vcpu *vcpu)
{
	int size = kvm_check_cap(KVM_CAP_XSAVE2);
	struct kvm_xsave *xsave;

	if (size < (int)sizeof(*xsave))
		size = sizeof(*xsave);
	xsave = calloc(1, size);
	TEST_ASSERT(xsave, "calloc");
	vcpu_ioctl(vcpu, size > (int)sizeof(*xsave) ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, xsave,
		   "KVM_GET_XSAVE");
	return xsave;
}

struct vcpu_state *vcpu_state_save(struct kvm_vcpu *vcpu)
{
	struct vcpu_state *s = calloc(1, sizeof(*s));

	TEST_ASSERT(s, "calloc");
	complete_pending_io(vcpu);
	vcpu_regs_get(vcpu, &s->regs);
	vcpu_sregs_get(vcpu, &s->sregs);
	s->has_sregs2 = kvm_check_cap(KVM_CAP_SREGS2);
	if (s->has_sregs2)
		vcpu_sregs2_get(vcpu, &s->sregs2);
	VCPU_IOCTL(vcpu, KVM_GET_VCPU_EVENTS, &s->events);
	VCPU_IOCTL(vcpu, KVM_GET_MP_STATE, &s->mp_state);
	VCPU_IOCTL(vcpu, KVM_GET_DEBUGREGS, &s->debugregs);
	s->has_xcrs = kvm_check_cap(KVM_CAP_XCRS);
	if (s->has_xcrs)
		VCPU_IOCTL(vcpu, KVM_GET_XCRS, &s->xcrs);
	s->xsave = save_xsave(vcpu);
	VCPU_IOCTL(vcpu, KVM_GET_LAPIC, &s->lapic);
	s->msrs = save_msrs(vcpu);
	if (kvm_check_cap(KVM_CAP_NESTED_STATE))
		s->nested = vcpu_nested_state_get(vcpu);
	return s;
}

void vcpu_state_load(struct kvm_vcpu *vcpu, const struct vcpu_state *s, enum sregs_restore how)
{
	int r;

	/* Control registers (CR4.VMXE) before the nested state that depends on them. */
	if (how == RESTORE_SREGS2 && s->has_sregs2)
		vcpu_sregs2_set(vcpu, (struct kvm_sregs2 *)&s->sregs2);
	else
		vcpu_sregs_set(vcpu, (struct kvm_sregs *)&s->sregs);
	r = ioctl(vcpu->fd, KVM_SET_MSRS, s->msrs);
	TEST_ASSERT(r == (int)s->msrs->nmsrs, "KVM_SET_MSRS set %d of %u, failing at 0x%x", r,
		    s->msrs->nmsrs, r >= 0 ? s->msrs->entries[r].index : 0);
	if (s->has_xcrs)
		VCPU_IOCTL(vcpu, KVM_SET_XCRS, (void *)&s->xcrs);
	VCPU_IOCTL(vcpu, KVM_SET_XSAVE, s->xsave);
	VCPU_IOCTL(vcpu, KVM_SET_LAPIC, (void *)&s->lapic);
	VCPU_IOCTL(vcpu, KVM_SET_VCPU_EVENTS, (void *)&s->events);
	VCPU_IOCTL(vcpu, KVM_SET_MP_STATE, (void *)&s->mp_state);
	VCPU_IOCTL(vcpu, KVM_SET_DEBUGREGS, (void *)&s->debugregs);
	vcpu_regs_set(vcpu, (struct kvm_regs *)&s->regs);
	if (s->nested)
		vcpu_nested_state_set(vcpu, s->nested);
}

void vcpu_state_free(struct vcpu_state *s)
{
	free(s->xsave);
	free(s->msrs);
	free(s->nested);
	free(s);
}

bool vcpu_in_guest_mode(struct kvm_vcpu *vcpu)
{
	struct kvm_nested_state *n = vcpu_nested_state_get(vcpu);
	bool guest_mode = n->flags & KVM_STATE_NESTED_GUEST_MODE;

	free(n);
	return guest_mode;
}

struct kvm_vcpu *vm_migrate(struct kvm_vcpu *vcpu, enum sregs_restore how)
{
	struct kvm_vm *old = vcpu->vm, *vm;
	struct vcpu_state *state;
	struct kvm_vcpu *copy;

	TEST_ASSERT(old->nr_vcpus == 1, "vm_migrate() moves one-vCPU VMs");
	state = vcpu_state_save(vcpu);
	vm = vm_create_on_memory_of(old);
	copy = vm_add_vcpu_raw(vm);
	vcpu_state_load(copy, state, how);
	vcpu_state_free(state);
	vm_free_keep_memory(old);
	return copy;
}

int vcpu_thread_move_cpu(void)
{
	static cpu_set_t allowed;
	static bool saved;
	int cpu = sched_getcpu(), n = CPU_SETSIZE;
	cpu_set_t one;

	/* The CPUs the thread was allowed at first: later calls pin it to one. */
	if (!saved)
		TEST_ASSERT(!sched_getaffinity(0, sizeof(allowed), &allowed), "sched_getaffinity");
	saved = true;
	for (int i = 1; i < n; i++) {
		int next = (cpu + i) % n;

		if (!CPU_ISSET(next, &allowed))
			continue;
		CPU_ZERO(&one);
		CPU_SET(next, &one);
		TEST_ASSERT(!sched_setaffinity(0, sizeof(one), &one), "sched_setaffinity");
		return next;
	}
	return -1;
}
