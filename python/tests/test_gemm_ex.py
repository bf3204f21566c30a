"""pack_ex, gemm_ex, plan_gemm_ex and gemmlowp_gemm (wg_weights_pack_ex,
wg_gemm_ex, wg_plan_gemm_ex, wg_gemmlowp_gemm): against the numpy oracle
(sum (W - zw)(X - zx), then the epilogue), every order of the operands,
every kernel forced and the automatic choice; gemmlowp's output stage
against its definition; bad input raises the status's exception."""
import unittest

import numpy as np

from . import oracle
from .cases import kernel_hints, random_epilogue
from .common import available_kernels, rng, weight_codes, wg


def in_order(a, col_major):
    """The same matrix, its columns contiguous when col_major."""
    return np.asfortranarray(a) if col_major else np.ascontiguousarray(a)


def gemmlowp_model(lhs, rhs, lo, ro, mult, shift, off, cmin, cmax):
    """gemmlowp's uint8 pipeline from its definition (int64 numpy)."""
    acc = (lhs.astype(np.int64) + lo) @ (rhs.astype(np.int64) + ro)
    acc = ((acc + (1 << 31)) % (1 << 32)) - (1 << 31)  # int32 accumulators
    v = oracle.rounding_divide_by_pot(oracle.srdhm(acc, np.int64(mult)), shift) + off
    v = ((v + (1 << 31)) % (1 << 32)) - (1 << 31)     # int32 Add
    return np.clip(np.clip(v, cmin, cmax), 0, 255).astype(np.uint8)


class TestGemmEx(unittest.TestCase):
    def test_layouts_and_zero_points_every_kernel(self):
        r = rng(1901)
        for kernel in [None] + available_kernels():
            max_b, fmts, max_ub = kernel_hints(kernel)
            for i in range(4):
                m, k, n = (int(v) for v in r.integers(1, 40, 3))
                xcol, ycol = bool(i & 1), bool(i & 2)
                int8 = wg.WeightFormat.INT in fmts and i % 2 == 0
                if int8:  # uint8 codes with a zero point: gemmlowp's lhs
                    zw = int(r.choice([3, 128, 250]))
                    codes = r.integers(0, 256, (m, k), dtype=np.uint8)
                    w_ref = codes.astype(np.int64) - zw
                else:
                    zw = 0
                    codes = weight_codes(r, m, k, fmts[i % len(fmts)])
                    w_ref = codes.astype(np.int64)
                fmt = wg.WeightFormat.INT if int8 else fmts[i % len(fmts)]
                ab = int(r.integers(1, max_ub + 1))
                zx = int(r.integers(0, 1 << ab))
                x = r.integers(0, 1 << ab, (k, n), dtype=np.uint8)
                ep = random_epilogue(r, m, max_b)
                what = f"{kernel} {m}x{k}x{n} xcol={xcol} ycol={ycol} zw={zw}"
                with wg.Context(threads=1 + i % 3, kernel=kernel) as ctx, \
                        wg.pack_ex(ctx, in_order(codes, i % 3 == 1), fmt, 8, zw) as w:
                    try:
                        y, info = wg.gemm_ex(ctx, w, in_order(x, xcol), act_bits=ab,
                                             zero_point=zx, epilogue=ep,
                                             y_order="col_major" if ycol else "row_major")
                    except wg.Unsupported:
                        self.assertIsNotNone(kernel, what)  # only a forced kernel may refuse
                        continue
                    want = oracle.epilogue(w_ref @ (x.astype(np.int64) - zx), ep)
                    np.testing.assert_array_equal(y, want, err_msg=what)
                    self.assertEqual(y.flags.f_contiguous and not y.flags.c_contiguous,
                                     ycol and m > 1 and n > 1, what)
                    plan = wg.plan_gemm_ex(ctx, w, in_order(x, xcol), act_bits=ab,
                                           zero_point=zx, epilogue=ep,
                                           y_order="col_major" if ycol else "row_major")
                    self.assertEqual((plan.kernel, plan.method), tuple(info), what)

    def test_fully_connected_batch_major(self):
        """[batch, features] in, [batch, outputs] out, no copies: x.T and y.T."""
        r = rng(1902)
        batch, feat, outs = 33, 70, 9
        xb = r.integers(0, 16, (batch, feat), dtype=np.uint8)
        codes = r.integers(-8, 8, (outs, feat), dtype=np.int8)
        yb = np.empty((batch, outs), np.int32)
        with wg.Context(threads=2) as ctx, wg.pack_ex(ctx, codes, "int", 4, -3) as w:
            y, _ = wg.gemm_ex(ctx, w, xb.T, act_bits=4, zero_point=5, out=yb.T)
        self.assertIs(y.base, yb)
        want = (codes.astype(np.int64) + 3) @ (xb.T.astype(np.int64) - 5)
        np.testing.assert_array_equal(yb, want.T)

    def test_bad_input_raises(self):
        with wg.Context(threads=1) as ctx:
            codes = np.zeros((3, 4), np.uint8)
            with self.assertRaises(wg.BadOption):
                wg.pack_ex(ctx, codes, "int", 4, 16)        # zw outside 4-bit codes
            with self.assertRaises(wg.BadOption):
                wg.pack_ex(ctx, np.zeros((3, 4), np.int8), "ternary", 2, 1)
            with self.assertRaises(wg.BadCode):
                wg.pack_ex(ctx, codes + 16, "int", 4, 0)
            with wg.pack_ex(ctx, codes, "int", 4, 7) as w:
                x = np.full((4, 5), 9, np.uint8)
                y = np.zeros((3, 5), np.int32, order="F")
                with self.assertRaises(wg.BadCode):
                    wg.gemm_ex(ctx, w, x.T.copy().T, act_bits=3, out=y)
                self.assertTrue((y == 0).all())  # nothing written
                with self.assertRaises(wg.BadStride):  # rows nor columns contiguous
                    wg.gemm_ex(ctx, w, np.zeros((4, 10), np.uint8)[:, ::2], act_bits=4)
                with self.assertRaises(wg.BadSize):
                    wg.gemm_ex(ctx, w, np.zeros((5, 5), np.uint8))


class TestGemmlowp(unittest.TestCase):
    def test_against_the_definition(self):
        r = rng(1903)
        for i in range(40):
            m, k, n = (int(v) for v in r.integers(1, 50, 3))
            lhs = r.integers(0, 256, (m, k), dtype=np.uint8)
            rhs = r.integers(0, 256, (k, n), dtype=np.uint8)
            lo, ro = -int(r.integers(0, 256)), -int(r.integers(0, 256))
            if i % 2:  # of the form the library fuses into its epilogue
                mult = int(r.integers(1 << 30, 1 << 31))
                shift, off = int(r.integers(1, 20)), int(r.integers(0, 256))
                cmin, cmax = 0, 255
            else:
                mult = int(r.integers(-(1 << 31), 1 << 31))
                shift, off = int(r.integers(0, 32)), int(r.integers(-1000, 1000))
                cmin = int(r.integers(-50, 100))
                cmax = int(r.integers(cmin, 300))
            out = np.zeros((m, n), np.uint8, order="F" if i % 3 == 0 else "C")
            with wg.Context(threads=1 + i % 2) as ctx:
                y, info = wg.gemmlowp_gemm(
                    ctx, in_order(lhs, i % 4 == 1), in_order(rhs, i % 5 == 2), lhs_offset=lo,
                    rhs_offset=ro, result_fixedpoint_multiplier=mult, result_shift=shift,
                    result_offset_after_shift=off, clamp_min=cmin, clamp_max=cmax, out=out)
            want = gemmlowp_model(lhs, rhs, lo, ro, mult, shift, off, cmin, cmax)
            np.testing.assert_array_equal(y, want, err_msg=f"case {i} ({info.kernel})")

    def test_int32_and_bad_input(self):
        r = rng(1904)
        lhs = r.integers(0, 256, (7, 11), dtype=np.uint8)
        rhs = r.integers(0, 256, (11, 5), dtype=np.uint8)
        with wg.Context(threads=1) as ctx:
            y, _ = wg.gemmlowp_gemm(ctx, lhs, rhs, lhs_offset=-10, rhs_offset=-200,
                                    output="int32")
            want = (lhs.astype(np.int64) - 10) @ (rhs.astype(np.int64) - 200)
            np.testing.assert_array_equal(y, want)
            with self.assertRaises(wg.BadOption):
                wg.gemmlowp_gemm(ctx, lhs, rhs, lhs_offset=1)
            with self.assertRaises(wg.BadOption):
                wg.gemmlowp_gemm(ctx, lhs, rhs, result_shift=32)
            with self.assertRaises(wg.BadOption):
                wg.gemmlowp_gemm(ctx, lhs, rhs, clamp_min=10, clamp_max=9)
            with self.assertRaises(wg.BadSize):
                wg.gemmlowp_gemm(ctx, lhs, lhs)


if __name__ == "__main__":
    unittest.main()
