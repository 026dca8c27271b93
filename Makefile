# SPDX-License-Identifier: GPL-2.0
# Top-level driver: builds xtcp.ko in tree for a real machine (`make`), and runs the QEMU-based
# test, demo and lint flows (`make check`, `make demo`, `make lint`, ...). Kernel objects
# come from ./Kbuild; guest builds happen out of tree in build/<kernel>/ (see scripts/).

# Kernel to build against for a plain `make`: the running kernel's tree if it has one,
# otherwise the newest installed Debian cloud headers.
KDIR ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then \
		echo /lib/modules/$$(uname -r)/build; \
	else . $(CURDIR)/scripts/lib.sh && xtcp_kdir stock; fi 2>/dev/null)

SCRIPTS := $(CURDIR)/scripts
SHELL := /bin/bash

.PHONY: all modules clean deps debug-kernel build-stock build-debug check check-stock \
	check-debug demo bench lint sparse w1 help

# W=1 and C=1/C=2 given on the command line reach kbuild through MAKEFLAGS.
all modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	-[ -f $(KDIR)/Makefile ] && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(CURDIR)/build

help:
	@echo "make                build module/xtcp.ko for KDIR (default: running kernel)"
	@echo "make check          build + run the selftests in QEMU on the stock and debug kernels"
	@echo "make check-stock    ... stock Debian cloud kernel only"
	@echo "make check-debug    ... debug (KASAN/lockdep/kmemleak/UBSAN) kernel only"
	@echo "make demo           boot the stock kernel and run selftests/demo.sh"
	@echo "make bench          XTCP vs TCP benchmark in one guest run -> build/bench/ (not in check)"
	@echo "make lint           checkpatch --strict over module/ include/ tools/ selftests/"
	@echo "make sparse | w1    module build with sparse (C=2) | W=1, fail on any warning"
	@echo "make debug-kernel   build (or reuse the cached) debug guest kernel"
	@echo "make deps           install the Debian packages everything needs"

deps:
	$(SCRIPTS)/install-deps.sh

debug-kernel: deps
	$(SCRIPTS)/build-debug-kernel.sh

build-stock: deps
	$(SCRIPTS)/build.sh stock

build-debug: deps
	$(SCRIPTS)/build.sh debug

# Prints per-kernel totals and a final "N passed, N failed, N skipped" line.
check: deps
	$(SCRIPTS)/check.sh stock debug

check-stock: deps
	$(SCRIPTS)/check.sh stock

check-debug: deps
	$(SCRIPTS)/check.sh debug

demo: deps
	$(SCRIPTS)/build.sh stock
	$(SCRIPTS)/vm-run.sh --kernel stock --timeout 900 -- 'cd /xtcp/selftests && ./demo.sh'

# Benchmarks (not tests: never fail on a figure). BENCH_ARGS="BENCH_REPS=1 BENCH_FILTER=rr"
# passes settings to the guest (see tools/bench-guest.sh); results in build/bench/.
bench: deps
	$(SCRIPTS)/bench.sh $(BENCH_ARGS)

# checkpatch.pl --strict --no-tree -f over every .c/.h we own. Ignored types (scripts/lint.sh):
#  all files: FILE_PATH_CHANGES (MAINTAINERS nag, meaningless for an out-of-tree -f run);
#  tools/ and selftests/ only: PREFER_KERNEL_TYPES, PREFER_DEFINED_ATTRIBUTE_MACRO (u32,
#  __packed and friends do not exist in userspace).
lint: deps
	$(SCRIPTS)/lint.sh

# Separate build dirs so the flag changes do not force rebuilds of build/stock.
# C=2 runs sparse on every file even when its object is up to date.
sparse: deps
	@mkdir -p build; $(SCRIPTS)/build.sh stock --dir sparse-stock --module-only C=2 2>&1 | tee build/sparse.log; \
	rc=$${PIPESTATUS[0]}; \
	if [ $$rc -ne 0 ] || grep -q 'warning:\|error:' build/sparse.log; then \
		echo "!! sparse: warnings or errors (see build/sparse.log)"; exit 1; fi; \
	echo ">> sparse: clean"

w1: deps
	@mkdir -p build; $(SCRIPTS)/build.sh stock --dir w1-stock --module-only W=1 2>&1 | tee build/w1.log; \
	rc=$${PIPESTATUS[0]}; \
	if [ $$rc -ne 0 ] || grep -q 'warning:\|error:' build/w1.log; then \
		echo "!! W=1: warnings or errors (see build/w1.log)"; exit 1; fi; \
	echo ">> W=1: clean"
