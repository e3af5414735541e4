// SPDX-License-Identifier: GPL-2.0-only
/* L1's VMX run loop and exit reporting. */
#include "guest_print.h"
#include "ucall.h"
#include "x86/vmx.h"

static unsigned long vmread_natural(unsigned long field)
{
	enum vmx_status s;
	unsigned long value;

	s = vmread_status(field, &value);
	GUEST_ASSERT_MSG(s == VMX_OK, "VMREAD of field 0x%lx failed (%d, error %u)", field, s,
			 s == VMX_FAIL_VALID ? vmx_instruction_error() : 0);
	return value;
}

static void vmwrite_natural(unsigned long field, unsigned long value)
{
	enum vmx_status s = vmwrite_status(field, value);

	GUEST_ASSERT_MSG(s == VMX_OK, "VMWRITE of 0x%lx to field 0x%lx failed (%d, error %u)",
			 value, field, s, s == VMX_FAIL_VALID ? vmx_instruction_error() : 0);
}

uint64_t vmread(uint64_t field)
{
	uint64_t value = vmread_natural(field);

	if (sizeof(long) == 4 && vmcs_field_is_64bit(field))
		value |= (uint64_t)vmread_natural(field + 1) << 32;
	return value;
}

void vmwrite(uint64_t field, uint64_t value)
{
	vmwrite_natural(field, value);
	if (sizeof(long) == 4 && vmcs_field_is_64bit(field))
		vmwrite_natural(field + 1, value >> 32);
}

uint32_t vmx_instruction_error(void)
{
	unsigned long err = 0;

	vmread_status(VM_INSTRUCTION_ERROR, &err);
	return err;
}

void vmx_vmcs_load(struct vmx_vcpu *vmx, struct vmcs12 *v)
{
	enum vmx_status s = vmptrld(v->pa);

	GUEST_ASSERT_MSG(s == VMX_OK, "VMPTRLD 0x%llx failed (%d)", (unsigned long long)v->pa, s);
	vmx->current = v;
}

void vmx_vmcs_clear(struct vmx_vcpu *vmx, struct vmcs12 *v)
{
	enum vmx_status s = vmclear(v->pa);

	GUEST_ASSERT_MSG(s == VMX_OK, "VMCLEAR 0x%llx failed (%d)", (unsigned long long)v->pa, s);
	v->launched = false;
	if (vmx->current == v)
		vmx->current = NULL;
}

static uint32_t vmx_enter_once(struct vmx_vcpu *vmx, struct vmcs12 *v)
{
	uint32_t reason;
	int r;

	if (vmx->current != v)
		vmx_vmcs_load(vmx, v);
	r = vmx_enter(&v->regs, v->launched, &v->host_rsp);
	GUEST_ASSERT_MSG(!r, "%s failed: %s, VM-instruction error %u",
			 v->launched ? "VMRESUME" : "VMLAUNCH",
			 r == VMX_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid",
			 r == VMX_FAIL_VALID ? vmx_instruction_error() : 0);
	reason = vmread(VM_EXIT_REASON);
	/* A VM entry that fails while loading guest state leaves the launch state alone. */
	if (!(reason & EXIT_REASON_FAILED_ENTRY))
		v->launched = true;
	return reason;
}

static bool same_regs(const struct vmx_l2_regs *a, const struct vmx_l2_regs *b)
{
	const uint64_t *x = (const uint64_t *)a, *y = (const uint64_t *)b;

	for (unsigned int i = 0; i < sizeof(*a) / sizeof(*x); i++)
		if (x[i] != y[i])
			return false;
	return true;
}

uint32_t vmx_run(struct vmx_vcpu *vmx, struct vmcs12 *v)
{
	struct vmx_l2_regs regs = v->regs;
	uint64_t rip = v->launched && vmx->current == v ? vmread(GUEST_RIP) : 0;

	for (int slice = 0; slice < VMX_WATCHDOG_SLICES; slice++) {
		uint32_t reason = vmx_enter_once(vmx, v);
		uint64_t now;

		if (reason != EXIT_REASON_PREEMPTION_TIMER || !v->watchdog)
			return reason;
		/* The watchdog fired: L2 ran on, or it is stuck in place. */
		now = vmread(GUEST_RIP);
		if (now == rip && same_regs(&regs, &v->regs))
			return reason;
		rip = now;
		regs = v->regs;
	}
	return EXIT_REASON_PREEMPTION_TIMER;
}

static void set_bit_to(uint8_t *bitmap, uint32_t bit, bool value)
{
	if (value)
		bitmap[bit / 8] |= 1u << (bit % 8);
	else
		bitmap[bit / 8] &= ~(1u << (bit % 8));
}

void vmx_intercept_msr(struct vmx_vcpu *vmx, uint32_t msr, bool read, bool write)
{
	uint8_t *bitmap = (uint8_t *)(uintptr_t)vmx->msr_bitmap;
	/* Read bitmaps at 0 (low MSRs) and 1 KiB (0xc0000000...), write ones 2 KiB on. */
	uint32_t base = msr >= 0xc0000000 ? 1024 : 0;
	uint32_t index = msr & 0x1fff;

	GUEST_ASSERT_MSG(msr <= 0x1fff || (msr >= 0xc0000000 && msr <= 0xc0001fff),
			 "MSR 0x%x is outside the MSR bitmap", msr);
	set_bit_to(bitmap + base, index, read);
	set_bit_to(bitmap + 2048 + base, index, write);
}

void vmx_intercept_io(struct vmx_vcpu *vmx, uint16_t port, bool intercept)
{
	uint64_t bitmap = port < 0x8000 ? vmx->io_bitmap_a : vmx->io_bitmap_b;

	set_bit_to((uint8_t *)(uintptr_t)bitmap, port & 0x7fff, intercept);
}

void vmx_skip_instruction(void)
{
	vmwrite(GUEST_RIP, vmread(GUEST_RIP) + vmread(VM_EXIT_INSTRUCTION_LEN));
}

const char *vmx_exit_reason_name(uint32_t reason)
{
	static const char * const names[] = {
		[EXIT_REASON_EXCEPTION_NMI] = "EXCEPTION_NMI",
		[EXIT_REASON_EXTERNAL_INTERRUPT] = "EXTERNAL_INTERRUPT",
		[EXIT_REASON_TRIPLE_FAULT] = "TRIPLE_FAULT",
		[EXIT_REASON_INTR_WINDOW] = "INTR_WINDOW",
		[EXIT_REASON_CPUID] = "CPUID",
		[EXIT_REASON_HLT] = "HLT",
		[EXIT_REASON_INVLPG] = "INVLPG",
		[EXIT_REASON_RDPMC] = "RDPMC",
		[EXIT_REASON_RDTSC] = "RDTSC",
		[EXIT_REASON_VMCALL] = "VMCALL",
		[EXIT_REASON_CR_ACCESS] = "CR_ACCESS",
		[EXIT_REASON_DR_ACCESS] = "DR_ACCESS",
		[EXIT_REASON_IO_INSTRUCTION] = "IO_INSTRUCTION",
		[EXIT_REASON_MSR_READ] = "MSR_READ",
		[EXIT_REASON_MSR_WRITE] = "MSR_WRITE",
		[EXIT_REASON_INVALID_STATE] = "INVALID_GUEST_STATE",
		[EXIT_REASON_MSR_LOAD_FAIL] = "MSR_LOAD_FAIL",
		[EXIT_REASON_MONITOR_TRAP_FLAG] = "MONITOR_TRAP_FLAG",
		[EXIT_REASON_PAUSE] = "PAUSE",
		[EXIT_REASON_GDTR_IDTR] = "GDTR_IDTR",
		[EXIT_REASON_LDTR_TR] = "LDTR_TR",
		[EXIT_REASON_EPT_VIOLATION] = "EPT_VIOLATION",
		[EXIT_REASON_EPT_MISCONFIG] = "EPT_MISCONFIG",
		[EXIT_REASON_RDTSCP] = "RDTSCP",
		[EXIT_REASON_PREEMPTION_TIMER] = "PREEMPTION_TIMER",
		[EXIT_REASON_WBINVD] = "WBINVD",
		[EXIT_REASON_RDRAND] = "RDRAND",
		[EXIT_REASON_INVPCID] = "INVPCID",
		[EXIT_REASON_RDSEED] = "RDSEED",
	};
	uint32_t basic = EXIT_REASON_BASIC(reason);

	if (basic < sizeof(names) / sizeof(names[0]) && names[basic])
		return names[basic];
	return "?";
}

static void describe_exit(char *buf, int size, uint32_t got, uint32_t want)
{
	uint32_t info;

	if (got & EXIT_REASON_FAILED_ENTRY) {
		guest_snprintf(buf, size, "VM entry failed: reason %u (%s), qualification 0x%llx; "
			       "wanted exit %u (%s)", EXIT_REASON_BASIC(got),
			       vmx_exit_reason_name(got),
			       (unsigned long long)vmread(EXIT_QUALIFICATION), want,
			       vmx_exit_reason_name(want));
	} else if (got == EXIT_REASON_EXCEPTION_NMI) {
		info = vmread(VM_EXIT_INTR_INFO);
		guest_snprintf(buf, size, "L2 took exception %u (error code 0x%llx) at rip 0x%llx, "
			       "qualification 0x%llx; wanted exit %u (%s)",
			       info & INTR_INFO_VECTOR_MASK,
			       (unsigned long long)(info & INTR_INFO_ERROR_CODE_VALID ?
						    vmread(VM_EXIT_INTR_ERROR_CODE) : 0),
			       (unsigned long long)vmread(GUEST_RIP),
			       (unsigned long long)vmread(EXIT_QUALIFICATION), want,
			       vmx_exit_reason_name(want));
	} else {
		guest_snprintf(buf, size, "exit reason %u (%s) at L2 rip 0x%llx, qualification "
			       "0x%llx; wanted %u (%s)", got, vmx_exit_reason_name(got),
			       (unsigned long long)vmread(GUEST_RIP),
			       (unsigned long long)vmread(EXIT_QUALIFICATION), want,
			       vmx_exit_reason_name(want));
	}
}

void __vmx_assert_exit(const char *file, int line, uint32_t got, uint32_t want)
{
	char desc[256];

	if (got == want)
		return;
	describe_exit(desc, sizeof(desc), got, want);
	ucall_assert(file, line, "VM exit", "%s", desc);
}

void __vmx_assert_exit_rule(const char *file, int line, uint32_t got, uint32_t good,
			    uint32_t bad)
{
	uint32_t want = guest_inverted ? bad : good;
	char desc[256];

	if (got == want)
		return;
	describe_exit(desc, sizeof(desc), got, want);
	GUEST_PRINTF("%s", desc);
	ucall_assert_rule(file, line, "VM exit reason", got, good, bad);
}
