// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx_io_bitmap_test: which I/O instructions of L2 exit to L1, and what the
 * VM exit reports (Intel SDM Vol. 3C 26.1.3 "Instructions That Cause VM
 * Exits Conditionally": IN, INS, OUT and OUTS under the "unconditional I/O
 * exiting" and "use I/O bitmaps" controls; 25.6.4 "I/O-Bitmap Addresses";
 * 28.2.1 "Basic VM-Exit Information" and Table 28-5 for the exit
 * qualification; 28.2.5 "Information for VM Exits Due to Instruction
 * Execution" for the instruction length and information).
 *
 * KVM runs every L2 with unconditional I/O exiting in its own VMCS and
 * decides from L1's controls and bitmaps whether an exit goes to L1
 * (nested_vmx_exit_handled_io(), nested_vmx_check_io_bitmaps()); if not,
 * L0 performs the access itself, which for this VM means an exit to its
 * userspace, this test's host process, as KVM_EXIT_IO.
 *
 * L2 shares L1's page tables and runs one I/O instruction per VM entry: L1
 * points GUEST_RIP at a stub (io_NAME: the instruction, io_NAME_end: a
 * VMCALL) and sets L2's registers (port in DX, data in EAX, string
 * operands in RSI/RDI, count in RCX).  After the VM entry L1 sees either
 * an I/O-instruction exit at the stub, or the VMCALL after it: the access
 * did not exit to L1 and the host must have seen it, exactly once, with
 * its port, size, direction and data.  The host supplies the data of INs,
 * which L1 then finds in L2's registers or memory.
 *
 * Ports: the accesses that reach the host avoid the library's ucall port
 * (1000H) and the ports KVM emulates in the kernel for this VM (the PIC
 * at 20H/A0H, the ELCR at 4D0H); nothing reaches a real device.
 */
#include <linux/stringify.h>

#include "kvm_util.h"
#include "processor.h"
#include "scenario_harness.h"
#include "x86/l1_vm.h"
#include "x86/vmx_l2.h"
#include "x86/vmx_requirements.h"

#define IMM_PORT		0x9a
#define DATA_OUT		0x89abcdefull
#define DATA_IN			0x5aa5c33cull
#define REP_COUNT		3
/* Bits of RDI above 31 for the 32-bit address size: INS must ignore them. */
#define ADDR32_JUNK		0x0000123400000000ull
/* RSI of the FS-override OUTS; GUEST_FS_BASE + RSI is out_buf. */
#define FS_OFFSET		0x1000
#define MAX_SET			3
#define MAX_ACCESSES		3

/* Segment registers and address sizes of the INS/OUTS instruction information. */
#define SEG_DS			3
#define SEG_FS			4
#define ADDR_SIZE_32		1
#define ADDR_SIZE_64		2

/* One I/O instruction for L2: io_NAME, then a VMCALL at io_NAME_end. */
#define IO_INSN(name, insn)						\
	extern char io_##name[], io_##name##_end[];			\
	asm(".pushsection .text, \"ax\"\n"				\
	    "io_" #name ":\n\t"						\
	    insn "\n"							\
	    "io_" #name "_end:\n\t"					\
	    "vmcall\n\t"						\
	    "ud2\n"							\
	    ".popsection")

IO_INSN(outb_dx, "outb %al, %dx");
IO_INSN(outw_dx, "outw %ax, %dx");
IO_INSN(outl_dx, "outl %eax, %dx");
IO_INSN(inb_dx, "inb %dx, %al");
IO_INSN(inw_dx, "inw %dx, %ax");
IO_INSN(inl_dx, "inl %dx, %eax");
IO_INSN(outb_imm0, "outb %al, $0");
IO_INSN(inl_imm, "inl $" __stringify(IMM_PORT) ", %eax");
IO_INSN(outsb, "outsb");
IO_INSN(insb, "insb");
IO_INSN(rep_outsw, "rep outsw");
IO_INSN(rep_insl, "rep insl");
IO_INSN(outsb_fs, "outsb %fs:(%rsi), (%dx)");
IO_INSN(insb_addr32, "addr32 insb");

enum io_insn_id {
	OUTB_DX, OUTW_DX, OUTL_DX, INB_DX, INW_DX, INL_DX, OUTB_IMM0, INL_IMM,
	OUTSB, INSB, REP_OUTSW, REP_INSL, OUTSB_FS, INSB_ADDR32,
};

/* What an instruction does, as the exit qualification and information describe it. */
struct io_insn {
	const char *name;
	const char *start, *end;
	uint8_t size;
	bool in, string, rep, imm;
	uint8_t seg;		/* OUTS: the segment register */
	uint8_t addr_size;	/* INS/OUTS: the address size */
};

#define DX_INSN(id, n, sz, dir_in)	\
	[id] = { #n, io_##n, io_##n##_end, .size = sz, .in = dir_in }
#define STRING_INSN(id, n, sz, dir_in, r, sg, as)				\
	[id] = { #n, io_##n, io_##n##_end, .size = sz, .in = dir_in, .string = true,	\
		 .rep = r, .seg = sg, .addr_size = as }

static const struct io_insn io_insns[] = {
	DX_INSN(OUTB_DX, outb_dx, 1, false),
	DX_INSN(OUTW_DX, outw_dx, 2, false),
	DX_INSN(OUTL_DX, outl_dx, 4, false),
	DX_INSN(INB_DX, inb_dx, 1, true),
	DX_INSN(INW_DX, inw_dx, 2, true),
	DX_INSN(INL_DX, inl_dx, 4, true),
	[OUTB_IMM0] = { "outb_imm0", io_outb_imm0, io_outb_imm0_end, .size = 1, .imm = true },
	[INL_IMM] = { "inl_imm", io_inl_imm, io_inl_imm_end, .size = 4, .in = true, .imm = true },
	STRING_INSN(OUTSB, outsb, 1, false, false, SEG_DS, ADDR_SIZE_64),
	STRING_INSN(INSB, insb, 1, true, false, 0, ADDR_SIZE_64),
	STRING_INSN(REP_OUTSW, rep_outsw, 2, false, true, SEG_DS, ADDR_SIZE_64),
	STRING_INSN(REP_INSL, rep_insl, 4, true, true, 0, ADDR_SIZE_64),
	STRING_INSN(OUTSB_FS, outsb_fs, 1, false, false, SEG_FS, ADDR_SIZE_64),
	STRING_INSN(INSB_ADDR32, insb_addr32, 1, true, false, 0, ADDR_SIZE_32),
};

/* L2's access: the instruction and its port (DX, or the immediate). */
struct access {
	enum io_insn_id insn;
	uint16_t port;
	bool exits;		/* the rule: a VM exit to L1, else the host sees it */
};

/* Which check of a row is its rule (the one the self-check inverts). */
enum rule {
	RULE_EXIT,		/* exit to L1 or not (26.1.3, 25.6.4) */
	RULE_LINEAR,		/* the guest-linear address of INS/OUTS (28.2.1) */
	RULE_INFO,		/* the instruction information of INS/OUTS (28.2.5) */
};

struct row {
	uint32_t proc;		/* CPU_BASED_UNCOND_IO_EXITING, CPU_BASED_USE_IO_BITMAPS */
	uint16_t set[MAX_SET];	/* ports whose bitmap bit L1 sets */
	uint8_t nr_set;
	struct access acc[MAX_ACCESSES];
	uint8_t nr_acc;
	enum rule rule;
};

static struct row cfg;
/* The access L2 performs now: L1 writes it, the host reads it. */
static uint32_t cur_access;
/* OUTS reads from out_buf, INS writes to in_buf. */
static const uint8_t out_buf[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
static uint8_t in_buf[8];

#define IN_BUF_FILL		0xee

/* A rule check of the row's rule, else a plain one with the same citation. */
#define ASSERT_RULE_IF(is_rule, actual, good, bad)			\
do {									\
	if (is_rule)							\
		GUEST_ASSERT_RULE(actual, good, bad);			\
	else								\
		GUEST_ASSERT_EQ(actual, good);				\
} while (0)

static uint64_t size_mask(uint8_t size)
{
	return (1ull << (size * 8)) - 1;
}

/* ---- L1 ---- */

/* SDM Vol. 3C Table 28-5 "Exit Qualification for I/O Instructions". */
static uint64_t io_qual(const struct access *a)
{
	const struct io_insn *i = &io_insns[a->insn];

	return (i->size - 1) | (i->in ? IO_QUAL_IN : 0) | (i->string ? IO_QUAL_STRING : 0) |
	       (i->rep ? IO_QUAL_REP : 0) | (i->imm ? IO_QUAL_IMM : 0) |
	       (uint64_t)a->port << 16;
}

/* RSI and RDI for @i: GUEST_FS_BASE + RSI and EDI both name the buffers. */
static uint64_t l2_rsi(const struct io_insn *i)
{
	return i == &io_insns[OUTSB_FS] ? FS_OFFSET : (uintptr_t)out_buf;
}

static uint64_t l2_rdi(const struct io_insn *i)
{
	return i == &io_insns[INSB_ADDR32] ? ADDR32_JUNK | (uintptr_t)in_buf : (uintptr_t)in_buf;
}

static uint32_t run_access(struct l1_vmx *vmx, struct l2_vmcs *v, const struct access *a)
{
	const struct io_insn *i = &io_insns[a->insn];

	v->regs = (struct vmx_l2_regs){
		.rax = DATA_OUT, .rcx = REP_COUNT, .rdx = a->port,
		.rsi = l2_rsi(i), .rdi = l2_rdi(i),
	};
	memset(in_buf, IN_BUF_FILL, sizeof(in_buf));
	vmcs_write(GUEST_FS_BASE, (uintptr_t)out_buf - FS_OFFSET);
	vmcs_write(GUEST_RIP, (uintptr_t)i->start);
	return vmx_run(vmx, v);
}

/*
 * SDM Vol. 3C 28.2.1: for INS and OUTS with a usable segment, the
 * guest-linear address is the segment's base plus (E)DI (INS: ES) or
 * (E)SI (OUTS: DS or the override); 64-bit mode uses the FS base but
 * not the ES or DS base (Vol. 3A 3.2.4 "Segmentation in IA-32e Mode"),
 * and a 32-bit address size takes EDI.  A wrong base or address size
 * gives the register's value.
 */
static void check_linear_address(const struct io_insn *i)
{
	uint64_t want = i->in ? (uintptr_t)in_buf : (uintptr_t)out_buf;
	uint64_t reg = i->in ? l2_rdi(i) : l2_rsi(i);

	ASSERT_RULE_IF(cfg.rule == RULE_LINEAR, vmcs_read(GUEST_LINEAR_ADDRESS), want,
		       reg != want ? reg : ~want);
}

/*
 * SDM Vol. 3C 28.2.5 and its table "Format of the VM-Exit
 * Instruction-Information Field as Used for INS and OUTS", when
 * IA32_VMX_BASIC[54] is 1 (A.1): the address size in bits 9:7 and, for
 * OUTS, the segment register in bits 17:15 (undefined for INS).
 */
static void check_insn_info(struct l1_vmx *vmx, const struct io_insn *i)
{
	uint64_t info = vmcs_read(VMX_INSTRUCTION_INFO);
	uint64_t addr_size = VMX_INSN_INFO_ADDR_SIZE(info), seg = VMX_INSN_INFO_SEG(info);
	bool rule = cfg.rule == RULE_INFO;

	if (!(vmx->caps->basic & VMX_BASIC_INOUT))
		return;
	ASSERT_RULE_IF(rule, addr_size, i->addr_size,
		       i->addr_size == ADDR_SIZE_64 ? ADDR_SIZE_32 : ADDR_SIZE_64);
	if (!i->in)
		ASSERT_RULE_IF(rule, seg, i->seg, i->seg == SEG_DS ? SEG_FS : SEG_DS);
}

static void check_exit(struct l1_vmx *vmx, struct l2_vmcs *v, const struct access *a)
{
	const struct io_insn *i = &io_insns[a->insn];

	/* Table 28-5: size - 1, direction, string, REP, operand encoding, port. */
	GUEST_ASSERT_EQ(vmcs_read(EXIT_QUALIFICATION), io_qual(a));
	/* 28.3.3 "Saving RIP, RSP, RFLAGS, and SSP": RIP references the instruction. */
	GUEST_ASSERT_EQ(vmcs_read(GUEST_RIP), (uintptr_t)i->start);
	/* 28.2.5: the VM-exit instruction length of an I/O instruction. */
	GUEST_ASSERT_EQ(vmcs_read(VM_EXIT_INSTRUCTION_LEN), i->end - i->start);
	if (!i->string)
		return;
	/*
	 * 28.1 "Architectural State Before a VM Exit": an instruction that
	 * exits does not execute; of a REP string instruction only completed
	 * iterations update RCX, RSI and RDI, and the first one already
	 * accesses the port.  Nothing is read into memory either.
	 */
	GUEST_ASSERT_EQ(v->regs.rcx, REP_COUNT);
	GUEST_ASSERT_EQ(v->regs.rsi, l2_rsi(i));
	GUEST_ASSERT_EQ(v->regs.rdi, l2_rdi(i));
	GUEST_ASSERT_EQ(in_buf[0], IN_BUF_FILL);
	check_linear_address(i);
	check_insn_info(vmx, i);
}

/*
 * The access did not exit to L1: L2 went on to its VMCALL
 * (28.3.3: RIP references the VMCALL), and the host supplied the data of
 * an IN (api.rst, KVM_EXIT_IO: "data" is filled by userspace for IN);
 * IN writes AL, AX or EAX, INS the byte at RDI and increments RDI, OUTS
 * increments RSI (Vol. 2B IN, INS, OUTS; RFLAGS.DF is 0).
 */
static void check_no_exit(struct l2_vmcs *v, const struct access *a)
{
	const struct io_insn *i = &io_insns[a->insn];

	GUEST_ASSERT_EQ(vmcs_read(GUEST_RIP), (uintptr_t)i->end);
	if (i->string && i->in) {
		GUEST_ASSERT_EQ(in_buf[0], (uint8_t)DATA_IN);
		GUEST_ASSERT_EQ(v->regs.rdi, l2_rdi(i) + i->size);
	} else if (i->string) {
		GUEST_ASSERT_EQ(v->regs.rsi, l2_rsi(i) + i->size);
	} else if (i->in) {
		GUEST_ASSERT_EQ(v->regs.rax & size_mask(i->size), DATA_IN & size_mask(i->size));
	}
}

static void l1_io(void)
{
	struct l1_vmx *vmx = vmx_enable();
	struct l2_vmcs *v = l2_vmcs_create(vmx, &(struct l2_setup){
			.mode = L2_LONG_MODE, .entry = io_outb_dx, .proc = cfg.proc });

	/* The 32-bit address size of INSB_ADDR32 must still reach in_buf. */
	GUEST_ASSERT(!((uintptr_t)in_buf >> 32));
	for (int n = 0; n < cfg.nr_set; n++)
		vmx_intercept_io(vmx, cfg.set[n], true);
	for (uint32_t n = 0; n < cfg.nr_acc; n++) {
		const struct access *a = &cfg.acc[n];
		uint32_t good = a->exits ? EXIT_REASON_IO_INSTRUCTION : EXIT_REASON_VMCALL;
		uint32_t bad = a->exits ? EXIT_REASON_VMCALL : EXIT_REASON_IO_INSTRUCTION;
		uint32_t reason;

		WRITE_ONCE(cur_access, n);
		reason = run_access(vmx, v, a);
		/*
		 * 26.1.3: with "use I/O bitmaps" 0, an I/O instruction exits iff
		 * "unconditional I/O exiting" is 1; with it 1, the unconditional
		 * control is ignored and the instruction exits iff a bit of a
		 * port it accesses is set (25.6.4: bitmap A for 0000H-7FFFH, B for
		 * 8000H-FFFFH) or the access wraps from FFFFH to 0000H.
		 */
		if (cfg.rule == RULE_EXIT)
			vmx_assert_exit_rule(reason, good, bad);
		else
			vmx_assert_exit(reason, good);
		if (a->exits)
			check_exit(vmx, v, a);
		else
			check_no_exit(v, a);
	}
	GUEST_DONE();
}

/* ---- host ---- */

/*
 * An access of L2's that L0 performs for this VM: api.rst, KVM_EXIT_IO,
 * gives its direction, size, port and count (1: no REP), and the data at
 * data_offset, which userspace fills for IN.  It must be the access L1
 * is running, one that does not exit to L1, and seen only once.
 */
static void l2_io_at_host(struct kvm_vcpu *vcpu, uint32_t *seen)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	const struct access *a;
	const struct io_insn *i;
	uint64_t out;

	sync_global_from_guest(vcpu->vm, cur_access);
	TEST_ASSERT(cur_access < cfg.nr_acc, "I/O to port %#x outside any access of L2's",
		    run->io.port);
	a = &cfg.acc[cur_access];
	i = &io_insns[a->insn];
	/* SDM Vol. 3C 26.1.3 (see l1_io()): this access must exit to L1. */
	TEST_ASSERT(!a->exits, "access %u (%s, port %#x) reached the host, not L1",
		    cur_access, i->name, a->port);
	TEST_ASSERT(!(*seen & (1u << cur_access)), "access %u reached the host twice", cur_access);
	*seen |= 1u << cur_access;
	TEST_ASSERT_EQ(run->io.port, a->port);
	TEST_ASSERT_EQ(run->io.size, i->size);
	TEST_ASSERT_EQ(run->io.direction, i->in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT);
	TEST_ASSERT_EQ(run->io.count, 1);
	if (i->in) {
		memcpy(data, &(uint64_t){ DATA_IN }, i->size);
		return;
	}
	out = 0;
	memcpy(&out, data, i->size);
	TEST_ASSERT_EQ(out, i->string ? out_buf[0] : DATA_OUT & size_mask(i->size));
}

static uint32_t no_exit_accesses(void)
{
	uint32_t mask = 0;

	for (int n = 0; n < cfg.nr_acc; n++)
		if (!cfg.acc[n].exits)
			mask |= 1u << n;
	return mask;
}

static void test_io(const struct scenario *s)
{
	struct kvm_vcpu *vcpu;
	struct vmx_caps caps;
	uint32_t seen = 0;
	struct ucall uc;

	cfg = *(const struct row *)s->arg;
	if (cfg.rule == RULE_INFO) {
		TEST_ASSERT(host_vmx_caps(&caps), "cannot read the VMX capability MSRs");
		__TEST_REQUIRE(caps.basic & VMX_BASIC_INOUT,
			       "IA32_VMX_BASIC[54] is 0: no instruction information for INS/OUTS");
	}
	vcpu = l1_vm_create(l1_io, 0);
	sync_global_to_guest(vcpu->vm, cfg);
	for (int n = 0; n < 1000; n++) {
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason == KVM_EXIT_IO && get_ucall(vcpu, &uc) == UCALL_NONE) {
			l2_io_at_host(vcpu, &seen);
			continue;
		}
		TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
		if (uc.cmd == UCALL_ABORT || uc.cmd == UCALL_UNHANDLED)
			REPORT_GUEST_ASSERT(uc);
		if (!l1_ucall_returns(&uc))
			continue;
		TEST_ASSERT_EQ(uc.cmd, UCALL_DONE);
		/* Every access that did not exit to L1 reached the host (api.rst, KVM_EXIT_IO). */
		TEST_ASSERT_EQ(seen, no_exit_accesses());
		kvm_vm_free(vcpu->vm);
		return;
	}
	TEST_FAIL("L1 did not finish after 1000 exits to the host");
}

#define UNCOND		CPU_BASED_UNCOND_IO_EXITING
#define BITMAPS		CPU_BASED_USE_IO_BITMAPS
#define EXIT(id, p)	{ .insn = id, .port = p, .exits = true }
#define PASS(id, p)	{ .insn = id, .port = p }

#define ROW(name, ...)	static const struct row name = { __VA_ARGS__ }

ROW(uncond_out, .proc = UNCOND, .nr_acc = 1, .acc = { EXIT(OUTB_DX, 0x5678) });
ROW(uncond_in_imm, .proc = UNCOND, .nr_acc = 1, .acc = { EXIT(INL_IMM, IMM_PORT) });
ROW(no_controls, .nr_set = 1, .set = { 0x5678 },
    .nr_acc = 2, .acc = { PASS(OUTL_DX, 0x5678), PASS(INW_DX, 0x5678) });
ROW(both_controls, .proc = UNCOND | BITMAPS, .nr_set = 1, .set = { 0x5679 },
    .nr_acc = 2, .acc = { PASS(INB_DX, 0x5678), EXIT(OUTB_DX, 0x5679) });
ROW(a_first, .proc = BITMAPS, .nr_set = 1, .set = { 0x0000 },
    .nr_acc = 2, .acc = { EXIT(OUTB_IMM0, 0x0000), PASS(INB_DX, 0x0001) });
ROW(a_last, .proc = BITMAPS, .nr_set = 1, .set = { 0x7fff },
    .nr_acc = 3, .acc = { EXIT(OUTB_DX, 0x7fff), PASS(INB_DX, 0x7ffe), PASS(INB_DX, 0x8000) });
ROW(b_first, .proc = BITMAPS, .nr_set = 1, .set = { 0x8000 },
    .nr_acc = 3, .acc = { EXIT(INB_DX, 0x8000), PASS(OUTB_DX, 0x7fff), PASS(OUTB_DX, 0x0000) });
ROW(b_last, .proc = BITMAPS, .nr_set = 1, .set = { 0xffff },
    .nr_acc = 3, .acc = { EXIT(OUTB_DX, 0xffff), PASS(INB_DX, 0xfffe), PASS(INB_DX, 0x7fff) });
ROW(word_in_a, .proc = BITMAPS, .nr_set = 1, .set = { 0x2008 },
    .nr_acc = 2, .acc = { EXIT(INW_DX, 0x2007), PASS(INW_DX, 0x2005) });
ROW(dword_in_a, .proc = BITMAPS, .nr_set = 1, .set = { 0x300b },
    .nr_acc = 3, .acc = { EXIT(INL_DX, 0x3008), PASS(OUTL_DX, 0x3004), PASS(OUTL_DX, 0x300c) });
ROW(word_a_to_b, .proc = BITMAPS, .nr_set = 1, .set = { 0x8000 },
    .nr_acc = 2, .acc = { EXIT(OUTW_DX, 0x7fff), PASS(INB_DX, 0x7fff) });
ROW(dword_a_to_b, .proc = BITMAPS, .nr_set = 1, .set = { 0x8000 },
    .nr_acc = 3, .acc = { EXIT(INL_DX, 0x7ffd), PASS(OUTL_DX, 0x7ffc), PASS(INW_DX, 0x7ffe) });
ROW(word_wrap, .proc = BITMAPS,
    .nr_acc = 2, .acc = { EXIT(INW_DX, 0xffff), PASS(INB_DX, 0xffff) });
ROW(dword_wrap, .proc = BITMAPS,
    .nr_acc = 3, .acc = { EXIT(OUTL_DX, 0xfffd), EXIT(INL_DX, 0xfffe), PASS(OUTL_DX, 0xfffc) });
ROW(outsb_exit, .proc = BITMAPS, .nr_set = 1, .set = { 0x4000 },
    .nr_acc = 1, .acc = { EXIT(OUTSB, 0x4000) });
ROW(insb_exit, .proc = BITMAPS, .nr_set = 1, .set = { 0x4000 },
    .nr_acc = 1, .acc = { EXIT(INSB, 0x4000) });
ROW(rep_outsw_exit, .proc = BITMAPS, .nr_set = 1, .set = { 0x4001 },
    .nr_acc = 1, .acc = { EXIT(REP_OUTSW, 0x4000) });
ROW(rep_insl_exit, .proc = UNCOND, .nr_acc = 1, .acc = { EXIT(REP_INSL, 0x4000) });
ROW(string_pass, .proc = BITMAPS, .nr_set = 1, .set = { 0x4001 },
    .nr_acc = 2, .acc = { PASS(OUTSB, 0x4000), PASS(INSB, 0x4000) });
ROW(linear, .proc = BITMAPS, .nr_set = 1, .set = { 0x4000 }, .rule = RULE_LINEAR,
    .nr_acc = 2, .acc = { EXIT(OUTSB_FS, 0x4000), EXIT(INSB_ADDR32, 0x4000) });
ROW(insn_info, .proc = BITMAPS, .nr_set = 1, .set = { 0x4000 }, .rule = RULE_INFO,
    .nr_acc = 3, .acc = { EXIT(OUTSB, 0x4000), EXIT(OUTSB_FS, 0x4000),
			  EXIT(INSB_ADDR32, 0x4000) });

static const struct scenario scenarios[] = {
	{ "uncond_out_exits", "unconditional I/O exiting, bitmaps off: OUT DX exits, its qualification",
	  test_io, &uncond_out },
	{ "uncond_in_imm_exits", "unconditional I/O exiting: IN EAX from an immediate port exits",
	  test_io, &uncond_in_imm },
	{ "no_controls_no_exit", "both I/O controls 0: OUT and IN reach the host, bitmaps ignored",
	  test_io, &no_controls },
	{ "bitmaps_override_uncond", "both controls 1: a clear bit does not exit, a set bit does",
	  test_io, &both_controls },
	{ "bitmap_a_first_port", "bitmap A bit 0: OUT to immediate port 0 exits, port 1 does not",
	  test_io, &a_first },
	{ "bitmap_a_last_port", "bitmap A bit 7FFFH: port 7FFFH exits, 7FFEH and 8000H do not",
	  test_io, &a_last },
	{ "bitmap_b_first_port", "bitmap B bit 0: port 8000H exits, 7FFFH and 0000H do not",
	  test_io, &b_first },
	{ "bitmap_b_last_port", "bitmap B bit 7FFFH: port FFFFH exits, FFFEH and 7FFFH do not",
	  test_io, &b_last },
	{ "word_second_port_set", "a 2-byte IN whose second port (next bitmap byte) is set exits",
	  test_io, &word_in_a },
	{ "dword_last_port_set", "a 4-byte IN whose fourth port only is set exits",
	  test_io, &dword_in_a },
	{ "word_straddles_a_b", "a 2-byte OUT at 7FFFH exits on bitmap B's bit for 8000H",
	  test_io, &word_a_to_b },
	{ "dword_straddles_a_b", "a 4-byte IN at 7FFDH exits on bitmap B's bit for 8000H",
	  test_io, &dword_a_to_b },
	{ "word_wraps_at_ffff", "a 2-byte IN at FFFFH wraps to 0000H and exits with no bit set",
	  test_io, &word_wrap },
	{ "dword_wraps_at_ffff", "4-byte accesses at FFFDH and FFFEH wrap and exit, FFFCH does not",
	  test_io, &dword_wrap },
	{ "outsb_exits", "OUTSB to a set port exits: string qualification, RSI unchanged",
	  test_io, &outsb_exit },
	{ "insb_exits", "INSB from a set port exits: string IN qualification, memory unchanged",
	  test_io, &insb_exit },
	{ "rep_outsw_second_port_set", "REP OUTSW exits on its second port: REP, size 2, RCX kept",
	  test_io, &rep_outsw_exit },
	{ "rep_insl_uncond_exits", "REP INSL under unconditional I/O exiting: REP, size 4, IN",
	  test_io, &rep_insl_exit },
	{ "string_clear_bit_no_exit", "OUTSB and INSB to a clear port reach the host, RSI/RDI move",
	  test_io, &string_pass },
	{ "ins_outs_guest_linear_address",
	  "INS/OUTS exits give the linear address: FS base + RSI, EDI for addr32",
	  test_io, &linear },
	{ "ins_outs_instruction_info",
	  "INS/OUTS exits give address size and OUTS segment (IA32_VMX_BASIC[54])",
	  test_io, &insn_info },
};

SCENARIO_MAIN(vmx_requirements, scenarios)
