// SPDX-License-Identifier: GPL-2.0-only
/*
 * L1 enters VMX operation and builds vmcs12s (SDM Vol. 3C 24.7 "Enabling
 * and entering VMX operation", 25.4-25.8 for the VMCS areas, 27.2-27.3 for
 * the checks VM entry makes on them).
 */
#include "page_pool.h"
#include "ucall.h"
#include "x86/exception.h"
#include "x86/vmx.h"

#define L2_STACK_PAGES	4

struct desc_ptr {
	uint16_t limit;
	unsigned long base;		/* 32 bits in a 32-bit L1 */
} __attribute__((packed));

/* L1's own code segment: the host state a VM exit returns to. */
#ifdef __x86_64__
#define L1_CODE_SEL		GDT_SEL_CODE64
#define L1_EXIT_CONTROLS	EXIT_HOST_ADDR_SPACE_SIZE
#else
#define L1_CODE_SEL		GDT_SEL_CODE32
#define L1_EXIT_CONTROLS	0	/* a 32-bit host (SDM Vol. 3C 27.2.2) */
#endif

static bool rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	if (guest_asm_safe("rdmsr", : "=a"(lo), "=d"(hi) : "c"(msr)) != NO_EXCEPTION)
		return false;
	*val = lo | (uint64_t)hi << 32;
	return true;
}

const struct vmx_caps *vmx_caps(void)
{
	static struct vmx_caps caps;
	static bool valid;

	if (!valid) {
		GUEST_ASSERT_MSG(vmx_caps_read(&caps, rdmsr_safe),
				 "cannot read the VMX capability MSRs");
		valid = true;
	}
	return &caps;
}

static uint64_t alloc_vmcs_region(const struct vmx_caps *caps)
{
	uint64_t pa = guest_alloc_page();

	*(uint32_t *)(uintptr_t)pa = VMX_BASIC_REVISION(caps->basic);
	return pa;
}

struct vmx_vcpu *vmx_enable(void)
{
	struct vmx_vcpu *vmx;
	const struct vmx_caps *caps;
	uint64_t feat;

	if (!this_cpu_has(1, CPUID_ECX, CPUID_1_ECX_VMX))
		GUEST_SKIP("the vCPU has no VMX (CPUID.1:ECX[5])");
	caps = vmx_caps();
	feat = rdmsr(MSR_IA32_FEAT_CTL);
	if (!(feat & FEAT_CTL_LOCKED))
		wrmsr(MSR_IA32_FEAT_CTL, feat | FEAT_CTL_LOCKED | FEAT_CTL_VMX_OUTSIDE_SMX);
	else if (!(feat & FEAT_CTL_VMX_OUTSIDE_SMX))
		GUEST_SKIP("IA32_FEATURE_CONTROL is locked with VMX off");

	/* CR0 and CR4 must honour the fixed bits in VMX operation (SDM Vol. 3C 24.8). */
	write_cr0((read_cr0() | caps->cr0_fixed0) & caps->cr0_fixed1);
	write_cr4((read_cr4() | caps->cr4_fixed0 | X86_CR4_VMXE) & caps->cr4_fixed1);

	vmx = guest_alloc_pages(1);
	vmx->caps = caps;
	vmx->vmxon_pa = alloc_vmcs_region(caps);
	vmx->msr_bitmap = guest_alloc_page();
	vmx->io_bitmap_a = guest_alloc_page();
	vmx->io_bitmap_b = guest_alloc_page();
	GUEST_ASSERT_EQ(vmxon(vmx->vmxon_pa), VMX_OK);
	return vmx;
}

void vmx_disable(struct vmx_vcpu *vmx)
{
	GUEST_ASSERT_EQ(vmxoff(), VMX_OK);
	vmx->current = NULL;
	write_cr4(read_cr4() & ~X86_CR4_VMXE);
}

static uint64_t tss_base(const struct desc_ptr *gdt, uint16_t sel)
{
	const uint64_t *d = (const uint64_t *)(uintptr_t)(gdt->base + (sel & ~7));

	return ((d[0] >> 16) & 0xffffff) | ((d[0] >> 56) << 24) | (d[1] << 32);
}

/* Host state: L1 as it is now (SDM Vol. 3C 25.5). */
static void write_host_state(struct vmx_vcpu *vmx)
{
	struct desc_ptr gdt, idt;
	uint16_t tr;

	asm volatile("sgdt %0; sidt %1; str %2" : "=m"(gdt), "=m"(idt), "=r"(tr));
	vmwrite(HOST_CR0, read_cr0());
	vmwrite(HOST_CR3, read_cr3());
	vmwrite(HOST_CR4, read_cr4());
	vmwrite(HOST_CS_SELECTOR, L1_CODE_SEL);
	vmwrite(HOST_SS_SELECTOR, GDT_SEL_DATA);
	vmwrite(HOST_DS_SELECTOR, GDT_SEL_DATA);
	vmwrite(HOST_ES_SELECTOR, GDT_SEL_DATA);
	vmwrite(HOST_FS_SELECTOR, GDT_SEL_DATA);
	vmwrite(HOST_GS_SELECTOR, GDT_SEL_DATA);
	vmwrite(HOST_TR_SELECTOR, tr);
	vmwrite(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmwrite(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmwrite(HOST_TR_BASE, tss_base(&gdt, tr));
	vmwrite(HOST_GDTR_BASE, gdt.base);
	vmwrite(HOST_IDTR_BASE, idt.base);
	vmwrite(HOST_IA32_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS));
	vmwrite(HOST_IA32_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
	vmwrite(HOST_IA32_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
	vmwrite(HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmwrite(HOST_IA32_PAT, rdmsr(MSR_IA32_CR_PAT));
	vmwrite(HOST_RIP, (uintptr_t)vmx_exit_landing);
}

static uint32_t secondary_controls(const struct l2_setup *s)
{
	return s->proc2 | (s->eptp ? SEC_ENABLE_EPT : 0) | (s->vpid ? SEC_ENABLE_VPID : 0);
}

static void require_controls(const struct vmx_caps *c, const struct l2_setup *s)
{
	uint32_t proc2 = secondary_controls(s);

	if (proc2 && !vmx_has_proc2(c, proc2))
		GUEST_SKIP("secondary controls 0x%x not allowed by IA32_VMX_PROCBASED_CTLS2", proc2);
	if ((s->watchdog || s->timer_ticks) &&
	    !vmx_ctl_allowed1(c, VMX_CTL_PIN, PIN_PREEMPTION_TIMER))
		GUEST_SKIP("no VMX-preemption timer");
}

static void write_controls(struct vmx_vcpu *vmx, const struct l2_setup *s)
{
	const struct vmx_caps *c = vmx->caps;
	uint32_t pin = PIN_EXT_INTR_EXITING | PIN_NMI_EXITING | s->pin;
	uint32_t proc = CPU_HLT_EXITING | CPU_USE_MSR_BITMAPS | s->proc;
	uint32_t exit = L1_EXIT_CONTROLS | s->exit;
	uint32_t proc2 = secondary_controls(s);
	uint32_t entry = s->entry_ctls;

	require_controls(c, s);
	if (proc2)
		proc |= CPU_ACTIVATE_SECONDARY;
	if (s->watchdog || s->timer_ticks) {
		pin |= PIN_PREEMPTION_TIMER;
		vmwrite(VMX_PREEMPTION_TIMER_VALUE, s->timer_ticks ? s->timer_ticks :
							      VMX_WATCHDOG_TICKS);
	}
	if (s->eptp)
		vmwrite(EPT_POINTER, s->eptp);
	if (s->vpid)
		vmwrite(VIRTUAL_PROCESSOR_ID, s->vpid);
	/* Load EFER both ways where possible, so that L1 and L2 EFER stay apart. */
	if (vmx_ctl_allowed1(c, VMX_CTL_ENTRY, ENTRY_LOAD_IA32_EFER) &&
	    vmx_ctl_allowed1(c, VMX_CTL_EXIT, EXIT_LOAD_IA32_EFER)) {
		entry |= ENTRY_LOAD_IA32_EFER;
		exit |= EXIT_LOAD_IA32_EFER;
	}

	vmwrite(PIN_BASED_VM_EXEC_CONTROL, vmx_ctl_value(c, VMX_CTL_PIN, pin));
	vmwrite(CPU_BASED_VM_EXEC_CONTROL, vmx_ctl_value(c, VMX_CTL_PROC, proc));
	if (proc & CPU_ACTIVATE_SECONDARY)
		vmwrite(SECONDARY_VM_EXEC_CONTROL, vmx_ctl_value(c, VMX_CTL_PROC2, proc2));
	vmwrite(VM_EXIT_CONTROLS, vmx_ctl_value(c, VMX_CTL_EXIT, exit));
	vmwrite(VM_ENTRY_CONTROLS, vmx_ctl_value(c, VMX_CTL_ENTRY, entry));
	/* Every L2 exception exits to L1, which reports it: L2 has no handlers. */
	vmwrite(EXCEPTION_BITMAP, 0xffffffff);
	vmwrite(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmwrite(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmwrite(CR3_TARGET_COUNT, 0);
	vmwrite(CR0_GUEST_HOST_MASK, 0);
	vmwrite(CR4_GUEST_HOST_MASK, 0);
	vmwrite(MSR_BITMAP, vmx->msr_bitmap);
	vmwrite(IO_BITMAP_A, vmx->io_bitmap_a);
	vmwrite(IO_BITMAP_B, vmx->io_bitmap_b);
	vmwrite(VM_EXIT_MSR_STORE_COUNT, 0);
	vmwrite(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmwrite(VMCS_LINK_POINTER, ~0ull);
}

static void write_guest_segments(void)
{
	struct desc_ptr gdt;
	uint16_t tr;
	static const uint32_t data_sel[] = {
		GUEST_ES_SELECTOR, GUEST_SS_SELECTOR, GUEST_DS_SELECTOR,
		GUEST_FS_SELECTOR, GUEST_GS_SELECTOR,
	};

	asm volatile("sgdt %0; str %1" : "=m"(gdt), "=r"(tr));
	/* Selector, base, limit and AR fields of one segment are 0x2 apart per segment. */
	for (unsigned int i = 0; i < sizeof(data_sel) / sizeof(data_sel[0]); i++) {
		uint32_t seg = (data_sel[i] - GUEST_ES_SELECTOR) / 2;

		vmwrite(data_sel[i], GDT_SEL_DATA);
		vmwrite(GUEST_ES_BASE + 2 * seg, 0);
		vmwrite(GUEST_ES_LIMIT + 2 * seg, 0xffffffff);
		vmwrite(GUEST_ES_AR_BYTES + 2 * seg, VMX_AR_DATA);
	}
	vmwrite(GUEST_CS_BASE, 0);
	vmwrite(GUEST_CS_LIMIT, 0xffffffff);
	vmwrite(GUEST_TR_SELECTOR, tr);
	vmwrite(GUEST_TR_BASE, tss_base(&gdt, tr));
	vmwrite(GUEST_TR_LIMIT, 0x67);
	vmwrite(GUEST_TR_AR_BYTES, VMX_AR_TSS64_BUSY);
	vmwrite(GUEST_LDTR_SELECTOR, 0);
	vmwrite(GUEST_LDTR_BASE, 0);
	vmwrite(GUEST_LDTR_LIMIT, 0);
	vmwrite(GUEST_LDTR_AR_BYTES, VMX_AR_LDT_UNUSABLE);
	vmwrite(GUEST_GDTR_BASE, gdt.base);
	vmwrite(GUEST_GDTR_LIMIT, gdt.limit);
}

/*
 * What distinguishes a long-mode L2 from a PAE one (SDM Vol. 3C 27.3.1):
 * the "IA-32e mode guest" entry control, EFER.LMA/LME, CS, CR4.PCIDE, the
 * IDT (L1's is in 64-bit format: a 32-bit L2 gets none, all its exceptions
 * exit) and, with EPT, the PDPTEs, which VM entry then loads from the VMCS
 * rather than from CR3 (27.3.2.4): they start coherent with the PDPT.
 */
static void write_mode_state(const struct vmx_caps *c, enum l2_mode mode, uint64_t cr3,
			     bool ept)
{
	uint64_t cr4 = read_cr4() | c->cr4_fixed0;
	uint64_t efer = rdmsr(MSR_EFER) & EFER_NX;
	uint64_t entry = vmread(VM_ENTRY_CONTROLS) & ~ENTRY_IA32E_MODE;
	bool lm = mode == L2_LONG_MODE;
	struct desc_ptr idt;

	GUEST_ASSERT_MSG(lm || (cr3 && cr3 < (1ull << 32)), "a PAE L2 needs a PDPT below 4 GiB");
	asm volatile("sidt %0" : "=m"(idt));
	if (lm)
		efer |= EFER_LME | EFER_LMA;
	else
		cr4 &= ~(X86_CR4_PCIDE | X86_CR4_FSGSBASE);
	vmwrite(VM_ENTRY_CONTROLS, entry | (lm ? ENTRY_IA32E_MODE : 0));
	vmwrite(GUEST_IA32_EFER, efer);
	vmwrite(GUEST_CR3, cr3 ? cr3 : read_cr3());
	vmwrite(GUEST_CR4, cr4);
	vmwrite(CR4_READ_SHADOW, cr4);
	vmwrite(GUEST_CS_SELECTOR, lm ? GDT_SEL_CODE64 : GDT_SEL_CODE32);
	vmwrite(GUEST_CS_AR_BYTES, lm ? VMX_AR_CODE64 : VMX_AR_CODE32);
	vmwrite(GUEST_IDTR_BASE, lm ? idt.base : 0);
	vmwrite(GUEST_IDTR_LIMIT, lm ? idt.limit : 0);
	for (int i = 0; i < 4; i++)
		vmwrite(GUEST_PDPTR(i), !lm && ept ? ((uint64_t *)(uintptr_t)cr3)[i] : 0);
}

static void write_guest_state(struct vmx_vcpu *vmx, const struct l2_setup *s, uint64_t stack)
{
	const struct vmx_caps *c = vmx->caps;
	uint64_t cr0 = (read_cr0() | c->cr0_fixed0) & c->cr0_fixed1;

	write_guest_segments();
	write_mode_state(c, s->mode, s->cr3, s->eptp);
	vmwrite(GUEST_CR0, cr0);
	vmwrite(CR0_READ_SHADOW, cr0);
	vmwrite(GUEST_IA32_PAT, rdmsr(MSR_IA32_CR_PAT));
	vmwrite(GUEST_IA32_DEBUGCTL, 0);
	vmwrite(GUEST_DR7, 0x400);
	vmwrite(GUEST_RSP, stack);
	vmwrite(GUEST_RIP, (uintptr_t)s->entry);
	vmwrite(GUEST_RFLAGS, GUEST_START_RFLAGS);
	vmwrite(GUEST_SYSENTER_CS, 0);
	vmwrite(GUEST_SYSENTER_ESP, 0);
	vmwrite(GUEST_SYSENTER_EIP, 0);
	vmwrite(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

void vmx_vmcs_set_mode(struct vmx_vcpu *vmx, struct vmcs12 *v, enum l2_mode mode, uint64_t cr3)
{
	bool ept = false;

	if (vmx->current != v)
		vmx_vmcs_load(vmx, v);
	if (vmread(CPU_BASED_VM_EXEC_CONTROL) & CPU_ACTIVATE_SECONDARY)
		ept = vmread(SECONDARY_VM_EXEC_CONTROL) & SEC_ENABLE_EPT;
	write_mode_state(vmx->caps, mode, cr3, ept);
	v->mode = mode;
}

struct vmcs12 *vmx_vmcs_create(struct vmx_vcpu *vmx, const struct l2_setup *setup)
{
	struct vmcs12 *v = guest_alloc_pages(1);
	uint64_t stack = setup->stack_top;

	if (!stack)
		stack = (uintptr_t)guest_alloc_pages(L2_STACK_PAGES) + L2_STACK_PAGES * PAGE_SIZE;
	v->pa = alloc_vmcs_region(vmx->caps);
	v->mode = setup->mode;
	v->watchdog = setup->watchdog && !setup->timer_ticks;
	vmx_vmcs_clear(vmx, v);
	vmx_vmcs_load(vmx, v);
	write_controls(vmx, setup);
	write_host_state(vmx);
	write_guest_state(vmx, setup, stack);
	return v;
}
