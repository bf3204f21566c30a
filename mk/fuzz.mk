# libFuzzer: the API against the reference oracle for FUZZ_SECONDS, from the
# committed seed corpus (clang, x86-64 host builds only).
FUZZ_SECONDS ?= 20
FUZZ_BIN := $(BUILD)/fuzz_api
FUZZ_SRC := $(LIB_SRC) test/fuzz/fuzz_api.c
ifeq ($(CROSS)$(filter x86_64,$(ARCH)),x86_64)
TEST_LANES += test-fuzz
endif
# One clang command: per-file ISA flags cannot differ inside it, so the AVX2
# files get theirs through an object of their own.
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -ffp-contract=off -Iinclude -Ikernels \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(BUILD)/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CLANG   $@"
	$(Q)clang $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(filter-out -fsanitize=fuzzer,$(call flags_for,$<)) -MMD -MP -c $< -o $@
$(FUZZ_BIN): $(FUZZ_SRC:%.c=$(BUILD)/fuzz/%.o)
	$(Q)clang $(FUZZ_FLAGS) -o $@ $^ -lm -lpthread
test-fuzz: $(FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz-corpus
	@$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -artifact_prefix=$(BUILD)/ \
	  $(BUILD)/fuzz-corpus test/fuzz/corpus > $(BUILD)/fuzz.log 2>&1; s=$$?; \
	  grep -E "^Done|ERROR|SUMMARY|abort" $(BUILD)/fuzz.log | tail -5; \
	  if [ $$s -ne 0 ]; then echo "test-fuzz: FAILED (log: $(BUILD)/fuzz.log)"; exit $$s; fi
-include $(FUZZ_SRC:%.c=$(BUILD)/fuzz/%.d)
