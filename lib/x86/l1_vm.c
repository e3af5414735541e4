// SPDX-License-Identifier: GPL-2.0-only
/* Host side of an L1 that builds its own L2s (see x86/l1_vm.h). */
#include <sched.h>
#include <stdlib.h>

#include "emulator_flaws.h"
#include "kvm_util.h"
#include "processor.h"
#include "self_check.h"
#include "sparsebit.h"
#include "upstream_compat.h"
#include "x86/l1_vm.h"

/* Page-table pages for identity mapping the pool in L1, with room to spare. */
#define L1_POOL_PT_PAGES(n)	((n) / 512 + 16)

static void add_range(struct l1_range *ranges, uint64_t *nr, uint64_t gva, uint64_t gpa)
{
	struct l1_range *last = *nr ? &ranges[*nr - 1] : NULL;

	if (last && last->gva + last->npages * 4096 == gva &&
	    last->gpa + last->npages * 4096 == gpa) {
		last->npages++;
		return;
	}
	TEST_ASSERT(*nr < L1_MAX_RANGES, "L1 maps more than %d runs of pages", L1_MAX_RANGES);
	ranges[(*nr)++] = (struct l1_range){ .gva = gva, .gpa = gpa, .npages = 1 };
}

/* Everything L1's page tables map, in runs contiguous in both spaces, and the memslots. */
static void l1_memory_describe(struct kvm_vm *vm, struct l1_memory *m)
{
	struct userspace_mem_region *slot0 = memslot2region(vm, 0);
	sparsebit_idx_t i;

	*m = (struct l1_memory){ 0 };
	for (i = sparsebit_first_set(vm->vpages_mapped); i;
	     i = sparsebit_next_set(vm->vpages_mapped, i)) {
		uint64_t gva = i << vm->page_shift;

		add_range(m->mapped, &m->nr_mapped, gva, addr_gva2gpa(vm, gva));
	}
	m->slots[m->nr_slots++] = (struct l1_range){
		.gva = slot0->region.guest_phys_addr, .gpa = slot0->region.guest_phys_addr,
		.npages = slot0->region.memory_size / 4096,
	};
	m->slots[m->nr_slots++] = (struct l1_range){
		.gva = L1_POOL_GPA, .gpa = L1_POOL_GPA,
		.npages = (guest_page_pool.end - L1_POOL_GPA) / 4096,
	};
}

struct kvm_vcpu *l1_vm_create(void *l1_code, uint64_t pool_pages)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	if (!pool_pages)
		pool_pages = L1_POOL_DEFAULT_PAGES;
	vm = __vm_create_with_one_vcpu(&vcpu, L1_POOL_PT_PAGES(pool_pages), l1_code);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, L1_POOL_GPA, L1_POOL_SLOT,
				    pool_pages, 0);
	virt_map(vm, L1_POOL_GPA, L1_POOL_GPA, pool_pages);

	guest_page_pool = (struct guest_page_pool){
		.next = L1_POOL_GPA, .end = L1_POOL_GPA + pool_pages * 4096,
		.hva_offset = (uint64_t)addr_gpa2hva(vm, L1_POOL_GPA) - L1_POOL_GPA,
	};
	l1_memory_describe(vm, &l1_memory);
	sync_global_to_guest(vm, guest_page_pool);
	sync_global_to_guest(vm, l1_memory);
	sync_global_to_guest(vm, guest_inverted);
	sync_global_to_guest(vm, emulator_flaws);
	return vcpu;
}

bool l1_ucall_returns(const struct ucall *uc)
{
	switch (uc->cmd) {
	case UCALL_SYNC:
	case UCALL_DONE:
		return true;
	case UCALL_PRINTF:
		ksft_print_msg("guest: %s\n", uc->buffer);
		return false;
	case UCALL_GUEST_SKIP:
		__TEST_REQUIRE(false, "%s", uc->buffer);
	default:
		TEST_FAIL("unknown ucall %lu", uc->cmd);
	}
}

uint64_t vcpu_run_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	do {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, uc)) {
		case UCALL_ABORT:
		case UCALL_UNHANDLED:
			REPORT_GUEST_ASSERT(*uc);
		case UCALL_NONE:
			TEST_FAIL("unexpected exit to the host: %s",
				  exit_reason_str(vcpu->run->exit_reason));
		}
	} while (!l1_ucall_returns(uc));
	return uc->cmd;
}

void vcpu_run_to_done(struct kvm_vcpu *vcpu)
{
	struct ucall uc = {};

	TEST_ASSERT(vcpu_run_ucall(vcpu, &uc) == UCALL_DONE,
		    "unexpected GUEST_SYNC(%lu) from the guest", uc.args[1]);
	kvm_vm_free(vcpu->vm);
}

void vcpu_run_to_sync(struct kvm_vcpu *vcpu, uint64_t stage)
{
	struct ucall uc = {};

	TEST_ASSERT(vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC,
		    "the guest ended before GUEST_SYNC(%lu)", stage);
	TEST_ASSERT(uc.args[1] == stage, "GUEST_SYNC(%lu), expected GUEST_SYNC(%lu)", uc.args[1],
		    stage);
}

struct kvm_vcpu *vm_migrate(struct kvm_vcpu *vcpu, enum sregs_restore how)
{
	bool sregs2 = how == RESTORE_SREGS2 && kvm_has_cap(KVM_CAP_SREGS2);
	struct kvm_vm *vm = vcpu->vm;
	struct kvm_x86_state *state;
	struct kvm_sregs2 sregs2_state;
	uint32_t nested_size;

	state = vcpu_save_state(vcpu);
	if (sregs2)
		vcpu_ioctl(vcpu, KVM_GET_SREGS2, &sregs2_state);
	kvm_vm_release(vm);
	vcpu = vm_recreate_with_one_vcpu(vm);

	/*
	 * KVM_SET_SREGS2 carries the PDPTRs; it goes right before the nested
	 * state, which may enter L2 with them.
	 */
	nested_size = state->nested.size;
	if (sregs2)
		state->nested.size = 0;
	vcpu_load_state(vcpu, state);
	if (sregs2) {
		vcpu_ioctl(vcpu, KVM_SET_SREGS2, &sregs2_state);
		state->nested.size = nested_size;
		if (nested_size)
			vcpu_nested_state_set(vcpu, &state->nested);
	}
	kvm_x86_state_cleanup(state);
	return vcpu;
}

bool vcpu_in_guest_mode(struct kvm_vcpu *vcpu)
{
	union {
		struct kvm_nested_state state;
		char buf[16384];
	} n = { .state.size = sizeof(n) };

	vcpu_nested_state_get(vcpu, &n.state);
	return n.state.flags & KVM_STATE_NESTED_GUEST_MODE;
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
