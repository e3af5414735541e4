// SPDX-License-Identifier: GPL-2.0-only
/* /dev/kvm: availability, capabilities, supported CPUID, feature MSRs. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm_util.h"

#define KVM_DEV_PATH	"/dev/kvm"

const char *kvm_dev_problem(void)
{
	static char why[128];
	int fd = open(KVM_DEV_PATH, O_RDWR | O_CLOEXEC);
	int version;

	if (fd < 0) {
		if (errno == ENOENT)
			return KVM_DEV_PATH " not found: KVM is not loaded or not built";
		if (errno == EACCES || errno == EPERM)
			return "no permission to open " KVM_DEV_PATH;
		snprintf(why, sizeof(why), "cannot open " KVM_DEV_PATH ": %s", strerror(errno));
		return why;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	close(fd);
	if (version != KVM_API_VERSION) {
		snprintf(why, sizeof(why), "KVM API version %d, expected %d", version,
			 KVM_API_VERSION);
		return why;
	}
	return NULL;
}

/*
 * The suite's guests are plain x86 code: they need KVM on hardware
 * virtualization (kvm_intel or kvm_amd).  Other KVM flavours, such as
 * kvm_pvm (guests in ring 3 of the host, no SSE/XSAVE state of their
 * own), cannot run them faithfully.
 */
static const char *kvm_vendor_problem(void)
{
	static const char * const others[] = { "kvm_pvm" };
	static char why[160];
	struct stat st;

	if (!stat("/sys/module/kvm_intel", &st) || !stat("/sys/module/kvm_amd", &st))
		return NULL;
	for (unsigned int i = 0; i < ARRAY_SIZE(others); i++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/module/%s", others[i]);
		if (!stat(path, &st)) {
			snprintf(why, sizeof(why), "KVM is %s, not kvm_intel or kvm_amd: "
				 "it cannot run plain x86 guests", others[i]);
			return why;
		}
	}
	return "neither kvm_intel nor kvm_amd is loaded";
}

const char *kvm_requirement_problem(void)
{
	const char *problem = kvm_dev_problem();

	return problem ? problem : kvm_vendor_problem();
}

int kvm_open_dev(void)
{
	int fd = open(KVM_DEV_PATH, O_RDWR | O_CLOEXEC);

	TEST_ASSERT(fd >= 0, "open %s", KVM_DEV_PATH);
	return fd;
}

int kvm_check_cap(long cap)
{
	int fd = kvm_open_dev();
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	close(fd);
	return r < 0 ? 0 : r;
}

const char *kvm_cap_problem(long cap, const char *name)
{
	static char why[96];

	if (kvm_check_cap(cap))
		return NULL;
	snprintf(why, sizeof(why), "KVM lacks %s", name);
	return why;
}

const struct kvm_cpuid2 *kvm_supported_cpuid(void)
{
	static struct kvm_cpuid2 *cpuid;
	int nent = 64, fd, r;

	if (cpuid)
		return cpuid;
	fd = kvm_open_dev();
	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		TEST_ASSERT(cpuid, "calloc");
		cpuid->nent = nent;
		r = ioctl(fd, KVM_GET_SUPPORTED_CPUID, cpuid);
		if (!r || errno != E2BIG)
			break;
		free(cpuid);
		nent *= 2;
	}
	TEST_ASSERT(!r, "KVM_GET_SUPPORTED_CPUID");
	close(fd);
	return cpuid;
}

const struct kvm_cpuid_entry2 *kvm_cpuid_entry(const struct kvm_cpuid2 *cpuid,
					       uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != index)
			continue;
		return e;
	}
	return NULL;
}

bool kvm_get_feature_msr(uint32_t msr, uint64_t *value)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} msrs = { .hdr.nmsrs = 1, .entry.index = msr };
	int fd, r;

	if (!kvm_check_cap(KVM_CAP_GET_MSR_FEATURES))
		return false;
	fd = kvm_open_dev();
	r = ioctl(fd, KVM_GET_MSRS, &msrs);
	close(fd);
	if (r != 1)
		return false;
	*value = msrs.entry.data;
	return true;
}
