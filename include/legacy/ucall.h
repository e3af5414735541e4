/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest-to-host calls.  The guest builds a struct ucall on its own stack
 * (identity mapped, below 4 GiB) and writes its guest-physical address with
 * a 32-bit OUT to UCALL_PORT; the host finds the struct from the I/O exit.
 * The same protocol works from 64-bit and 32-bit guest code.
 */
#ifndef NST_UCALL_H
#define NST_UCALL_H

#define UCALL_PORT	0x1ee7
#define UCALL_BUF_SIZE	512

#ifndef __ASSEMBLER__
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum ucall_cmd {
	UCALL_NONE,
	UCALL_SYNC,		/* args[0]: stage; the guest waits to be resumed */
	UCALL_DONE,		/* the guest finished its work */
	UCALL_PRINTF,		/* buf: a message for the log */
	UCALL_ASSERT,		/* buf: file:line: expr and values; line, args[0..1] */
	UCALL_UNHANDLED,	/* args: vector, error code, rip, cr2 */
	UCALL_SKIP,		/* buf: what the guest found missing */
};

/* args[2] of a UCALL_ASSERT: the failed assertion is a scenario's rule. */
#define UCALL_ASSERT_RULE	1

struct ucall {
	uint32_t cmd;
	uint32_t line;
	uint64_t args[4];
	char buf[UCALL_BUF_SIZE];
};

/* Guest side. */
void ucall(uint32_t cmd, uint64_t arg0, uint64_t arg1);
void ucall_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ucall_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void ucall_assert(const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));
void ucall_unhandled(uint64_t vector, uint64_t error_code, uint64_t rip, uint64_t cr2)
	__attribute__((noreturn));
void ucall_assert_values(const char *file, int line, const char *expr,
			 const char *name_a, uint64_t a, const char *name_b, uint64_t b)
	__attribute__((noreturn));
void ucall_assert_rule(const char *file, int line, const char *expr, uint64_t actual,
		       uint64_t good, uint64_t bad) __attribute__((noreturn));

/*
 * True while the scenario runs inverted (--self-check).  Set by the runner
 * before guest code starts (each guest image holds its own copy).
 */
extern bool guest_inverted;

#define GUEST_SYNC(stage)	ucall(UCALL_SYNC, (stage), 0)
#define GUEST_DONE()		ucall(UCALL_DONE, 0, 0)
#define GUEST_PRINTF(fmt, ...)	ucall_printf(fmt, ##__VA_ARGS__)
#define GUEST_SKIP(fmt, ...)	ucall_skip(fmt, ##__VA_ARGS__)

#define GUEST_ASSERT(cond)							\
do {										\
	if (!(cond))								\
		ucall_assert(__FILE__, __LINE__, #cond, NULL);			\
} while (0)

#define GUEST_ASSERT_MSG(cond, fmt, ...)					\
do {										\
	if (!(cond))								\
		ucall_assert(__FILE__, __LINE__, #cond, fmt, ##__VA_ARGS__);	\
} while (0)

#define __GUEST_ASSERT_CMP(a, op, b)						\
do {										\
	uint64_t __ga = (uint64_t)(a), __gb = (uint64_t)(b);			\
										\
	if (!(__ga op __gb))							\
		ucall_assert_values(__FILE__, __LINE__, #a " " #op " " #b,	\
				    #a, __ga, #b, __gb);			\
} while (0)

#define GUEST_ASSERT_EQ(a, b)	__GUEST_ASSERT_CMP(a, ==, b)
#define GUEST_ASSERT_NE(a, b)	__GUEST_ASSERT_CMP(a, !=, b)

/*
 * The assertion of a scenario's rule: @actual must be @good, the outcome
 * the rule requires.  An inverted run expects @bad, an outcome that breaks
 * the rule, so on a correct kernel it fails here; the failure is tagged as
 * the rule's own, and the self-check counts no other failure.
 */
#define GUEST_ASSERT_RULE(actual, good, bad)					\
do {										\
	uint64_t __ra = (uint64_t)(actual);					\
	uint64_t __rg = (uint64_t)(good), __rb = (uint64_t)(bad);		\
										\
	if (__ra != (guest_inverted ? __rb : __rg))				\
		ucall_assert_rule(__FILE__, __LINE__, #actual, __ra, __rg, __rb); \
} while (0)

/*
 * The same for a test that inverts its model of the outcome instead: @want
 * is already what the run (normal or inverted) expects.
 */
#define GUEST_ASSERT_RULE_EQ(actual, want)					\
do {										\
	uint64_t __ra = (uint64_t)(actual), __rw = (uint64_t)(want);		\
										\
	if (__ra != __rw)							\
		ucall_assert_rule(__FILE__, __LINE__, #actual, __ra, __rw, __rw); \
} while (0)

#define GUEST_FAIL(fmt, ...)	ucall_assert(__FILE__, __LINE__, "", fmt, ##__VA_ARGS__)

/* Host side. */
struct kvm_vcpu;

/*
 * Copies the ucall the vCPU just made into @uc and returns its command, or
 * UCALL_NONE if the last exit was not a ucall.
 */
uint32_t get_ucall(struct kvm_vcpu *vcpu, struct ucall *uc);

/*
 * Runs the vCPU until it makes a SYNC or DONE ucall, which is returned.
 * Messages are logged as diagnostics; a guest assert, a guest skip, an
 * unhandled exception or any other exit ends the scenario with its report.
 */
uint32_t vcpu_run_ucall(struct kvm_vcpu *vcpu, struct ucall *uc);

/* Runs until the guest says SYNC with @stage; anything else fails. */
void vcpu_run_expect_sync(struct kvm_vcpu *vcpu, uint64_t stage);
/* Runs until the guest says DONE; anything else fails. */
void vcpu_run_expect_done(struct kvm_vcpu *vcpu);

/* Fails the scenario with the report of a guest assert. */
void report_guest_assert(const struct ucall *uc) __attribute__((noreturn));

#endif /* __ASSEMBLER__ */
#endif /* NST_UCALL_H */
