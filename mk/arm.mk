# ARM (docs/arm.md): the ARM test lanes under qemu-user (the machinery is
# mk/qemu.mk's; the NEON folder's sources and flags are kernels/neon/isa.mk).
#
#   make test                         on x86: also test-arm64, test-armhf and
#                                     test-arm64-asan (a lane whose cross
#                                     compiler or qemu is missing fails;
#                                     scripts/deps.sh test installs them)
#   make test CROSS=aarch64-linux-gnu-   the suite under qemu-aarch64 on each
#                                     of ARM64_CPUS, plus ASan+UBSan
#   make test CROSS=arm-linux-gnueabihf- the suite under qemu-arm on each of
#                                     ARMHF_CPUS

ARM64_CROSS ?= aarch64-linux-gnu-
ARMHF_CROSS ?= arm-linux-gnueabihf-
# Feature tiers that qemu enforces (an instruction outside the model is
# SIGILL): a53 NEON only, a76 +dotprod, max +dotprod +i8mm; a7 and a15 NEON
# with VFPv4.
ARM64_CPUS ?= cortex-a53 cortex-a76 max
ARMHF_CPUS ?= cortex-a7 cortex-a15
QEMU_CPUS_aarch64 = $(ARM64_CPUS)
QEMU_CPUS_arm     = $(ARMHF_CPUS)

# The lanes of a PC's `make test` (mk/qemu.mk runs them).  ASan runs on
# aarch64 only: under qemu-arm it works too (make test-qemu-asan
# CROSS=arm-linux-gnueabihf-) but takes ~2.5 min here, and the armv7
# kernels come from the same templates.
CROSS_LANES += test-arm64 test-arm64-asan test-armhf
LANE_CROSS_test-arm64      = $(ARM64_CROSS)
LANE_GOALS_test-arm64      = test-swar-noregs test-qemu-cpus
LANE_CROSS_test-arm64-asan = $(ARM64_CROSS)
LANE_GOALS_test-arm64-asan = test-qemu-asan
LANE_CROSS_test-armhf      = $(ARMHF_CROSS)
LANE_GOALS_test-armhf      = test-swar-noregs test-qemu-cpus
