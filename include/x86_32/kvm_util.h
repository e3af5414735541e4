/* SPDX-License-Identifier: GPL-2.0-only */
/* For the library's guest_sprintf.c in a 32-bit L1: what it needs of kvm_util.h. */
#ifndef SELFTEST_KVM_X86_32_KVM_UTIL_H
#define SELFTEST_KVM_X86_32_KVM_UTIL_H

#include <linux/types.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#endif /* guard */
