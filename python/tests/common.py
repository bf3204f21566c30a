"""Shared test setup: the repository's paths, random generators, and a
clean environment (WRAPGEMM_KERNEL would force a kernel on every context
these tests create)."""
import os

import numpy as np

os.environ.pop("WRAPGEMM_KERNEL", None)

import wrapgemm as wg  # noqa: E402  (after the environment is cleaned)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADER = os.path.join(REPO, "include", "wrapgemm.h")

# Every test draws from its own seeded generator: a failure reproduces.
SEED = int(os.environ.get("WG_PY_SEED", "1"))


def rng(salt):
    return np.random.default_rng([SEED, salt])


def available_kernels():
    return [k.name for k in wg.kernels() if k.available]


def weight_codes(r, m, k, fmt, bits=8):
    """Random codes of a weight format, extremes included."""
    if fmt == wg.WeightFormat.BINARY:
        return r.choice(np.array([-1, 1], np.int8), (m, k))
    if fmt == wg.WeightFormat.TERNARY:
        return r.integers(-1, 2, (m, k), dtype=np.int8)
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return r.integers(lo, hi + 1, (m, k), dtype=np.int8)


def strided(r, a, extra):
    """The same values as a, in rows padded by `extra` elements (a view
    with a row stride larger than its width)."""
    rows, cols = a.shape
    buf = r.integers(0, 100, (rows, cols + extra)).astype(a.dtype)
    buf[:, :cols] = a
    return buf[:, :cols]
