# The gemmlowp-compatible entry (wg_gemmlowp_gemm, docs/gemmlowp.md) against
# the real gemmlowp: test/gemmlowp/compat.cc, C++ compiled only for this
# lane, header-only gemmlowp from Debian's libgemmlowp-dev (scripts/deps.sh
# test installs it; missing, the lane fails to compile, it never skips).
#
#   make test-gemmlowp        600 random cases (WG_TEST_QUICK=1: 120)
#
# gemmlowp is built for the target's baseline (no -mavx2): its kernels
# compute the same exact int32 sums on every path.  It is header-only and
# portable, so a cross compiler (make test CROSS=...; run under qemu) is
# shown the native copy, as bench/configure.sh does.
GEMMLOWP_TEST := $(BUILD)/gemmlowp_compat

# wg_gemmlowp_gemm's per-call lhs packing: its byte loops vectorize at -O3
# on the baseline ISA (no ISA flag; docs/gemmlowp.md has the timings).
FILE_FLAGS_weights_once := -O3

.PHONY: test-gemmlowp
TEST_LANES += test-gemmlowp

# The installed gemmlowp, seen by a cross compiler too, for a recipe.
GEMMLOWP_INC_LINK = @mkdir -p $(dir $@)/gemmlowp-inc; \
  test ! -d /usr/include/gemmlowp || ln -sfn /usr/include/gemmlowp $(dir $@)/gemmlowp-inc/gemmlowp

$(GEMMLOWP_TEST): test/gemmlowp/compat.cc test/gemmlowp/pipeline.h include/wrapgemm.h $(LIB_A)
	$(GEMMLOWP_INC_LINK)
	$(CXX) -std=c++17 -O2 -pthread -Wall -Wextra -Iinclude -idirafter $(dir $@)/gemmlowp-inc \
	  -o $@ $< $(LIB_A) $(LDLIBS)

# The timing of docs/gemmlowp.md: $(BUILD)/gemmlowp_entry M N K reps zw,
# gemmlowp with its AVX2 kernel on x86-64 (bench.mk's flags for it).
GEMMLOWP_ENTRY_BENCH := $(BUILD)/gemmlowp_entry

.PHONY: bench-gemmlowp-entry
bench-gemmlowp-entry: $(GEMMLOWP_ENTRY_BENCH)

$(GEMMLOWP_ENTRY_BENCH): bench/gemmlowp/entry.cc test/gemmlowp/pipeline.h include/wrapgemm.h $(LIB_A)
	$(GEMMLOWP_INC_LINK)
	$(CXX) -std=c++17 -O2 -pthread -Wall -Wextra -Wno-ignored-attributes \
	  $(BENCH_FLAGS_peer_gemmlowp_$(ARCH)) -Iinclude \
	  -idirafter $(dir $@)/gemmlowp-inc -o $@ $< $(LIB_A) $(LDLIBS)

test-gemmlowp: $(GEMMLOWP_TEST)
	$(RUN) ./$(GEMMLOWP_TEST)
