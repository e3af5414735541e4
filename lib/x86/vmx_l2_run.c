// SPDX-License-Identifier: GPL-2.0-only
/* L1's VMX run loop and exit reporting. */
#include "self_check.h"
#include "x86/vmx_l2.h"

void l2_vmcs_load(struct l1_vmx *vmx, struct l2_vmcs *v)
{
	__GUEST_ASSERT(!vmptrld(v->pa), "VMPTRLD %#lx failed", v->pa);
	vmx->current = v;
}

void l2_vmcs_clear(struct l1_vmx *vmx, struct l2_vmcs *v)
{
	__GUEST_ASSERT(!vmclear(v->pa), "VMCLEAR %#lx failed", v->pa);
	v->launched = false;
	if (vmx->current == v)
		vmx->current = NULL;
}

int vmx_run_once(struct l1_vmx *vmx, struct l2_vmcs *v, uint32_t *reason)
{
	int r;

	if (vmx->current != v)
		l2_vmcs_load(vmx, v);
	r = vmx_enter(&v->regs, v->launched, &v->host_rsp);
	if (r)
		return r;
	*reason = vmcs_read(VM_EXIT_REASON);
	/* A VM entry that fails while loading guest state leaves the launch state alone. */
	if (!(*reason & EXIT_REASON_FAILED_VMENTRY))
		v->launched = true;
	return 0;
}

static uint32_t vmx_enter_once(struct l1_vmx *vmx, struct l2_vmcs *v)
{
	uint32_t reason = 0;
	int r = vmx_run_once(vmx, v, &reason);

	__GUEST_ASSERT(!r, "%s failed: %s, VM-instruction error %u",
			 v->launched ? "VMRESUME" : "VMLAUNCH",
			 r == VMX_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid",
			 r == VMX_FAIL_VALID ? vmx_instruction_error() : 0);
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

uint32_t vmx_run(struct l1_vmx *vmx, struct l2_vmcs *v)
{
	struct vmx_l2_regs regs = v->regs;
	uint64_t rip = v->launched && vmx->current == v ? vmcs_read(GUEST_RIP) : 0;

	for (int slice = 0; slice < VMX_WATCHDOG_SLICES; slice++) {
		uint32_t reason = vmx_enter_once(vmx, v);
		uint64_t now;

		if (reason != EXIT_REASON_PREEMPTION_TIMER || !v->watchdog)
			return reason;
		/* The watchdog fired: L2 ran on, or it is stuck in place. */
		now = vmcs_read(GUEST_RIP);
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

void vmx_intercept_msr(struct l1_vmx *vmx, uint32_t msr, bool read, bool write)
{
	uint8_t *bitmap = (uint8_t *)(uintptr_t)vmx->msr_bitmap;
	/* Read bitmaps at 0 (low MSRs) and 1 KiB (0xc0000000...), write ones 2 KiB on. */
	uint32_t base = msr >= 0xc0000000 ? 1024 : 0;
	uint32_t index = msr & 0x1fff;

	__GUEST_ASSERT(msr <= 0x1fff || (msr >= 0xc0000000 && msr <= 0xc0001fff),
			 "MSR 0x%x is outside the MSR bitmap", msr);
	set_bit_to(bitmap + base, index, read);
	set_bit_to(bitmap + 2048 + base, index, write);
}

void vmx_intercept_io(struct l1_vmx *vmx, uint16_t port, bool intercept)
{
	uint64_t bitmap = port < 0x8000 ? vmx->io_bitmap_a : vmx->io_bitmap_b;

	set_bit_to((uint8_t *)(uintptr_t)bitmap, port & 0x7fff, intercept);
}

void vmx_skip_instruction(void)
{
	vmcs_write(GUEST_RIP, vmcs_read(GUEST_RIP) + vmcs_read(VM_EXIT_INSTRUCTION_LEN));
}

static void set_pin_timer(bool on)
{
	uint64_t pin = vmcs_read(PIN_BASED_VM_EXEC_CONTROL) & ~PIN_BASED_VMX_PREEMPTION_TIMER;

	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, pin | (on ? PIN_BASED_VMX_PREEMPTION_TIMER : 0));
}

void l2_vmcs_timer_start(struct l2_vmcs *v, uint32_t ticks)
{
	v->watchdog = false;
	vmcs_write(VMX_PREEMPTION_TIMER_VALUE, ticks);
	set_pin_timer(true);
}

void l2_vmcs_timer_stop(struct l2_vmcs *v)
{
	v->watchdog = false;
	set_pin_timer(false);
}

const char *vmx_exit_reason_name(uint32_t reason)
{
	/* The uapi's table: { EXIT_REASON_*, "NAME" }, ... */
	static const struct {
		uint32_t reason;
		const char *name;
	} names[] = { VMX_EXIT_REASONS };
	uint32_t basic = EXIT_REASON_BASIC(reason);

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].reason == basic)
			return names[i].name;
	return "?";
}

static void describe_exit(char *buf, int size, uint32_t got, uint32_t want)
{
	uint32_t info;

	if (got & EXIT_REASON_FAILED_VMENTRY) {
		guest_snprintf(buf, size, "VM entry failed: reason %u (%s), qualification 0x%llx; "
			       "wanted exit %u (%s)", EXIT_REASON_BASIC(got),
			       vmx_exit_reason_name(got),
			       (unsigned long long)vmcs_read(EXIT_QUALIFICATION), want,
			       vmx_exit_reason_name(want));
	} else if (got == EXIT_REASON_EXCEPTION_NMI) {
		info = vmcs_read(VM_EXIT_INTR_INFO);
		guest_snprintf(buf, size, "L2 took exception %u (error code 0x%llx) at rip 0x%llx, "
			       "qualification 0x%llx; wanted exit %u (%s)",
			       info & INTR_INFO_VECTOR_MASK,
			       (unsigned long long)(info & INTR_INFO_DELIVER_CODE_MASK ?
						    vmcs_read(VM_EXIT_INTR_ERROR_CODE) : 0),
			       (unsigned long long)vmcs_read(GUEST_RIP),
			       (unsigned long long)vmcs_read(EXIT_QUALIFICATION), want,
			       vmx_exit_reason_name(want));
	} else {
		guest_snprintf(buf, size, "exit reason %u (%s) at L2 rip 0x%llx, qualification "
			       "0x%llx; wanted %u (%s)", got, vmx_exit_reason_name(got),
			       (unsigned long long)vmcs_read(GUEST_RIP),
			       (unsigned long long)vmcs_read(EXIT_QUALIFICATION), want,
			       vmx_exit_reason_name(want));
	}
}

void __vmx_assert_exit(const char *file, int line, uint32_t got, uint32_t want)
{
	char desc[256];

	if (got == want)
		return;
	describe_exit(desc, sizeof(desc), got, want);
	ucall_assert(UCALL_ABORT, "VM exit", file, line, "%s", desc);
}

void __vmx_assert_exit_rule(const char *file, int line, uint32_t got, uint32_t good,
			    uint32_t bad)
{
	uint32_t want = guest_inverted ? bad : good;
	char desc[256];

	if (got == want)
		return;
	describe_exit(desc, sizeof(desc), got, want);
	ucall_assert(UCALL_ABORT, RULE_ASSERT_TAG "VM exit reason", file, line,
		     "%s (%s run; the rule requires exit %u)", desc,
		     guest_inverted ? "inverted" : "normal", good);
}
