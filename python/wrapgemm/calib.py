"""Calibration and weight quantization (the header's calibration section,
docs/wrapnet.md): overflow statistics, the accumulator width no input can
overflow, the activation step search and the BWN/TWN/SAWB quantizers."""
import collections
import ctypes
import dataclasses

import numpy as np

from . import _arrays
from .capi import (Quantizer, Status, WeightFormat, lib, wg_overflow_stats,
                   wg_step_choice)
from .errors import check, raise_status

StepChoice = collections.namedtuple("StepChoice", "step act_bits index rate")


@dataclasses.dataclass
class OverflowStats:
    count: int
    overflows: int
    rate: float
    max_abs: int
    width: np.ndarray   # int64[33]: width[w] values need exactly w bits

    def overflows_at(self, bits):
        """Overflow count at another accumulator width (sum of width[b+1:])."""
        return int(self.width[bits + 1:].sum())


def overflow_stats(z, acc_bits):
    """Statistics of exact int32 accumulators z (any shape, C-contiguous)
    at a b-bit accumulator (wg_overflow_stats_compute)."""
    addr = _arrays.dense(z, np.int32, "z")
    s = wg_overflow_stats()
    check(lib.wg_overflow_stats_compute(addr, z.size, int(acc_bits), ctypes.byref(s)),
          "wg_overflow_stats_compute")
    return OverflowStats(s.count, s.overflows, s.rate, s.max_abs,
                         np.array(s.width[:], np.int64))


def acc_bits_needed(format, weight_bits, act_bits, k):
    """The smallest b no sum of k products can overflow (wg_acc_bits_needed)."""
    fmt = _arrays.enum_value(WeightFormat, format, "format")
    b = ctypes.c_int()
    check(lib.wg_acc_bits_needed(int(fmt), int(weight_bits), int(act_bits), int(k),
                                 ctypes.byref(b)), "wg_acc_bits_needed")
    return b.value


def calib_find_step(w, x, *, clip, acc_bits, target_rate, steps_per_octave=8):
    """The paper's section 3.2 step search (wg_calib_find_step): w int8
    codes (m x k), x float32 samples (k x n), rows contiguous.  Returns
    StepChoice(step, act_bits, index, rate)."""
    waddr, m, k, ldw = _arrays.matrix(w, np.int8, "w")
    xaddr, kx, n, ldx = _arrays.matrix(x, np.float32, "x")
    if kx != k:
        raise_status(Status.BAD_SIZE, f"x has {kx} rows, w has {k} columns")
    out = wg_step_choice()
    check(lib.wg_calib_find_step(waddr, m, k, ldw, xaddr, n, ldx, float(clip), int(acc_bits),
                                 float(target_rate), int(steps_per_octave), ctypes.byref(out)),
          "wg_calib_find_step")
    del w, x
    return StepChoice(out.step, out.act_bits, out.index, out.rate)


def quantize_weights(w, quantizer):
    """Float32 weights (m x k, rows contiguous) to (int8 codes m x k,
    float32 scale[m]) with "binary" (BWN), "ternary" (TWN) or "sawb2"
    (wg_quantize_weights)."""
    q = _arrays.enum_value(Quantizer, quantizer, "quantizer")
    waddr, m, k, ldw = _arrays.matrix(w, np.float32, "w")
    codes = np.zeros((max(m, 1), max(k, 1)), np.int8)
    scale = np.zeros(max(m, 1), np.float32)
    check(lib.wg_quantize_weights(waddr, m, k, ldw, int(q), codes.ctypes.data, codes.shape[1],
                                  scale.ctypes.data), "wg_quantize_weights")
    del w
    return codes, scale
