"""Bad input raises the exception named after the documented status, and
nothing is written: neither the output array (gaps included) nor x."""
import unittest

import numpy as np

from .common import available_kernels, rng, weight_codes, wg

M, K, N = 5, 12, 7
SENTINEL = 99


class GemmErrors(unittest.TestCase):
    def setUp(self):
        r = rng(20)
        self.ctx = wg.Context(threads=2)
        self.codes = weight_codes(r, M, K, wg.WeightFormat.TERNARY)
        self.w = self.ctx.pack(self.codes)
        self.x = r.integers(0, 8, (K, N), dtype=np.uint8)
        self.s = np.ones(M, np.float32)
        self.t = np.zeros(M, np.float32)

    def tearDown(self):
        self.w.close()
        self.ctx.close()

    def expect(self, exc, out_dtype=np.int32, x=None, out=None, **kw):
        """Calls gemm with out= a sentinel-filled array; checks the
        exception and that neither out nor x changed."""
        x = self.x if x is None else x
        x_before = x.copy()
        if out is None:
            out = np.full((M, N), SENTINEL, out_dtype)
        before = out.copy()
        with self.assertRaises(exc) as cm:
            self.ctx.gemm(self.w, x, out=out, **kw)
        self.assertTrue(np.array_equal(out, before), f"{exc.__name__}: output written")
        self.assertTrue(np.array_equal(x, x_before))
        return cm.exception

    def test_statuses(self):
        e = self.expect(wg.BadCode, act_bits=2)                      # codes up to 7
        self.assertEqual((e.status, e.status_name, e.function), (5, "WG_ERR_BAD_CODE", "wg_gemm"))
        self.assertIsInstance(e, ValueError)
        self.expect(wg.BadOption, act_bits=9)
        self.expect(wg.BadOption, act_bits=3, zero_point=8)          # zx not a 3-bit code
        self.expect(wg.BadOption, act_bits=3, zero_point=-1)
        self.expect(wg.BadOption, acc_bits=1)
        self.expect(wg.BadOption, acc_bits=17)
        self.expect(wg.BadOption, cyclic=7)
        self.expect(wg.BadOption, cyclic="smooth", slope=0)
        self.expect(wg.BadOption, relu=2)
        self.expect(wg.BadOption, np.uint8, output="uint8_float", scale=self.s, bias=self.t,
                    out_bits=9)
        bad = self.s.copy()
        bad[3] = np.inf
        self.expect(wg.BadOption, np.float32, output="float32", scale=bad, bias=self.t)
        bad[3] = np.nan
        self.expect(wg.BadOption, np.uint8, output="uint8_float", scale=self.s, bias=bad)
        mult = np.full(M, 1 << 29, np.int32)                          # below 2^30
        self.expect(wg.BadOption, np.uint8, output="uint8_fixed", multiplier=mult,
                    shift=np.zeros(M, np.int32))
        self.expect(wg.BadOption, np.uint8, output="uint8_fixed",
                    multiplier=np.full(M, 1 << 30, np.int32), shift=np.full(M, 31, np.int32))
        self.expect(wg.BadOption, output="no_such_kind")
        self.expect(wg.Unsupported, np.int8, acc_bits=16, output="int8")
        self.expect(wg.Unsupported, np.int8, acc_bits=8, cyclic="abs", output="int8")
        self.expect(wg.Unsupported, acc_bits=32, cyclic="abs")
        self.expect(wg.NullPointer, np.uint8, output="uint8_float", scale=self.s)  # no bias
        self.expect(wg.NullPointer, np.uint8, output="uint8_fixed",
                    multiplier=np.full(M, 1 << 30, np.int32))                   # no shift

    def test_strides_sizes_alignment_aliasing(self):
        # an output whose rows overlap (row stride 1 element < N): C's BAD_STRIDE
        base = np.full(M * N, SENTINEL, np.int32)
        out = np.lib.stride_tricks.as_strided(base, (M, N), (4, 4))
        self.expect(wg.BadStride, out=out)
        self.assertTrue((base == SENTINEL).all())
        # x with a zero row stride (broadcast rows): C's BAD_STRIDE
        xb = np.broadcast_to(self.x[:1], (K, N))
        self.expect(wg.BadStride, x=xb)
        # columns not contiguous: the binding refuses (it never copies)
        e = self.expect(wg.BadStride, x=np.asfortranarray(self.x))
        self.assertEqual(e.function, "python")
        # N = 0: C's BAD_SIZE
        with self.assertRaises(wg.BadSize):
            self.ctx.gemm(self.w, self.x[:, :0])
        # K rows not the weights' depth: the binding's BAD_SIZE
        e = self.expect(wg.BadSize, x=self.x[:-1])
        self.assertEqual(e.function, "python")
        self.expect(wg.BadSize, out=np.full((M, N + 1), SENTINEL, np.int32))
        # misaligned int32 / int16 / float output: C's MISALIGNED
        for dtype, kw in ((np.int32, {}), (np.int16, {"output": "int16", "acc_bits": 16}),
                          (np.float32, {"output": "float32", "scale": self.s, "bias": self.t})):
            size = np.dtype(dtype).itemsize
            raw = bytearray(M * N * size + 1)
            out = np.frombuffer(raw, dtype, M * N, offset=1).reshape(M, N)
            out[:] = SENTINEL
            self.assertFalse(out.flags.aligned)
            self.expect(wg.Misaligned, out=out, **kw)
        # a misaligned per-row array
        raw = bytearray(M * 4 + 1)
        s = np.frombuffer(raw, np.float32, M, offset=1)
        self.expect(wg.Misaligned, np.float32, output="float32", scale=s, bias=self.t)
        # y overlapping x: ALIASING (uint8 output in the same buffer)
        buf = np.zeros(K * N + M * N, np.uint8)
        x = buf[:K * N].reshape(K, N)
        x[:] = self.x
        out = buf[K * N - 3:K * N - 3 + M * N].reshape(M, N)
        e = self.expect(wg.Aliasing, x=x, out=out, output="uint8_float", scale=self.s,
                        bias=self.t)
        self.assertEqual(e.status, 12)
        # y overlapping a per-row array
        s = np.zeros(M * N + M, np.float32)
        s[:M] = 1
        out = s[M - 1:M - 1 + M * N].reshape(M, N)
        self.expect(wg.Aliasing, out=out, output="float32", scale=s[:M], bias=self.t)

    def test_python_side_checks(self):
        with self.assertRaises(TypeError):
            self.ctx.gemm(self.w, self.x.astype(np.int8))
        with self.assertRaises(TypeError):
            self.ctx.gemm(self.w, self.x.tolist())
        self.expect(TypeError, out=np.full((M, N), SENTINEL, np.int64))
        with self.assertRaises(TypeError):  # float64 scale is never rounded silently
            self.ctx.gemm(self.w, self.x, output="float32", scale=np.ones(M), bias=self.t)
        with self.assertRaises(wg.BadSize):
            self.ctx.gemm(self.w, self.x, output="float32", scale=self.s[:-1], bias=self.t)
        with self.assertRaises(wg.BadStride):
            self.ctx.gemm(self.w, self.x, output="float32", scale=np.ones(2 * M, np.float32)[::2],
                          bias=self.t)
        ro = np.full((M, N), SENTINEL, np.int32)
        ro.flags.writeable = False
        with self.assertRaises(ValueError):
            self.ctx.gemm(self.w, self.x, out=ro)
        with self.assertRaises(TypeError):
            self.ctx.gemm(self.w, self.x, no_such_field=1)


class OtherErrors(unittest.TestCase):
    def test_context(self):
        with self.assertRaises(wg.BadOption):
            wg.Context(threads=-1)
        with self.assertRaises(wg.BadOption):
            wg.Context(threads=257)
        with self.assertRaises(wg.UnknownKernel):
            wg.Context(threads=1, kernel="acc8_no_such_kernel")
        with wg.Context(threads=1) as ctx:
            with self.assertRaises(wg.UnknownKernel):
                ctx.kernel = "nope"
            self.assertEqual(ctx.kernel, "auto")
            with self.assertRaises(wg.BadOption):
                ctx.direct_conv = 2
            self.assertTrue(ctx.direct_conv)
            with self.assertRaises(wg.BadOption):
                ctx.gemm_in_place = -1
            unavailable = [k.name for k in wg.kernels() if not k.available]
            for name in unavailable:
                with self.assertRaises(wg.KernelUnavailable):
                    ctx.kernel = name

    def test_pack(self):
        r = rng(21)
        with wg.Context(threads=1) as ctx:
            bad = weight_codes(r, 4, 9, wg.WeightFormat.TERNARY)
            bad[2, 5] = 2
            with self.assertRaises(wg.BadCode):
                ctx.pack(bad, "ternary")
            bad[2, 5] = 0
            with self.assertRaises(wg.BadCode):
                ctx.pack(bad, "binary")                    # binary has no 0
            with self.assertRaises(wg.BadCode):
                ctx.pack(np.full((2, 3), -3, np.int8), "int", 2)   # 2-bit: -2..1
            with self.assertRaises(wg.BadOption):
                ctx.pack(bad, "int", 9)
            with self.assertRaises(wg.BadOption):
                ctx.pack(bad, 7)
            with self.assertRaises(wg.BadOption):
                ctx.pack(bad, "quaternary")
            with self.assertRaises(wg.BadSize):
                ctx.pack(bad[:0], "ternary")
            with self.assertRaises(wg.BadStride):
                ctx.pack(np.asfortranarray(bad), "ternary")
            with self.assertRaises(TypeError):
                ctx.pack(bad.astype(np.int16), "ternary")
            with ctx.pack(bad, "int", 2) as w:
                self.assertEqual(w.shape, (4, 9))
                self.assertEqual((w.format, w.bits), (wg.WeightFormat.INT, 2))

    def test_forced_kernel_cannot(self):
        """A forced kernel that cannot compute the call: UNSUPPORTED, no
        fallback, nothing written."""
        swar = [k for k in available_kernels() if "swar" in k]
        if not swar:
            self.skipTest("no SWAR kernel in this build")
        r = rng(22)
        codes = weight_codes(r, 3, 10, wg.WeightFormat.INT, 6)
        x = r.integers(0, 256, (10, 4), dtype=np.uint8)
        with wg.Context(threads=1, kernel=swar[0]) as ctx, ctx.pack(codes, "int", 6) as w:
            out = np.full((3, 4), SENTINEL, np.int32)
            with self.assertRaises(wg.Unsupported):
                ctx.gemm(w, x, out=out)
            self.assertTrue((out == SENTINEL).all())


if __name__ == "__main__":
    unittest.main()
