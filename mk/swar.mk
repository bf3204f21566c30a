# SWAR kernels (kernels/swar/, docs/swar.md): they model a core without a
# vector unit, so their objects must not touch one.  Their flags, per
# architecture, are kernels/swar/isa.mk's; this file checks what they give.
#
# Vector / FP register names in objdump's syntax: xmm/ymm/zmm (and the
# legacy mm, st) on x86; v0-v31 and their b/h/s/d/q views on aarch64;
# d0-d31, q0-q15 and s0-s31 on armv7; %f0-%f15 and %v0-%v31 on s390x (the
# general ones are %r0-%r15, access and control %a, %c); on riscv64 f0-f31 and
# their ABI names ft0-ft11, fs0-fs11, fa0-fa7, v0-v31, and any instruction
# whose mnemonic starts with f (FP, or FP control such as frcsr: no register
# named) other than fence, or with v (RVV).  The riscv general registers
# (zero ra sp gp tp, t0-t6, s0-s11, a0-a7, x0-x31) match none of these.
SWAR_VREG_x86_64  := %?([xyz]mm[0-9]|mm[0-7]|st\(?[0-7])
SWAR_VREG_aarch64 := \b([vbhsdq][0-9]|[vbhsdq][12][0-9]|[vbhsdq]3[01])(\.[0-9]*[bhsdq])?\b
SWAR_VREG_arm     := \b([dsq][0-9]|[dsq][12][0-9]|[ds]3[01])\b
SWAR_VREG_s390x   := %(f[0-9]|f1[0-5]|v[0-9]|v[12][0-9]|v3[01])\b
SWAR_VREG_riscv64 := \b(f[0-9]|f[12][0-9]|f3[01]|f[ts][0-9]|f[ts]1[01]|fa[0-7]|v[0-9]|v[12][0-9]|v3[01])\b|^ (v|f[^e]|fe[^n])
# What a float or double becomes without FP registers: a libgcc call.
SWAR_SOFTFP := ^__(add|sub|mul|div|neg|extend|trunc|fix|fixuns|float|floatun|cmp|unord|eq|ne|ge|gt|le|lt)[sdtx]f
SWAR_OBJ := $(ISA_SRC_swar:%.c=$(BUILD)/obj/%.o)
OBJDUMP := $(CROSS)objdump
NM      := $(CROSS)nm

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
	  echo "test-swar-noregs: vector/FP registers in SWAR objects ($(ARCH))"; \
	  echo "0 passed, 1 failed, 0 skipped"; exit 1; fi; \
	soft=$$($(NM) -u $(SWAR_OBJ) | awk '{print $$NF}' | grep -E '$(SWAR_SOFTFP)' || true); \
	if [ -n "$$soft" ]; then echo "$$soft" | sort -u | head -20; \
	  echo "test-swar-noregs: soft-float calls in SWAR objects ($(ARCH))"; \
	  echo "0 passed, 1 failed, 0 skipped"; exit 1; fi; \
	echo "test-swar-noregs: $$n instructions in $(words $(SWAR_OBJ)) SWAR objects, no vector/FP register ($(ARCH))"; \
	echo "1 passed, 0 failed, 0 skipped"
