# Benchmarks: the paper's Tables 7 and 8 on this CPU (docs/performance.md).
#
#   make bench                   install what is missing (scripts/deps.sh bench),
#                                build, run, report to bench/results/ (< 5 min)
#   make bench BENCH_THREADS=2   the multi-threaded comparison (each library in
#                                its own process)
#   make bench BENCH_ARGS='--filter=table7/64x --reps=5'   any wgbench options
#   make bench-quick             a few-second smoke run of every case (a test lane)
#   make bench-build             the binary only; CROSS=aarch64-linux-gnu- for ARM,
#                                peers missing for the target are left out visibly
BENCH_DIR   := $(BUILD)/bench
BENCH_BIN   := $(BUILD)/wgbench
BENCH_OUT   ?= bench/results
BENCH_THREADS ?= 1
BENCH_ARGS  ?=
BENCH_CXXSRC := $(wildcard bench/*.cc)
BENCH_CSRC   := $(wildcard bench/*.c)
BENCH_OBJ   := $(BENCH_CXXSRC:bench/%.cc=$(BENCH_DIR)/%.o) \
               $(BENCH_CSRC:bench/%.c=$(BENCH_DIR)/%.o)
BENCH_CONFIG := $(BENCH_DIR)/config.h

BENCH_WARN := -Wall -Wextra -Wshadow -Wpointer-arith -Wformat=2 -Wundef
ifeq ($(WERROR),1)
BENCH_WARN += -Werror
endif
BENCH_CXXFLAGS := -std=c++17 -O2 -g -pthread -Iinclude -Ibench -I$(BENCH_DIR)/inc \
                  -include $(BENCH_CONFIG) $(BENCH_WARN)
# gemmlowp takes its AVX2 kernel only when told to (and it registers itself
# only on a CPU with AVX2); the naive loop gets the library's SWAR flags so
# that it stays scalar like the paper's baseline.
BENCH_FLAGS_peer_gemmlowp_x86_64 := -mavx2 -mfma -DGEMMLOWP_ENABLE_AVX2
bench_flags_for = $(BENCH_FLAGS_$(basename $(notdir $1))_$(ARCH))

.PHONY: bench-build bench-force
TEST_LANES += bench-quick

# Probed on every build, so that a peer installed since the last one is
# picked up; config.h changes (and objects rebuild) only when a probe does.
bench-force:
$(BENCH_CONFIG): bench-force
	@mkdir -p $(BENCH_DIR)
	@bench/configure.sh '$(CXX)' $(BENCH_DIR) '$(BASEFLAGS) $(ISA_FLAGS_SHOWN)' \
	  '$(BENCH_CXXFLAGS) [gemmlowp: $(BENCH_FLAGS_peer_gemmlowp_$(ARCH))]'

$(BENCH_DIR)/%.o: bench/%.cc $(BENCH_CONFIG)
	$(CXX) $(BENCH_CXXFLAGS) $(call bench_flags_for,$<) $(CPPFLAGS_DEP) -c $< -o $@
$(BENCH_DIR)/%.o: bench/%.c $(BENCH_CONFIG)
	$(CC) -std=c11 -O2 -g $(WARN) $(SWARFLAGS_$(ARCH)) -Ibench $(CPPFLAGS_DEP) -c $< -o $@

$(BENCH_BIN): $(BENCH_OBJ) $(LIB_A)
	$(CXX) -pthread -o $@ $(BENCH_OBJ) $(LIB_A) $$(cat $(BENCH_DIR)/libs.txt)

bench-build: $(BENCH_BIN)

bench:
	scripts/deps.sh bench
	$(MAKE) --no-print-directory -j2 bench-build
	$(RUN) ./$(BENCH_BIN) --out=$(BENCH_OUT) --threads=$(BENCH_THREADS) $(BENCH_ARGS)

# Every case once, on layers scaled down 1/256, then the report must list
# each of them as checked and timed; then the threaded run (a child process
# per library) once, so that its path cannot rot either.  Each case of each
# run counts as a test in the lane's summary line.
BENCH_QUICK_OUT := $(BUILD)/bench-quick
bench-quick: $(BENCH_BIN)
	rm -rf $(BENCH_QUICK_OUT)
	$(RUN) ./$(BENCH_BIN) --quick --out=$(BENCH_QUICK_OUT)
	@n=$$($(RUN) ./$(BENCH_BIN) --quick --list | grep -vc '^#'); \
	ok=$$(grep -c '| ok |$$' $(BENCH_QUICK_OUT)/report.md); \
	grep -q '^### Table 7' $(BENCH_QUICK_OUT)/report.md && \
	grep -q '^### Table 8' $(BENCH_QUICK_OUT)/report.md && \
	test -s $(BENCH_QUICK_OUT)/chart.dat && { test -s $(BENCH_QUICK_OUT)/bench.json || \
	  grep -q 'Google Benchmark JSON: none' $(BENCH_QUICK_OUT)/report.md; } && \
	{ ! command -v gnuplot >/dev/null || test -s $(BENCH_QUICK_OUT)/chart.png; } && \
	test "$$n" -gt 0 && test "$$n" = "$$ok" || \
	  { echo "bench-quick: report incomplete ($$ok of $$n cases ok)"; \
	    echo "$$ok passed, $$(( n > ok ? n - ok : 1 )) failed, 0 skipped"; exit 1; }; \
	echo "bench-quick: all $$n cases ran and passed their checks; report in $(BENCH_QUICK_OUT)"; \
	echo "$$n passed, 0 failed, 0 skipped"
	$(RUN) ./$(BENCH_BIN) --quick --threads=2 --out=$(BENCH_QUICK_OUT)/threaded >/dev/null
	@n=$$(grep -c '| ok |$$' $(BENCH_QUICK_OUT)/report.md); \
	ok=$$(grep -c '| ok |$$' $(BENCH_QUICK_OUT)/threaded/report.md); \
	test "$$ok" = "$$n" && echo "bench-quick: the threaded run (one process per library) passed all $$n" || \
	  { echo "bench-quick: the threaded run passed $$ok of $$n cases"; \
	    echo "$$ok passed, $$(( n > ok ? n - ok : 1 )) failed, 0 skipped"; exit 1; }; \
	echo "$$n passed, 0 failed, 0 skipped"

-include $(BENCH_OBJ:.o=.d)
