"""wrapgemm.Context.conv2d against the numpy contract (im2col written in
the test from docs/api.md's filter orders), NCHW and NHWC, every kernel,
1 to 3 threads, direct and implicit im2col, and its bad inputs."""
import unittest

import numpy as np

from . import oracle
from .cases import kernel_hints, random_epilogue
from .common import available_kernels, rng, weight_codes, wg
from .test_gemm import assert_bits_equal


def random_conv(r, kernel=None):
    max_b, fmts, max_ub = kernel_hints(kernel)
    fmt = fmts[int(r.integers(0, len(fmts)))]
    bits = int(r.integers(2, 9))
    layout = wg.Layout(int(r.integers(0, 2)))
    n = int(r.integers(1, 3))
    c = int(r.choice([1, 3, 4, 8, int(r.integers(1, 10))]))
    h, w = int(r.integers(1, 12)), int(r.integers(1, 12))
    kh, kw = int(r.integers(1, min(h, 3) + 1)), int(r.integers(1, min(w, 3) + 1))
    stride = (int(r.integers(1, 3)), int(r.integers(1, 3)))
    pad = tuple(int(p) for p in r.integers(0, 3, 4))
    dil = (int(r.integers(1, 3)), int(r.integers(1, 3)))
    if (h + pad[0] + pad[2]) < dil[0] * (kh - 1) + 1:
        dil = (1, dil[1])
    if (w + pad[1] + pad[3]) < dil[1] * (kw - 1) + 1:
        dil = (dil[0], 1)
    m = int(r.choice([1, 2, 5, 8, 16, int(r.integers(1, 20))]))
    ab = int(r.integers(1, max_ub + 1))
    zx = int(r.integers(0, 1 << ab)) if r.random() < 0.4 else 0
    shape = (n, c, h, w) if layout == wg.Layout.NCHW else (n, h, w, c)
    x = r.integers(0, 1 << ab, shape, dtype=np.uint8)
    codes = weight_codes(r, m, c * kh * kw, fmt, bits)
    return dict(codes=codes, fmt=fmt, bits=bits, x=x, layout=layout, kh=kh, kw=kw,
                stride=stride, pad=pad, dil=dil, ab=ab, zx=zx,
                ep=random_epilogue(r, m, max_b))


def run_conv(ctx, case, out=None):
    with ctx.pack(case["codes"], case["fmt"], case["bits"]) as w:
        return ctx.conv2d(w, case["x"], kernel_size=(case["kh"], case["kw"]),
                          stride=case["stride"], padding=case["pad"], dilation=case["dil"],
                          layout=case["layout"], act_bits=case["ab"], zero_point=case["zx"],
                          epilogue=case["ep"], out=out)


def want_conv(case):
    return oracle.conv2d(case["codes"], case["x"], int(case["layout"]), case["kh"], case["kw"],
                         case["stride"], case["pad"], case["dil"], case["zx"], case["ep"])


def describe(case):
    ep = case["ep"]
    return (f"{case['layout'].name} x{case['x'].shape} k{case['kh']}x{case['kw']} "
            f"s{case['stride']} p{case['pad']} d{case['dil']} M={case['codes'].shape[0]} "
            f"{case['fmt'].name} act={case['ab']} zx={case['zx']} b={ep.acc_bits} "
            f"{wg.Cyclic(ep.cyclic).name} {wg.Output(ep.output).name}")


class TestConv(unittest.TestCase):
    def test_every_kernel(self):
        for ki, name in enumerate(available_kernels()):
            r = rng(300 + ki)
            ran = 0
            ctxs = [wg.Context(threads=t, kernel=name) for t in (1, 2, 3)]
            try:
                for i in range(12):
                    case = random_conv(r, None if i % 4 == 3 else name)
                    ctx = ctxs[i % 3]
                    try:
                        y, info = run_conv(ctx, case)
                    except wg.Unsupported:
                        continue
                    ran += 1
                    msg = f"{name} threads {ctx.threads}: {describe(case)}"
                    self.assertEqual(info.kernel, name, msg)
                    self.assertIn(info.method, ("implicit_im2col", "direct"), msg)
                    assert_bits_equal(self, y, want_conv(case), msg)
            finally:
                for c in ctxs:
                    c.close()
            self.assertGreater(ran, 0, name)

    def test_direct_and_implicit_agree(self):
        """Channels a multiple of 4, int8 output, ternary b <= 8: the direct
        convolution where a kernel has one; switched off, implicit im2col;
        the same bits, in both layouts.  The AVX2 sign+add kernel (direct) is
        named where it runs: automatic choice may take a lookup-table kernel,
        which has no direct path."""
        r = rng(310)
        avx2 = "acc8_ternary_x_u8_6x16__avx2"
        kernel = avx2 if avx2 in available_kernels() else None
        methods = set()
        for layout in (wg.Layout.NCHW, wg.Layout.NHWC):
            case = random_conv(r, "acc8_ternary_x_u8")
            c = 8
            shape = (2, c, 9, 7) if layout == wg.Layout.NCHW else (2, 9, 7, c)
            case.update(layout=layout, x=r.integers(0, 256, shape, dtype=np.uint8), ab=8, zx=3,
                        kh=3, kw=3, stride=(1, 1), pad=(1, 1, 1, 1), dil=(1, 1),
                        fmt=wg.WeightFormat.TERNARY,
                        codes=weight_codes(r, 16, c * 9, wg.WeightFormat.TERNARY),
                        ep=wg.Epilogue(acc_bits=8, cyclic="smooth", slope=2, output="int8"))
            want = want_conv(case)
            with wg.Context(threads=2, kernel=kernel) as ctx:
                y1, i1 = run_conv(ctx, case)
                ctx.direct_conv = False
                y2, i2 = run_conv(ctx, case)
            assert_bits_equal(self, y1, want, f"{layout.name} direct allowed")
            assert_bits_equal(self, y2, want, f"{layout.name} direct off")
            self.assertEqual(i2.method, "implicit_im2col")
            methods.add(i1.method)
        if kernel:
            self.assertEqual(methods, {"direct"})

    def test_output_shape_and_out(self):
        r = rng(311)
        case = random_conv(r)
        want = want_conv(case)
        d = wg.conv2d_desc(case["x"].shape, case["layout"], (case["kh"], case["kw"]),
                           case["stride"], case["pad"], case["dil"])
        shape = wg.conv2d_output_shape(d, case["codes"].shape[0])
        self.assertEqual(shape, want.shape)
        out = np.full(shape, 7, case["ep"].dtype)
        with wg.Context(threads=1) as ctx:
            y, _ = run_conv(ctx, case, out=out)
        self.assertIs(y, out)
        assert_bits_equal(self, y, want, describe(case))

    def test_padding_forms(self):
        r = rng(312)
        codes = weight_codes(r, 3, 2 * 9, wg.WeightFormat.TERNARY)
        x = r.integers(0, 16, (1, 2, 5, 6), dtype=np.uint8)
        ep = wg.Epilogue()
        with wg.Context(threads=1) as ctx, ctx.pack(codes) as w:
            a, _ = ctx.conv2d(w, x, kernel_size=3, padding=1, act_bits=4, zero_point=2)
            b, _ = ctx.conv2d(w, x, kernel_size=(3, 3), padding=(1, 1), act_bits=4, zero_point=2)
            c, _ = ctx.conv2d(w, x, kernel_size=3, padding=(1, 1, 1, 1), act_bits=4, zero_point=2,
                              layout="nchw")
            d, _ = ctx.conv2d(w, x, kernel_size=3, padding=(0, 1, 2, 0), act_bits=4, zero_point=2)
        self.assertTrue(np.array_equal(a, b) and np.array_equal(a, c))
        want = oracle.conv2d(codes, x, 0, 3, 3, (1, 1), (0, 1, 2, 0), (1, 1), 2, ep)
        assert_bits_equal(self, d, want, "asymmetric padding")


class TestConvErrors(unittest.TestCase):
    def setUp(self):
        r = rng(320)
        self.ctx = wg.Context(threads=2)
        self.codes = weight_codes(r, 4, 3 * 9, wg.WeightFormat.TERNARY)
        self.w = self.ctx.pack(self.codes)
        self.x = r.integers(0, 16, (2, 3, 6, 5), dtype=np.uint8)

    def tearDown(self):
        self.w.close()
        self.ctx.close()

    def expect(self, exc, x=None, out=None, **kw):
        x = self.x if x is None else x
        args = dict(kernel_size=3, padding=1, act_bits=4)
        args.update(kw)
        before = None if out is None else out.copy()
        xb = x.copy()
        with self.assertRaises(exc) as cm:
            self.ctx.conv2d(self.w, x, out=out, **args)
        if out is not None:
            self.assertTrue(np.array_equal(out, before), exc.__name__ + ": output written")
        self.assertTrue(np.array_equal(x, xb))
        return cm.exception

    def test_errors(self):
        out = np.full((2, 4, 6, 5), 55, np.int32)
        self.expect(wg.Unsupported, out=out, kernel_size=(3, 2), padding=(1, 1, 1, 0))  # K 18 != 27
        self.expect(wg.BadSize, kernel_size=3, padding=0, x=self.x[:, :, :2].copy())  # window
        self.expect(wg.BadSize, out=out, stride=0)
        self.expect(wg.BadSize, out=out, padding=-1)
        self.expect(wg.BadSize, out=out, dilation=(0, 1))
        self.expect(wg.BadCode, out=out, act_bits=3)                   # codes up to 15
        self.expect(wg.BadOption, out=out, zero_point=16)
        self.expect(wg.BadOption, out=out, layout="nhcw")
        self.expect(wg.SizeOverflow, stride=(1 << 31, 1))
        e = self.expect(wg.BadStride, out=out, x=self.x[:, :, :, ::-1])  # not dense
        self.assertEqual(e.function, "python")
        self.expect(wg.BadSize, out=np.full((2, 4, 6, 6), 55, np.int32))
        self.expect(wg.BadSize, x=self.x[0])
        self.expect(TypeError, out=out.astype(np.int16))
        # NHWC input of the same bytes: another shape (N, H, W, C) = (2, 3, 6, 5)
        self.expect(wg.Unsupported, layout="nhwc")
        # y overlapping x
        buf = np.zeros(self.x.size + 2 * 4 * 6 * 5, np.uint8)
        x = buf[:self.x.size].reshape(self.x.shape)
        x[:] = self.x
        out8 = buf[self.x.size - 1:self.x.size - 1 + 2 * 4 * 6 * 5].reshape(2, 4, 6, 5)
        self.expect(wg.Aliasing, x=x, out=out8, output="uint8_float",
                    scale=np.ones(4, np.float32), bias=np.zeros(4, np.float32))


if __name__ == "__main__":
    unittest.main()
