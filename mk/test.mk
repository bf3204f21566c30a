# make test: every test lane.  Each lane is its own target so that one can be
# rerun alone (make test-asan, ...), and each prints its own
# `N passed, N failed, N skipped` line (scripts/run-lanes.sh fails a lane
# without one).  WG_TESTS narrows the runner to some tests.
# (the lanes are listed first in the Makefile's TEST_LANES)

test-native: $(TEST_BIN)
	$(RUN) ./$(TEST_BIN) $(WG_TESTS)

# Sanitizers: the whole suite under ASan+UBSan (native builds only; ARM
# lanes run their own under qemu-aarch64).
test-asan: $(ASAN_TEST_BIN)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(RUN) ./$(ASAN_TEST_BIN) $(WG_TESTS)

test-tsan: $(TSAN_TEST_BIN)
	WG_TEST_QUICK=1 $(RUN) ./$(TSAN_TEST_BIN) threads

# The README's example, extracted from README.md so the two cannot drift.
README_EXAMPLE := $(BUILD)/readme_example
$(README_EXAMPLE).c: README.md
	@mkdir -p $(dir $@)
	sed -n '/^```c readme-example/,/^```/p' README.md | sed '1d;$$d' > $@
$(README_EXAMPLE): $(README_EXAMPLE).c $(LIB_A)
	$(CC) -std=c11 -Wall -Wextra -Werror -Iinclude -o $@ $< $(LIB_A) $(LDLIBS)
test-readme: $(README_EXAMPLE)
	$(RUN) ./$(README_EXAMPLE)
	@echo "1 passed, 0 failed, 0 skipped"
