"""Operand layouts, weight zero points and the gemmlowp-compatible entry
(wg_weights_pack_ex, wg_gemm_ex, wg_plan_gemm_ex, wg_gemmlowp_gemm).

A 2-D numpy array is passed in whichever order it lies in: rows
contiguous is WG_ROW_MAJOR (leading dimension: its row stride), columns
contiguous (e.g. a transposed view, or Fortran order) is WG_COL_MAJOR.
Nothing is copied."""
import ctypes

import numpy as np

from . import epilogue as _ep
from ._handle import Handle, Using
from .capi import (GemmlowpOutput, Order, Status, WeightFormat, lib, wg_act_format,
                   wg_gemm_desc, wg_plan, wg_run_info, wg_weights_desc)
from . import _arrays
from .context import Weights, _plan, _run_info
from .errors import check, raise_status


def _ordered(a, dtype, what, writable=False, shape=None):
    """(address, Order, ld) of a 2-D array with rows contiguous (ROW_MAJOR)
    or columns contiguous (COL_MAJOR: its transpose's rows are)."""
    if (isinstance(a, np.ndarray) and a.ndim == 2 and a.shape[1] > 1 and
            a.strides[1] != a.itemsize and (a.shape[0] == 1 or a.strides[0] == a.itemsize)):
        addr, _, _, ld = _arrays.matrix(a.T, dtype, what, writable,
                                        None if shape is None else tuple(shape)[::-1])
        return addr, Order.COL_MAJOR, ld
    addr, _, _, ld = _arrays.matrix(a, dtype, what, writable, shape)
    return addr, Order.ROW_MAJOR, ld


class ZeroPointWeights(Weights):
    """Weights packed by wg_weights_pack_ex: codes W (int8, or uint8 for
    unsigned integer codes), M x K in either order, and a zero point zw:
    every call computes sum (W - zw)(X - zx)."""

    def __init__(self, ctx, codes, format=WeightFormat.INT, bits=8, zero_point=0):
        fmt = _arrays.enum_value(WeightFormat, format, "format")
        unsigned = isinstance(codes, np.ndarray) and codes.dtype == np.uint8
        addr, order, ld = _ordered(codes, np.uint8 if unsigned else np.int8, "codes")
        m, k = codes.shape
        d = wg_weights_desc(m, k, int(order), ld, int(fmt), int(bits), int(unsigned),
                            int(zero_point))
        out = ctypes.c_void_p()
        with Using(ctx._h) as (pc,):
            check(lib.wg_weights_pack_ex(pc, addr, ctypes.byref(d), ctypes.byref(out)),
                  "wg_weights_pack_ex")
        del codes
        self._h = Handle(out.value, lib.wg_weights_destroy, "weights")
        self.format = fmt
        self.bits = int(bits)
        self.zero_point = int(zero_point)
        self.rows = int(lib.wg_weights_rows(out.value))
        self.depth = int(lib.wg_weights_depth(out.value))
        self.groups = 1


def pack_ex(ctx, codes, format=WeightFormat.INT, bits=8, zero_point=0):
    """wg_weights_pack_ex: see ZeroPointWeights."""
    return ZeroPointWeights(ctx, codes, format, bits, zero_point)


def _gemm_desc(weights, x, y_order, ldy):
    """X's address and the wg_gemm_desc of a call: X K x N in either order."""
    xaddr, x_order, ldx = _ordered(x, np.uint8, "x")
    k, n = x.shape
    if k != weights.depth:
        raise_status(Status.BAD_SIZE, f"x has {k} rows, the weights' depth is {weights.depth}")
    return xaddr, wg_gemm_desc(n, int(x_order), ldx, int(y_order), ldy)


def gemm_ex(ctx, weights, x, *, act_bits=8, zero_point=0, epilogue=None, out=None,
            y_order=Order.ROW_MAJOR, **epilogue_fields):
    """Y (M x N) = epilogue(W * (X - zero_point)) with X (K x N) and Y in
    either order (wg_gemm_ex): a fully connected layer on [batch, features]
    codes xb passes x=xb.T and gets y.T = [batch, outputs] with
    y_order="col_major".  out: an M x N array in either order (its own
    order then wins).  Returns (y, RunInfo)."""
    ep = _ep.make(epilogue, epilogue_fields)
    m = weights.rows
    order = _arrays.enum_value(Order, y_order, "y_order")
    if out is None:
        n = x.shape[1] if isinstance(x, np.ndarray) and x.ndim == 2 else 0
        out = np.empty((m, n), ep.dtype, order="F" if order == Order.COL_MAJOR else "C")
    yaddr, order, ldy = _ordered(out, ep.dtype, "out", writable=True)
    xaddr, d = _gemm_desc(weights, x, order, ldy)
    if out.shape != (m, d.n):
        raise_status(Status.BAD_SIZE, f"out: shape {out.shape}, expected {(m, d.n)}")
    cep, keep = ep.to_c(m)
    info = wg_run_info()
    with Using(ctx._h, weights._h) as (pc, pw):
        st = lib.wg_gemm_ex(pc, pw, ctypes.byref(d), xaddr,
                            wg_act_format(int(act_bits), int(zero_point)), ctypes.byref(cep),
                            yaddr, ctypes.byref(info))
    del keep, x
    ctx._after(st, "wg_gemm_ex")
    return out, _run_info(info)


def plan_gemm_ex(ctx, weights, x, *, act_bits=8, zero_point=0, epilogue=None,
                 y_order=Order.ROW_MAJOR, ldy=None, **epilogue_fields):
    """The Plan of gemm_ex with the same arguments (wg_plan_gemm_ex); x is
    not read.  ldy: Y's leading dimension (default: dense)."""
    ep = _ep.make(epilogue, epilogue_fields)
    order = _arrays.enum_value(Order, y_order, "y_order")
    n = x.shape[1] if isinstance(x, np.ndarray) and x.ndim == 2 else 0
    dense = weights.rows if order == Order.COL_MAJOR else n
    xaddr, d = _gemm_desc(weights, x, order, dense if ldy is None else int(ldy))
    cep, keep = ep.to_c(weights.rows)
    out = wg_plan()
    with Using(ctx._h, weights._h) as (pc, pw):
        st = lib.wg_plan_gemm_ex(pc, pw, ctypes.byref(d), xaddr,
                                 wg_act_format(int(act_bits), int(zero_point)),
                                 ctypes.byref(cep), ctypes.byref(out))
    del keep, x
    check(st, "wg_plan_gemm_ex")
    return _plan(out)


def gemmlowp_gemm(ctx, lhs, rhs, *, lhs_offset=0, rhs_offset=0, output=GemmlowpOutput.UINT8,
                  result_fixedpoint_multiplier=1 << 30, result_shift=0,
                  result_offset_after_shift=0, clamp_min=0, clamp_max=255, out=None):
    """gemmlowp's GemmWithOutputPipeline in one call (wg_gemmlowp_gemm):
    lhs (M x K) and rhs (K x N) uint8 in either order, offsets ADDED to the
    codes as gemmlowp does, then for output "uint8" quantize-down by fixed
    point, clamp and saturating cast, for "int32" the raw sums.  out: an
    M x N array of the output's dtype in either order (default row-major).
    Returns (result, RunInfo)."""
    kind = _arrays.enum_value(GemmlowpOutput, output, "output")
    dtype = np.int32 if kind == GemmlowpOutput.INT32 else np.uint8
    laddr, lorder, ldl = _ordered(lhs, np.uint8, "lhs")
    raddr, rorder, ldr = _ordered(rhs, np.uint8, "rhs")
    m, k = lhs.shape
    if rhs.shape[0] != k:
        raise_status(Status.BAD_SIZE, f"rhs has {rhs.shape[0]} rows, lhs {k} columns")
    n = rhs.shape[1]
    if out is None:
        out = np.empty((m, n), dtype)
    yaddr, yorder, ldy = _ordered(out, dtype, "out", writable=True, shape=(m, n))
    d = lib.wg_gemmlowp_desc_default(m, n, k)
    d.lhs_order, d.ld_lhs, d.lhs_offset = int(lorder), ldl, int(lhs_offset)
    d.rhs_order, d.ld_rhs, d.rhs_offset = int(rorder), ldr, int(rhs_offset)
    d.result_order, d.ld_result, d.output = int(yorder), ldy, int(kind)
    d.result_fixedpoint_multiplier = int(result_fixedpoint_multiplier)
    d.result_shift = int(result_shift)
    d.result_offset_after_shift = int(result_offset_after_shift)
    d.clamp_min, d.clamp_max = int(clamp_min), int(clamp_max)
    info = wg_run_info()
    with Using(ctx._h) as (pc,):
        st = lib.wg_gemmlowp_gemm(pc, ctypes.byref(d), laddr, raddr, yaddr, ctypes.byref(info))
    del lhs, rhs
    ctx._after(st, "wg_gemmlowp_gemm")
    return out, _run_info(info)
