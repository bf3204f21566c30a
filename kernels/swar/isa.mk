# The SWAR folder (docs/swar.md): bit-packed kernels that model a core
# without a vector unit, on every architecture, so their objects must not
# touch one (mk/swar.mk checks): no auto-vectorisation and, where the
# compiler supports it, general registers only.
ISA_FOLDERS += swar
ISA_SRC_swar := $(wildcard kernels/swar/*.c)
ISA_FLAGS_swar = $(SWARFLAGS_$(ARCH))
SWARFLAGS_x86_64  := -mgeneral-regs-only -fno-tree-vectorize -fno-tree-slp-vectorize
SWARFLAGS_aarch64 := -mgeneral-regs-only -fno-tree-vectorize -fno-tree-slp-vectorize
# gcc 12 for armv7 accepts -mgeneral-regs-only as well (checked with
# arm-linux-gnueabihf-gcc 12.2), so the bit-packed files use neither NEON nor
# VFP registers on any architecture.  There, though, glibc's <stdlib.h>
# defines an extern-inline atof returning double when optimising, which gcc
# rejects under that flag; __NO_INLINE__ is glibc's switch for its header
# inlines (features.h) and changes nothing else.
SWARFLAGS_arm     := -fno-tree-vectorize -fno-tree-slp-vectorize -mgeneral-regs-only -D__NO_INLINE__
# s390x has no -mgeneral-regs-only, and gcc 12 uses the FP registers there as
# spill slots for general ones (ldgr %f0,%r4; std %f8 to save them): the
# register check found 579 such instructions in the SWAR objects.
# -msoft-float leaves gcc no FP or vector register.  It also changes how
# floats are passed, which is harmless only because these files have no
# floating point at all: the check also fails on a call to a soft-float
# helper (__adddf3, __floatsidf, ...), which is what a float becomes there.
SWARFLAGS_s390x   := -msoft-float -fno-tree-vectorize -fno-tree-slp-vectorize
# riscv64: no such flag either (-march=rv64imac would change the ABI the
# whole program links with); gcc 12 does not vectorise for RVV, and uses FP
# registers only for floating point.  The check keeps it so.
SWARFLAGS_riscv64 := -fno-tree-vectorize -fno-tree-slp-vectorize
