"""WrapNet on Fashion-MNIST: data, weight quantizers, the network, calibration.

Two architectures (ARCHS; train.py / export.py --arch).  "small", the
default (the models of `make demo`), VGG-7 scaled down to 28x28 inputs:

    L0  conv3x3  1 -> 16  full precision, BN, ReLU, maxpool 2     28 -> 14
    L1  conv3x3 16 -> 32  quantized (K = 144), BN, ReLU, maxpool 2 14 -> 7
    L2  conv3x3 32 -> 64  quantized (K = 288), BN, ReLU            7
    L3  conv3x3 64 -> 64  quantized (K = 576), BN, ReLU, maxpool 2  7 -> 3
    L4  dense 576 -> 10   full precision

"vgg7", VGG-7's six convolutions and classifier (issue 20 item 1), with
widths chosen for the shared 2-core CPU (docs/wrapnet.md, "The deeper
net") and the last convolution at the paper's depth order, K = 2304:

    L0  conv3x3   1 -> 32   full precision, maxpool 2   28 -> 14
    L1  conv3x3  32 -> 32   quantized (K = 288)          14
    L2  conv3x3  32 -> 64   quantized (K = 288), maxpool 14 -> 7
    L3  conv3x3  64 -> 64   quantized (K = 576)          7
    L4  conv3x3  64 -> 256  quantized (K = 576), maxpool 7 -> 3
    L5  conv3x3 256 -> 256  quantized (K = 2304)         3
    L6  dense 2304 -> 10    full precision
    (every conv: BN, ReLU; the paper's hidden 1024-wide dense layer is left out)

A quantized layer computes, in units of codes, z = sum_k W[m,k] * X[k,n] with
integer weight codes W and activation codes X; then c = cyclic(wrap_b(z)) in
WrapNet, y = BN(c * step * alpha[m]), ReLU and the next layer's quantizer.
Everything below is written so that the integer simulation in export.py and
the C library compute the same bits (see export.py).
"""
import gzip
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import calib

DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


class Arch:
    """A stack of 3x3 convolutions (pad 1; BN, ReLU, optional 2x2 max pool)
    on 28x28 images and a dense classifier.  Layer 0 and the classifier are
    full precision; convolutions 1 .. n_conv-1 are the quantized layers.
    Index n_conv (= fc) is the classifier in steps / bits lists."""

    def __init__(self, name, channels, pool_after):
        self.name, self.channels, self.pool_after = name, channels, pool_after
        self.n_conv = len(channels) - 1
        self.fc = self.n_conv
        self.quant_layers = tuple(range(1, self.n_conv))
        self.geo, h = [], 28
        for p in pool_after:
            self.geo.append((h, h))
            h = h // 2 if p else h
        self.fc_in = channels[-1] * h * h


ARCHS = {a.name: a for a in (
    Arch("small", (1, 16, 32, 64, 64), (True, True, False, True)),
    Arch("vgg7", (1, 32, 32, 64, 64, 256, 256), (True, False, True, False, True, False)),
)}
# Full-precision layers are exported as 12-bit fixed-point codes so that their
# sums are exact int32 in both Python and C (2047 * 255 * 2304 < 2^31; the
# largest full-precision depth is vgg7's classifier).
FP_CODE_MAX = 2047
# SAWB (PACT/SAWB paper, eq. 7) regression coefficients for 4 bins.
SAWB_C1, SAWB_C2 = 2.587, 1.693


def load_idx(name):
    with gzip.open(os.path.join(DATA_DIR, name), "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(train):
    p = "train" if train else "t10k"
    x = load_idx(p + "-images-idx3-ubyte.gz")
    y = load_idx(p + "-labels-idx1-ubyte.gz")
    return torch.from_numpy(x.copy()), torch.from_numpy(y.astype(np.int64))


class STE(torch.autograd.Function):
    """Forward: the quantized value exactly; backward: identity to the input."""

    @staticmethod
    def forward(ctx, x, q):
        return q

    @staticmethod
    def backward(ctx, g):
        return g, None


def weight_codes(w, wtype):
    """Float weights (M, ...) -> (integer codes as float, per-channel scale).

    binary: BWN, codes sign(w) (0 -> +1), alpha_m = mean |w_m|.
    ternary: TWN, delta = 0.7 mean |w_m|, alpha_m = mean of |w| above delta.
    sawb2: SAWB with 4 bins, one alpha per layer, levels {-3,-1,1,3} * alpha/3.
    """
    m = w.shape[0]
    flat = w.detach().reshape(m, -1)
    if wtype == "binary":
        codes = torch.where(flat >= 0, 1.0, -1.0)
        alpha = flat.abs().mean(1)
    elif wtype == "ternary":
        delta = 0.7 * flat.abs().mean(1, keepdim=True)
        mask = (flat.abs() > delta).float()
        codes = torch.sign(flat) * mask
        alpha = (flat.abs() * mask).sum(1) / mask.sum(1).clamp(min=1)
    elif wtype == "sawb2":
        a = SAWB_C1 * flat.pow(2).mean().sqrt() - SAWB_C2 * flat.abs().mean()
        a = torch.clamp(a, min=1e-8)
        u = flat / (a / 3)
        codes = torch.clamp(2 * torch.floor(u / 2) + 1, -3, 3)
        alpha = torch.full((m,), float(a / 3))
    else:
        raise ValueError(wtype)
    alpha = torch.clamp(alpha, min=1e-8)
    return codes.reshape(w.shape), alpha


def cyclic(z, b, k):
    """Smooth modulo of the paper, section 3: the float form of
    wg_cyclic_apply(wg_wrap(z, b), b, WG_CYCLIC_SMOOTH, k), identical on
    integer inputs (remainder of integers below 2^24 is exact in float32).
    k = 0 stands for k -> infinity, the bare modulo wg_wrap(z, b) (the
    paper's Table 2, last column; its gradient is 1 everywhere)."""
    h = float(1 << (b - 1))
    m = torch.remainder(z + h, 2 * h) - h
    if k == 0:
        return m
    inner = (k + 1) * m.abs() <= k * h
    return torch.where(inner, m, torch.where(m > 0, k * h - k * m, -k * h - k * m))


def carry_count(x, w, z=None, b=8):
    """Algorithm 1 of the paper's appendix A, per output of conv2d(x, w,
    padding=1): the number of carries out of a b-bit accumulator when the
    products v_k = w_k x_k are summed as unsigned b-bit numbers and every
    carry is added back until none is left (the library's `carries`,
    docs/swar.md).  x: activation codes >= 0 (B, C, H, W); w: weight codes in
    {-1, 0, +1} (M, C, 3, 3); z: conv2d(x, w, padding=1) if already computed.

    With N the number of negative products, u = sum_k (v_k mod 2^b) =
    z + 2^b N and the loop ends with u = r + (2^b - 1) c, r in 1 .. 2^b - 1,
    so c = floor((u - 1) / (2^b - 1)) (0 for u = 0; a zero product adds 0).
    N = conv2d([x > 0], [w < 0]) exactly, and [w < 0] = w (w - 1) / 2 on
    {-1, 0, 1}.  Gradients (appendix A.1): the sign of x is replaced by tanh
    (forward exact, backward tanh'), the floor by a straight-through
    estimator (gradient 1 / (2^b - 1))."""
    t = torch.tanh(x)
    px = t + ((x > 0).float() - t).detach()
    nw = w * (w - 1) * 0.5
    n = F.conv2d(px, nw, padding=1)
    if z is None:
        z = F.conv2d(x, w, padding=1)
    u = z + float(1 << b) * n
    smooth = (u - 1) / float((1 << b) - 1)
    exact = torch.where(u > 0, torch.floor(smooth.detach()), torch.zeros_like(u))
    return smooth + (exact - smooth).detach()


def carry_variance(c):
    """Eq. 4 of appendix A.1: each output's (neuron's) population variance of
    its carry count over the batch (dim 0), summed over the neurons;
    divided by c[0].numel() it is the mean variance, the regulariser R^c."""
    return c.var(0, unbiased=False).sum()


def swar_lane_carries(x, w, lanes=4):
    """The carries that enter a neighbouring lane in wg_swar_gemm's CARRY
    mode (docs/swar.md), per output of conv2d(x, w, padding=1): `lanes`
    8-bit lanes per register packed along K = the im2col depth in the
    (c, kh, kw) order of OIHW weights, lane l holding depths k = gL + l.
    Lane l's sum of bytes is S_l = sum_{k in l} (w_k x_k mod 2^8) = z_l + 2^8 N_l
    (z_l its exact sum, N_l its products w < 0 with x > 0); the carry into
    lane l + 1 is C_{l+1} = floor((S_l + C_l) / 2^8), C_0 = 0, and the lane sum
    is z + C_1 + ... + C_{L-1} mod 2^8: this returns that sum of carries.
    x: activation codes >= 0 (B, C, H, W); w: codes in {-1, 0, +1}.  float32 is
    exact: every sum is an integer below 2^24 and / 2^8 is exact.  Costs two
    convolutions with (lanes - 1) M outputs (about 6 times the layer's own
    forward at 4 lanes); no gradient."""
    with torch.no_grad():
        m, c = w.shape[:2]
        k = torch.arange(c * 9, device=w.device).reshape(1, c, 3, 3) % lanes
        masks = [(k == lane).to(w.dtype) for lane in range(lanes - 1)]
        wl = torch.cat([w * mk for mk in masks])
        nl = torch.cat([(w < 0).to(w.dtype) * mk for mk in masks])
        s = F.conv2d(x, wl, padding=1) + 256.0 * F.conv2d((x > 0).to(x.dtype), nl, padding=1)
        carry, total = torch.zeros_like(s[:, :m]), torch.zeros_like(s[:, :m])
        for lane in range(lanes - 1):
            carry = torch.floor((s[:, lane * m:(lane + 1) * m] + carry) * (1.0 / 256))
            total = total + carry
    return total


def carry_correction(sums, n):
    """wg_swar_carry_stats' `correction` from per-output sums of lane carries
    over n images: the mean rounded half up, floor((2 s + n) / (2 n)), exact
    in int64 (float32 tensor of the sums' shape)."""
    s = sums.round().to(torch.int64)
    return torch.div(2 * s + n, 2 * n, rounding_mode="floor").to(torch.float32)


class Net(nn.Module):
    def __init__(self, arch="small"):
        super().__init__()
        self.arch = ARCHS[arch]
        c, n = self.arch.channels, self.arch.n_conv
        self.convs = nn.ModuleList(
            [nn.Conv2d(c[i], c[i + 1], 3, padding=1, bias=False) for i in range(n)])
        self.bns = nn.ModuleList([nn.BatchNorm2d(c[i + 1]) for i in range(n)])
        self.fc = nn.Linear(self.arch.fc_in, 10)
        self.wtype = None          # None: float weights everywhere
        self.steps = None          # per quantized layer input step, and the FC input step
        self.bits = None           # activation bits of those inputs
        self.quant_acts = False
        self.cyclic_bits = 0       # 0: no cyclic activation
        self.slope = 2
        self.penalty_bits = 8
        self.penalty = torch.zeros(())
        self.pact = False          # True after enable_pact (train.py --pact)
        # R^c (appendix A.1; train.py --rc): with carry_reg on, forward sets
        # self.carry_reg_value to the mean over the neurons of the layers in
        # carry_layers (None: every quantized layer) of the batch variance of
        # their Algorithm 1 carry counts at carry_bits, and carry_stats to
        # {layer: (mean count, mean variance)}.  Off by default: nothing is
        # computed and nothing changes.
        self.carry_reg = False
        self.carry_layers = None
        self.carry_bits = 8
        self.carry_reg_value = torch.zeros(())
        self.carry_stats = {}
        # Simulated SWAR carries (train.py phases carry8 / hybrid): quantized
        # layer -> its mean-carry correction (M, H, W) or None; in forward,
        # z + lane carries - correction replaces z (swar_lane_carries), as
        # wg_swar_gemm's CARRY mode computes it with carry_lanes lanes.
        self.carry_sim = {}
        self.carry_lanes = 4
        # Per-layer accumulator widths (the hybrid's buffer-bit layers: 7),
        # {layer: b}; layers not named use cyclic_bits.  None: none.
        self.acc_bits = None
        self._cvar, self._cneurons = torch.zeros(()), 0

    # PACT (PACT/SAWB paper, section 3), an option: a learnable clipping level
    # alpha per quantized layer's input, y = clip(x, 0, alpha), quantized with
    # step alpha / (2^ba - 1); rounding has a straight-through estimator and
    # dy_q/dalpha = 1 where x >= alpha, else 0 (the paper's eq. 3).  Without
    # enable_pact nothing below changes the network (no parameter is added).
    def enable_pact(self, clips):
        """Adds the parameter pact_alpha (one per quantized layer),
        initialised to clips[i]; self.bits must already be set."""
        self.pact = True
        self.pact_alpha = nn.Parameter(
            torch.tensor([float(clips[i]) for i in self.arch.quant_layers],
                         dtype=torch.float32))

    def pact_alphas(self):
        return [float(a) for a in self.pact_alpha.detach()]

    def pact_l2(self):
        """The paper's L2 regulariser of alpha: sum of alpha^2 / 2."""
        return 0.5 * (self.pact_alpha ** 2).sum()

    def in_step(self, i):
        """The input step of quantized layer i: with PACT, alpha / (2^ba - 1)."""
        ql = self.arch.quant_layers
        if self.pact and i in ql:
            return float(self.pact_alpha[ql.index(i)].detach()) / ((1 << self.bits[i]) - 1)
        return self.steps[i]

    def sync_pact_steps(self):
        """Writes the learned clips into self.steps (what checkpoints and the
        export use): steps[i] = alpha_i / (2^ba - 1)."""
        for i in self.arch.quant_layers:
            self.steps[i] = self.in_step(i)

    def quantize_input(self, h, i):
        """Input of quantized layer i (or of the FC for i = arch.fc) in code units."""
        ql = self.arch.quant_layers
        if self.pact and i in ql:
            a = self.pact_alpha[ql.index(i)]
            # clip(h, 0, alpha): d/dalpha = 1 where h >= alpha, d/dh = 1 below
            h = torch.where(h >= a, a, h.clamp(min=0))
            xs = h / self.in_step(i)   # detached step: alpha's gradient is the clip's
        else:
            xs = h / self.steps[i]
        if not self.quant_acts:
            return xs
        qmax = float((1 << self.bits[i]) - 1)
        xc = xs.clamp(0, qmax)
        return STE.apply(xc, torch.round(xc))   # torch.round: half to even

    def layer_bits(self, i):
        """Accumulator width b of quantized layer i: self.acc_bits[i] where
        set (the hybrid net: 7 on its buffer-bit layers), else cyclic_bits."""
        if self.acc_bits and i in self.acc_bits:
            return self.acc_bits[i]
        return self.cyclic_bits

    def forward(self, x):
        h = x.float() / 255.0
        h = h.unsqueeze(1) if h.dim() == 3 else h
        self.penalty = torch.zeros((), device=h.device)
        self._cvar, self._cneurons, self.carry_stats = torch.zeros((), device=h.device), 0, {}
        for i in range(self.arch.n_conv):
            h = self.layer(i, h)
        self.carry_reg_value = self._cvar / max(self._cneurons, 1)
        h = h.flatten(1)
        if self.steps is not None and self.quant_acts:
            fc = self.arch.fc
            h = self.quantize_input(h, fc) * self.steps[fc]
        return self.fc(h)

    def layer(self, i, h, lane_sums=None):
        """Conv layer i (with BN, ReLU, pooling) on h.  Quantized layers in
        self.carry_sim get the SWAR carry mode's lane carries added to z
        minus their correction (straight-through: the carries are a
        constant to the gradient); lane_sums (a list) collects their lane
        carries per output, summed over the batch, instead of adding them
        (calibrate_carries)."""
        conv, bn = self.convs[i], self.bns[i]
        if i in self.arch.quant_layers and self.wtype is not None:
            codes, alpha = weight_codes(conv.weight, self.wtype)
            wc = STE.apply(conv.weight / alpha.view(-1, 1, 1, 1), codes)
            step = self.in_step(i) if self.steps is not None else 1.0
            xin = self.quantize_input(h, i) if self.steps is not None else h
            z = F.conv2d(xin, wc, padding=1)
            b = self.layer_bits(i)
            pb = b if (self.acc_bits and i in self.acc_bits) else self.penalty_bits
            self.penalty = self.penalty + F.relu(z.abs() - float(1 << (pb - 1))).mean()
            if self.carry_reg and (self.carry_layers is None or i in self.carry_layers):
                c = carry_count(xin, wc, z, self.carry_bits)
                v = carry_variance(c)
                self._cvar, self._cneurons = self._cvar + v, self._cneurons + c[0].numel()
                self.carry_stats[i] = (float(c.detach().mean()),
                                       float(v.detach()) / c[0].numel())
            if i in self.carry_sim:
                lc = swar_lane_carries(xin.detach(), codes, self.carry_lanes)
                if lane_sums is not None:
                    lane_sums.append(lc.double().sum(0))
                else:
                    corr = self.carry_sim[i]
                    z = z + (lc - (corr if corr is not None else 0.0))
            if self.cyclic_bits:
                z = cyclic(z, b, self.slope)
            h = z * (step * alpha.view(1, -1, 1, 1))
        else:
            h = conv(h)
        h = F.relu(bn(h))
        if self.arch.pool_after[i]:
            h = F.max_pool2d(h, 2)
        return h

    def calibrate_carries(self, x, bs=500):
        """The deployed path's mean-carry correction (table5.py, Net.calibrate)
        of every layer in self.carry_sim: in network order, each layer's
        rounded mean lane-carry count per output over the images x, on the
        inputs of the corrected layers before it (eval mode), stored in
        self.carry_sim.  The rounding is wg_swar_carry_stats' (half up)."""
        was, reg = self.training, self.carry_reg
        self.eval()
        self.carry_reg = False
        with torch.no_grad():
            hs = []
            for j in range(0, len(x), bs):
                h = x[j:j + bs].float() / 255.0
                hs.append(h.unsqueeze(1) if h.dim() == 3 else h)
            for i in range(self.arch.n_conv):
                if i in self.carry_sim:
                    sums = []
                    for h in hs:
                        self.layer(i, h, lane_sums=sums)
                    self.carry_sim[i] = carry_correction(sum(sums), len(x))
                hs = [self.layer(i, h) for h in hs]
        self.train(was)
        self.carry_reg = reg


def evaluate(net, x, y, bs=1000):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), bs):
            correct += (net(x[i:i + bs]).argmax(1) == y[i:i + bs]).sum().item()
    return 100.0 * correct / len(x)


def overflow_rate(xcodes, wcodes, b):
    """Share of outputs whose exact sum lies outside [-2^(b-1), 2^(b-1)).
    float32 is exact here: every product and partial sum is an integer below
    2304 * 255 * 3 < 2^24, so no summation order can round."""
    z = F.conv2d(xcodes, wcodes, padding=1)
    h = float(1 << (b - 1))
    return ((z < -h) | (z >= h)).double().mean().item()


def calibrate(net, x, b, p, grid=8):
    """Section 3.2: per quantized layer, the step chosen by calib.search
    (the rule wg_calib_find_step follows too: the finest step on the grid
    clip * 2^(-j/grid), j = 0, 1, ..., at most 8-bit codes, whose b-bit
    overflow rate is at most p; the coarsest if none is).  Codes are made
    as the library makes them (calib.codes: float32 division, round half to
    even, clamp).  Layers are calibrated in order, each on inputs produced
    with the steps already chosen for the layers before it.  The clip is the
    99.99th percentile of the layer's float input.  Returns steps, bits,
    rates."""
    n = net.arch.fc + 1
    steps, bits, rates = [None] * n, [8] * n, [0.0] * n
    net.eval()
    for li in net.arch.quant_layers:
        steps[li], bits[li], rates[li] = calibrate_layer(net, x, li, b, p, steps, bits, grid)
    # FC input: 8-bit codes up to the 99.99th percentile.
    fc = net.arch.fc
    h = layer_input(net, x, fc, steps, bits)
    steps[fc], bits[fc] = percentile(h, 0.9999, fc) / 255.0, 8
    return steps, bits, rates


def calibrate_layer(net, x, li, b, p, steps, bits, grid=8, max_bits=8):
    """calibrate()'s step search for quantized layer li alone, on inputs made
    with the steps / bits of the layers before it; codes of at most
    max_bits bits (7 for a buffer-bit layer's 7-bit lanes).  Returns
    (step, bits, overflow rate)."""
    h = layer_input(net, x, li, steps, bits)
    hn = h.numpy()
    wcodes = weight_codes(net.convs[li].weight, net.wtype)[0]
    clip = float(np.float32(percentile(h, 0.9999, li)))

    def rate_at(step, ba):
        xc = torch.from_numpy(calib.codes(hn, step, ba).astype(np.float32))
        return overflow_rate(xc, wcodes, b)

    _, step, ba, r = calib.search(calib.grid(clip, grid), rate_at, p)
    if ba > max_bits:
        raise ValueError(f"L{li}: the step search chose {ba}-bit codes, lanes hold {max_bits}")
    print(f"  calib L{li}: clip {clip:.4f} step {float(step):.5f} bits {ba} "
          f"overflow({b}) {100 * r:.2f}%", flush=True)
    return float(step), ba, r


def calibrate_pact(net, x, b, p, clips=None):
    """Calibration with PACT (train.py --pact).  The clip of quantized layer i
    is clips[i] (a learned alpha) or, where clips is None, the 99.99th
    percentile as in calibrate().  PACT ties the step to the clip,
    step = clip / (2^ba - 1), so the free choice is the bit width; the rule
    is calibrate()'s (calib.search): the most bits ba (1..8, i.e. the
    smallest step) whose step overflows a b-bit accumulator on at most p of
    the outputs, 1 bit if none does.
    Returns steps, bits, rates and the clips used (the initial alphas)."""
    n = net.arch.fc + 1
    steps, bits, rates, used = [None] * n, [8] * n, [0.0] * n, [None] * n
    net.eval()
    for li in net.arch.quant_layers:
        h = layer_input(net, x, li, steps, bits)
        wcodes = weight_codes(net.convs[li].weight, net.wtype)[0]
        clip = clips[li] if clips is not None else percentile(h, 0.9999, li)

        def rate_at(step, ba):
            xc = torch.clamp(torch.round(h / step), 0, (1 << ba) - 1)
            return overflow_rate(xc, wcodes, b)

        _, step, ba, r = calib.search(calib.pact_grid(clip), rate_at, p)
        steps[li], bits[li], rates[li] = step, ba, r
        used[li] = clip
        print(f"  calib (PACT) L{li}: clip {clip:.4f} step {step:.5f} bits {ba} "
              f"overflow({b}) {100 * r:.2f}%", flush=True)
    fc = net.arch.fc
    h = layer_input(net, x, fc, steps, bits)
    steps[fc], bits[fc] = percentile(h, 0.9999, fc) / 255.0, 8
    return steps, bits, rates, used


def percentile(h, q, seed):
    flat = h.flatten()
    idx = torch.randperm(flat.numel(), generator=torch.Generator().manual_seed(seed))
    return torch.quantile(flat[idx[:1000000]], q).item()


def layer_input(net, x, li, steps, bits):
    """Float input of layer li (arch.fc: the FC) with layers before li quantized at
    their steps (activations quantized) and no cyclic activation."""
    saved = (net.steps, net.bits, net.quant_acts, net.cyclic_bits)
    outs = []
    with torch.no_grad():
        for i in range(0, len(x), 500):
            h = x[i:i + 500].float().unsqueeze(1) / 255.0
            for k in range(li):
                conv, bn = net.convs[k], net.bns[k]
                if k in net.arch.quant_layers:
                    codes, alpha = weight_codes(conv.weight, net.wtype)
                    qmax = (1 << bits[k]) - 1
                    xc = torch.clamp(torch.round(h / steps[k]), 0, qmax)
                    h = F.conv2d(xc, codes, padding=1) * (steps[k] * alpha.view(1, -1, 1, 1))
                else:
                    h = conv(h)
                h = F.relu(bn(h))
                if net.arch.pool_after[k]:
                    h = F.max_pool2d(h, 2)
            outs.append(h)
    net.steps, net.bits, net.quant_acts, net.cyclic_bits = saved
    return torch.cat(outs)
