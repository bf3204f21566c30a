# The AVX2 folder (docs/avx2.md): x86-64 builds only.  Its CPU feature and
# codes check are listed in avx2_isa.inc, its kernels in avx2_kernels.inc.
ISA_FOLDERS += avx2
ISA_SRC_avx2 := $(if $(filter x86_64,$(ARCH)),$(wildcard kernels/avx2/*.c))
ISA_FLAGS_avx2 := -mavx2 -mfma
