"""Random calls within the contract: shapes (1 and odd sizes included),
weight formats, activation widths and zero points, and epilogues of every
output kind, plus the hints a kernel's name gives so that each forced
kernel gets calls it can run."""
import re

import numpy as np

from .common import wg, weight_codes

W = wg.WeightFormat
ACC_BITS = list(range(2, 17)) + [32]


def kernel_hints(name):
    """(largest b, weight formats, largest activation bits) a kernel's name
    promises: acc8_ternary_x_u8_... -> (8, ternary+binary, 8)."""
    m = re.match(r"acc(\d+)_(ternary|binary|int8)_x_u(\d+)_", name or "")
    if not m:
        return 32, [W.INT, W.TERNARY, W.BINARY], 8
    acc, wts, ub = int(m.group(1)), m.group(2), int(m.group(3))
    fmts = {"ternary": [W.TERNARY, W.BINARY], "binary": [W.BINARY],
            "int8": [W.INT, W.TERNARY, W.BINARY]}[wts]
    return (32 if acc == 32 else acc), fmts, ub


def random_epilogue(r, m, max_b=32, kinds=None):
    b = int(r.choice([x for x in ACC_BITS if x <= max_b]))
    cyc = wg.Cyclic(int(r.integers(0, 3)))
    if cyc == wg.Cyclic.ABS and b == 32:
        cyc = wg.Cyclic.SMOOTH
    kinds = kinds or list(wg.Output)
    out = wg.Output(int(r.choice([int(k) for k in kinds])))
    limit8, limit16 = (7, 15) if cyc == wg.Cyclic.ABS else (8, 16)
    if out == wg.Output.INT8 and b > limit8:
        out = wg.Output.INT32
    if out == wg.Output.INT16 and b > limit16:
        out = wg.Output.INT32
    ep = wg.Epilogue(acc_bits=b, cyclic=cyc, slope=int(r.integers(1, 5)), output=out,
                     relu=bool(r.integers(0, 2)), out_bits=int(r.integers(1, 9)))
    if out in (wg.Output.UINT8_FLOAT, wg.Output.FLOAT32):
        if r.random() < 0.4:
            # halves and quarters: ties of the half-to-even rounding
            ep.scale = r.choice(np.array([0.5, 0.25, -0.5, 1.5, 0.125], np.float32), m)
            ep.bias = (r.integers(-8, 40, m) / 4).astype(np.float32)
        else:
            ep.scale = (r.standard_normal(m) * (2.0 ** r.integers(-8, 0))).astype(np.float32)
            ep.bias = (r.standard_normal(m) * 8).astype(np.float32)
    elif out == wg.Output.UINT8_FIXED:
        mult = r.integers(1 << 30, 1 << 31, m, dtype=np.int64)
        mult[r.random(m) < 0.1] = 0
        ep.multiplier = mult.astype(np.int32)
        shift = -r.integers(0, 16, m)
        wide = r.random(m) < 0.2
        shift[wide] = r.integers(-31, 31, int(wide.sum()))
        ep.shift = shift.astype(np.int32)
        if r.random() < 0.7:
            qb = r.integers(-300, 300, m)
            qb[r.random(m) < 0.1] = r.choice([-(1 << 31), (1 << 31) - 1])
            ep.qbias = qb.astype(np.int32)
        ep.out_zero_point = int(r.integers(0, 1 << ep.out_bits))
    return ep


def random_gemm(r, kernel=None, big=False):
    """(codes, fmt, bits, x, zx, act_bits, epilogue) within the kernel's
    hints (or anything, for kernel None)."""
    max_b, fmts, max_ub = kernel_hints(kernel)
    fmt = fmts[int(r.integers(0, len(fmts)))]
    bits = int(r.integers(2, 9))
    if fmt == W.INT and r.random() < 0.5:
        bits = int(r.integers(2, 8))  # keeps |w| <= 64 often: maddubs kernels
    mx = 48 if big else 13
    m = int(r.choice([1, 2, 3, 5, 6, 7, 11, int(r.integers(1, mx + 1))]))
    k = int(r.choice([1, 3, 4, 9, 17, 64, int(r.integers(1, 300 if big else 80))]))
    n = int(r.choice([1, 2, 5, 16, 33, int(r.integers(1, 160 if big else 70))]))
    ab = int(r.integers(1, max_ub + 1))
    codes = weight_codes(r, m, k, fmt, bits)
    x = r.integers(0, 1 << ab, (k, n), dtype=np.uint8)
    if r.random() < 0.3:  # the extremes, where wrap-around happens
        x[:] = (1 << ab) - 1
    zx = int(r.integers(0, 1 << ab)) if r.random() < 0.4 else 0
    return codes, fmt, bits, x, zx, ab, random_epilogue(r, m, max_b)
