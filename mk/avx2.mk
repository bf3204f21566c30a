# AVX2 kernels (docs/avx2.md).
#
# test-avx2-noavx2: the native test binary under qemu on CPUs without AVX2
# (Nehalem: no AVX at all; max,-avx2: AVX but no AVX2; max,-xsave: CPUID
# lists AVX2 but the OS check through OSXSAVE/XGETBV fails).  The library
# must load and run there (the portable kernels pass the quick sweep, the
# codes check falls back to plain C: isa_), and the AVX2 tests must report
# their kernels as skipped, never as passed.
# test-avx2-memcheck: the AVX2 tests (quick sizes) under valgrind's
# memcheck.  The inner loops are inline assembly, which AddressSanitizer
# does not instrument; memcheck sees every load and store of the machine
# code, so a loop reading past a packed panel or the weights' slack fails
# here.  The lookup-table kernels' tile tests too (`lut_tile`, `lut_binary`:
# their row-add loops read the next groups' weights one iteration ahead,
# into the slack; about 5 s under memcheck).
# avx2-perf: the AVX2 timing tool, bench/tools/avx2_perf.c (not a test).
ifeq ($(ARCH),x86_64)
TEST_LANES += test-avx2-noavx2 test-avx2-memcheck

test-avx2-memcheck: $(TEST_BIN)
	WG_TEST_QUICK=1 valgrind --tool=memcheck --error-exitcode=1 -q ./$(TEST_BIN) avx2 lut_tile lut_binary

test-avx2-noavx2: $(TEST_BIN)
	WG_TEST_QUICK=1 qemu-x86_64 -cpu Nehalem ./$(TEST_BIN) avx2 sweep_cube isa_
	WG_TEST_QUICK=1 qemu-x86_64 -cpu max,-avx2 ./$(TEST_BIN) avx2 sweep_cube isa_
	WG_TEST_QUICK=1 qemu-x86_64 -cpu max,-xsave ./$(TEST_BIN) avx2_each isa_

AVX2_PERF := $(BUILD)/avx2_perf
# oneDNN (libdnnl-dev, scripts/deps.sh bench) as the int8 baseline, if installed.
AVX2_PERF_DNNL := $(if $(wildcard /usr/include/oneapi/dnnl/dnnl.h),-DWG_PERF_ONEDNN,)
$(AVX2_PERF): bench/tools/avx2_perf.c $(LIB_A)
	$(CC) $(BASEFLAGS) $(ISA_FLAGS_avx2) $(AVX2_PERF_DNNL) $(CFLAGS) -o $@ $< $(LIB_A) \
	  $(if $(AVX2_PERF_DNNL),-ldnnl) $(LDLIBS)

.PHONY: avx2-perf test-avx2-noavx2 test-avx2-memcheck
avx2-perf: $(AVX2_PERF)
	./$(AVX2_PERF) $(AVX2_PERF_ARGS)
endif
