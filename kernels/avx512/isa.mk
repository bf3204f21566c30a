# The AVX-512 folder (docs/avx512.md): x86-64 builds only (isa.inc lists its
# CPU features and kernels there only).  BW and VL for every file, VNNI
# only for the file that issues vpdpbusd.  mk/avx512.mk builds the same
# sources a second time against SIMDe (no flags, WG_AVX512_SIMDE) for the
# test lane that runs these kernels on CPUs without AVX-512.
ISA_FOLDERS += avx512
ISA_SRC_avx512 := $(if $(filter x86_64,$(ARCH)),$(wildcard kernels/avx512/*.c))
ISA_FLAGS_avx512 := -mavx512f -mavx512bw -mavx512vl
FILE_FLAGS_acc32_int8_x_u8_8x32__avx512vnni := -mavx512vnni
