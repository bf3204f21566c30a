"""The carry-variance regulariser R^c of the WrapNet training
(scripts/wrapnet/wrapnet.py carry_count / carry_variance; the paper's
appendix A.1): each output's carry count against Algorithm 1 run as printed
on the products of an im2col, and against the library's own count
(wg_swar_gemm's `carries` in carry mode); R^c against eqs. 3-4 computed
directly.  Needs torch (the training's dependency): skipped without it."""
import os
import sys
import unittest

import numpy as np

from .common import REPO, rng, wg

try:
    import torch
    sys.path.insert(0, os.path.join(REPO, "scripts", "wrapnet"))
    import wrapnet as W
except ImportError:          # no torch: the lane still runs everything else
    torch = None


def algorithm1(v, b=8):
    """Algorithm 1 as printed (appendix A), a zero product adding 0
    (docs/swar.md): unsigned sum of the b-bit products, carries added back
    into the b-bit accumulator until none is left, and counted."""
    u = int(sum(int(p) if p > 0 else int(p) + (1 << b) for p in v if p != 0))
    ci, ri, c = u, 0, 0
    while ci != 0:
        ci, ri = (ci + ri) >> b, (ci + ri) % (1 << b)
        c += ci
    return c


def im2col(x):
    """(B, C, H, W) -> (B, C*9, H*W), 3x3 taps with zero padding 1, rows in
    the (c, kh, kw) order of OIHW weights."""
    bsz, c, h, w = x.shape
    xp = np.zeros((bsz, c, h + 2, w + 2), x.dtype)
    xp[:, :, 1:-1, 1:-1] = x
    cols = np.empty((bsz, c, 3, 3, h, w), x.dtype)
    for i in range(3):
        for j in range(3):
            cols[:, :, i, j] = xp[:, :, i:i + h, j:j + w]
    return cols.reshape(bsz, c * 9, h * w)


@unittest.skipIf(torch is None, "torch is not installed (the training's dependency)")
class TestCarryRegulariser(unittest.TestCase):
    def case(self, salt, weights):
        r = rng(900 + salt)
        bsz, c, m, h, w = 6, 5, 4, 5, 4
        x = r.integers(0, 32, (bsz, c, h, w)).astype(np.int64)
        x[r.random(x.shape) < 0.3] = 0                  # zero activations: no product
        if weights == "binary":
            wc = r.choice(np.array([-1, 1]), (m, c, 3, 3))
        else:
            wc = r.integers(-1, 2, (m, c, 3, 3))
        return x, wc.astype(np.int64)

    def direct(self, x, wc):
        """Per image and output, Algorithm 1 on the products."""
        cols = im2col(x)                                   # (B, K, P)
        codes = wc.reshape(len(wc), -1)                    # (M, K)
        bsz, _, p = cols.shape
        out = np.zeros((bsz, len(codes), p), np.int64)
        for i in range(bsz):
            for mi in range(len(codes)):
                for pi in range(p):
                    out[i, mi, pi] = algorithm1(codes[mi] * cols[i, :, pi])
        return out

    def test_count_and_variance(self):
        for salt, weights in enumerate(("binary", "ternary")):
            x, wc = self.case(salt, weights)
            want = self.direct(x, wc)
            xt = torch.tensor(x, dtype=torch.float32)
            wt = torch.tensor(wc, dtype=torch.float32)
            got = W.carry_count(xt, wt).numpy()
            self.assertTrue(np.array_equal(got.reshape(want.shape), want.astype(np.float32)),
                            f"{weights}: carry_count != Algorithm 1")
            # the same with z given, as Net.forward passes it
            z = torch.nn.functional.conv2d(xt, wt, padding=1)
            self.assertTrue(np.array_equal(W.carry_count(xt, wt, z).numpy(), got))
            # R^c: eq. 3's batch mean, eq. 4's population variance per neuron,
            # averaged over the neurons
            mean = want.mean(0)
            var = ((want - mean) ** 2).mean(0)
            rc = float(W.carry_variance(torch.tensor(got))) / got[0].size
            self.assertAlmostEqual(rc, var.mean(), delta=1e-4 * max(1.0, var.mean()))
            self.assertGreater(var.mean(), 0.0, "a test that cannot fail")

    def test_against_library(self):
        """carry_count == the library's Algorithm 1 count (wg_swar_gemm, carry
        mode), the count the SWAR inference reports."""
        x, wc = self.case(7, "ternary")
        cols = im2col(x.astype(np.uint8))                 # (B, K, P)
        bsz, k, p = cols.shape
        xk = np.ascontiguousarray(cols.transpose(1, 0, 2).reshape(k, bsz * p))
        codes = wc.reshape(len(wc), -1).astype(np.int8)
        with wg.Context(threads=1) as ctx, ctx.pack(codes, wg.WeightFormat.TERNARY) as pw:
            res = wg.swar_gemm(pw, xk, mode="carry", reg_bits=32, act_bits=8, acc_bits=8,
                               output=wg.Output.INT32, carries=True)
        lib = res.carries.reshape(len(codes), bsz, p).transpose(1, 0, 2)
        got = W.carry_count(torch.tensor(x, dtype=torch.float32),
                            torch.tensor(wc, dtype=torch.float32)).numpy()
        self.assertTrue(np.array_equal(got.reshape(lib.shape), lib.astype(np.float32)))

    def test_gradient(self):
        """The straight-through floor: dc/dz = 1 / 255; tanh' for the sign of x."""
        x, wc = self.case(3, "binary")
        xt = torch.tensor(x, dtype=torch.float32, requires_grad=True)
        wt = torch.tensor(wc, dtype=torch.float32)
        z = torch.nn.functional.conv2d(xt.detach(), wt, padding=1).requires_grad_(True)
        W.carry_count(xt, wt, z).sum().backward()
        self.assertTrue(torch.allclose(z.grad, torch.full_like(z, 1 / 255.0)))
        self.assertTrue(torch.isfinite(xt.grad).all() and xt.grad.abs().sum() > 0)

    def test_off_by_default(self):
        """Net's forward is unchanged with the regulariser off (the default)
        and computes the same logits with it on."""
        torch.manual_seed(0)
        net = W.Net("small")
        net.wtype, net.quant_acts = "binary", True
        net.steps, net.bits = [None, 0.05, 0.05, 0.05, 0.05], [8, 4, 4, 4, 8]
        net.eval()
        x = torch.tensor(rng(5).integers(0, 256, (3, 28, 28)), dtype=torch.uint8)
        self.assertFalse(net.carry_reg)
        with torch.no_grad():
            off = net(x)
            net.carry_reg = True
            on = net(x)
        self.assertTrue(torch.equal(off, on))
        self.assertGreater(float(net.carry_reg_value), 0.0)
        self.assertEqual(sorted(net.carry_stats), [1, 2, 3])


if __name__ == "__main__":
    unittest.main()
