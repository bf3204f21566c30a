# The AVX2 folder (docs/avx2.md): x86-64 builds only (and isa.inc lists
# its CPU feature, codes check and kernels there only).
ISA_FOLDERS += avx2
ISA_SRC_avx2 := $(if $(filter x86_64,$(ARCH)),$(wildcard kernels/avx2/*.c))
ISA_FLAGS_avx2 := -mavx2 -mfma
