# The Python module (python/wrapgemm, docs/python.md): ctypes over the
# native shared library, tested with unittest and Debian's python3-numpy.
#
#   make test-python                 the lane: builds libwrapgemm.so, runs
#                                    python/tests against it (every kernel,
#                                    the numpy contract, the header mirror,
#                                    docs/python.md's example, models/)
#   make test-python WG_PY_TESTS='gemm conv'   only tests whose names
#                                    contain one of these
#
# Native builds only: a cross build's library cannot be loaded by this
# Python (with CROSS set the lane is not in TEST_LANES, and run by name it
# fails).  numpy missing fails the lane, it never skips: scripts/deps.sh
# test installs python3-numpy.  PYTHON defaults to Debian's interpreter,
# whose numpy is the packaged one (a python3 earlier on PATH, e.g. pyenv's,
# may lack it).
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
WG_PY_TESTS ?=

.PHONY: test-python
ifeq ($(CROSS),)
TEST_LANES += test-python

# tests.run prints unittest's report and then its own
# `N passed, N failed, N skipped` line; CC compiles the header probe.
test-python: $(LIB_SO)
	cd python && WRAPGEMM_LIB=$(CURDIR)/$(LIB_SO) CC="$(CC)" $(PYTHON) -B -m tests.run $(WG_PY_TESTS)
else
test-python:
	@echo "test-python: runs in native builds only (CROSS=$(CROSS))"
	@echo "0 passed, 1 failed, 0 skipped"
	@exit 1
endif
