# ARM (docs/arm.md): feature-tier flags for single NEON files, and the ARM
# test lanes under qemu-user.
#
#   make test                         on x86: also test-arm64, test-armhf and
#                                     test-arm64-asan when the cross compilers
#                                     and qemu are installed (scripts/deps.sh)
#   make test CROSS=aarch64-linux-gnu-   the suite under qemu-aarch64 on each
#                                     of ARM64_CPUS, plus ASan+UBSan
#   make test CROSS=arm-linux-gnueabihf- the suite under qemu-arm on each of
#                                     ARMHF_CPUS

# The dot-product kernel alone is compiled for ARMv8.2+dotprod, so the rest
# of the library still runs on any ARMv8.0 core (dispatch checks HWCAP).
NEONFLAGS_acc32_int8_x_u8_4x16__aarch64_neondot := -march=armv8.2-a+dotprod

ARM64_CROSS ?= aarch64-linux-gnu-
ARMHF_CROSS ?= arm-linux-gnueabihf-
# Feature tiers that qemu enforces (an instruction outside the model is
# SIGILL): a53 NEON only, a76 +dotprod, max +dotprod +i8mm; a7 and a15 NEON
# with VFPv4.
ARM64_CPUS ?= cortex-a53 cortex-a76 max
ARMHF_CPUS ?= cortex-a7 cortex-a15

.PHONY: test-qemu-cpus test-qemu-asan test-arm64 test-armhf test-arm64-asan \
        test-arm-unavailable

ifneq ($(RUN),)
# This build's binaries run under qemu.  qemu is 5-30x slower than the
# board: quick sweeps.  The native lanes are replaced: one run per CPU model
# instead of qemu's default model; ASan without LeakSanitizer, whose
# stop-the-world fails under qemu-user; no ThreadSanitizer, whose re-exec
# fails under qemu-user.  ASan runs on aarch64 only: under qemu-arm it works
# too (make test-qemu-asan CROSS=arm-linux-gnueabihf-) but takes ~2.5 min
# here, and the armv7 kernels come from the same templates.
export WG_TEST_QUICK ?= 1
QEMU_CPUS := $(if $(filter aarch64,$(ARCH)),$(ARM64_CPUS),$(ARMHF_CPUS))
TEST_LANES := $(filter-out test-native test-asan test-tsan,$(TEST_LANES)) \
              test-qemu-cpus $(if $(filter aarch64,$(ARCH)),test-qemu-asan)

# Each run's report goes to a log: its summary is printed, or all of it
# when the run fails.  WG_TEST_QEMU_CPU tells test_neon.c which features
# the model has, so that detection is checked and a skip cannot hide it.
qemu_lane = log=$(BUILD)/qemu-$(1)-$(notdir $(2)).log; echo "== $(RUN) -cpu $(1) ./$(2)"; \
  WG_TEST_QEMU_CPU=$(1) $(3) $(RUN) -cpu $(1) ./$(2) > $$log 2>&1 || { cat $$log; exit 1; }; \
  grep -a -E "skipped:" $$log | sort | uniq -c; grep -a -E "^[0-9]+ passed, " $$log

test-qemu-cpus: $(TEST_BIN)
	@set -e; for cpu in $(QEMU_CPUS); do $(call qemu_lane,$$cpu,$(TEST_BIN)); done

test-qemu-asan: $(ASAN_TEST_BIN)
	@$(call qemu_lane,max,$(ASAN_TEST_BIN),ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1)

else ifneq ($(filter x86_64 i686,$(ARCH)),)
# A PC: the ARM suites too, each in its own cross build under $(BUILDROOT).
arm_tools = $(and $(shell command -v $(1)gcc 2>/dev/null),$(shell command -v $(2) 2>/dev/null))
ARM_MAKE = $(MAKE) --no-print-directory BUILDROOT=$(BUILDROOT) WERROR=$(WERROR)

ifneq ($(call arm_tools,$(ARM64_CROSS),qemu-aarch64),)
TEST_LANES += test-arm64 test-arm64-asan
else
TEST_LANES += test-arm-unavailable
endif
ifneq ($(call arm_tools,$(ARMHF_CROSS),qemu-arm),)
TEST_LANES += test-armhf
else
TEST_LANES += test-arm-unavailable
endif

test-arm64:
	$(ARM_MAKE) CROSS=$(ARM64_CROSS) test-qemu-cpus
test-arm64-asan:
	$(ARM_MAKE) CROSS=$(ARM64_CROSS) test-qemu-asan
test-armhf:
	$(ARM_MAKE) CROSS=$(ARMHF_CROSS) test-qemu-cpus
test-arm-unavailable:
	@echo "ARM lanes NOT run: $(ARM64_CROSS)gcc + qemu-aarch64 or $(ARMHF_CROSS)gcc + qemu-arm missing (scripts/deps.sh test installs them)"
endif

# A cross build's `make` builds what goes to the board: the library, the
# test runner and the benchmark (scripts/run-on-board.sh copies them).
ifneq ($(RUN),)
all: $(TEST_BIN) bench-build
endif
