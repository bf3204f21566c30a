# libFuzzer: the API against the reference oracle for FUZZ_SECONDS, from the
# committed seed corpus (clang, x86-64 host builds only).
FUZZ_SECONDS ?= 20
# Two harnesses: fuzz_api (wg_gemm through every kernel) and fuzz_conv
# (wg_conv2d and wg_conv2d_ex: windows, padding, layouts, direct or implicit
# im2col, threads; groups, depthwise, output slices, bad options).
FUZZ_NAMES := fuzz_api fuzz_conv
# An input is a header of about 30 bytes and a seed from which the harness
# fills every tensor (test/fuzz/fuzz_input.h), for fuzz_conv then 3 option
# bytes (test/fuzz/fuzz_conv_options.h); longer inputs add nothing.
# test/fuzz/make_corpus.py writes the seed corpora.
FUZZ_MAX_LEN := 64
FUZZ_BINS := $(FUZZ_NAMES:%=$(BUILD)/%)
ifeq ($(CROSS)$(filter x86_64,$(ARCH)),x86_64)
TEST_LANES += test-fuzz
endif
# One clang command: per-file ISA flags cannot differ inside it, so the AVX2
# files get theirs through an object of their own.
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -ffp-contract=off -Iinclude -Ikernels \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_COV := -fsanitize=fuzzer-no-link
# The reference oracle gets no coverage hooks: its loops are the oracle's,
# not paths to explore, and with a comparison hook on each of them it took
# about half of every execution.
$(BUILD)/fuzz/kernels/core/reference.o: FUZZ_COV := -fno-sanitize=fuzzer,fuzzer-no-link
$(BUILD)/fuzz/kernels/core/reference_conv.o: FUZZ_COV := -fno-sanitize=fuzzer,fuzzer-no-link
$(BUILD)/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CLANG   $@"
	$(Q)clang $(FUZZ_FLAGS) $(FUZZ_COV) $(filter-out -fsanitize=fuzzer,$(call flags_for,$<)) -MMD -MP -c $< -o $@
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/fuzz/%.o)
# Reached only through the pattern rule below, make would delete them as
# intermediates after each link and rebuild the whole library every time.
.SECONDARY: $(FUZZ_LIB_OBJ) $(FUZZ_NAMES:%=$(BUILD)/fuzz/test/fuzz/%.o)
$(BUILD)/fuzz_%: $(FUZZ_LIB_OBJ) $(BUILD)/fuzz/test/fuzz/fuzz_%.o
	$(Q)clang $(FUZZ_FLAGS) -o $@ $^ -lm -lpthread
test-fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_NAMES); do \
	  mkdir -p $(BUILD)/$$f-corpus; \
	  corpus=test/fuzz/corpus; [ $$f = fuzz_api ] || corpus=test/fuzz/corpus_conv; \
	  $(BUILD)/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAX_LEN) \
	    -artifact_prefix=$(BUILD)/$$f- $(BUILD)/$$f-corpus $$corpus > $(BUILD)/$$f.log 2>&1; s=$$?; \
	  echo "$$f:"; grep -E "^Done|ERROR|SUMMARY|abort" $(BUILD)/$$f.log | tail -5; \
	  if [ $$s -ne 0 ]; then echo "test-fuzz: $$f FAILED (log: $(BUILD)/$$f.log)"; \
	    echo "0 passed, 1 failed, 0 skipped"; exit $$s; fi; \
	  echo "1 passed, 0 failed, 0 skipped"; \
	done
-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_NAMES:%=$(BUILD)/fuzz/test/fuzz/%.d)
