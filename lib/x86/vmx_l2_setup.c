// SPDX-License-Identifier: GPL-2.0-only
/*
 * L1 enters VMX operation and builds VMCSs for L2s (SDM Vol. 3C 24.7 "Enabling
 * and entering VMX operation", 25.4-25.8 for the VMCS areas, 27.2-27.3 for
 * the checks VM entry makes on them).
 */
#include "x86/l1_memory.h"
#include "x86/l2_paging.h"
#include "x86/vmx_l2.h"

#define L2_STACK_PAGES	4

/* A VM exit returns to L1's mode: 64-bit, or a 32-bit host (SDM Vol. 3C 27.2.2). */
#ifdef __x86_64__
#define L1_EXIT_CONTROLS	VM_EXIT_HOST_ADDR_SPACE_SIZE
#else
#define L1_EXIT_CONTROLS	0
#endif

/* L2's code segment in 32-bit mode: VM entry checks its VMCS fields only. */
#define L2_CODE32_SELECTOR	0x28

static inline void write_cr0(uint64_t val)
{
	asm volatile("mov %0, %%cr0" : : "r"((unsigned long)val) : "memory");
}

/* rdmsr that tells whether the MSR exists (a #GP says no). */
static bool l1_rdmsr(uint32_t msr, uint64_t *val)
{
	return !rdmsr_safe(msr, val);
}

const struct vmx_caps *vmx_caps(void)
{
	static struct vmx_caps caps;
	static bool valid;

	if (!valid) {
		__GUEST_ASSERT(vmx_caps_read(&caps, l1_rdmsr),
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

struct l1_vmx *vmx_enable(void)
{
	struct l1_vmx *vmx;
	const struct vmx_caps *caps;
	uint64_t feat;

	if (!this_cpu_has(X86_FEATURE_VMX))
		GUEST_SKIP("the vCPU has no VMX (CPUID.1:ECX[5])");
	caps = vmx_caps();
	feat = rdmsr(MSR_IA32_FEAT_CTL);
	if (!(feat & FEAT_CTL_LOCKED))
		wrmsr(MSR_IA32_FEAT_CTL, feat | FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX);
	else if (!(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
		GUEST_SKIP("IA32_FEATURE_CONTROL is locked with VMX off");

	/* CR0 and CR4 must honour the fixed bits in VMX operation (SDM Vol. 3C 24.8). */
	write_cr0((get_cr0() | caps->cr0_fixed0) & caps->cr0_fixed1);
	set_cr4((get_cr4() | caps->cr4_fixed0 | X86_CR4_VMXE) & caps->cr4_fixed1);

	vmx = guest_alloc_pages(1);
	vmx->caps = caps;
	vmx->vmxon_pa = alloc_vmcs_region(caps);
	vmx->msr_bitmap = guest_alloc_page();
	vmx->io_bitmap_a = guest_alloc_page();
	vmx->io_bitmap_b = guest_alloc_page();
	__GUEST_ASSERT(!vmxon(vmx->vmxon_pa), "VMXON failed");
	return vmx;
}

void vmx_disable(struct l1_vmx *vmx)
{
	__GUEST_ASSERT(!__vmxoff(), "VMXOFF failed");
	vmx->current = NULL;
	set_cr4(get_cr4() & ~X86_CR4_VMXE);
}

static uint64_t tss_base(const struct desc_ptr *gdt, uint16_t sel)
{
	const uint64_t *d = (const uint64_t *)(uintptr_t)(gdt->address + (sel & ~7));

	return ((d[0] >> 16) & 0xffffff) | ((d[0] >> 56) << 24) | (d[1] << 32);
}

/* Host state: L1 as it is now (SDM Vol. 3C 25.5). */
static void write_host_state(struct l1_vmx *vmx)
{
	struct desc_ptr gdt = get_gdt(), idt = get_idt();
	uint16_t tr = get_tr();

	vmcs_write(HOST_CR0, get_cr0());
	vmcs_write(HOST_CR3, get_cr3());
	vmcs_write(HOST_CR4, get_cr4());
	vmcs_write(HOST_CS_SELECTOR, get_cs());
	vmcs_write(HOST_SS_SELECTOR, get_ss());
	vmcs_write(HOST_DS_SELECTOR, get_ds());
	vmcs_write(HOST_ES_SELECTOR, get_es());
	vmcs_write(HOST_FS_SELECTOR, get_fs());
	vmcs_write(HOST_GS_SELECTOR, get_gs());
	vmcs_write(HOST_TR_SELECTOR, tr);
	vmcs_write(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_write(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmcs_write(HOST_TR_BASE, tss_base(&gdt, tr));
	vmcs_write(HOST_GDTR_BASE, gdt.address);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	vmcs_write(HOST_IA32_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS));
	vmcs_write(HOST_IA32_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
	vmcs_write(HOST_IA32_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
	vmcs_write(HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmcs_write(HOST_IA32_PAT, rdmsr(MSR_IA32_CR_PAT));
	vmcs_write(HOST_RIP, (uintptr_t)vmx_exit_landing);
}

static uint32_t secondary_controls(const struct l2_setup *s)
{
	return s->proc2 | (s->eptp ? SECONDARY_EXEC_ENABLE_EPT : 0) |
	       (s->vpid ? SECONDARY_EXEC_ENABLE_VPID : 0);
}

static void require_controls(const struct vmx_caps *c, const struct l2_setup *s)
{
	uint32_t proc2 = secondary_controls(s);

	if (proc2 && !vmx_has_proc2(c, proc2))
		GUEST_SKIP("secondary controls 0x%x not allowed by IA32_VMX_PROCBASED_CTLS2", proc2);
	if (s->watchdog &&
	    !vmx_ctl_allowed1(c, VMX_CTL_PIN, PIN_BASED_VMX_PREEMPTION_TIMER))
		GUEST_SKIP("no VMX-preemption timer");
}

static void write_controls(struct l1_vmx *vmx, const struct l2_setup *s)
{
	const struct vmx_caps *c = vmx->caps;
	uint32_t pin = PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING | s->pin;
	uint32_t proc = CPU_BASED_HLT_EXITING | CPU_BASED_USE_MSR_BITMAPS | s->proc;
	uint32_t exit = L1_EXIT_CONTROLS | s->exit;
	uint32_t proc2 = secondary_controls(s);
	uint32_t entry = s->entry_ctls;

	require_controls(c, s);
	if (proc2)
		proc |= CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	if (s->watchdog) {
		pin |= PIN_BASED_VMX_PREEMPTION_TIMER;
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, VMX_WATCHDOG_TICKS);
	}
	if (s->eptp)
		vmcs_write(EPT_POINTER, s->eptp);
	if (s->vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, s->vpid);
	/* Load EFER both ways where possible, so that L1 and L2 EFER stay apart. */
	if (vmx_ctl_allowed1(c, VMX_CTL_ENTRY, VM_ENTRY_LOAD_IA32_EFER) &&
	    vmx_ctl_allowed1(c, VMX_CTL_EXIT, VM_EXIT_LOAD_IA32_EFER)) {
		entry |= VM_ENTRY_LOAD_IA32_EFER;
		exit |= VM_EXIT_LOAD_IA32_EFER;
	}

	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_ctl_value(c, VMX_CTL_PIN, pin));
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx_ctl_value(c, VMX_CTL_PROC, proc));
	if (proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
		vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx_ctl_value(c, VMX_CTL_PROC2, proc2));
	vmcs_write(VM_EXIT_CONTROLS, vmx_ctl_value(c, VMX_CTL_EXIT, exit));
	vmcs_write(VM_ENTRY_CONTROLS, vmx_ctl_value(c, VMX_CTL_ENTRY, entry));
	/* Every L2 exception exits to L1, which reports it: L2 has no handlers. */
	vmcs_write(EXCEPTION_BITMAP, 0xffffffff);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(CR0_GUEST_HOST_MASK, 0);
	vmcs_write(CR4_GUEST_HOST_MASK, 0);
	vmcs_write(MSR_BITMAP, vmx->msr_bitmap);
	vmcs_write(IO_BITMAP_A, vmx->io_bitmap_a);
	vmcs_write(IO_BITMAP_B, vmx->io_bitmap_b);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ull);
}

static void write_guest_segments(void)
{
	struct desc_ptr gdt = get_gdt();
	uint16_t tr = get_tr();
	static const uint32_t data_sel[] = {
		GUEST_ES_SELECTOR, GUEST_SS_SELECTOR, GUEST_DS_SELECTOR,
		GUEST_FS_SELECTOR, GUEST_GS_SELECTOR,
	};

	/* Selector, base, limit and AR fields of one segment are 0x2 apart per segment. */
	for (unsigned int i = 0; i < sizeof(data_sel) / sizeof(data_sel[0]); i++) {
		uint32_t seg = (data_sel[i] - GUEST_ES_SELECTOR) / 2;

		vmcs_write(data_sel[i], get_ds());
		vmcs_write(GUEST_ES_BASE + 2 * seg, 0);
		vmcs_write(GUEST_ES_LIMIT + 2 * seg, 0xffffffff);
		vmcs_write(GUEST_ES_AR_BYTES + 2 * seg, VMX_AR_DATA);
	}
	vmcs_write(GUEST_CS_BASE, 0);
	vmcs_write(GUEST_CS_LIMIT, 0xffffffff);
	vmcs_write(GUEST_TR_SELECTOR, tr);
	vmcs_write(GUEST_TR_BASE, tss_base(&gdt, tr));
	vmcs_write(GUEST_TR_LIMIT, 0x67);
	vmcs_write(GUEST_TR_AR_BYTES, VMX_AR_TSS64_BUSY);
	vmcs_write(GUEST_LDTR_SELECTOR, 0);
	vmcs_write(GUEST_LDTR_BASE, 0);
	vmcs_write(GUEST_LDTR_LIMIT, 0);
	vmcs_write(GUEST_LDTR_AR_BYTES, VMX_AR_LDT_UNUSABLE);
	vmcs_write(GUEST_GDTR_BASE, gdt.address);
	vmcs_write(GUEST_GDTR_LIMIT, gdt.size);
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
	uint64_t cr4 = l2_mode_cr4(get_cr4() | c->cr4_fixed0, mode, cr3);
	uint64_t efer = rdmsr(MSR_EFER) & EFER_NX;
	uint64_t entry = vmcs_read(VM_ENTRY_CONTROLS) & ~VM_ENTRY_IA32E_MODE;
	bool lm = mode == L2_LONG_MODE;
	struct desc_ptr idt = get_idt();

	__GUEST_ASSERT(lm || (cr3 && cr3 < (1ull << 32)), "a PAE L2 needs a PDPT below 4 GiB");
	if (lm)
		efer |= EFER_LME | EFER_LMA;
	vmcs_write(VM_ENTRY_CONTROLS, entry | (lm ? VM_ENTRY_IA32E_MODE : 0));
	vmcs_write(GUEST_IA32_EFER, efer);
	vmcs_write(GUEST_CR3, cr3 ? cr3 : get_cr3());
	vmcs_write(GUEST_CR4, cr4);
	vmcs_write(CR4_READ_SHADOW, cr4);
	vmcs_write(GUEST_CS_SELECTOR, lm ? get_cs() : L2_CODE32_SELECTOR);
	vmcs_write(GUEST_CS_AR_BYTES, lm ? VMX_AR_CODE64 : VMX_AR_CODE32);
	vmcs_write(GUEST_IDTR_BASE, lm ? idt.address : 0);
	vmcs_write(GUEST_IDTR_LIMIT, lm ? idt.size : 0);
	for (int i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTR(i), !lm && ept ? ((uint64_t *)(uintptr_t)cr3)[i] : 0);
}

static void write_guest_state(struct l1_vmx *vmx, const struct l2_setup *s, uint64_t stack)
{
	const struct vmx_caps *c = vmx->caps;
	uint64_t cr0 = (get_cr0() | c->cr0_fixed0) & c->cr0_fixed1;

	write_guest_segments();
	write_mode_state(c, s->mode, s->cr3, s->eptp);
	vmcs_write(GUEST_CR0, cr0);
	vmcs_write(CR0_READ_SHADOW, cr0);
	vmcs_write(GUEST_IA32_PAT, rdmsr(MSR_IA32_CR_PAT));
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_RSP, stack);
	vmcs_write(GUEST_RIP, (uintptr_t)s->entry);
	vmcs_write(GUEST_RFLAGS, L2_START_RFLAGS);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

void l2_vmcs_set_mode(struct l1_vmx *vmx, struct l2_vmcs *v, enum l2_mode mode, uint64_t cr3)
{
	bool ept = false;

	if (vmx->current != v)
		l2_vmcs_load(vmx, v);
	if (vmcs_read(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
		ept = vmcs_read(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_ENABLE_EPT;
	write_mode_state(vmx->caps, mode, cr3, ept);
	v->mode = mode;
}

struct l2_vmcs *l2_vmcs_create(struct l1_vmx *vmx, const struct l2_setup *setup)
{
	struct l2_vmcs *v = guest_alloc_pages(1);
	uint64_t stack = setup->stack_top;

	if (!stack)
		stack = (uintptr_t)guest_alloc_pages(L2_STACK_PAGES) + L2_STACK_PAGES * PAGE_SIZE;
	v->pa = alloc_vmcs_region(vmx->caps);
	v->mode = setup->mode;
	v->watchdog = setup->watchdog;
	l2_vmcs_clear(vmx, v);
	l2_vmcs_load(vmx, v);
	write_controls(vmx, setup);
	write_host_state(vmx);
	write_guest_state(vmx, setup, stack);
	return v;
}
