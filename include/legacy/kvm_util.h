/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host side: VMs and vCPUs over /dev/kvm (Documentation/virt/kvm/api.rst).
 *
 * Guest memory model: slot 0 covers guest-physical [0, mem_size) and L1
 * sees it identity mapped (linear == physical), except page 0 which stays
 * unmapped to catch NULL dereferences.  The test binary is static and not
 * position-independent, so its loadable segments are copied to the
 * guest-physical addresses equal to their link addresses: guest code calls
 * the binary's functions and reads its own copy of the binary's globals.
 */
#ifndef NST_KVM_UTIL_H
#define NST_KVM_UTIL_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "page_table.h"
#include "test_util.h"
#include "x86/exception.h"

#define DEFAULT_GUEST_MEM_SIZE	(64ull << 20)
#define GUEST_STACK_PAGES	16
#define KVM_MAX_TEST_VCPUS	8
#define KVM_MAX_TEST_SLOTS	8

struct kvm_vm;

struct kvm_vcpu {
	struct kvm_vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	uint64_t stack_top;		/* guest address of the initial stack top */
};

struct vm_mem_region {
	uint32_t slot;
	uint64_t gpa;
	uint64_t size;
	void *hva;
};

struct kvm_vm {
	int kvm_fd;
	int fd;
	uint64_t mem_size;		/* slot 0 */
	int numa_node;			/* node of guest memory, -1 for no policy */
	struct vm_mem_region regions[KVM_MAX_TEST_SLOTS];
	unsigned int nr_regions;
	struct page_table pt;		/* L1's 4-level page tables */
	uint64_t gdt, idt, tss;		/* guest-physical addresses */
	struct kvm_vcpu *vcpus[KVM_MAX_TEST_VCPUS];
	unsigned int nr_vcpus;
};

struct vm_options {
	uint64_t mem_size;		/* 0: DEFAULT_GUEST_MEM_SIZE */
};

/* /dev/kvm and capabilities. */
int kvm_open_dev(void);			/* asserts; callers check kvm_dev_problem() first */
const char *kvm_dev_problem(void);	/* NULL if /dev/kvm is usable, else why not */
int kvm_check_cap(long cap);
/* The CPUID that KVM supports (KVM_GET_SUPPORTED_CPUID); cached. */
const struct kvm_cpuid2 *kvm_supported_cpuid(void);
const struct kvm_cpuid_entry2 *kvm_cpuid_entry(const struct kvm_cpuid2 *cpuid,
					       uint32_t function, uint32_t index);
/* A feature MSR (KVM_GET_MSRS on /dev/kvm, e.g. the VMX capabilities); false if absent. */
bool kvm_get_feature_msr(uint32_t msr, uint64_t *value);

/* VMs. */
struct kvm_vm *vm_create(void);
struct kvm_vm *vm_create_opts(const struct vm_options *opts);
void vm_free(struct kvm_vm *vm);
/* A new VM on the same guest memory (for migration); vCPUs are not copied. */
struct kvm_vm *vm_create_on_memory_of(struct kvm_vm *old);
/* Frees the VM and its vCPUs but leaves the guest memory to another VM. */
void vm_free_keep_memory(struct kvm_vm *vm);
void vm_add_memslot(struct kvm_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size);
void *addr_gpa2hva(struct kvm_vm *vm, uint64_t gpa);
uint64_t addr_hva2gpa(struct kvm_vm *vm, const void *hva);
/* Translates through L1's page tables. */
uint64_t addr_gva2gpa(struct kvm_vm *vm, uint64_t gva);
void *addr_gva2hva(struct kvm_vm *vm, uint64_t gva);
/* Allocates zeroed guest pages from the guest page pool; asserts on exhaustion. */
uint64_t vm_alloc_pages(struct kvm_vm *vm, uint64_t npages);
/* Maps one page in L1's page tables (flags: PTE_* bits, PTE_P implied). */
void vm_map_page(struct kvm_vm *vm, uint64_t gva, uint64_t gpa, uint64_t flags);

/* The guest's copy of a global of the test binary. */
#define guest_global(vm, g)	(*(__typeof__(g) *)addr_gpa2hva(vm, (uint64_t)&(g)))
#define sync_global_to_guest(vm, g)	(guest_global(vm, g) = (g))
#define sync_global_from_guest(vm, g)	((g) = guest_global(vm, g))

/* Guest exception handlers (see x86/exception.h); NULL restores the default report. */
void vm_set_exception_handler(struct kvm_vm *vm, int vector, guest_exception_handler_t fn);

/* vCPUs. */
struct kvm_vcpu *vm_add_vcpu(struct kvm_vm *vm, void *guest_code);
/* A vCPU with CPUID set but no register state and no guest memory touched. */
struct kvm_vcpu *vm_add_vcpu_raw(struct kvm_vm *vm);
/* Sets up to 6 integer arguments of guest_code (System V order). */
void vcpu_args_set(struct kvm_vcpu *vcpu, unsigned int nr, ...);
/* KVM_RUN; returns the exit reason.  Retries on EINTR. */
uint32_t vcpu_run(struct kvm_vcpu *vcpu);
const char *exit_reason_str(uint32_t reason);
/* Describes an exit that no ucall explains (for failure reports). */
void vcpu_describe_exit(struct kvm_vcpu *vcpu, char *buf, size_t size);

void vcpu_ioctl(struct kvm_vcpu *vcpu, unsigned long cmd, void *arg, const char *name);
#define VCPU_IOCTL(vcpu, cmd, arg)	vcpu_ioctl(vcpu, cmd, arg, #cmd)

void vcpu_regs_get(struct kvm_vcpu *vcpu, struct kvm_regs *regs);
void vcpu_regs_set(struct kvm_vcpu *vcpu, struct kvm_regs *regs);
void vcpu_sregs_get(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs);
void vcpu_sregs_set(struct kvm_vcpu *vcpu, struct kvm_sregs *sregs);
/* KVM_GET/SET_SREGS2 (KVM_CAP_SREGS2): also carries the PDPTRs. */
void vcpu_sregs2_get(struct kvm_vcpu *vcpu, struct kvm_sregs2 *sregs2);
void vcpu_sregs2_set(struct kvm_vcpu *vcpu, struct kvm_sregs2 *sregs2);
uint64_t vcpu_get_msr(struct kvm_vcpu *vcpu, uint32_t msr);
void vcpu_set_msr(struct kvm_vcpu *vcpu, uint32_t msr, uint64_t value);
void vcpu_set_cpuid(struct kvm_vcpu *vcpu, const struct kvm_cpuid2 *cpuid);
/*
 * KVM_GET_NESTED_STATE into a buffer of KVM_CAP_NESTED_STATE bytes that the
 * caller frees; KVM_SET_NESTED_STATE.
 */
struct kvm_nested_state *vcpu_nested_state_get(struct kvm_vcpu *vcpu);
void vcpu_nested_state_set(struct kvm_vcpu *vcpu, struct kvm_nested_state *state);

/* Requirements: NULL when met, else the reason a test skips. */
const char *kvm_requirement_problem(void);		/* /dev/kvm usable */
const char *kvm_cap_problem(long cap, const char *name);

/* NUMA placement of guest memory: -1 (default) sets no policy. */
void vm_set_default_numa_node(int node);
int vm_default_numa_node(void);

#endif /* NST_KVM_UTIL_H */
