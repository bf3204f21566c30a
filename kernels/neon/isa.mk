# The NEON folder (docs/arm.md): the shared templates at its top, each
# architecture's kernels in a subfolder.  aarch64 has ASIMD in its base
# ISA; armv7 needs the NEON flags (with the hard-float ABI of armhf).
ISA_FOLDERS += neon
ISA_SRC_neon := $(if $(filter aarch64,$(ARCH)),$(wildcard kernels/neon/*.c kernels/neon/aarch64/*.c)) \
                $(if $(filter arm,$(ARCH)),$(wildcard kernels/neon/*.c kernels/neon/armv7/*.c))
ISA_FLAGS_neon := $(if $(filter arm,$(ARCH)),-march=armv7-a -mfpu=neon -mfloat-abi=hard)
# The dot-product kernel alone is compiled for ARMv8.2+dotprod, so the rest
# of the library still runs on any ARMv8.0 core (dispatch checks HWCAP).
FILE_FLAGS_acc32_int8_x_u8_4x16__aarch64_neondot := -march=armv8.2-a+dotprod
