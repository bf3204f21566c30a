"""The activation step search of the WrapNet paper's section 3.2, in numpy
alone (no torch): the one rule that wrapnet.calibrate / calibrate_pact and
the C library's wg_calib_find_step (kernels/core/calibrate.c) follow.

The rule.  Candidate steps are ordered from the coarsest (index 0) to the
finest.  The search starts at the finest candidate and moves to coarser
ones while the overflow rate is above the target p; it returns the first
candidate at or under p, i.e. the finest candidate whose rate is <= p, or
the coarsest (index 0) when none is.  That is the paper's procedure: "If
the overflow rate p% is too large, then we increase the quantization
step-size to reduce the overflow rate" (section 3.2).  A coarser step with a
higher rate (the rate need not fall monotonically with the step: weights of
both signs) does not veto a finer one that meets p.

The grid (wrapnet.calibrate, wg_calib_find_step): step_j = (float32)(clip *
2^(-j / per_octave)) computed in double (2^x as libm's exp2), with the
fewest activation bits ba_j whose largest code reaches the clip,
(2^ba_j - 1) * step_j >= clip in double; the grid ends before the first
step that would need more than 8 bits.  PACT (wrapnet.calibrate_pact) has
one candidate per bit width instead: step = clip / (2^ba - 1), ba = 1..8.

At a step, codes are clamp(round_half_even(x / step), 0, 2^ba - 1) with a
float32 division, the library's requantization; the rate is the share of
the exact sums z = W q outside [-2^(b-1), 2^(b-1)).
"""
import math

import numpy as np


def grid_step(clip, j, per_octave):
    """step_j as float32, rounded once from double as the C library does."""
    return np.float32(float(np.float32(clip)) * math.exp2(-j / per_octave))


def act_bits_for(step, clip):
    """Fewest bits (1..8) whose largest code reaches clip; 9 if none does."""
    for ba in range(1, 9):
        if ((1 << ba) - 1) * float(step) >= float(np.float32(clip)):
            return ba
    return 9


def grid(clip, per_octave=8):
    """[(step_j, ba_j)] for j = 0, 1, ... up to the last step with at most
    8-bit codes (and a step > 0)."""
    out = []
    j = 0
    while True:
        step = grid_step(clip, j, per_octave)
        ba = act_bits_for(step, clip)
        if ba > 8 or not step > 0:
            return out
        out.append((step, ba))
        j += 1


def pact_grid(clip):
    """PACT's candidates: step = clip / (2^ba - 1), ba = 1..8 (coarsest first)."""
    return [(clip / ((1 << ba) - 1), ba) for ba in range(1, 9)]


def search(candidates, rate_at, target):
    """The rule: candidates coarsest first; rate_at(step, ba) -> rate.
    Returns (index, step, ba, rate) of the finest candidate whose rate is
    <= target, or of candidate 0 when none is.  Rates are evaluated from
    the finest candidate down, stopping at the first that meets the target."""
    if not candidates:
        raise ValueError("no candidate step")
    for j in range(len(candidates) - 1, -1, -1):
        step, ba = candidates[j]
        r = rate_at(step, ba)
        if r <= target:
            return j, step, ba, r
    return 0, candidates[0][0], candidates[0][1], r


def codes(x, step, ba):
    """float32 samples to codes at this step: float32 division, round half
    to even, clamp to 0 .. 2^ba - 1 (int64)."""
    v = np.asarray(x, np.float32) / np.float32(step)
    return np.clip(np.rint(v), 0, (1 << ba) - 1).astype(np.int64)


def overflow_rate(z, acc_bits):
    """Share of exact sums z outside [-2^(b-1), 2^(b-1))."""
    h = 1 << (acc_bits - 1)
    z = np.asarray(z)
    return float(((z < -h) | (z >= h)).sum()) / z.size


def find_step(w, x, clip, acc_bits, target, per_octave=8):
    """The search on a GEMM, the arguments of wg_calib_find_step: w integer
    codes (m x k), x float32 samples (k x n).  Returns (step, act_bits,
    index, rate) as the C function's wg_step_choice."""
    w64 = np.asarray(w).astype(np.int64)
    x32 = np.asarray(x, np.float32)
    j, step, ba, r = search(grid(clip, per_octave),
                            lambda s, b_: overflow_rate(w64 @ codes(x32, s, b_), acc_bits),
                            target)
    return float(step), ba, j, r
