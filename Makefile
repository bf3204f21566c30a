# wrapgemm build.  `make` builds the libraries, `make test` runs every test,
# `make bench` reproduces the paper's timing tables on this CPU.
#
#   CROSS=aarch64-linux-gnu-    cross-compile (every rule honours it); also
#                               arm-linux-gnueabihf-, s390x-linux-gnu-,
#                               riscv64-linux-gnu- (tests under qemu-user)
#   WERROR=1                    warnings are errors (CI sets it)
#   PREFIX=/usr/local DESTDIR=  for make install
#   WG_SKIP_LANES='test-s390x'  make test: lanes not to run, counted as
#                               skipped (any other lane that cannot run fails)
#   WG_TESTS='arith sweep'      only the tests whose names contain one of these

CROSS   ?=
CC      := $(CROSS)gcc
CXX     := $(CROSS)g++
AR      := $(CROSS)ar
PREFIX  ?= /usr/local
DESTDIR ?=
WERROR  ?= 0

TRIPLET := $(shell $(CC) -dumpmachine)
ARCH    := $(firstword $(subst -, ,$(TRIPLET)))
BUILDROOT ?= build
BUILD   := $(BUILDROOT)/$(TRIPLET)
VERSION := $(shell sed -n 's/^\#define WG_VERSION_STRING "\(.*\)"/\1/p' include/wrapgemm.h)

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wpointer-arith -Wwrite-strings -Wvla \
        -Wformat=2 -Wundef
ifeq ($(WERROR),1)
WARN += -Werror
endif
# -ffp-contract=off: every float step of the epilogue is written out (fmaf
# where the contract fuses), so no compiler may fuse or split one on its own.
BASEFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -fPIC -ffp-contract=off \
             -fvisibility=hidden -Iinclude -Ikernels $(WARN)
CFLAGS  ?=
CPPFLAGS_DEP = -MMD -MP

# The library: kernels/core, the tables beside it (kernels/*.c) and the ISA
# folders.  Each folder declares itself in its kernels/<isa>/isa.mk
# (docs/adding-a-kernel.md, "Adding an ISA"):
#   ISA_FOLDERS += <isa>
#   ISA_SRC_<isa>    its sources on this ARCH (empty: not built here)
#   ISA_FLAGS_<isa>  flags for its files and no other, so that the rest of
#                    the library runs on any CPU of the architecture; not
#                    for its cpu_*.c either (CPU detection runs before
#                    anything knows the CPU has the feature)
#   FILE_FLAGS_<stem>  more for one file (a feature tier of its own)
include $(sort $(wildcard kernels/*/isa.mk))
CORE_SRC := $(wildcard kernels/core/*.c kernels/*.c)
ISA_BUILT := $(foreach i,$(ISA_FOLDERS),$(if $(ISA_SRC_$(i)),$(i)))
LIB_SRC := $(CORE_SRC) $(foreach i,$(ISA_BUILT),$(ISA_SRC_$(i)))
# Each built folder's flags on one line, as the benchmark report shows them.
ISA_FLAGS_SHOWN := $(strip $(foreach i,$(ISA_BUILT),$(if $(strip $(ISA_FLAGS_$(i))),$(i): $(strip $(ISA_FLAGS_$(i)));)))

# A file's extra flags: its folder's (see above) and its own.
isa_of = $(firstword $(foreach i,$(ISA_FOLDERS),$(if $(findstring kernels/$(i)/,$1),$(i))))
flags_for = $(if $(filter cpu_%,$(notdir $1)),,$(ISA_FLAGS_$(call isa_of,$1))) \
            $(FILE_FLAGS_$(notdir $(basename $1)))

# Three builds of the same sources: the release library, and the
# AddressSanitizer+UBSan and ThreadSanitizer libraries the tests link.
OBJ      := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=$(BUILD)/asan/%.o)
TSAN_OBJ := $(LIB_SRC:%.c=$(BUILD)/tsan/%.o)
ASANFLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
TSANFLAGS := -O1 -fsanitize=thread

LIB_A  := $(BUILD)/libwrapgemm.a
LIB_SO := $(BUILD)/libwrapgemm.so

TEST_SRC := $(wildcard test/*.c)
TEST_BIN := $(BUILD)/wgtest
ASAN_TEST_BIN := $(BUILD)/wgtest-asan
TSAN_TEST_BIN := $(BUILD)/wgtest-tsan
LDLIBS := -lm -lpthread

# Quiet by default; V=1 prints whole commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all lib test test-lanes list-lanes test-native test-asan test-tsan \
        test-readme install clean bench bench-quick help
all: lib
lib: $(LIB_A) $(LIB_SO)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(BASEFLAGS) $(call flags_for,$<) $(CFLAGS) $(CPPFLAGS_DEP) -c $< -o $@
$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(BASEFLAGS) $(call flags_for,$<) $(ASANFLAGS) $(CFLAGS) $(CPPFLAGS_DEP) -c $< -o $@
$(BUILD)/tsan/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(BASEFLAGS) $(call flags_for,$<) $(TSANFLAGS) $(CFLAGS) $(CPPFLAGS_DEP) -c $< -o $@

$(LIB_A): $(OBJ)
	@rm -f $@
	@echo "  AR      $@"
	$(Q)$(AR) rcs $@ $^
$(LIB_SO): $(OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,libwrapgemm.so.0 -o $@ $^ $(LDLIBS)
$(BUILD)/libwrapgemm-asan.a: $(ASAN_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	$(Q)$(AR) rcs $@ $^
$(BUILD)/libwrapgemm-tsan.a: $(TSAN_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	$(Q)$(AR) rcs $@ $^

# The test runner links the static library and the internal headers (it
# calls the reference oracle and kernels by name).
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/asan/%.o)
TSAN_TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/tsan/%.o)
$(TEST_BIN): $(TEST_OBJ) $(LIB_A)
	@echo "  LD      $@"
	$(Q)$(CC) -o $@ $(TEST_OBJ) $(LIB_A) $(LDLIBS)
$(ASAN_TEST_BIN): $(ASAN_TEST_OBJ) $(BUILD)/libwrapgemm-asan.a
	@echo "  LD      $@"
	$(Q)$(CC) $(ASANFLAGS) -o $@ $^ $(LDLIBS)
$(TSAN_TEST_BIN): $(TSAN_TEST_OBJ) $(BUILD)/libwrapgemm-tsan.a
	@echo "  LD      $@"
	$(Q)$(CC) $(TSANFLAGS) -o $@ $^ $(LDLIBS)

# How to run a target binary here: natively, or under qemu-user with the
# cross libc for another architecture (mk/qemu.mk).
QEMU_aarch64 := qemu-aarch64 -L /usr/aarch64-linux-gnu
QEMU_arm     := qemu-arm -L /usr/arm-linux-gnueabihf
QEMU_s390x   := qemu-s390x -L /usr/s390x-linux-gnu
QEMU_riscv64 := qemu-riscv64 -L /usr/riscv64-linux-gnu
HOST_ARCH    := $(shell uname -m)
RUN := $(if $(filter $(HOST_ARCH),$(ARCH)),,$(QEMU_$(ARCH)))

# Each concern has its own file in mk/; a file adds its test lanes to
# TEST_LANES, and `test` (below, after all of them) runs every lane.
TEST_LANES := test-native test-asan test-tsan test-readme
include $(sort $(wildcard mk/*.mk))

# Lanes run one after another (each may build in parallel with -j), so
# their reports never interleave; the first failing lane stops the run, and
# the last line sums every lane's tests (scripts/run-lanes.sh).  A lane must
# print its own `N passed, N failed, N skipped` line; one that cannot run
# fails unless WG_SKIP_LANES names it.
# The packages every lane needs are installed first (as root; otherwise the
# one apt-get line is printed), so `make test` works on a fresh machine.
# Then a fresh make reads the Makefile again: nothing this make decided
# before the install (the compiler's triplet, ...) reaches the lanes.
test:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory test-lanes
test-lanes:
	@MAKE="$(MAKE)" LANE_LOGS=$(BUILDROOT)/lanes scripts/run-lanes.sh $(TEST_LANES)
# The lanes of `make test` here, one a line.
list-lanes:
	@printf '%s\n' $(TEST_LANES)

clean:
	rm -rf build

help:
	@sed -n '1,/^$$/p' Makefile

-include $(OBJ:.o=.d) $(ASAN_OBJ:.o=.d) $(TSAN_OBJ:.o=.d) $(TEST_OBJ:.o=.d) \
         $(ASAN_TEST_OBJ:.o=.d) $(TSAN_TEST_OBJ:.o=.d)
