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

.PHONY: test-gemmlowp
TEST_LANES += test-gemmlowp

$(GEMMLOWP_TEST): test/gemmlowp/compat.cc include/wrapgemm.h $(LIB_A)
	@mkdir -p $(dir $@)/gemmlowp-inc
	@test ! -d /usr/include/gemmlowp || ln -sfn /usr/include/gemmlowp $(dir $@)/gemmlowp-inc/gemmlowp
	$(CXX) -std=c++17 -O2 -pthread -Wall -Wextra -Iinclude -idirafter $(dir $@)/gemmlowp-inc \
	  -o $@ $< $(LIB_A) $(LDLIBS)

test-gemmlowp: $(GEMMLOWP_TEST)
	$(RUN) ./$(GEMMLOWP_TEST)
