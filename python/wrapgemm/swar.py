"""The bit-packed general-register entry points (docs/swar.md): the SWAR
GEMM with its three carry modes, the paper's naive Table 8 baseline and
the carry statistics of a batch."""
import collections
import ctypes

import numpy as np

from . import _arrays, epilogue as _ep
from ._handle import Using
from .capi import Status, SwarMode, lib, wg_act_format
from .errors import check, raise_status

SwarResult = collections.namedtuple("SwarResult", "y carries lane_carries")
CarryStats = collections.namedtuple("CarryStats", "mean_q16 std_q16 correction")


def _side(arr, dtype, what, m, n, writable):
    """An optional M x N side array: (array or None, pointer, ld)."""
    if arr is None or arr is False:
        return None, None, 0
    if arr is True:
        arr = np.zeros((m, n), dtype)
    addr, _, _, ld = _arrays.matrix(arr, dtype, what, writable=writable, shape=(m, n))
    return arr, addr, ld


def swar_gemm(weights, x, *, mode=SwarMode.EXACT, reg_bits=64, act_bits=8, zero_point=0,
              epilogue=None, out=None, carries=None, lane_carries=None,
              carry_correction=None, **epilogue_fields):
    """Y (M x N) = epilogue(SWAR(W, X)), single-threaded (wg_swar_gemm).
    mode "exact", "buffer" or "carry"; reg_bits 32 or 64.  In carry mode,
    carries / lane_carries = True returns the counts as new uint32 M x N
    arrays (or pass arrays to fill), and carry_correction (int32 M x N)
    is subtracted from each lane sum.  Returns SwarResult(y, carries,
    lane_carries), the counts None where not asked for."""
    ep = _ep.make(epilogue, epilogue_fields)
    xaddr, n, ldx, out, yaddr, ldy = _arrays.gemm_operands(weights, x, ep.dtype, out)
    m = weights.rows
    opt = lib.wg_swar_options_default()
    opt.reg_bits = int(reg_bits)
    opt.mode = int(_arrays.enum_value(SwarMode, mode, "mode"))
    carries, pc_, opt.ld_carries = _side(carries, np.uint32, "carries", m, n, True)
    lane_carries, pl_, opt.ld_lane_carries = _side(lane_carries, np.uint32, "lane_carries",
                                                    m, n, True)
    corr, pk_, opt.ld_correction = _side(carry_correction, np.int32, "carry_correction",
                                         m, n, False)
    for field, addr in (("carries", pc_), ("lane_carries", pl_), ("carry_correction", pk_)):
        if addr is not None:
            setattr(opt, field, ctypes.cast(ctypes.c_void_p(addr), type(getattr(opt, field))))
    cep, keep = ep.to_c(m)
    with Using(weights._h) as (pw,):
        st = lib.wg_swar_gemm(pw, xaddr, n, ldx, wg_act_format(int(act_bits), int(zero_point)),
                              ctypes.byref(cep), ctypes.byref(opt), yaddr, ldy)
    del keep, corr, x
    check(st, "wg_swar_gemm")
    return SwarResult(out, carries, lane_carries)


def swar_naive_gemm(codes, x, *, act_bits=8, zero_point=0, epilogue=None, out=None,
                    **epilogue_fields):
    """The paper's Table 8 baseline (wg_swar_naive_gemm): raw int8 codes
    -1, 0, +1 (M x K, rows contiguous) times x (K x N), b <= 7."""
    ep = _ep.make(epilogue, epilogue_fields)
    dtype = ep.dtype
    waddr, m, k, ldw = _arrays.matrix(codes, np.int8, "codes")
    xaddr, kx, n, ldx = _arrays.matrix(x, np.uint8, "x")
    if kx != k:
        raise_status(Status.BAD_SIZE, f"x has {kx} rows, the codes have {k} columns")
    if out is None:
        out = np.empty((m, n), dtype)
    yaddr, _, _, ldy = _arrays.matrix(out, dtype, "out", writable=True, shape=(m, n))
    cep, keep = ep.to_c(m)
    st = lib.wg_swar_naive_gemm(waddr, m, k, ldw, xaddr, n, ldx,
                                wg_act_format(int(act_bits), int(zero_point)),
                                ctypes.byref(cep), yaddr, ldy)
    del keep, codes, x
    check(st, "wg_swar_naive_gemm")
    return out


def swar_carry_stats(counts, *, mean=True, std=True, correction=True):
    """Per-output carry statistics of a batch (wg_swar_carry_stats):
    counts is uint32 (batch, outputs), rows contiguous.  Returns
    CarryStats(mean_q16 uint64, std_q16 uint64, correction int32), the
    first two in fixed point with 16 fraction bits; None where not asked
    for."""
    addr, batch, outputs, stride = _arrays.matrix(counts, np.uint32, "counts")
    mq = np.zeros(outputs, np.uint64) if mean else None
    sq = np.zeros(outputs, np.uint64) if std else None
    cq = np.zeros(outputs, np.int32) if correction else None
    ptr = [None if a is None else a.ctypes.data for a in (mq, sq, cq)]
    check(lib.wg_swar_carry_stats(addr, batch, outputs, stride, *ptr), "wg_swar_carry_stats")
    del counts
    return CarryStats(mq, sq, cq)
