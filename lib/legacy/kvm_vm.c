// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM creation: memory slots, the test binary's image in guest memory,
 * L1's identity-mapped page tables and the guest page pool.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"
#include "numa_mem.h"
#include "page_pool.h"
#include "x86/desc.h"

#define VM_TSS_ADDR	0xfffbd000ul

static void vm_ioctl(struct kvm_vm *vm, unsigned long cmd, void *arg, const char *name)
{
	int r = ioctl(vm->fd, cmd, arg);

	TEST_ASSERT(r >= 0, "%s failed: %d", name, r);
}

void *addr_gpa2hva(struct kvm_vm *vm, uint64_t gpa)
{
	for (unsigned int i = 0; i < vm->nr_regions; i++) {
		struct vm_mem_region *r = &vm->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return (char *)r->hva + (gpa - r->gpa);
	}
	TEST_FAIL("guest-physical address 0x%llx is in no memory slot",
		  (unsigned long long)gpa);
}

uint64_t addr_hva2gpa(struct kvm_vm *vm, const void *hva)
{
	for (unsigned int i = 0; i < vm->nr_regions; i++) {
		struct vm_mem_region *r = &vm->regions[i];
		const char *base = r->hva;

		if ((const char *)hva >= base && (uint64_t)((const char *)hva - base) < r->size)
			return r->gpa + ((const char *)hva - base);
	}
	TEST_FAIL("host address %p is not guest memory", hva);
}

uint64_t addr_gva2gpa(struct kvm_vm *vm, uint64_t gva)
{
	uint64_t gpa;

	TEST_ASSERT(pt_translate(&vm->pt, gva, &gpa),
		    "guest virtual address 0x%llx is not mapped", (unsigned long long)gva);
	return gpa;
}

void *addr_gva2hva(struct kvm_vm *vm, uint64_t gva)
{
	return addr_gpa2hva(vm, addr_gva2gpa(vm, gva));
}

uint64_t vm_alloc_pages(struct kvm_vm *vm, uint64_t npages)
{
	uint64_t gpa = page_pool_alloc(&guest_global(vm, guest_page_pool), npages);

	TEST_ASSERT(gpa, "guest page pool exhausted (%llu pages wanted)",
		    (unsigned long long)npages);
	memset(addr_gpa2hva(vm, gpa), 0, npages * PAGE_SIZE);
	return gpa;
}

static void *pt_map_vm(void *ctx, uint64_t pa)
{
	return addr_gpa2hva(ctx, pa);
}

static uint64_t pt_alloc_vm(void *ctx)
{
	return vm_alloc_pages(ctx, 1);
}

void vm_map_page(struct kvm_vm *vm, uint64_t gva, uint64_t gpa, uint64_t flags)
{
	TEST_ASSERT(pt_map(&vm->pt, gva, gpa, flags), "cannot map 0x%llx",
		    (unsigned long long)gva);
}

static void vm_register_region(struct kvm_vm *vm, const struct vm_mem_region *r)
{
	struct kvm_userspace_memory_region kr = {
		.slot = r->slot, .guest_phys_addr = r->gpa, .memory_size = r->size,
		.userspace_addr = (uintptr_t)r->hva,
	};

	vm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &kr, "KVM_SET_USER_MEMORY_REGION");
}

void vm_add_memslot(struct kvm_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size)
{
	struct vm_mem_region *r = &vm->regions[vm->nr_regions];

	TEST_ASSERT(vm->nr_regions < KVM_MAX_TEST_SLOTS, "too many memory slots");
	TEST_ASSERT(!(gpa % PAGE_SIZE) && size && !(size % PAGE_SIZE),
		    "memory slot not page aligned");
	r->slot = slot;
	r->gpa = gpa;
	r->size = size;
	r->hva = guest_mem_alloc(size, vm->numa_node);
	vm_register_region(vm, r);
	vm->nr_regions++;
	/* Slots added after creation are identity mapped for L1 too. */
	if (vm->pt.root)
		TEST_ASSERT(pt_map_range(&vm->pt, gpa, gpa, size, PTE_RW), "identity map");
}

/*
 * Copies the loadable segments of this (static, non-PIE) binary, as they
 * are in memory now, to the guest-physical addresses they are linked at.
 * Returns the end of the highest segment.
 */
static uint64_t load_own_image(struct kvm_vm *vm)
{
	const Elf64_Phdr *phdr = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM);
	uint64_t end = 0;

	TEST_ASSERT(phdr && phnum, "no program headers in the auxiliary vector");
	for (unsigned long i = 0; i < phnum; i++) {
		const Elf64_Phdr *p = &phdr[i];

		if (p->p_type != PT_LOAD)
			continue;
		TEST_ASSERT(p->p_vaddr >= PAGE_SIZE && p->p_vaddr + p->p_memsz <= vm->mem_size,
			    "segment at 0x%llx does not fit in guest memory; "
			    "is the binary static and non-PIE?", (unsigned long long)p->p_vaddr);
		memcpy(addr_gpa2hva(vm, p->p_vaddr), (const void *)p->p_vaddr, p->p_memsz);
		if (p->p_vaddr + p->p_memsz > end)
			end = p->p_vaddr + p->p_memsz;
	}
	return end;
}

/* The VM file descriptor and its VM-wide setup, before any memory. */
static void vm_open(struct kvm_vm *vm)
{
	vm->kvm_fd = kvm_open_dev();
	vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	TEST_ASSERT(vm->fd >= 0, "KVM_CREATE_VM");
	if (kvm_check_cap(KVM_CAP_IRQCHIP))
		vm_ioctl(vm, KVM_CREATE_IRQCHIP, NULL, "KVM_CREATE_IRQCHIP");
	/*
	 * VMX without unrestricted guest needs a 3-page TSS area for real mode
	 * (api.rst, KVM_SET_TSS_ADDR); put it below 4 GiB, far above guest memory.
	 */
	if (kvm_check_cap(KVM_CAP_SET_TSS_ADDR))
		TEST_ASSERT(ioctl(vm->fd, KVM_SET_TSS_ADDR, VM_TSS_ADDR) >= 0, "KVM_SET_TSS_ADDR");
}


struct kvm_vm *vm_create_opts(const struct vm_options *opts)
{
	struct kvm_vm *vm = calloc(1, sizeof(*vm));
	struct page_pool *pool;
	uint64_t image_end;
	int node;

	TEST_ASSERT(vm, "calloc");
	vm->mem_size = opts && opts->mem_size ? opts->mem_size : DEFAULT_GUEST_MEM_SIZE;
	vm->numa_node = vm_default_numa_node();
	vm_open(vm);
	vm_add_memslot(vm, 0, 0, vm->mem_size);
	image_end = load_own_image(vm);
	node = guest_mem_node(addr_gpa2hva(vm, image_end - 1));
	if (vm->numa_node >= 0)
		TEST_ASSERT(node == vm->numa_node, "guest memory is on node %d, not on node %d",
			    node, vm->numa_node);

	pool = &guest_global(vm, guest_page_pool);
	pool->next = ALIGN_UP(image_end, PAGE_SIZE);
	pool->end = vm->mem_size;

	TEST_ASSERT(pt_init(&vm->pt, PT_4LEVEL, pt_map_vm, pt_alloc_vm, vm), "page tables");
	/* Identity map all but page 0 (NULL dereferences must fault). */
	TEST_ASSERT(pt_map_range(&vm->pt, PAGE_SIZE, PAGE_SIZE, vm->mem_size - PAGE_SIZE, PTE_RW),
		    "identity map");
	vm_setup_descriptors(vm);
	return vm;
}

struct kvm_vm *vm_create(void)
{
	return vm_create_opts(NULL);
}

struct kvm_vm *vm_create_on_memory_of(struct kvm_vm *old)
{
	struct kvm_vm *vm = malloc(sizeof(*vm));

	TEST_ASSERT(vm, "malloc");
	*vm = *old;
	vm->nr_vcpus = 0;
	vm->pt.ctx = vm;
	vm_open(vm);
	for (unsigned int i = 0; i < vm->nr_regions; i++)
		vm_register_region(vm, &vm->regions[i]);
	return vm;
}

void vm_free_keep_memory(struct kvm_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct kvm_vcpu *vcpu = vm->vcpus[i];

		munmap(vcpu->run, vcpu->run_size);
		close(vcpu->fd);
		free(vcpu);
	}
	close(vm->fd);
	close(vm->kvm_fd);
	free(vm);
}

void vm_free(struct kvm_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_regions; i++)
		munmap(vm->regions[i].hva, vm->regions[i].size);
	vm_free_keep_memory(vm);
}
