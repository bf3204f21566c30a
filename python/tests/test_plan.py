"""Context.plan_gemm / plan_conv2d (wg_plan_gemm, wg_plan_conv2d): the plan
names the kernel and method that the call then reports in its RunInfo, for
every kernel forced and the automatic choice, both switches, X at several
alignments; bad input raises the status's exception."""
import unittest

import numpy as np

from .cases import kernel_hints, random_epilogue
from .common import available_kernels, rng, weight_codes, wg


def aligned_x(r, k, n, ldx, off, ab):
    """A K x n uint8 view with row stride ldx starting `off` bytes past a
    64-byte boundary (where the in-place GEMM's rule sees it)."""
    buf = np.zeros(k * ldx + 128, np.uint8)
    start = (-buf.ctypes.data) % 64 + off
    x = buf[start:start + k * ldx].reshape(k, ldx)[:, :n]
    x[...] = r.integers(0, 1 << ab, (k, n), dtype=np.uint8)
    return x


class TestPlan(unittest.TestCase):
    def test_gemm_plan_is_run_info(self):
        r = rng(190)
        methods = set()
        for kernel in [None] + available_kernels():
            max_b, fmts, max_ub = kernel_hints(kernel)
            for i in range(6):
                fmt = fmts[i % len(fmts)]
                k = int(r.choice([1, 7, 64, 300]))
                n = int(r.choice([5, 64, 100, 150]))
                ldx = int(r.choice([n, (n + 31) // 32 * 32 + 32]))
                off = int(r.choice([0, 1, 32]))
                ab = int(r.integers(1, max_ub + 1))
                in_place = bool(i % 3)
                with wg.Context(threads=1, kernel=kernel, gemm_in_place=in_place) as ctx, \
                        ctx.pack(weight_codes(r, 5, k, fmt), fmt) as w:
                    ep = random_epilogue(r, 5, max_b)
                    x = aligned_x(r, k, n, ldx, off, ab)
                    what = f"{kernel} k={k} n={n} ldx={ldx} off={off} in_place={in_place}"
                    try:
                        plan = ctx.plan_gemm(w, x, act_bits=ab, epilogue=ep)
                    except wg.Unsupported:  # the forced kernel cannot: nor can the call
                        with self.assertRaises(wg.Unsupported, msg=what):
                            ctx.gemm(w, x, act_bits=ab, epilogue=ep)
                        continue
                    _, info = ctx.gemm(w, x, act_bits=ab, epilogue=ep)
                    self.assertEqual((plan.kernel, plan.method), tuple(info), what)
                    self.assertEqual(wg.kernels()[plan.kernel_index].name, plan.kernel, what)
                    self.assertTrue(plan.method_reason.startswith(plan.method + ":"), what)
                    self.assertTrue(plan.kernel_reason.startswith(
                        "forced" if kernel else "the first kernel"), what)
                    methods.add(plan.method)
        self.assertIn("gemm", methods)

    def test_conv_plan_is_run_info(self):
        r = rng(191)
        for kernel in [None] + available_kernels():
            max_b, fmts, max_ub = kernel_hints(kernel)
            for i in range(4):
                layout = wg.Layout(i % 2)
                c = int(r.choice([3, 4, 8]))
                shape = (1, c, 6, 7) if layout == wg.Layout.NCHW else (1, 6, 7, c)
                x = r.integers(0, 2, shape, dtype=np.uint8)
                direct = i < 2
                fmt = fmts[i % len(fmts)]
                with wg.Context(threads=1, kernel=kernel, direct_conv=direct) as ctx, \
                        ctx.pack(weight_codes(r, 8, c * 9, fmt), fmt) as w:
                    kinds = [wg.Output.INT8, wg.Output.UINT8_FLOAT] if i % 2 else None
                    ep = random_epilogue(r, 8, min(max_b, 8) if kinds else max_b, kinds)
                    args = dict(kernel_size=3, padding=1, layout=layout, act_bits=1, epilogue=ep)
                    try:
                        plan = ctx.plan_conv2d(w, x.shape, **args)
                    except wg.Unsupported:
                        with self.assertRaises(wg.Unsupported):
                            ctx.conv2d(w, x, **args)
                        continue
                    _, info = ctx.conv2d(w, x, **args)
                    self.assertEqual((plan.kernel, plan.method), tuple(info),
                                     f"{kernel} {layout.name} C={c} direct={direct}")

    def test_bad_input_raises(self):
        with wg.Context(threads=1) as ctx, ctx.pack(np.ones((4, 9), np.int8)) as w:
            x = np.zeros((9, 8), np.uint8)
            with self.assertRaises(wg.BadOption):
                ctx.plan_gemm(w, x, act_bits=9)
            with self.assertRaises(wg.BadStride):
                ctx.plan_gemm(w, x, ldy=7)
            with self.assertRaises(wg.Unsupported):
                ctx.plan_gemm(w, x, acc_bits=16, output="int8")
            with self.assertRaises(wg.BadSize):
                ctx.plan_conv2d(w, (1, 1, 2, 2), kernel_size=3)
            with self.assertRaises(wg.Unsupported):
                ctx.plan_conv2d(w, (1, 2, 5, 5), kernel_size=3)


if __name__ == "__main__":
    unittest.main()
