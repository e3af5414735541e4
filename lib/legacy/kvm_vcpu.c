// SPDX-License-Identifier: GPL-2.0-only
/* vCPUs: creation in 64-bit mode, KVM_RUN, register and state ioctls. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kvm_util.h"
#include "x86/desc.h"

extern char guest_code_returned[];

void vcpu_ioctl(struct kvm_vcpu *vcpu, unsigned long cmd, void *arg, const char *name)
{
	int r = ioctl(vcpu->fd, cmd, arg);

	TEST_ASSERT(r >= 0, "%s failed on vCPU %d: %d", name, vcpu->id, r);
}

void vcpu_regs_get(struct kvm_vcpu *vcpu, struct kvm_regs *regs)
{
	VCPU_IOCTL(vcpu, KVM_GET_REGS, regs);
}

void vcpu_regs_set(struct kvm_vcpu *vcpu, struct kvm_regs *regs)
{
	VCPU_IOCTL(vcpu, KVM_SET_REGS, regs);
}

void vcpu_sregs_get(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	VCPU_IOCTL(vcpu, KVM_GET_SREGS, sregs);
}

void vcpu_sregs_set(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	VCPU_IOCTL(vcpu, KVM_SET_SREGS, sregs);
}

void vcpu_sregs2_get(struct kvm_vcpu *vcpu, struct kvm_sregs2 *sregs2)
{
	VCPU_IOCTL(vcpu, KVM_GET_SREGS2, sregs2);
}

void vcpu_sregs2_set(struct kvm_vcpu *vcpu, struct kvm_sregs2 *sregs2)
{
	VCPU_IOCTL(vcpu, KVM_SET_SREGS2, sregs2);
}

struct one_msr {
	struct kvm_msrs hdr;
	struct kvm_msr_entry entry;
};

uint64_t vcpu_get_msr(struct kvm_vcpu *vcpu, uint32_t msr)
{
	struct one_msr m = { .hdr.nmsrs = 1, .entry.index = msr };
	int r = ioctl(vcpu->fd, KVM_GET_MSRS, &m);

	TEST_ASSERT(r == 1, "KVM_GET_MSRS of MSR 0x%x: %d", msr, r);
	return m.entry.data;
}

void vcpu_set_msr(struct kvm_vcpu *vcpu, uint32_t msr, uint64_t value)
{
	struct one_msr m = { .hdr.nmsrs = 1, .entry = { .index = msr, .data = value } };
	int r = ioctl(vcpu->fd, KVM_SET_MSRS, &m);

	TEST_ASSERT(r == 1, "KVM_SET_MSRS of MSR 0x%x = 0x%llx: %d", msr,
		    (unsigned long long)value, r);
}

void vcpu_set_cpuid(struct kvm_vcpu *vcpu, const struct kvm_cpuid2 *cpuid)
{
	VCPU_IOCTL(vcpu, KVM_SET_CPUID2, (void *)cpuid);
}

struct kvm_nested_state *vcpu_nested_state_get(struct kvm_vcpu *vcpu)
{
	int size = kvm_check_cap(KVM_CAP_NESTED_STATE);
	struct kvm_nested_state *state;

	TEST_ASSERT(size > 0, "KVM lacks KVM_CAP_NESTED_STATE");
	state = calloc(1, size);
	TEST_ASSERT(state, "calloc");
	state->size = size;
	VCPU_IOCTL(vcpu, KVM_GET_NESTED_STATE, state);
	return state;
}

void vcpu_nested_state_set(struct kvm_vcpu *vcpu, struct kvm_nested_state *state)
{
	VCPU_IOCTL(vcpu, KVM_SET_NESTED_STATE, state);
}

/* The supported CPUID, with this vCPU's APIC ID in leaf 1. */
static void vcpu_init_cpuid(struct kvm_vcpu *vcpu)
{
	const struct kvm_cpuid2 *supported = kvm_supported_cpuid();
	size_t size = sizeof(*supported) + supported->nent * sizeof(supported->entries[0]);
	struct kvm_cpuid2 *cpuid = malloc(size);

	TEST_ASSERT(cpuid, "malloc");
	memcpy(cpuid, supported, size);
	for (uint32_t i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == 1)
			cpuid->entries[i].ebx = (cpuid->entries[i].ebx & 0x00ffffff) |
						((uint32_t)vcpu->id << 24);
	vcpu_set_cpuid(vcpu, cpuid);
	free(cpuid);
}

static bool cpuid_has_nx(void)
{
	const struct kvm_cpuid_entry2 *e = kvm_cpuid_entry(kvm_supported_cpuid(),
							   0x80000001, 0);

	return e && (e->edx & CPUID_80000001_EDX_NX);
}

struct kvm_vcpu *vm_add_vcpu_raw(struct kvm_vm *vm)
{
	struct kvm_vcpu *vcpu = calloc(1, sizeof(*vcpu));

	TEST_ASSERT(vcpu, "calloc");
	TEST_ASSERT(vm->nr_vcpus < KVM_MAX_TEST_VCPUS, "too many vCPUs");
	vcpu->vm = vm;
	vcpu->id = vm->nr_vcpus;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, vcpu->id);
	TEST_ASSERT(vcpu->fd >= 0, "KVM_CREATE_VCPU");
	vcpu->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	TEST_ASSERT(vcpu->run_size >= sizeof(*vcpu->run), "KVM_GET_VCPU_MMAP_SIZE");
	vcpu->run = mmap(NULL, vcpu->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "mmap of kvm_run");
	vm->vcpus[vm->nr_vcpus++] = vcpu;
	vcpu_init_cpuid(vcpu);
	return vcpu;
}

struct kvm_vcpu *vm_add_vcpu(struct kvm_vm *vm, void *guest_code)
{
	struct kvm_vcpu *vcpu = vm_add_vcpu_raw(vm);
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	uint64_t stack;

	vcpu_sregs_get(vcpu, &sregs);
	vm_long_mode_sregs(vm, &sregs);
	if (cpuid_has_nx())
		sregs.efer |= EFER_NX;
	vcpu_sregs_set(vcpu, &sregs);

	/* A call-like entry: the return address reports DONE (idt_entry.S). */
	stack = vm_alloc_pages(vm, GUEST_STACK_PAGES);
	vcpu->stack_top = stack + GUEST_STACK_PAGES * PAGE_SIZE;
	*(uint64_t *)addr_gpa2hva(vm, vcpu->stack_top - 8) = (uintptr_t)guest_code_returned;
	memset(&regs, 0, sizeof(regs));
	regs.rip = (uintptr_t)guest_code;
	regs.rsp = vcpu->stack_top - 8;
	regs.rflags = GUEST_START_RFLAGS;
	vcpu_regs_set(vcpu, &regs);
	return vcpu;
}

void vcpu_args_set(struct kvm_vcpu *vcpu, unsigned int nr, ...)
{
	struct kvm_regs regs;
	__u64 *slot[] = { &regs.rdi, &regs.rsi, &regs.rdx, &regs.rcx, &regs.r8, &regs.r9 };
	va_list ap;

	TEST_ASSERT(nr <= ARRAY_SIZE(slot), "at most %zu guest arguments", ARRAY_SIZE(slot));
	vcpu_regs_get(vcpu, &regs);
	va_start(ap, nr);
	for (unsigned int i = 0; i < nr; i++)
		*slot[i] = va_arg(ap, uint64_t);
	va_end(ap);
	vcpu_regs_set(vcpu, &regs);
}

uint32_t vcpu_run(struct kvm_vcpu *vcpu)
{
	int r;

	do {
		r = ioctl(vcpu->fd, KVM_RUN, NULL);
	} while (r < 0 && errno == EINTR);
	TEST_ASSERT(!r, "KVM_RUN failed on vCPU %d", vcpu->id);
	return vcpu->run->exit_reason;
}
