/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 32-bit L1 image, linked at L1_32_BASE (include/x86/l1_32.h) and
 * copied there by the host; the header comes first.  Preprocessed by cpp.
 */
#include "x86/l1_32.h"

OUTPUT_FORMAT("elf32-i386")
OUTPUT_ARCH(i386)
ENTRY(l1_32_header)

SECTIONS
{
	. = L1_32_BASE;
	.head : { KEEP(*(.head)) }
	.text : { *(.text .text.*) }
	.rodata : { *(.rodata .rodata.*) }
	.data : { *(.data .data.*) }
	. = ALIGN(16);
	__bss_start = .;
	.bss : { *(.bss .bss.* COMMON) }
	__bss_end = .;
	/DISCARD/ : { *(.note.*) *(.comment) *(.eh_frame*) }
}
