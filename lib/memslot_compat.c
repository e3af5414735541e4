// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_SET_USER_MEMORY_REGION2 on kernels before 6.8, for the KVM selftests
 * library, which creates every memory slot with it and skips a test when
 * KVM_CHECK_EXTENSION(KVM_CAP_USER_MEMORY2) says 0.  The tests are linked
 * with -Wl,--wrap=ioctl (lib/upstream.mk), so every ioctl() of the library
 * and of the tests comes here first.
 *
 * Documentation/virt/kvm/api.rst, 4.140 KVM_SET_USER_MEMORY_REGION2: it "is
 * an extension to KVM_SET_USER_MEMORY_REGION that allows mapping
 * guest_memfd memory into a guest.  All fields shared with
 * KVM_SET_USER_MEMORY_REGION identically."  struct kvm_userspace_memory_region
 * is the first five fields of struct kvm_userspace_memory_region2, so a
 * region without KVM_MEM_GUEST_MEMFD is the same request to the older
 * ioctl; guest_memfd memory has no equivalent there and is refused.
 *
 * 4.4 KVM_CHECK_EXTENSION is a system ioctl and, with
 * KVM_CAP_CHECK_EXTENSION_VM, also a vm ioctl: the library asks both ways
 * (kvm_has_cap() on /dev/kvm, vm_check_cap() on the VM), so the answer is
 * changed on any file descriptor.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

int __real_ioctl(int fd, unsigned long request, ...);
int __wrap_ioctl(int fd, unsigned long request, ...);

/* -1 until the kernel was asked. */
static int kernel_has_memory2 = -1;

static bool has_memory2(int fd)
{
	if (kernel_has_memory2 < 0)
		kernel_has_memory2 = __real_ioctl(fd, KVM_CHECK_EXTENSION,
						  (unsigned long)KVM_CAP_USER_MEMORY2) > 0;
	return kernel_has_memory2;
}

static int set_region_v1(int fd, const struct kvm_userspace_memory_region2 *r2)
{
	struct kvm_userspace_memory_region r = {
		.slot = r2->slot,
		.flags = r2->flags,
		.guest_phys_addr = r2->guest_phys_addr,
		.memory_size = r2->memory_size,
		.userspace_addr = r2->userspace_addr,
	};

	if (r2->flags & KVM_MEM_GUEST_MEMFD) {
		errno = EINVAL;
		return -1;
	}
	return __real_ioctl(fd, KVM_SET_USER_MEMORY_REGION, &r);
}

/* glibc's ioctl() takes its third argument as a pointer, whatever it is. */
int __wrap_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (request == KVM_CHECK_EXTENSION && (unsigned long)arg == KVM_CAP_USER_MEMORY2 &&
	    !has_memory2(fd))
		return 1;
	if (request == KVM_SET_USER_MEMORY_REGION2 && !has_memory2(fd))
		return set_region_v1(fd, arg);
	return __real_ioctl(fd, request, arg);
}
