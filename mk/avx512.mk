# AVX-512 kernels (docs/avx512.md) on CPUs without AVX-512.
#
# test-avx512-simde: the library and the test runner built a second time,
# the kernels/avx512 sources compiled against SIMDe (libsimde-dev: portable
# C for every _mm512_ intrinsic, simd_avx512.h) with WG_AVX512_SIMDE and no
# AVX-512 flag, and their CPU detection reporting the features (the class
# WG_AVX512_SIMDE_CPU names: vnni by default, bw, none), all under
# ASan+UBSan.  The whole suite runs there with the AVX-512 kernels in the
# table's sweeps (test_sweep, test_conv, test_properties, test_plan ...,
# quick sizes: the emulation is slow), then the dispatch tests (the
# lookup-table kernels' by rows included) for the Skylake-SP (bw) and
# AVX2-only (none) classes.  The other folders keep
# their flags (the AVX2 kernels run natively beside).  A test-only build:
# nothing of it is installed or linked into the library.
# The native build compiles the same sources with the AVX-512 flags; there
# their tests skip on CPUs without AVX-512 (avx512_ in the native lanes).
ifeq ($(ARCH),x86_64)
TEST_LANES += test-avx512-simde

SIMDE_BUILD := $(BUILD)/avx512-simde
SIMDE_TEST_BIN := $(SIMDE_BUILD)/wgtest
SIMDE_OBJ := $(LIB_SRC:%.c=$(SIMDE_BUILD)/%.o) $(TEST_SRC:%.c=$(SIMDE_BUILD)/%.o)
# -Wno-psabi: SIMDe passes its 64-byte vectors by value, which GCC notes.
# -fwrapv -fno-sanitize=signed-integer-overflow: SIMDe emulates the
# instructions' wrapping lanes with signed vector arithmetic (int8_t lanes
# of vpaddb), which UBSan reports; in those files only, defined as the
# instructions define it.
simde_flags_for = $(if $(findstring kernels/avx512/,$1),-Wno-psabi -fwrapv \
                    -fno-sanitize=signed-integer-overflow,$(call flags_for,$1))
$(SIMDE_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(BASEFLAGS) -DWG_AVX512_SIMDE $(ASANFLAGS) $(call simde_flags_for,$<) $(CFLAGS) \
	  $(CPPFLAGS_DEP) -c $< -o $@
$(SIMDE_TEST_BIN): $(SIMDE_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(ASANFLAGS) -o $@ $^ $(LDLIBS)

SIMDE_RUN := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 WG_TEST_QUICK=1
test-avx512-simde: $(SIMDE_TEST_BIN)
	$(SIMDE_RUN) ./$(SIMDE_TEST_BIN) $(WG_TESTS)
	$(SIMDE_RUN) WG_AVX512_SIMDE_CPU=bw ./$(SIMDE_TEST_BIN) avx512_dispatch lut_dispatch isa_
	$(SIMDE_RUN) WG_AVX512_SIMDE_CPU=none ./$(SIMDE_TEST_BIN) avx512_dispatch lut_dispatch isa_

.PHONY: test-avx512-simde
-include $(SIMDE_OBJ:.o=.d)
endif
