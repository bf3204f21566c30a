"""Grouped and depthwise convolutions and output slices through
wrapgemm.Context.conv2d (wg_conv2d_ex, wg_weights_pack_grouped): against
the numpy oracle run group by group (each group is an ordinary convolution
of its channels), every kernel, both layouts; the slice's surroundings left
as they were; the plan naming what ran; bad options raising the status."""
import dataclasses
import unittest

import numpy as np

from . import oracle
from .cases import kernel_hints, random_epilogue
from .common import available_kernels, rng, weight_codes, wg
from .test_gemm import assert_bits_equal


def rows_of(ep, lo, hi):
    """The epilogue of output channels [lo, hi) as channels [0, hi - lo)."""
    per_row = {f: getattr(ep, f)[lo:hi] for f in ("scale", "bias", "multiplier", "shift", "qbias")
               if getattr(ep, f) is not None}
    return dataclasses.replace(ep, **per_row)


def grouped_oracle(case):
    """The grouped convolution as one ordinary convolution per group."""
    codes, x, g, lay = case["codes"], case["x"], case["groups"], int(case["layout"])
    m, c = codes.shape[0], x.shape[1] if lay == 0 else x.shape[3]
    mg, cg = m // g, c // g
    parts = []
    for i in range(g):
        xs = x[:, i * cg:(i + 1) * cg] if lay == 0 else x[..., i * cg:(i + 1) * cg]
        parts.append(oracle.conv2d(codes[i * mg:(i + 1) * mg], np.ascontiguousarray(xs), lay,
                                   case["kh"], case["kw"], case["stride"], case["pad"],
                                   case["dil"], case["zx"],
                                   rows_of(case["ep"], i * mg, (i + 1) * mg)))
    return np.concatenate(parts, axis=1 if lay == 0 else 3)


def random_grouped(r, kernel=None, which=None, layout=None):
    max_b, fmts, max_ub = kernel_hints(kernel)
    fmt = fmts[int(r.integers(0, len(fmts)))]
    layout = wg.Layout(int(r.integers(0, 2)) if layout is None else layout)
    c = int(r.choice([2, 4, 6, 8, 12]))
    which = int(r.integers(0, 3)) if which is None else which
    g = (1, 2, c)[which]
    mult = int(r.integers(1, 3))
    m = c * mult
    n, h, w = int(r.integers(1, 3)), int(r.integers(3, 10)), int(r.integers(3, 10))
    kh, kw = int(r.choice([1, 3])), int(r.choice([1, 2, 3]))
    stride = (int(r.integers(1, 3)), int(r.integers(1, 3)))
    pad = tuple(int(p) for p in r.integers(0, 2, 4))
    ab = int(r.integers(1, max_ub + 1))
    zx = int(r.integers(0, 1 << ab)) if r.random() < 0.4 else 0
    shape = (n, c, h, w) if layout == wg.Layout.NCHW else (n, h, w, c)
    x = r.integers(0, 1 << ab, shape, dtype=np.uint8)
    codes = weight_codes(r, m, c // g * kh * kw, fmt, int(r.integers(2, 9)))
    return dict(codes=codes, fmt=fmt, bits=8, x=x, layout=layout, kh=kh, kw=kw, stride=stride,
                pad=pad, dil=(1, 1), ab=ab, zx=zx, groups=g, ep=random_epilogue(r, m, max_b))


def run_grouped(ctx, case, **kw):
    with ctx.pack(case["codes"], case["fmt"], case["bits"], groups=case["groups"]) as w:
        args = dict(kernel_size=(case["kh"], case["kw"]), stride=case["stride"],
                    padding=case["pad"], dilation=case["dil"], layout=case["layout"],
                    act_bits=case["ab"], zero_point=case["zx"], epilogue=case["ep"])
        plan = ctx.plan_conv2d(w, case["x"].shape, **args, **{k: v for k, v in kw.items()
                                                               if k != "out"})
        y, info = ctx.conv2d(w, case["x"], **args, **kw)
        return y, info, plan


class TestGroups(unittest.TestCase):
    def test_every_kernel(self):
        for ki, name in enumerate(available_kernels()):
            r = rng(400 + ki)
            ran = 0
            with wg.Context(threads=1 + ki % 3, kernel=name) as ctx:
                for i in range(9):
                    case = random_grouped(r, None if i % 3 == 2 else name, which=i % 3)
                    try:
                        y, info, plan = run_grouped(ctx, case)
                    except wg.Unsupported:
                        continue
                    ran += 1
                    msg = f"{name}: G={case['groups']} {case['layout'].name} x{case['x'].shape}"
                    self.assertEqual((plan.kernel, plan.method), info, msg)
                    assert_bits_equal(self, y, grouped_oracle(case), msg)
            self.assertGreater(ran, 0, name)

    def test_depthwise_method_and_switch(self):
        r = rng(410)
        case = random_grouped(r, "acc32_int8", which=2)
        want = grouped_oracle(case)
        with wg.Context(threads=2) as ctx:
            y1, i1, p1 = run_grouped(ctx, case)
            ctx.direct_conv = False
            y2, i2, p2 = run_grouped(ctx, case)
        assert_bits_equal(self, y1, want, "depthwise")
        assert_bits_equal(self, y2, want, "grouped implicit im2col")
        self.assertEqual(i2.method, "implicit_im2col")
        self.assertEqual(p1.method, i1.method)
        if any(k.endswith("__avx2") or k.endswith("__c") for k in [i1.kernel]):
            self.assertEqual(i1.method, "depthwise")
            self.assertTrue(p1.method_reason.startswith("depthwise"))

    def test_output_slice_in_place_concat(self):
        """Two layers write their channels side by side into one tensor; the
        bytes of neither slice stay as they were."""
        r = rng(420)
        for layout in (wg.Layout.NCHW, wg.Layout.NHWC):
            a = random_grouped(r, "acc32_int8", which=2, layout=layout)
            a["ep"] = wg.Epilogue()
            k = a["codes"].shape[1] * a["groups"]   # C * kh * kw: an ungrouped layer
            b = dict(a, codes=weight_codes(r, 3, k, wg.WeightFormat.INT, 4), groups=1,
                     fmt=wg.WeightFormat.INT)
            ma, mb = a["codes"].shape[0], b["codes"].shape[0]
            t = 1 + ma + mb + 2
            want_a, want_b = grouped_oracle(a), grouped_oracle(b)
            axis = 1 if layout == wg.Layout.NCHW else 3
            shape = list(want_a.shape)
            shape[axis] = t
            out = np.full(shape, -7, np.int32)
            with wg.Context(threads=2) as ctx:
                run_grouped(ctx, a, out=out, out_channels=t, out_channel_offset=1)
                run_grouped(ctx, b, out=out, out_channels=t, out_channel_offset=1 + ma)
            want = np.full(shape, -7, np.int32)
            idx = [slice(None)] * 4
            idx[axis] = slice(1, 1 + ma)
            want[tuple(idx)] = want_a
            idx[axis] = slice(1 + ma, 1 + ma + mb)
            want[tuple(idx)] = want_b
            assert_bits_equal(self, out, want, f"{layout.name} concatenated in place")

    def test_bad_options(self):
        r = rng(430)
        codes = weight_codes(r, 8, 9, wg.WeightFormat.TERNARY)
        x = r.integers(0, 4, (1, 4, 5, 5), dtype=np.uint8)
        with wg.Context(threads=1) as ctx:
            with self.assertRaises(wg.BadSize):
                ctx.pack(codes, groups=3)               # M = 8 not a multiple of 3
            with ctx.pack(codes, groups=4) as w:
                self.assertEqual(w.groups, 4)
                args = dict(kernel_size=3, padding=1, act_bits=2)
                for exc, kw in ((wg.BadSize, dict(groups=-1)),
                                (wg.BadStride, dict(out_channels=7)),
                                (wg.BadStride, dict(out_channels=8, out_channel_offset=1)),
                                (wg.Unsupported, dict(groups=2)),
                                (wg.Unsupported, dict(groups=1))):
                    out = np.full((1, kw.get("out_channels", 8), 5, 5), 9, np.int32)
                    with self.assertRaises(exc, msg=str(kw)):
                        ctx.conv2d(w, x, out=out, **args, **kw)
                    self.assertTrue((out == 9).all(), f"{kw}: output written")
                with self.assertRaises(wg.BadSize):        # C = 6 not a multiple of 4
                    ctx.conv2d(w, np.zeros((1, 6, 5, 5), np.uint8), **args)
                with self.assertRaises(wg.Unsupported):    # grouped weights in a GEMM
                    ctx.gemm(w, np.zeros((9, 4), np.uint8), act_bits=2)


if __name__ == "__main__":
    unittest.main()
