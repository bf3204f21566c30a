"""The numerical contract in numpy, written from docs/semantics.md and
../shared/guide/numerics.md (not from the library's code): the oracle the
Python tests hold every call to, bit for bit.

    z = sum_k W[m,k] * (X[k,n] - zx)                         exact (int64)
    a = wrap_b(z) = ((z + 2^(b-1)) mod 2^b) - 2^(b-1)        b = 2..16, 32
    c = cyclic(a)                                            none | smooth(k) | abs
    y = output stage(c)                                      int | uint8 | float

Float stages: y = fmaf((float)c, scale, bias) with one rounding, computed
exactly in float64 (fmaf32 below, checked against libm's fmaf), relu as
"y < 0 -> 0" (so -0.0 stays -0.0), then round half to even.
"""
import ctypes
import ctypes.util

import numpy as np

CYCLIC_NONE, CYCLIC_SMOOTH, CYCLIC_ABS = 0, 1, 2
INT8, INT16, INT32, UINT8_FLOAT, UINT8_FIXED, FLOAT32 = range(6)
I32_MIN, I32_MAX = -(1 << 31), (1 << 31) - 1


def accumulate(w, x, zx=0):
    """z: exact int64 sums of an M x K weight matrix and K x N codes."""
    return w.astype(np.int64) @ (x.astype(np.int64) - zx)


def wrap(z, b):
    h = 1 << (b - 1)
    return ((z + h) % (2 * h)) - h


def cyclic(a, b, mode, k=1):
    if mode == CYCLIC_ABS:
        return np.abs(a)
    if mode != CYCLIC_SMOOTH:
        return a
    h = 1 << (b - 1)
    inner = (k + 1) * np.abs(a) <= k * h
    return np.where(inner, a, np.where(a > 0, k * h - k * a, -k * h - k * a))


def fmaf32(c, s, t):
    """fmaf(c, s, t) on float32 values, correctly rounded once.

    c * s is exact in float64 (24 + 24 significand bits < 53) and r = p + t
    rounds once; TwoSum gives the exact error e.  Rounding r to float32 is
    the correct rounding of p + t except when r sits exactly on a float32
    halfway point with e != 0: then the exact sum lies on e's side of the
    tie, and moving r one float64 ulp that way first fixes it (no float32
    value or halfway point lies between r and that neighbour).  Halfway
    points: the 29 significand bits float32 drops equal 1 << 28 (normal
    values; float32 subnormals are not produced by these tests)."""
    p = np.asarray(c, np.float32).astype(np.float64) * np.asarray(s, np.float32).astype(np.float64)
    t = np.asarray(t, np.float32).astype(np.float64)
    r = p + t
    bb = r - p
    e = (p - (r - bb)) + (t - bb)
    bits = r.view(np.uint64)
    tie = (bits & np.uint64((1 << 29) - 1)) == np.uint64(1 << 28)
    fix = tie & (e != 0)
    r = np.where(fix, np.nextafter(r, np.where(e > 0, np.inf, -np.inf)), r)
    with np.errstate(over="ignore"):
        return r.astype(np.float32)


def libm_fmaf():
    libm = ctypes.CDLL(ctypes.util.find_library("m"))
    libm.fmaf.restype = ctypes.c_float
    libm.fmaf.argtypes = [ctypes.c_float] * 3
    return libm.fmaf


def affine(c, scale, bias, relu):
    """fmaf((float)c, scale[m], bias[m]), then relu; c is M x N."""
    y = fmaf32(c.astype(np.float32), scale.reshape(-1, 1), bias.reshape(-1, 1))
    if relu:
        y = np.where(y < 0, np.float32(0), y)
    return y


def quantize_u8(y, out_bits):
    """clamp(round_half_even(y), 0, 2^out_bits - 1) as uint8."""
    return np.clip(np.rint(y), 0, (1 << out_bits) - 1).astype(np.uint8)


def _sat32(v):
    return np.clip(v, I32_MIN, I32_MAX)


def srdhm(a, b):
    """gemmlowp's SaturatingRoundingDoublingHighMul on int64 arrays."""
    ab = a * b
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    s = ab + nudge
    q = np.where(s >= 0, s // (1 << 31), -((-s) // (1 << 31)))  # truncating
    return np.where((a == I32_MIN) & (b == I32_MIN), I32_MAX, q)


def rounding_divide_by_pot(x, e):
    """gemmlowp's RoundingDivideByPOT: x / 2^e, halves away from zero."""
    mask = (np.int64(1) << e) - 1
    rem = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> e) + (rem > threshold)


def requant_fixed(c, multiplier, shift, qbias, zp, relu, out_bits):
    m = multiplier.astype(np.int64).reshape(-1, 1)
    sh = shift.astype(np.int64).reshape(-1, 1)
    qb = 0 if qbias is None else qbias.astype(np.int64).reshape(-1, 1)
    v = _sat32(c + qb)
    v = _sat32(v * (np.int64(1) << np.maximum(sh, 0)))
    v = srdhm(v, m)
    v = rounding_divide_by_pot(v, np.maximum(-sh, 0))
    return np.clip(v + zp, zp if relu else 0, (1 << out_bits) - 1).astype(np.uint8)


def _code(v, names):
    """An enum field given as a member, int or name -> its int."""
    return names.index(v.upper()) if isinstance(v, str) else int(v)


def epilogue(z, ep):
    """y from exact sums z (M x N, int64) and a wrapgemm.Epilogue."""
    b = ep.acc_bits
    a = wrap(z, b)
    c = cyclic(a, b, _code(ep.cyclic, ["NONE", "SMOOTH", "ABS"]), ep.slope)
    out = _code(ep.output, ["INT8", "INT16", "INT32", "UINT8_FLOAT", "UINT8_FIXED", "FLOAT32"])
    if out == INT8:
        return c.astype(np.int8)
    if out == INT16:
        return c.astype(np.int16)
    if out == INT32:
        return c.astype(np.int32)
    if out == UINT8_FIXED:
        return requant_fixed(c, ep.multiplier, ep.shift, ep.qbias, ep.out_zero_point,
                             ep.relu, ep.out_bits)
    y = affine(c, ep.scale, ep.bias, ep.relu)
    if out == FLOAT32:
        return y
    return quantize_u8(y, ep.out_bits)


def gemm(w, x, zx, ep):
    return epilogue(accumulate(w, x, zx), ep)


def im2col(x, layout, kh, kw, stride, pad, dil, zx):
    """x (N,C,H,W) or (N,H,W,C) -> (per image K x P matrices, OH, OW), K in
    the layout's filter order (OIHW for NCHW, OHWI for NHWC), padding = zx."""
    sh, sw = stride
    pt, pl, pb, pr = pad
    dh, dw = dil
    if layout == 1:
        x = x.transpose(0, 3, 1, 2)
    n, c, h, w = x.shape
    xp = np.full((n, c, h + pt + pb, w + pl + pr), zx, np.int64)
    xp[:, :, pt:pt + h, pl:pl + w] = x
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (w + pl + pr - dw * (kw - 1) - 1) // sw + 1
    taps = np.empty((n, c, kh, kw, oh, ow), np.int64)
    for i in range(kh):
        for j in range(kw):
            taps[:, :, i, j] = xp[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                                  j * dw:j * dw + sw * (ow - 1) + 1:sw]
    if layout == 1:
        taps = taps.transpose(0, 2, 3, 1, 4, 5)   # k = (kh*KW + kw)*C + ci
    return taps.reshape(n, c * kh * kw, oh * ow), oh, ow


def conv2d(w, x, layout, kh, kw, stride, pad, dil, zx, ep):
    cols, oh, ow = im2col(x, layout, kh, kw, stride, pad, dil, zx)
    m = w.shape[0]
    ys = [epilogue(w.astype(np.int64) @ (col - zx), ep) for col in cols]
    y = np.stack(ys).reshape(len(ys), m, oh, ow)
    return y.transpose(0, 2, 3, 1) if layout == 1 else y
