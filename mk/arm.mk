# ARM: the dot-product file's own -march (so the rest of the library runs on
# any ARMv8.0 core), and the ARM test lanes (docs/arm.md).
NEONFLAGS_acc32_int8_x_u8_4x16__aarch64_neondot := -march=armv8.2-a+dotprod
