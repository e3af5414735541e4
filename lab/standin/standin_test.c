// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stand-in test for the lab's self-check (lab/selftest): it proves that the
 * lab's kernel can run a KVM guest, without needing the real suite.  It creates
 * a VM with one vCPU, runs a few real-mode instructions (OUT, HLT) in it and
 * prints a one-test KTAP stream.  Built with -DSTANDIN_FAIL it does the same and
 * then reports failure, so the self-check can see a failing test reach the host's
 * exit status.  Exit codes follow kselftest: 0 pass, 1 fail, 4 skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define KSFT_SKIP	4
#define GUEST_BASE	0x1000
#define OUT_PORT	0x10
#define OUT_VALUE	0x42

static int result(int ok, const char *why)
{
	printf("%sok 1 %s\n", ok ? "" : "not ", why);
	return ok ? 0 : 1;
}

int main(void)
{
	/* mov al, 0x42; out 0x10, al; hlt */
	static const uint8_t code[] = { 0xb0, OUT_VALUE, 0xe6, OUT_PORT, 0xf4 };
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	struct kvm_run *run;
	int kvm, vm, vcpu, size, outs = 0;
	uint8_t *mem;

	printf("TAP version 13\n1..1\n");
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("ok 1 # SKIP /dev/kvm: %s\n", strerror(errno));
		return KSFT_SKIP;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return result(0, "KVM_CREATE_VM failed");

	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return result(0, "mmap failed");
	memcpy(mem, code, sizeof(code));
	region.guest_phys_addr = GUEST_BASE;
	region.memory_size = 0x1000;
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return result(0, "KVM_SET_USER_MEMORY_REGION failed");

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || size <= 0)
		return result(0, "KVM_CREATE_VCPU failed");
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return result(0, "mmap of kvm_run failed");

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return result(0, "KVM_GET_SREGS failed");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return result(0, "KVM_SET_SREGS failed");
	regs.rip = GUEST_BASE;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return result(0, "KVM_SET_REGS failed");

	/* Bounded: the guest has exactly one OUT before its HLT. */
	for (int i = 0; i < 4; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			return result(0, "KVM_RUN failed");
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.port == OUT_PORT &&
		    *((uint8_t *)run + run->io.data_offset) == OUT_VALUE) {
			outs++;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		printf("# unexpected exit reason %u\n", run->exit_reason);
		return result(0, "unexpected exit");
	}
	if (outs != 1)
		return result(0, "guest did not write its port");
#ifdef STANDIN_FAIL
	printf("# the guest ran, and this stand-in fails on purpose\n");
	return result(0, "standin_fail");
#else
	return result(1, "standin_pass");
#endif
}
