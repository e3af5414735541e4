# SPDX-License-Identifier: GPL-2.0-only
#
# kvm-nested-selftests.  Standalone:   make; ./run_tests.sh
# Inside a kernel tree, as tools/testing/selftests/<dir>:
#   make -C tools/testing/selftests TARGETS=<dir> run_tests
# (lib.mk then provides all/run_tests/install/clean and KHDR_INCLUDES).

# Every x86/*_test.c is a test, built on the KVM selftests library and the
# kselftest harness (lib/upstream.mk) with our extensions of them:
# UP_EXT_SRCS, linked into every test, and NESTED_LIB_SRCS, the nested
# virtualization library libnested.a, from which a test links what it uses.
TESTS := $(sort $(patsubst x86/%.c,%,$(wildcard x86/*_test.c)))
UP_EXT_SRCS := lib/self_check.c lib/memslot_compat.c lib/scenario_runner.c \
	lib/known_failures.c lib/emulator_flaws.c
NESTED_LIB_SRCS := lib/page_table.c lib/x86/l1_memory.c lib/x86/l1_vm.c \
	lib/x86/vmx_caps.c lib/x86/vmx_requirements.c lib/x86/vmx_l2_setup.c \
	lib/x86/vmx_l2_run.c lib/x86/vmx_l2_entry.S lib/x86/l2_paging.c lib/x86/l2_agent.c \
	lib/x86/l2_probe.c lib/x86/l2_agent_code.S lib/x86/l2_env.c lib/x86/l1_32_host.c \
	lib/x86/vmx_invalidate.c lib/x86/control_walk.c \
	lib/x86/svm_l2_enable.c lib/x86/svm_l2_setup.c lib/x86/svm_l2_run.c lib/x86/svm_l2_entry.S \
	lib/x86/svm_l2_permission_maps.c lib/x86/svm_l2_npt.c lib/x86/svm_l2_agent.c \
	lib/x86/svm_l2_agent_code.S lib/x86/svm_l2_env.c lib/x86/svm_requirements.c

# The kselftest timeout of each test binary: the binaries budget their scenarios by it.
SETTINGS_TIMEOUT := $(shell sed -n 's/^timeout=\([0-9][0-9]*\)$$/\1/p' settings)

LD ?= ld
OBJCOPY ?= objcopy

# libnuma-dev provides numa.h and the static libnuma.a.  '#' comes from a
# variable: written inside $(shell), GNU Make 4.3 keeps a '\#' as it is and
# older ones would start a comment at a bare '#'.
HASH := \#
ifeq ($(filter clean,$(MAKECMDGOALS)),)
ifeq ($(shell echo '$(HASH)include <numa.h>' | $(or $(CC),cc) -E -x c - >/dev/null 2>&1 && echo y),)
$(error numa.h not found: install libnuma-dev (Debian/Ubuntu), numactl-devel (Fedora) or numactl (Arch))
endif
endif

ifneq ($(wildcard ../lib.mk),)
# ---- inside tools/testing/selftests ----
TEST_GEN_PROGS := $(addprefix x86/,$(TESTS))
TEST_FILES := settings config
# lib.mk's clean removes only the programs: the objects and their
# dependency files too (recursive: the variables are defined below).
EXTRA_CLEAN = $(L1_32_LIB_OBJS) $(L1_32_LIB_OBJS:.o=.d) $(OUTPUT)/l1_32 \
	      $(foreach t,$(L1_32_TESTS),$(OUTPUT)/x86/$(t).l1_32.elf $(OUTPUT)/x86/$(t).l1_32.bin \
		$(OUTPUT)/x86/$(t).l1_32_image.o) $(UP_OUT)
include ../lib.mk
else
# ---- standalone ----
# kselftest's selftests/Makefile exports BUILD and KHDR_INCLUDES to each
# target it builds.  Seen here without ../lib.mk, this folder was reached
# through a symbolic link, which make -C resolves: ".." is then the link
# target's parent, and a standalone build would write into the linked
# folder and ignore the kernel tree's headers.
ifeq ($(origin BUILD)$(origin KHDR_INCLUDES),environmentenvironment)
$(error $(CURDIR) has no ../lib.mk: inside a kernel tree, copy this folder to tools/testing/selftests/ (a symbolic link is not supported))
endif
OUTPUT ?= $(CURDIR)/build
CC ?= gcc
# Under the build folder by default, so that nothing lands in the work tree.
INSTALL_PATH ?= $(OUTPUT)/install
TEST_GEN_PROGS := $(addprefix $(OUTPUT)/x86/,$(TESTS))
# The names run_tests.sh runs, in the build folder and installed: x86/ also
# holds intermediates (objects, 32-bit L1 images) that are not tests.
TEST_LIST := $(OUTPUT)/kvm-nested-tests.list
INSTALLED := $(addprefix $(INSTALL_PATH)/,$(addprefix x86/,$(TESTS)) run_tests.sh \
	settings config kvm-nested-tests.list)

all: $(TEST_GEN_PROGS) $(TEST_LIST)

# Rewritten only when the set of tests changed.
$(TEST_LIST): FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' $(addprefix x86/,$(TESTS)) > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

run_tests: all
	OUTPUT=$(OUTPUT) ./run_tests.sh

install: all
	mkdir -p $(INSTALL_PATH)/x86
	install -m 0755 $(TEST_GEN_PROGS) $(INSTALL_PATH)/x86/
	install -m 0755 run_tests.sh $(INSTALL_PATH)/
	install -m 0644 settings config $(TEST_LIST) $(INSTALL_PATH)/

# OUTPUT may be a folder of the user's: remove the files the build makes
# there, then each of its folders that is left empty, deepest first (a
# reverse sort puts a folder after everything below it): the folders of
# those files and every folder between them and OUTPUT (l1_32/up holds
# only the folder lib/).  The default build/ is the project's own and goes
# as a whole.  unit/clean_test.sh checks it on the folders of a real build.
BUILT = $(TEST_GEN_PROGS) $(TEST_LIST) \
	$(L1_32_LIB_OBJS) $(L1_32_LIB_OBJS:.o=.d) $(L1_32_VMX_DEFS) $(L1_32_LDS) \
	$(foreach t,$(L1_32_TESTS),$(OUTPUT)/x86/$(t).l1_32.elf $(OUTPUT)/x86/$(t).l1_32.bin \
		$(OUTPUT)/x86/$(t).l1_32_image.o $(OUTPUT)/l1_32/x86/$(t).l1_32.o \
		$(OUTPUT)/l1_32/x86/$(t).l1_32.d) \
	$(UNIT_BINS) $(UNIT_OBJS) $(UNIT_OBJS:.o=.d) $(UNIT_FAKES) $(UNIT_PLAIN_FAKE) \
	$(UNIT_TABLE) \
	$(if $(filter file,$(origin INSTALL_PATH)),$(INSTALLED))

clean:
ifeq ($(origin OUTPUT),file)
	rm -rf $(OUTPUT)
else
	@echo "clean: the build's files and emptied folders in $(OUTPUT)"
	@rm -f $(BUILT)
	@rm -rf $(UP_OUT)
	@printf '%s\n' $(sort $(patsubst %/,%,$(dir $(BUILT)))) | \
		while read -r d; do \
			while case "$$d" in "$(OUTPUT)"/*) true ;; *) false ;; esac; do \
				echo "$$d"; d=$${d%/*}; \
			done; \
		done | sort -ru | while read -r d; do rmdir "$$d" 2>/dev/null; done; \
		rmdir "$(OUTPUT)" 2>/dev/null; true
endif

.PHONY: all run_tests install clean FORCE
endif

include lib/upstream.mk

# The runner budgets a test by the timeout in settings.
$(UP_OUT)/ext/lib/scenario_runner.o: UP_CFLAGS += -DNST_SETTINGS_TIMEOUT=$(SETTINGS_TIMEOUT)

$(TEST_GEN_PROGS): $(OUTPUT)/x86/%: $(UP_OUT)/x86/%.o $(UP_EXT_OBJS) $(NESTED_LIB) \
		  $(UP_LIB_OBJS) $(UP_LIB_STRING_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(UP_LDFLAGS) -o $@ $^ $(UP_LDLIBS)

# ---- 32-bit L1 images: x86/NAME.l1_32.c becomes the l1_32_image of NAME ----
# The nested library built for a 32-bit L1 (x86/l1_32.h), with its runtime
# (lib/x86_32), stand-ins for the library's 64-bit-only headers
# (include/x86_32) and the library's own string_override.c; the VMX names
# come from the library's vmx.h.
L1_32_TESTS := $(patsubst x86/%.l1_32.c,%,$(wildcard x86/*.l1_32.c))
L1_32_LIB_SRCS := lib/page_table.c lib/x86/l1_memory.c lib/x86/vmx_caps.c \
	lib/x86/vmx_l2_setup.c lib/x86/vmx_l2_run.c lib/x86/l2_agent.c lib/x86/l2_agent_code.S \
	lib/x86/l2_paging.c lib/x86/vmx_invalidate.c lib/x86_32/start.S lib/x86_32/ucall.c \
	lib/x86_32/exception.c \
	lib/x86_32/runtime.c lib/x86_32/guest_print.c
L1_32_UP_SRCS := lib/string_override.c
L1_32_OUT := $(OUTPUT)/l1_32
L1_32_LIB_OBJS := $(patsubst %,$(L1_32_OUT)/%.o,$(basename $(L1_32_LIB_SRCS))) \
	$(patsubst %,$(L1_32_OUT)/up/%.o,$(basename $(L1_32_UP_SRCS)))
L1_32_VMX_DEFS := $(L1_32_OUT)/include/vmx_defs.h
L1_32_LDS := $(L1_32_OUT)/l1_32.lds
# Freestanding: no libc, no libgcc (none for -m32 without multilib), no
# FPU/SSE state.  -Wno-format: guest_vsnprintf() reads every %l argument as
# 64 bits, where a 32-bit compiler expects a 32-bit long.
L1_32_CFLAGS = -m32 -march=i686 -ffreestanding -fno-builtin -fno-pic -fno-pie \
	-mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
	-O2 -g -std=gnu11 -Wall -Wno-format -fno-strict-aliasing -MMD -MP \
	-Iinclude/x86_32 -I$(L1_32_OUT)/include -Iinclude -I$(UP_TREE)/tools/include \
	-I$(UP_TREE)/tools/arch/x86/include/uapi -I$(UP_TREE)/tools/arch/x86/include $(UP_HDR_FLAGS)

# One RWX segment is the point: the image is copied into guest memory as it is.
L1_32_LDFLAGS := $(shell $(LD) --help 2>/dev/null | grep -q no-warn-rwx-segments && \
		   echo --no-warn-rwx-segments)

# The library's VMCS field and control names, without its 64-bit instructions.
$(L1_32_VMX_DEFS): $(UP_LIB_MK)
	@mkdir -p $(dir $@)
	@{ echo '/* Generated by the Makefile from the KVM selftests library'"'"'s vmx.h. */'; \
	  sed -n '/^enum vmcs_field {/,/^};/p' $(UP_KVM)/include/$(UP_ARCH)/vmx.h; \
	  grep -E '^#define [A-Z_0-9]+[[:space:]]+[^\\]*$$' $(UP_KVM)/include/$(UP_ARCH)/vmx.h | \
		grep -v SELFTEST_KVM_VMX_H; } > $@.tmp
	@mv -f $@.tmp $@

$(L1_32_OUT)/%.o: %.c $(L1_32_VMX_DEFS)
	@mkdir -p $(dir $@)
	$(CC) $(L1_32_CFLAGS) -c -o $@ $<

$(L1_32_OUT)/%.o: %.S $(L1_32_VMX_DEFS)
	@mkdir -p $(dir $@)
	$(CC) $(L1_32_CFLAGS) -c -o $@ $<

$(L1_32_OUT)/up/%.o: $(UP_KVM)/%.c $(L1_32_VMX_DEFS)
	@mkdir -p $(dir $@)
	$(CC) $(L1_32_CFLAGS) -c -o $@ $<

$(L1_32_LDS): lib/x86_32/l1_32.lds.S include/x86/l1_32.h
	@mkdir -p $(dir $@)
	$(CPP) -P -undef -D__ASSEMBLER__ -Iinclude -o $@ $<

$(OUTPUT)/x86/%.l1_32.elf: $(L1_32_OUT)/x86/%.l1_32.o $(L1_32_LIB_OBJS) $(L1_32_LDS)
	$(LD) -m elf_i386 $(L1_32_LDFLAGS) -T $(L1_32_LDS) -o $@ $(filter %.o,$^)

$(OUTPUT)/x86/%.l1_32.bin: $(OUTPUT)/x86/%.l1_32.elf
	$(OBJCOPY) -O binary $< $@

$(OUTPUT)/x86/%.l1_32_image.o: $(OUTPUT)/x86/%.l1_32.bin
	printf '\t.section .rodata\n\t.balign 16\n\t.globl l1_32_image, l1_32_image_end\nl1_32_image:\n\t.incbin "%s"\nl1_32_image_end:\n\t.section .note.GNU-stack,"",@progbits\n' $< | \
		$(CC) -c -x assembler -o $@ -

$(foreach t,$(L1_32_TESTS),$(eval $(OUTPUT)/x86/$(t): $(OUTPUT)/x86/$(t).l1_32_image.o))

# ---- the project's own checks (standalone only) ----
# Host builds of the suite's own code, checked by unit/*_test.c with the
# kselftest reporting (kselftest.h): the page-table builder, and the 32-bit
# L1's formatter (with its ucall_common.h from include/x86_32).
UNIT_TESTS := page_table_test guest_print_test
UNIT_BINS := $(addprefix $(OUTPUT)/unit/,$(UNIT_TESTS))
UNIT_OBJS := $(UNIT_BINS:=.o) $(addprefix $(OUTPUT)/unit/,unit.o lib/page_table.o \
	lib/x86_32/guest_print.o)
UNIT_CFLAGS = -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -MMD -MP \
	-I$(UP_SELFTESTS) -Iinclude
$(OUTPUT)/unit/guest_print_test.o $(OUTPUT)/unit/lib/x86_32/guest_print.o: \
	UNIT_CFLAGS += -iquote include/x86_32

$(OUTPUT)/unit/%.o: unit/%.c $(UP_FEATURES)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -c -o $@ $<

$(OUTPUT)/unit/lib/%.o: lib/%.c $(UP_FEATURES)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -c -o $@ $<

$(OUTPUT)/unit/page_table_test: $(OUTPUT)/unit/lib/page_table.o
$(OUTPUT)/unit/guest_print_test: $(OUTPUT)/unit/lib/x86_32/guest_print.o
$(UNIT_BINS): $(OUTPUT)/unit/%: $(OUTPUT)/unit/%.o $(OUTPUT)/unit/unit.o
	$(CC) -no-pie -o $@ $^

# unit/scenario_harness_test.sh drives this harness test, which runs no VM.
UNIT_FAKES := $(OUTPUT)/unit/scenario_fake

$(UP_OUT)/unit/%.o: unit/%.c $(UP_FEATURES)
	@mkdir -p $(dir $@)
	$(CC) $(UP_CFLAGS) -c -o $@ $<

$(UNIT_FAKES): $(OUTPUT)/unit/%: $(UP_OUT)/unit/%.o $(UP_EXT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(UP_LDFLAGS) -o $@ $^ $(UP_LDLIBS)

# unit/run_tests_test.sh runs this test with a plain main() on kselftest.h
# alone, as many upstream KVM selftests are.
UNIT_PLAIN_FAKE := $(OUTPUT)/unit/plain_main_fake
UNIT_OBJS += $(UNIT_PLAIN_FAKE).o

$(UNIT_PLAIN_FAKE): $(UNIT_PLAIN_FAKE).o
	$(CC) -o $@ $^

-include $(patsubst $(OUTPUT)/unit/%,$(UP_OUT)/unit/%.d,$(UNIT_FAKES)) $(UNIT_OBJS:.o=.d)

# unit/known_failures_test.sh reads the suite's known failures through this.
UNIT_TABLE := $(OUTPUT)/unit/known_failures_table
$(UNIT_TABLE): unit/known_failures_table.c lib/known_failures.c include/known_failures.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Iinclude -o $@ $(filter %.c,$^)

unit: $(UNIT_BINS) $(UNIT_FAKES) $(UNIT_PLAIN_FAKE) $(UNIT_TABLE) all
	OUTPUT=$(OUTPUT) unit/run.sh $(UNIT_BINS)

# The lab's kernel.  Empty (the default): lab/vmtest's own, Debian stable's
# cloud kernel (6.1), so that make vmtest boots what lab/vmtest boots and
# VMTEST_ARGS may hold --modules, --kernel, --kernel-tree or
# --kernel-version, which a --kernel-version given here would refuse or
# add to.  6.1, 6.12, newest (Debian unstable/experimental) or a Debian
# package version: that kernel; newest falls back to 6.1, saying why, when
# it cannot be had.
KERNEL_VERSION ?=
vmtest: all
	lab/vmtest $(if $(KERNEL_VERSION),--kernel-version $(KERNEL_VERSION)) \
		$(if $(filter newest,$(KERNEL_VERSION)),--kernel-fallback 6.1) $(VMTEST_ARGS)

# The lab's own checks without an emulator: its unit tests (recorded consoles
# and apt answers, Debian's python3 and its standard library only), then its
# command-line checks; vmtest last, so that its total is the closing line CI
# reads.
# They run with a TMPDIR of their own, which must be empty when they end,
# and fail on a ResourceWarning (a file never closed).
lab-unit:
	@tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/lab-unit.XXXXXX") || exit 1; \
	echo "/usr/bin/python3 -B -m unittest discover -s lab/tests -t lab/tests"; \
	TMPDIR=$$tmp /usr/bin/python3 -B -m unittest discover -s lab/tests -t lab/tests \
		2>$$tmp.err; rc=$$?; cat $$tmp.err >&2; \
	left=$$(find "$$tmp" -mindepth 1 -maxdepth 1); \
	warned=$$(grep -c ResourceWarning "$$tmp.err"); \
	rm -rf "$$tmp" "$$tmp.err"; \
	if [ -n "$$left" ]; then echo "lab-unit: the tests left behind in TMPDIR:" $$left >&2; rc=1; fi; \
	if [ "$$warned" != 0 ]; then echo "lab-unit: a ResourceWarning (see above)" >&2; rc=1; fi; \
	exit $$rc

lab-selftest:
	lab/selftest --quick

# The bisection, for real: a made-up regression in Debian's linux-source-6.1,
# found by git bisect run lab/bisect-step in modules mode (about 8 minutes
# and 2.3 GB on disk from nothing: the 140 MB source, a git repository of
# it, a cold KVM build, four lab steps).  The source is the version
# lab/pinned-kernels pins as "rehearsal" (the nearest newer 6.1 one, saying
# so, when the archive has dropped it); CHECK_BISECT_SOURCE=newest rehearses
# on the lab kernel's version in today's archive.  make check proves the
# same path in a minute or two on a stand-in tree (lab/check-lanes
# --rehearsal: lab/bisect-rehearsal --history standin).
CHECK_BISECT_SOURCE ?= pinned
check-bisect:
	lab/bisect-rehearsal --source $(CHECK_BISECT_SOURCE)

lab-rehearsal: check-bisect

# CI: the whole suite on Debian 6.1 and on the newest kernel, both default
# parameter sets, in one boot per kernel and lab: the Intel lab (Bochs 3.0,
# kvm_intel ept=1/ept=0) and the AMD lab (QEMU's TCG, kvm_amd npt=1/npt=0).
# lab/check-lanes prepares once what every run needs (host packages, the
# suite, the kernels, the Bochs 3.0 build), then runs one emulator per core:
# two lanes, the runs split between them by their measured times so that
# both end together, every line streamed with its lane's prefix ([lane1],
# [lane2]); the closing line is the total of all, kept in CHECK_TOTAL.
# Every kernel x CPU has its normal run (known bugs XFAIL there);
# CHECK_SELF_CHECK names the runs that are also self-checked
# (run_tests.sh --self-check, every scenario inverted: CPU or CPU:KERNEL
# words).  The self-check is the only proof that each rule can fail until
# the KVM mutant set exists, so the default keeps the Intel lab's on 6.1
# (about 750 s, after the Bochs 3.0 build on a fresh machine): make check
# then needs about 20 minutes, not 15; CHECK_SELF_CHECK=amd leaves it out.
# The lanes also run the stand-in bisect rehearsal
# (make check-bisect is the real one).  CHECK_CPUS=intel (amd) leaves the
# other lab out.
#
# Pinned: make check runs exact Debian versions, written in one place,
# lab/pinned-kernels (read by lab/kernel-pins, lab/check-lanes --pinned and
# lab/bisect-rehearsal): each name of CHECK_KERNELS is a pin there (6.1,
# newest), and make check-bisect's linux-source-6.1 is the pin "rehearsal".
# So results change only with a change of the repository.  A pin the
# archive has dropped runs the nearest newer version of its series
# (VERSION.PATCHLEVEL: 6.1.x stays 6.1.x, 7.3 stays 7.3), never another
# series, and check-pins's first line says so, naming both versions: update
# the pin then.  No newer version of the series: kernel-pins exits 3 and
# make check stops.  check-pins runs first, so that its lines are the first
# about kernels.
#
# make check-newest: the same checks on what the archive has today (6.1 and
# newest resolved at the run), after a line per pin saying the archive's
# newest version and whether it is newer than the pin ("check-newest:
# newest: newest is V, pinned is P: newer").  lab/kernel-pins --newest
# prints those lines alone.
CHECK_KERNELS ?= 6.1 newest
CHECK_CPUS ?= intel amd
CHECK_SELF_CHECK ?= intel:6.1 amd
CHECK_TOTAL ?= $(or $(LAB_OUT),lab/out)/check-total
check-pins:
	lab/kernel-pins $(CHECK_KERNELS) >/dev/null

check: check-pins unit lab-unit lab-selftest upstream-check
	lab/check-lanes --pinned --rehearsal --self-check "$(CHECK_SELF_CHECK)" \
		$(CHECK_TOTAL) "$(CHECK_KERNELS)" "$(CHECK_CPUS)" $(VMTEST_ARGS)

check-newest-pins:
	lab/kernel-pins --newest $(CHECK_KERNELS) rehearsal

check-newest: check-newest-pins unit lab-unit lab-selftest
	lab/check-lanes --rehearsal --self-check "$(CHECK_SELF_CHECK)" \
		$(CHECK_TOTAL) "$(CHECK_KERNELS)" "$(CHECK_CPUS)" $(VMTEST_ARGS)

# The upstream series of the known KVM bugs (upstream/<bug>/, git
# format-patch output): checkpatch --strict and git am of each against
# Debian's linux-source-7.3 7.3~rc7-1~exp1, fetched once into the lab cache
# (upstream/check.sh; about 100 s the first time, then 35 s).  Exit 3 when
# that source cannot be had.  make check runs it before the lanes.
upstream-check:
	upstream/check.sh

.PHONY: unit vmtest lab-unit lab-selftest lab-rehearsal check-bisect check-pins check \
	check-newest-pins check-newest upstream-check
.SECONDARY:

-include $(L1_32_LIB_OBJS:.o=.d)
