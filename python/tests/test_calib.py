"""Calibration and quantization against their definitions in the header
(include/wrapgemm.h, section "Calibration and weight quantization")."""
import ctypes
import ctypes.util
import unittest

import numpy as np

from .common import rng, strided, weight_codes, wg


def signed_width(v):
    v = int(v)
    return (v if v >= 0 else ~v).bit_length() + 1


class TestOverflowStats(unittest.TestCase):
    def test_against_definition(self):
        r = rng(500)
        for i in range(10):
            z = r.integers(-(1 << int(r.integers(1, 32))), 1 << int(r.integers(1, 32)),
                           int(r.integers(1, 400))).astype(np.int32)
            z[:3] = [0, -1, np.iinfo(np.int32).min] if len(z) >= 3 else z[:3]
            b = int(r.integers(2, 33))
            zz = z.reshape(-1, 1) if i % 2 else z
            s = wg.overflow_stats(zz, b)
            width = np.zeros(33, np.int64)
            for v in z:
                width[signed_width(v)] += 1
            over = int(((z.astype(np.int64) < -(1 << (b - 1))) |
                        (z.astype(np.int64) >= (1 << (b - 1)))).sum())
            self.assertEqual(s.count, len(z))
            self.assertEqual(s.overflows, over)
            self.assertEqual(s.rate, over / len(z))
            self.assertEqual(s.max_abs, int(np.abs(z.astype(np.int64)).max()))
            self.assertTrue(np.array_equal(s.width, width))
            self.assertEqual(s.overflows_at(b), over)

    def test_errors(self):
        z = np.arange(10, dtype=np.int32)
        with self.assertRaises(wg.BadOption):
            wg.overflow_stats(z, 1)
        with self.assertRaises(wg.BadOption):
            wg.overflow_stats(z, 33)
        with self.assertRaises(wg.BadSize):
            wg.overflow_stats(z[:0], 8)
        with self.assertRaises(wg.BadStride):
            wg.overflow_stats(z[::2], 8)
        with self.assertRaises(TypeError):
            wg.overflow_stats(z.astype(np.int64), 8)


class TestAccBitsNeeded(unittest.TestCase):
    def test_against_definition(self):
        self.assertEqual(wg.acc_bits_needed("int", 2, 2, 3 * 3 * 512), 16)   # the header's example
        cases = [(wg.WeightFormat.INT, b) for b in range(2, 9)] + \
                [(wg.WeightFormat.TERNARY, 0), (wg.WeightFormat.BINARY, 0)]
        for fmt, bits in cases:
            lo, hi = ((-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
                      if fmt == wg.WeightFormat.INT else (-1, 1))
            for ab in range(1, 9):
                for k in (1, 2, 9, 144, 4608, 1 << 20, 1 << 40):
                    xmax = (1 << ab) - 1
                    want = max(signed_width(k * lo * xmax), signed_width(k * hi * xmax))
                    self.assertEqual(wg.acc_bits_needed(fmt, bits, ab, k), want, (fmt, bits, ab, k))

    def test_errors(self):
        with self.assertRaises(wg.BadSize):
            wg.acc_bits_needed("ternary", 0, 2, 0)
        with self.assertRaises(wg.SizeOverflow):
            wg.acc_bits_needed("ternary", 0, 2, (1 << 40) + 1)
        with self.assertRaises(wg.BadOption):
            wg.acc_bits_needed("int", 9, 2, 5)
        with self.assertRaises(wg.BadOption):
            wg.acc_bits_needed("binary", 0, 9, 5)
        with self.assertRaises(wg.BadOption):
            wg.acc_bits_needed(3, 0, 2, 5)


def find_step(w, x, clip, b, target, per_octave):
    """The header's rule, literally: step_j = (float)(clip * 2^(-j/spo)) in
    double (2^x as C's exp2), ba_j the fewest bits with (2^ba - 1) * step
    >= clip, codes clamp(round_half_even(x / step), 0, 2^ba - 1) with a
    float32 division, rate the share of sums outside the b-bit range; the
    finest step whose rate is at most target, step_0 if none is."""
    libm = ctypes.CDLL(ctypes.util.find_library("m"))
    libm.exp2.restype, libm.exp2.argtypes = ctypes.c_double, [ctypes.c_double]
    best = None
    j = 0
    while True:
        step = np.float32(float(clip) * libm.exp2(-j / per_octave))
        ba = next((b_ for b_ in range(1, 9) if ((1 << b_) - 1) * float(step) >= float(clip)), 9)
        if ba > 8 or not step > 0:
            break
        q = np.clip(np.rint(x / step), 0, (1 << ba) - 1).astype(np.int64)
        z = w.astype(np.int64) @ q
        rate = float(((z < -(1 << (b - 1))) | (z >= (1 << (b - 1)))).sum()) / z.size
        if best is None or rate <= target:     # the finest at or under target, else step 0
            best = (float(step), ba, j, rate)
        j += 1
    return best


class TestCalibFindStep(unittest.TestCase):
    def test_against_definition(self):
        r = rng(510)
        for i in range(12):
            m, k, n = int(r.integers(1, 9)), int(r.integers(1, 60)), int(r.integers(1, 50))
            w = weight_codes(r, m, k, wg.WeightFormat.TERNARY if i % 2 else wg.WeightFormat.INT, 3)
            x = np.abs(r.standard_normal((k, n))).astype(np.float32) * np.float32(2)
            clip = np.float32(np.quantile(x, 0.99)) if i % 3 else np.float32(3.0)
            b = int(r.integers(4, 12))
            target = float(r.choice([0.0, 0.01, 0.05, 0.5]))
            spo = int(r.choice([1, 4, 8, 64]))
            got = wg.calib_find_step(strided(r, w, 2) if i % 2 else w, x, clip=clip, acc_bits=b,
                                     target_rate=target, steps_per_octave=spo)
            want = find_step(w, x, clip, b, target, spo)
            self.assertEqual((np.float32(got.step), got.act_bits, got.index, got.rate),
                             (np.float32(want[0]), want[1], want[2], want[3]),
                             f"case {i}: b={b} target={target} spo={spo}")

    def test_errors(self):
        w = np.ones((2, 3), np.int8)
        x = np.ones((3, 4), np.float32)
        kw = dict(clip=1.0, acc_bits=8, target_rate=0.01)
        with self.assertRaises(wg.BadOption):
            wg.calib_find_step(w, x, **dict(kw, clip=0.0))
        with self.assertRaises(wg.BadOption):
            wg.calib_find_step(w, x, **dict(kw, acc_bits=32))
        with self.assertRaises(wg.BadOption):
            wg.calib_find_step(w, x, **dict(kw, target_rate=1.5))
        with self.assertRaises(wg.BadOption):
            wg.calib_find_step(w, x, **dict(kw, steps_per_octave=65))
        xn = x.copy()
        xn[1, 2] = np.nan
        with self.assertRaises(wg.BadOption):
            wg.calib_find_step(w, xn, **kw)
        with self.assertRaises(wg.BadSize):
            wg.calib_find_step(w, x[:2], **kw)
        with self.assertRaises(TypeError):
            wg.calib_find_step(w, x.astype(np.float64), **kw)


def seq_sum(values):
    """Left-to-right double sum (the header: means taken in double)."""
    return float(np.cumsum(np.asarray(values, np.float64))[-1])


def quantize(w, quantizer):
    m, k = w.shape
    codes = np.zeros((m, k), np.int8)
    scale = np.zeros(m, np.float32)
    if quantizer == "sawb2":
        wd = w.astype(np.float64)
        s1, s2 = seq_sum(np.abs(wd).ravel()), seq_sum((wd * wd).ravel())
        cnt = float(m * k)
        alpha = 2.587 * np.sqrt(s2 / cnt) - 1.693 * (s1 / cnt)
        unit = alpha / 3.0
        if unit > 0:
            u = wd / unit
            codes[:] = np.clip(2 * np.floor(u / 2) + 1, -3, 3)   # nearest odd level, ties up
            scale[:] = np.float32(unit)
        else:
            codes[:] = 1
        return codes, scale
    for i in range(m):
        a = np.abs(w[i].astype(np.float64))
        if quantizer == "binary":
            codes[i] = np.where(w[i] >= 0, 1, -1)
            scale[i] = np.float32(seq_sum(a) / k)
        else:
            delta = 0.7 * seq_sum(a) / k
            keep = a > delta
            codes[i] = np.where(keep, np.where(w[i] > 0, 1, -1), 0)
            scale[i] = np.float32(seq_sum(a[keep]) / keep.sum()) if keep.any() else 0
    return codes, scale


class TestQuantizeWeights(unittest.TestCase):
    def test_against_definition(self):
        r = rng(520)
        for i in range(18):
            q = ["binary", "ternary", "sawb2"][i % 3]
            m, k = int(r.integers(1, 10)), int(r.integers(1, 80))
            w = (r.standard_normal((m, k)) * 0.1).astype(np.float32)
            if i % 4 == 0:
                w[0, 0] = 0.0
                w[-1, -1] = -0.0
            codes, scale = wg.quantize_weights(strided(r, w, 3) if i % 2 else w, q)
            wc, ws = quantize(w, q)
            self.assertTrue(np.array_equal(codes, wc), q)
            self.assertTrue(np.array_equal(scale.view(np.uint32), ws.view(np.uint32)), q)
        codes, scale = wg.quantize_weights(np.zeros((2, 3), np.float32), "sawb2")
        self.assertTrue((codes == 1).all() and (scale == 0).all())
        codes, scale = wg.quantize_weights(np.zeros((2, 3), np.float32), "ternary")
        self.assertTrue((codes == 0).all() and (scale == 0).all())

    def test_errors(self):
        w = np.ones((2, 3), np.float32)
        with self.assertRaises(wg.BadOption):
            wg.quantize_weights(w, 3)
        w[1, 1] = np.inf
        with self.assertRaises(wg.BadOption):
            wg.quantize_weights(w, "binary")
        with self.assertRaises(wg.BadSize):
            wg.quantize_weights(w[:0], "binary")
        with self.assertRaises(TypeError):
            wg.quantize_weights(w.astype(np.float64), "binary")


if __name__ == "__main__":
    unittest.main()
