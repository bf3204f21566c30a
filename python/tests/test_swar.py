"""The SWAR entry points against docs/swar.md: exact lanes = the contract
at b <= 8, buffer lanes = the contract at b <= 7 (7-bit codes), carry
mode = the contract on z + lane carries (the carries simulated here from
the packing docs/swar.md describes), Algorithm 1's counts, and the carry
statistics in exact integer arithmetic."""
import math
import unittest

import numpy as np

from . import oracle
from .cases import random_epilogue
from .common import rng, strided, weight_codes, wg
from .test_gemm import assert_bits_equal

T, B = wg.WeightFormat.TERNARY, wg.WeightFormat.BINARY


def lane_carries(codes, x, reg_bits):
    """C_1 + ... + C_{L-1}: lane l holds depth k = gL + l, S_l the exact sum
    of its bytes w*x mod 2^8, C_0 = 0, C_{l+1} = (S_l + C_l) >> 8."""
    lanes = reg_bits // 8
    v = (codes.astype(np.int64)[:, :, None] * x.astype(np.int64)[None, :, :]) % 256  # M K N
    k = codes.shape[1]
    carry = np.zeros((codes.shape[0], x.shape[1]), np.int64)
    total = np.zeros_like(carry)
    for lane in range(lanes):
        s = v[:, lane:k:lanes, :].sum(axis=1)
        if lane:
            total += carry
        carry = (s + carry) >> 8
    return total


def algorithm1_carries(codes, x):
    """Appendix A's count: u = sum_k (w*x mod 2^8), c = (u - 1) // 255."""
    v = (codes.astype(np.int64)[:, :, None] * x.astype(np.int64)[None, :, :]) % 256
    u = v.sum(axis=1)
    return np.where(u > 0, (u - 1) // 255, 0)


class TestSwarGemm(unittest.TestCase):
    def case(self, r, max_b, max_ab):
        m = int(r.choice([1, 2, 3, 7, int(r.integers(1, 12))]))
        k = int(r.choice([1, 5, 8, 9, 64, 300, int(r.integers(1, 100))]))
        n = int(r.choice([1, 3, 4, 17, int(r.integers(1, 40))]))
        fmt = T if r.random() < 0.6 else B
        codes = weight_codes(r, m, k, fmt)
        ab = int(r.integers(1, max_ab + 1))
        x = r.integers(0, 1 << ab, (k, n), dtype=np.uint8)
        if r.random() < 0.3:
            x[:] = (1 << ab) - 1
        zx = int(r.integers(0, 1 << ab)) if r.random() < 0.4 else 0
        return codes, fmt, x, ab, zx, random_epilogue(r, m, max_b)

    def test_exact_and_buffer(self):
        r = rng(400)
        counts = {}
        for i in range(80):
            mode = wg.SwarMode.EXACT if i % 2 == 0 else wg.SwarMode.BUFFER
            reg = 64 if i % 4 < 2 else 32
            codes, fmt, x, ab, zx, ep = self.case(r, 8 if mode == wg.SwarMode.EXACT else 7,
                                                  8 if mode == wg.SwarMode.EXACT else 7)
            with wg.Context(threads=1) as ctx, ctx.pack(codes, fmt) as w:
                xs = strided(r, x, 3) if i % 3 == 0 else x
                res = wg.swar_gemm(w, xs, mode=mode, reg_bits=reg, act_bits=ab, zero_point=zx,
                                   epilogue=ep)
            self.assertIsNone(res.carries)
            assert_bits_equal(self, res.y, oracle.gemm(codes, x, zx, ep),
                              f"{mode.name} {reg}: b={ep.acc_bits} act={ab} zx={zx}")
            counts[mode] = counts.get(mode, 0) + 1
        self.assertEqual(len(counts), 2)

    def test_carry_mode(self):
        """y = epilogue(z + lane_carries - correction), with the lane carries
        and Algorithm 1's counts returned as simulated."""
        r = rng(401)
        for i in range(40):
            reg = 64 if i % 2 else 32
            codes, fmt, x, ab, zx, ep = self.case(r, 8, 8)
            m, n = codes.shape[0], x.shape[1]
            corr = r.integers(-3, 4, (m, n)).astype(np.int32) if i % 3 == 0 else None
            with wg.Context(threads=1) as ctx, ctx.pack(codes, fmt) as w:
                res = wg.swar_gemm(w, x, mode="carry", reg_bits=reg, act_bits=ab, zero_point=zx,
                                   epilogue=ep, carries=True, lane_carries=True,
                                   carry_correction=corr)
            lc = lane_carries(codes, x, reg)
            z = oracle.accumulate(codes, x, zx) + lc - (0 if corr is None else corr)
            msg = f"carry {reg}: M={m} K={codes.shape[1]} N={n} act={ab} zx={zx} b={ep.acc_bits}"
            self.assertTrue(np.array_equal(res.lane_carries, lc), msg + ": lane carries")
            self.assertTrue(np.array_equal(res.carries, algorithm1_carries(codes, x)),
                            msg + ": Algorithm 1")
            assert_bits_equal(self, res.y, oracle.epilogue(z, ep), msg)

    def test_carry_arrays_in_place(self):
        r = rng(402)
        codes = weight_codes(r, 4, 40, T)
        x = r.integers(0, 256, (40, 6), dtype=np.uint8)
        wide = np.full((4, 9), 5, np.uint32)
        with wg.Context(threads=1) as ctx, ctx.pack(codes) as w:
            res = wg.swar_gemm(w, x, mode="carry", acc_bits=8, output="int8",
                               carries=wide[:, :6])
        self.assertTrue(np.array_equal(wide[:, :6], algorithm1_carries(codes, x)))
        self.assertTrue((wide[:, 6:] == 5).all())
        self.assertIsNone(res.lane_carries)

    def test_naive(self):
        r = rng(403)
        for i in range(30):
            codes, fmt, x, ab, zx, ep = self.case(r, 7, 8)
            y = wg.swar_naive_gemm(strided(r, codes, 2) if i % 2 else codes, x, act_bits=ab,
                                   zero_point=zx, epilogue=ep)
            assert_bits_equal(self, y, oracle.gemm(codes, x, zx, ep), f"naive b={ep.acc_bits}")

    def test_errors_write_nothing(self):
        r = rng(404)
        codes = weight_codes(r, 3, 16, T)
        x = r.integers(0, 128, (16, 5), dtype=np.uint8)
        with wg.Context(threads=1) as ctx, ctx.pack(codes) as w, \
                ctx.pack(weight_codes(r, 3, 16, wg.WeightFormat.INT, 4), "int", 4) as wint:
            def expect(exc, weights=w, **kw):
                out = np.full((3, 5), 9, np.int8)
                car = np.full((3, 5), 9, np.uint32)
                args = dict(acc_bits=8, output="int8", out=out)
                args.update(kw)
                if args.get("mode") == "carry":
                    args.setdefault("carries", car)
                with self.assertRaises(exc):
                    wg.swar_gemm(weights, x, **args)
                self.assertTrue((out == 9).all() and (car == 9).all(), exc.__name__)

            expect(wg.Unsupported, acc_bits=9, output="int16", out=np.full((3, 5), 9, np.int16))
            expect(wg.Unsupported, mode="buffer")                       # b = 8 > 7
            expect(wg.Unsupported, mode="buffer", acc_bits=7, act_bits=8)
            expect(wg.Unsupported, weights=wint)                        # codes outside -1..1
            expect(wg.Unsupported, carries=np.zeros((3, 5), np.uint32))  # counts outside CARRY
            expect(wg.BadOption, reg_bits=16)
            expect(wg.BadOption, mode=5)
            expect(wg.BadOption, mode="sideways")
            expect(wg.BadCode, mode="carry", act_bits=6)                # codes up to 127
            alias = np.zeros((3, 5), np.uint32)
            expect(wg.Aliasing, mode="carry", carries=alias, lane_carries=alias)
            raw = bytearray(3 * 5 * 4 + 1)
            mis = np.frombuffer(raw, np.uint32, 15, offset=1).reshape(3, 5)
            expect(wg.Misaligned, mode="carry", carries=mis)
            with self.assertRaises(wg.BadCode):
                wg.swar_naive_gemm(np.full((2, 16), 2, np.int8), x, acc_bits=7, output="int8")
            with self.assertRaises(wg.Unsupported):
                wg.swar_naive_gemm(codes, x, acc_bits=8, output="int8")
            with self.assertRaises(wg.BadSize):
                wg.swar_naive_gemm(codes, x[:-1], acc_bits=7, output="int8")


class TestCarryStats(unittest.TestCase):
    def test_exact_fixed_point(self):
        r = rng(410)
        for i in range(20):
            batch = int(r.choice([1, 2, 3, 17, int(r.integers(1, 200))]))
            outputs = int(r.integers(1, 30))
            hi = int(r.choice([3, 300, 1 << 20, (1 << 32) - 1]))
            counts = r.integers(0, hi, (batch, outputs), dtype=np.uint64).astype(np.uint32)
            view = strided(r, counts, 4) if i % 2 else counts
            st = wg.swar_carry_stats(view)
            s = [sum(int(v) for v in counts[:, j]) for j in range(outputs)]
            sq = [sum(int(v) ** 2 for v in counts[:, j]) for j in range(outputs)]
            mean = [(2 * a * 65536 + batch) // (2 * batch) for a in s]     # round half up
            std = [math.isqrt((batch * q - a * a) << 32) // batch for a, q in zip(s, sq)]
            corr = [((2 * a + batch) // (2 * batch)) % (1 << 32) for a in s]
            corr = [c - (1 << 32) if c >= 1 << 31 else c for c in corr]
            self.assertEqual([int(v) for v in st.mean_q16], mean)
            self.assertEqual([int(v) for v in st.std_q16], std)
            self.assertEqual([int(v) for v in st.correction], corr)

    def test_subsets_and_errors(self):
        counts = np.arange(12, dtype=np.uint32).reshape(3, 4)
        st = wg.swar_carry_stats(counts, std=False, correction=False)
        self.assertIsNone(st.std_q16)
        self.assertEqual(int(st.mean_q16[0]), 4 * 65536)
        with self.assertRaises(wg.NullPointer):
            wg.swar_carry_stats(counts, mean=False, std=False, correction=False)
        with self.assertRaises(wg.BadSize):
            wg.swar_carry_stats(counts[:0])
        with self.assertRaises(TypeError):
            wg.swar_carry_stats(counts.astype(np.int32))


if __name__ == "__main__":
    unittest.main()
