# SWAR kernels (kernels/swar/, docs/swar.md): they model a core without a
# vector unit, so their objects must not touch one.
#
# gcc 12 for armv7 accepts -mgeneral-regs-only as well (checked with
# arm-linux-gnueabihf-gcc 12.2), so the bit-packed files use neither NEON nor
# VFP registers on any architecture.  There, though, glibc's <stdlib.h>
# defines an extern-inline atof returning double when optimising, which gcc
# rejects under that flag; __NO_INLINE__ is glibc's switch for its header
# inlines (features.h) and changes nothing else.
SWARFLAGS_arm += -mgeneral-regs-only -D__NO_INLINE__

# Vector / FP register names in objdump's syntax: xmm/ymm/zmm (and the
# legacy mm, st) on x86; v0-v31 and their b/h/s/d/q views on aarch64;
# d0-d31, q0-q15 and s0-s31 on armv7.
SWAR_VREG_x86_64  := %?([xyz]mm[0-9]|mm[0-7]|st\(?[0-7])
SWAR_VREG_aarch64 := \b([vbhsdq][0-9]|[vbhsdq][12][0-9]|[vbhsdq]3[01])(\.[0-9]*[bhsdq])?\b
SWAR_VREG_arm     := \b([dsq][0-9]|[dsq][12][0-9]|[ds]3[01])\b
SWAR_OBJ := $(SWAR_SRC:%.c=$(BUILD)/obj/%.o)
OBJDUMP := $(CROSS)objdump

.PHONY: test-swar-noregs
TEST_LANES += test-swar-noregs

# Fails if any instruction of a SWAR object names a vector or FP register.
# Only mnemonics and operands are searched: branch targets ("b0 <f+0xb0>")
# and comments are removed first, since hex addresses look like d0, b0.
test-swar-noregs: $(SWAR_OBJ)
	@test -n "$(SWAR_VREG_$(ARCH))" || { echo "test-swar-noregs: no register list for $(ARCH)"; exit 1; }
	@bad=$$($(OBJDUMP) -d --no-show-raw-insn $(SWAR_OBJ) | \
	  awk -F'\t' '$$1 ~ /^ *[0-9a-f]+:$$/ && NF >= 2 {$$1 = ""; print}' | \
	  sed -e 's/[0-9a-f]* *<[^>]*>//g' -e 's/[;@\/][\/]*.*$$//' | \
	  grep -E '$(SWAR_VREG_$(ARCH))' || true); \
	n=$$($(OBJDUMP) -d --no-show-raw-insn $(SWAR_OBJ) | grep -cE '^ *[0-9a-f]+:' || true); \
	if [ -n "$$bad" ]; then echo "$$bad" | head -20; \
	  echo "test-swar-noregs: vector/FP registers in SWAR objects"; exit 1; fi; \
	echo "test-swar-noregs: $$n instructions in $(words $(SWAR_OBJ)) SWAR objects, no vector/FP register ($(ARCH))"
