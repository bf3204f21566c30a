# Other architectures under qemu-user (docs/cross.md): the generic lanes.
#
#   make test CROSS=<prefix>   a cross build whose binaries run under qemu
#                              (RUN, from QEMU_<arch> in the Makefile): the
#                              native lanes become test-qemu-cpus (the suite
#                              once per CPU model of QEMU_CPUS_<arch>, quick
#                              sweep) and, on aarch64, test-qemu-asan
#   make test                  on an x86 PC: also one lane per cross target
#                              of CROSS_LANES (test-arm64, test-arm64-asan,
#                              test-armhf in mk/arm.mk; test-s390x and
#                              test-riscv64 below), each a cross build in
#                              $(BUILDROOT)/<triplet> run by a sub-make
#   WG_TESTS='arith badinput'  only the tests whose names contain one of
#                              these (the runner's arguments), in every lane
#
# A cross lane looks for its compiler and qemu when it runs, not when make
# reads this file (scripts/deps.sh may have installed them in between), and
# one that is missing fails the lane: only WG_SKIP_LANES, read by
# scripts/run-lanes.sh, turns a lane into a counted skip.

# CPU models per architecture (ARM's tiers are in mk/arm.mk).  s390x: max
# (z14-class with the vector facility, though nothing here is built for it);
# riscv64: rv64 (RV64GC, what Debian's riscv64 targets).
QEMU_CPUS_s390x   ?= max
QEMU_CPUS_riscv64 ?= rv64
# Architectures whose ASan+UBSan runner also runs under qemu: only aarch64
# (armv7, s390x and riscv64 kernels are portable C or come from the same
# templates; each ASan run costs minutes under qemu).
QEMU_ASAN_ARCHES := aarch64

WG_TESTS ?=

.PHONY: test-qemu-cpus test-qemu-asan

ifneq ($(RUN),)
# This build's binaries run under qemu.  qemu is 5-30x slower than the
# hardware: quick sweeps.  The native lanes are replaced: one run per CPU
# model instead of qemu's default model; ASan without LeakSanitizer, whose
# stop-the-world fails under qemu-user; no ThreadSanitizer, whose re-exec
# fails under qemu-user.
export WG_TEST_QUICK ?= 1
QEMU_CPUS = $(QEMU_CPUS_$(ARCH))
TEST_LANES := $(filter-out test-native test-asan test-tsan,$(TEST_LANES)) \
              test-qemu-cpus $(if $(filter $(QEMU_ASAN_ARCHES),$(ARCH)),test-qemu-asan)

# Fails, saying what is missing, when qemu is not installed (checked when
# the lane runs, so that an install before it counts).
qemu_present = command -v $(firstword $(RUN)) >/dev/null 2>&1 || { \
  echo "$@: cannot run: $(firstword $(RUN)) not found (scripts/deps.sh test installs it)"; exit 1; }

# Each run's report goes to a log: its summary is printed, or all of it
# when the run fails.  On ARM, WG_TEST_QEMU_CPU tells test_neon.c which
# features the model has, so that detection is checked and a skip cannot
# hide it (it reads any model named there as an ARM one).
QEMU_CPU_TOLD_ARCHES := aarch64 arm
qemu_lane = log=$(BUILD)/qemu-$(1)-$(notdir $(2)).log; echo "== $(RUN) -cpu $(1) ./$(2) $(WG_TESTS)"; \
  $(if $(filter $(QEMU_CPU_TOLD_ARCHES),$(ARCH)),WG_TEST_QEMU_CPU=$(1)) $(3) \
  $(RUN) -cpu $(1) ./$(2) $(WG_TESTS) > $$log 2>&1 || { cat $$log; exit 1; }; \
  grep -a -E "skipped:" $$log | sort | uniq -c; grep -a -E "^[0-9]+ passed, " $$log

test-qemu-cpus: $(TEST_BIN)
	@$(qemu_present)
	@test -n "$(QEMU_CPUS)" || { echo "$@: no CPU models for $(ARCH) (QEMU_CPUS_$(ARCH))"; exit 1; }
	@set -e; for cpu in $(QEMU_CPUS); do $(call qemu_lane,$$cpu,$(TEST_BIN)); done

test-qemu-asan: $(ASAN_TEST_BIN)
	@$(qemu_present)
	@$(call qemu_lane,max,$(ASAN_TEST_BIN),ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1)

# A cross build's `make` builds what goes to the board: the library, the
# test runner and the benchmark (scripts/run-on-board.sh copies them).
all: $(TEST_BIN) bench-build

else ifneq ($(filter x86_64 i686,$(ARCH)),)
# A PC: every other architecture's suite too, each lane a cross build under
# $(BUILDROOT) made by a sub-make.  Per lane: LANE_CROSS_<lane> is the
# compiler prefix (its first word names the architecture, hence QEMU_<arch>),
# LANE_GOALS_<lane> the cross build's targets, run one after another.  The
# SWAR register check comes first: it is cheap, and a failing suite must not
# hide it.
CROSS_LANES += test-s390x test-riscv64
LANE_CROSS_test-s390x   := s390x-linux-gnu-
LANE_GOALS_test-s390x   := test-swar-noregs test-qemu-cpus
LANE_CROSS_test-riscv64 := riscv64-linux-gnu-
LANE_GOALS_test-riscv64 := test-swar-noregs test-qemu-cpus

TEST_LANES += $(CROSS_LANES)
.PHONY: $(CROSS_LANES)
CROSS_MAKE = $(MAKE) --no-print-directory BUILDROOT=$(BUILDROOT) WERROR=$(WERROR)
lane_qemu = $(QEMU_$(firstword $(subst -, ,$(LANE_CROSS_$(1)))))

# (CROSS_LANES must be complete here: a file included after this one
# cannot add to it.)
$(CROSS_LANES):
	@test -n "$(call lane_qemu,$@)" || { echo "$@: no QEMU_<arch> for $(LANE_CROSS_$@) in the Makefile"; exit 1; }
	@for t in $(LANE_CROSS_$@)gcc $(firstword $(call lane_qemu,$@)); do \
	  command -v $$t >/dev/null 2>&1 || { echo "$@: cannot run: $$t not found" \
	    "(scripts/deps.sh test installs it; WG_SKIP_LANES=$@ skips this lane)"; \
	    echo "0 passed, 1 failed, 0 skipped"; exit 1; }; done
	+@set -e; for goal in $(LANE_GOALS_$@); do \
	  $(CROSS_MAKE) CROSS=$(LANE_CROSS_$@) $$goal; done
endif
