"""wrapgemm.Context.gemm bit for bit against the numpy contract, on every
kernel of the table forced in turn, 1 to 3 threads, every output kind,
strided operands."""
import unittest

import numpy as np

from . import oracle
from .cases import random_epilogue, random_gemm
from .common import available_kernels, rng, strided, weight_codes, wg


def assert_bits_equal(tc, got, want, msg):
    tc.assertEqual(got.dtype, want.dtype, msg)
    tc.assertEqual(got.shape, want.shape, msg)
    if got.dtype == np.float32:
        got, want = got.view(np.uint32), want.view(np.uint32)  # -0.0 != 0.0
    if not np.array_equal(got, want):
        bad = np.argwhere(got != want)[:5]
        tc.fail(f"{msg}: {len(np.argwhere(got != want))} elements differ, first at "
                f"{[tuple(b) for b in bad]}: got {[got[tuple(b)] for b in bad]}, "
                f"want {[want[tuple(b)] for b in bad]}")


def describe(codes, fmt, bits, x, zx, ab, ep):
    return (f"M={codes.shape[0]} K={codes.shape[1]} N={x.shape[1]} {fmt.name} bits={bits} "
            f"act={ab} zx={zx} b={ep.acc_bits} {wg.Cyclic(ep.cyclic).name} k={ep.slope} "
            f"{wg.Output(ep.output).name} relu={ep.relu} out_bits={ep.out_bits}")


class TestGemmOracle(unittest.TestCase):
    def test_fmaf32_matches_libm(self):
        """The oracle's fused multiply-add is libm's fmaf, ties included."""
        r = rng(1)
        c = r.integers(-40000, 40000, 4000).astype(np.float32)
        s = (r.standard_normal(4000) * 0.01).astype(np.float32)
        t = r.standard_normal(4000).astype(np.float32)
        c[:1000] = (r.integers(0, 2000, 1000) * 2 + 3).astype(np.float32)
        s[:1000] = np.float32(1 + 2.0 ** -23)     # c*s exactly halfway between floats
        t[:1000] = (r.choice([-1.0, 1.0], 1000) * 1e-30).astype(np.float32)
        fmaf = oracle.libm_fmaf()
        want = np.array([fmaf(float(a), float(b), float(d)) for a, b, d in zip(c, s, t)],
                        np.float32)
        self.assertTrue(np.array_equal(oracle.fmaf32(c, s, t).view(np.uint32),
                                       want.view(np.uint32)))

    def test_semantics_worked_example(self):
        """docs/semantics.md's example: z = 245 wraps to -11 at b = 8, and
        requantizing c = -11 with scale 0.25, bias 3.25 gives 0.5 -> 0."""
        with wg.Context(threads=1) as ctx, \
                ctx.pack(np.array([[1, 1, 1, -1, 1, 1]], np.int8), "ternary") as w:
            x = np.array([90, 70, 40, 5, 30, 20], np.uint8).reshape(6, 1)
            y, _ = ctx.gemm(w, x, act_bits=8, acc_bits=8, cyclic="smooth", slope=2,
                            output="int8")
            self.assertEqual(int(y[0, 0]), -11)
            y, _ = ctx.gemm(w, x, act_bits=8, acc_bits=8, cyclic="smooth", slope=2,
                            output="uint8_float", scale=np.array([0.25], np.float32),
                            bias=np.array([3.25], np.float32), out_bits=4)
            self.assertEqual(int(y[0, 0]), 0)


    def test_relu_negative_zero_every_kernel(self):
        """fmaf(0, -1, -0.0) is -0.0, and ReLU ("y < 0 -> 0") keeps it: the
        float32 output's sign bit must agree on every kernel (a vector max
        instruction would turn it into +0.0)."""
        m, k, n = 7, 12, 37
        codes = np.zeros((m, k), np.int8)
        x = rng(6).integers(0, 256, (k, n), dtype=np.uint8)
        ep = wg.Epilogue(acc_bits=8, output="float32", relu=True,
                         scale=np.full(m, -1, np.float32), bias=np.full(m, -0.0, np.float32))
        want = oracle.gemm(codes, x, 0, ep)
        self.assertTrue((want.view(np.uint32) == 0x80000000).all())
        for name in available_kernels():
            with wg.Context(threads=2, kernel=name) as ctx, ctx.pack(codes) as w:
                try:
                    y, _ = ctx.gemm(w, x, epilogue=ep)
                except wg.Unsupported:
                    continue
                assert_bits_equal(self, y, want, name)


class TestGemmEveryKernel(unittest.TestCase):
    CASES = 30

    def run_kernel(self, name, salt):
        r = rng(salt)
        ran = unsupported = 0
        ctxs = [wg.Context(threads=t, kernel=name) for t in (1, 2, 3)]
        try:
            for i in range(self.CASES):
                # one call in four ignores the name's hints: UNSUPPORTED is allowed there
                codes, fmt, bits, x, zx, ab, ep = random_gemm(r, None if i % 4 == 3 else name,
                                                              big=(i % 6 == 5))
                ctx = ctxs[i % 3]
                msg = f"kernel {name} threads {ctx.threads}: " + describe(codes, fmt, bits, x,
                                                                          zx, ab, ep)
                want = oracle.gemm(codes, x, zx, ep)
                xs = strided(r, x, int(r.integers(1, 40))) if i % 2 else x
                with ctx.pack(strided(r, codes, 3) if i % 4 == 1 else codes, fmt, bits) as w:
                    out = None
                    if i % 3 == 2:   # Y into a wider buffer: the gaps stay as they were
                        wide = np.full((codes.shape[0], x.shape[1] + 5), 77, ep.dtype)
                        out = wide[:, :x.shape[1]]
                    try:
                        y, info = ctx.gemm(w, xs, act_bits=ab, zero_point=zx, epilogue=ep,
                                           out=out)
                    except wg.Unsupported:
                        unsupported += 1
                        continue
                ran += 1
                self.assertEqual(info.kernel, name, msg)
                self.assertIn(info.method, ("gemm", "gemm_in_place"), msg)
                assert_bits_equal(self, y, want, msg)
                if out is not None:
                    self.assertIs(y, out)
                    self.assertTrue((wide[:, x.shape[1]:] == 77).all(), msg + ": stride gap written")
        finally:
            for c in ctxs:
                c.close()
        return ran, unsupported

    def test_every_kernel(self):
        names = available_kernels()
        self.assertTrue(names)
        summary = {}
        for i, name in enumerate(names):
            with self.subTest(kernel=name):
                ran, unsup = self.run_kernel(name, 100 + i)
                summary[name] = (ran, unsup)
                self.assertGreater(ran, 0, f"{name} ran none of its calls ({unsup} unsupported)")

    def test_automatic_choice_never_unsupported(self):
        """Without a forced kernel every call within the contract runs."""
        r = rng(2)
        with wg.Context(threads=2) as ctx:
            for i in range(60):
                codes, fmt, bits, x, zx, ab, ep = random_gemm(r, None, big=(i % 5 == 0))
                msg = describe(codes, fmt, bits, x, zx, ab, ep)
                with ctx.pack(codes, fmt, bits) as w:
                    y, info = ctx.gemm(w, x, act_bits=ab, zero_point=zx, epilogue=ep)
                self.assertIn(info.kernel, [k.name for k in wg.kernels()])
                assert_bits_equal(self, y, oracle.gemm(codes, x, zx, ep), msg)


class TestGemmFeatures(unittest.TestCase):
    def test_in_place_switch(self):
        """X read in place (AVX2 ternary kernel, 64-byte aligned rows) and
        packed give the same bits; run info says which ran."""
        r = rng(3)
        m, k, n = 13, 40, 200
        codes = weight_codes(r, m, k, wg.WeightFormat.TERNARY)
        buf = np.zeros(k * 256 + 64, np.uint8)
        off = (-buf.ctypes.data) % 64
        x = buf[off:off + k * 256].reshape(k, 256)[:, :n]
        x[:] = r.integers(0, 256, (k, n))
        ep = wg.Epilogue(acc_bits=8, cyclic="smooth", slope=2, output="int8")
        want = oracle.gemm(codes, x, 0, ep)
        # Named where it runs: automatic choice takes another kernel on
        # AVX-512 CPUs (the VNNI or a lookup-table kernel, never in place).
        avx2 = "acc8_ternary_x_u8_6x16__avx2"
        kernel = avx2 if avx2 in available_kernels() else None
        with wg.Context(threads=1, kernel=kernel) as ctx, ctx.pack(codes) as w:
            y1, i1 = ctx.gemm(w, x, epilogue=ep)
            ctx.gemm_in_place = False
            self.assertFalse(ctx.gemm_in_place)
            y2, i2 = ctx.gemm(w, x, epilogue=ep)
        assert_bits_equal(self, y1, want, "in place allowed")
        assert_bits_equal(self, y2, want, "in place off")
        self.assertEqual(i2.method, "gemm")
        if kernel:
            self.assertEqual(i1.method, "gemm_in_place")

    def test_keyword_and_dataclass_epilogue_agree(self):
        r = rng(4)
        codes = weight_codes(r, 5, 30, wg.WeightFormat.INT, 4)
        x = r.integers(0, 16, (30, 9), dtype=np.uint8)
        ep = random_epilogue(r, 5, kinds=[wg.Output.UINT8_FIXED])
        with wg.Context(threads=1) as ctx, ctx.pack(codes, "int", 4) as w:
            y1, _ = ctx.gemm(w, x, act_bits=4, epilogue=ep)
            kw = {f: getattr(ep, f) for f in ep.__dataclass_fields__}
            y2, _ = ctx.gemm(w, x, act_bits=4, **kw)
            y3, _ = ctx.gemm(w, x, act_bits=4, epilogue=wg.Epilogue(), **kw)
        self.assertTrue(np.array_equal(y1, y2) and np.array_equal(y1, y3))
        assert_bits_equal(self, y1, oracle.gemm(codes, x, 0, ep), "fixed")

    def test_output_dtypes(self):
        r = rng(5)
        codes = weight_codes(r, 3, 8, wg.WeightFormat.BINARY)
        x = r.integers(0, 4, (8, 4), dtype=np.uint8)
        s, t = np.ones(3, np.float32), np.zeros(3, np.float32)
        i32 = np.full(3, 1 << 30, np.int32)
        with wg.Context(threads=1) as ctx, ctx.pack(codes, "binary") as w:
            for kind, dtype in wg.OUTPUT_DTYPES.items():
                y, _ = ctx.gemm(w, x, act_bits=2, acc_bits=8, output=kind, scale=s, bias=t,
                                multiplier=i32, shift=np.zeros(3, np.int32))
                self.assertEqual(y.dtype, dtype, kind.name)
                self.assertEqual(y.shape, (3, 4))

    def test_context_settings(self):
        names = available_kernels()
        with wg.Context(threads=3) as ctx:
            self.assertEqual(ctx.threads, 3)
            self.assertEqual(ctx.kernel, "auto")
            ctx.kernel = names[-1]
            self.assertEqual(ctx.kernel, names[-1])
            ctx.kernel = None
            self.assertEqual(ctx.kernel, "auto")
            ctx.kernel = names[0]
            ctx.kernel = "auto"
            self.assertEqual(ctx.kernel, "auto")
            self.assertTrue(ctx.direct_conv)
            ctx.direct_conv = False
            self.assertFalse(ctx.direct_conv)
        with wg.Context(threads=1, kernel=names[0], direct_conv=False, gemm_in_place=False) as ctx:
            self.assertEqual(ctx.kernel, names[0])
            self.assertFalse(ctx.direct_conv or ctx.gemm_in_place)
        with wg.Context() as ctx:
            self.assertGreaterEqual(ctx.threads, 1)
        self.assertEqual(len(wg.kernels()), wg.capi.lib.wg_kernel_count())


if __name__ == "__main__":
    unittest.main()
