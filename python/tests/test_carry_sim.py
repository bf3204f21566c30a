"""The training's simulation of the SWAR carry mode (scripts/wrapnet/
wrapnet.py swar_lane_carries, carry_correction; train.py phases carry8 and
hybrid) against the C library: wg_swar_gemm in CARRY mode with 32-bit
registers (four 8-bit lanes, table5.py's deployed path) returns, per
output, the carries that entered a neighbouring lane and the wrapped lane
sum z + lane carries - correction; the simulation must give the same
integers, on random layers and on the committed deeper net's real layers
and activations.  Needs torch (the training's dependency): skipped
without it."""
import os
import sys
import unittest

import numpy as np

from .common import REPO, rng, wg
from . import wrapnet_sim as sim
from .test_carry_reg import im2col

try:
    import torch
    import torch.nn.functional as F
    sys.path.insert(0, os.path.join(REPO, "scripts", "wrapnet"))
    import wrapnet as W
except ImportError:          # no torch: the lane still runs everything else
    torch = None

MODEL = os.path.join(REPO, "models", "fmnist-vgg7-binary-wrap8.wgm")


def library(codes, x, fmt, act_bits, corr=None, reg_bits=32):
    """(lane carries, int8 output = wrap_8(z + lane carries - corr)) per
    output (B, M, H*W) from wg_swar_gemm in CARRY mode; codes (M, C, 3, 3),
    x (B, C, H, W) uint8, corr (M, H*W) int32 or None."""
    bsz, m, p = len(x), codes.shape[0], x.shape[2] * x.shape[3]
    cols = np.ascontiguousarray(im2col(x).transpose(1, 0, 2).reshape(codes[0].size, bsz * p))
    cc = None
    if corr is not None:
        cc = np.ascontiguousarray(np.broadcast_to(corr.reshape(m, 1, p), (m, bsz, p)))
        cc = cc.reshape(m, bsz * p)
    with wg.Context(threads=1) as ctx, ctx.pack(codes.reshape(m, -1).astype(np.int8), fmt) as w:
        res = wg.swar_gemm(w, cols, mode="carry", reg_bits=reg_bits, act_bits=act_bits,
                           acc_bits=8, output="int8", lane_carries=True,
                           carry_correction=cc)

    def per_image(a):
        return a.reshape(m, bsz, p).transpose(1, 0, 2)
    return per_image(res.lane_carries).astype(np.int64), per_image(res.y).astype(np.int64)


def simulated(codes, x, corr=None, lanes=4):
    """The same from the training's simulation: (lane carries, the wrapped
    sum through wrapnet.cyclic with k = 0, the bare modulo)."""
    xt = torch.from_numpy(x.astype(np.float32))
    wt = torch.from_numpy(codes.astype(np.float32))
    lc = W.swar_lane_carries(xt, wt, lanes)
    z = F.conv2d(xt, wt, padding=1) + lc
    if corr is not None:
        z = z - torch.from_numpy(corr.astype(np.float32)).reshape(1, *z.shape[1:])
    y = W.cyclic(z, 8, 0)
    m = codes.shape[0]
    return (lc.reshape(len(x), m, -1).numpy().astype(np.int64),
            y.reshape(len(x), m, -1).numpy().astype(np.int64),
            F.conv2d(xt, wt, padding=1).reshape(len(x), m, -1).numpy().astype(np.int64))


@unittest.skipIf(torch is None, "torch is not installed (the training's dependency)")
class TestCarrySimulation(unittest.TestCase):
    def check(self, codes, x, fmt, act_bits, corr, what):
        lc_c, y_c = library(codes, x, fmt, act_bits, corr)
        lc_s, y_s, z = simulated(codes, x, corr)
        self.assertTrue(np.array_equal(lc_s, lc_c), f"{what}: lane carries differ")
        self.assertTrue(np.array_equal(y_s, y_c), f"{what}: wrapped lane sums differ")
        # the check can fail: carries occur, so the sum is not the exact one
        exact = (z + 128) % 256 - 128
        self.assertGreater(int((lc_c > 0).sum()), 0, what)
        self.assertFalse(np.array_equal(y_c, exact), f"{what}: no output moved by carries")
        return lc_c

    def test_random_layers(self):
        r = rng(950)
        for i in range(12):
            fmt = wg.WeightFormat.BINARY if i % 2 == 0 else wg.WeightFormat.TERNARY
            bsz, c, m, h = int(r.integers(1, 4)), int(r.integers(4, 20)), int(r.integers(1, 9)), \
                int(r.integers(2, 7))
            ab = int(r.integers(4, 9))                # lane sums past 2^8: carries
            if fmt == wg.WeightFormat.BINARY:
                codes = r.choice(np.array([-1, 1]), (m, c, 3, 3))
            else:
                codes = r.integers(-1, 2, (m, c, 3, 3))
            x = r.integers(0, 1 << ab, (bsz, c, h, h)).astype(np.uint8)
            x[r.random(x.shape) < 0.2] = 0
            if i % 4 == 3:
                x[:] = (1 << ab) - 1                  # the largest lane sums
            corr = r.integers(-5, 40, (m, h * h)).astype(np.int32) if i % 3 == 0 else None
            self.check(codes, x, fmt, ab, corr, f"random {i}: C={c} M={m} ab={ab}")

    def test_model_layers(self):
        """The committed binary WrapNet-8 of the deeper net: each quantized
        layer on its real input codes (the integer simulation of 4 test
        images), with the correction computed the deployed way: the
        simulation's rounded mean against wg_swar_carry_stats'."""
        model = sim.read_model(MODEL)
        pixels = np.stack([np.full((28, 28), 0, np.uint8), *self.images(3)])
        outs = sim.simulate(model, pixels)
        for li, L in enumerate(model["layers"]):
            if not L["quantized"]:
                continue
            x = outs[li - 1].astype(np.uint8)
            codes = L["codes"].reshape(L["cout"], L["cin"], 3, 3)
            lc = self.check(codes, x, wg.WeightFormat.BINARY, L["in_bits"], None, f"L{li}")
            # the deployed correction from these images, then the corrected sums
            st = wg.swar_carry_stats(np.ascontiguousarray(lc.reshape(len(x), -1).astype(np.uint32)))
            mine = W.carry_correction(torch.from_numpy(lc.sum(0).astype(np.float64)), len(x))
            self.assertTrue(np.array_equal(mine.numpy().astype(np.int64).ravel(),
                                           st.correction.astype(np.int64)), f"L{li}: correction")
            corr = st.correction.reshape(L["cout"], -1)
            self.check(codes, x, wg.WeightFormat.BINARY, L["in_bits"], corr, f"L{li} corrected")

    def test_net_forward(self):
        """Net.layer with carry_sim equals the simulation on its own codes:
        the training forward adds z's lane carries minus the correction
        before the cyclic activation (checked through its gradient-free
        output against cyclic(z + lc - corr))."""
        torch.manual_seed(3)
        net = W.Net("small")
        net.wtype, net.cyclic_bits, net.slope, net.quant_acts = "binary", 8, 2, True
        net.steps = [None, 0.05, 0.05, 0.05, 0.02]
        net.bits = [8, 6, 6, 6, 8]
        net.eval()
        x = torch.from_numpy(np.stack(self.images(2)))
        h0 = net.layer(0, x.float().unsqueeze(1) / 255.0)
        net.carry_sim = {1: None}
        net.calibrate_carries(x)
        corr = net.carry_sim[1]
        xin = net.quantize_input(h0, 1)
        codes, alpha = W.weight_codes(net.convs[1].weight, "binary")
        z = F.conv2d(xin, codes, padding=1)
        lc = W.swar_lane_carries(xin, codes)
        self.assertGreater(float(lc.sum()), 0)
        want = W.cyclic(z + lc - corr, 8, 2) * (net.steps[1] * alpha.view(1, -1, 1, 1))
        want = F.max_pool2d(F.relu(net.bns[1](want)), 2)
        got = net.layer(1, h0)
        self.assertTrue(torch.equal(got, want))
        net.carry_sim = {}
        self.assertFalse(torch.equal(net.layer(1, h0), want))

    @staticmethod
    def images(n):
        r = rng(951)
        return [r.integers(0, 256, (28, 28)).astype(np.uint8) for _ in range(n)]


if __name__ == "__main__":
    unittest.main()
