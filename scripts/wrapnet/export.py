"""Exports trained checkpoints as wrapgemm model files, simulates them in
integers exactly as the C library computes, and writes golden vectors.

Usage: python3 export.py WORKDIR MODELDIR
       python3 export.py --eval WTYPE CHECKPOINT...   (ablations: accuracy only)

Model file (.wgm), little-endian; the C reader is examples/wrapnet_model.c:

    char magic[8]   "WGMODEL1"
    u32  n_layers
    u32  float_acts    1: activations stay float32 between layers (the float
                       and quantized-weight-only rows); 0: uint8 codes
    char name[32]      NUL-padded
    n_layers records:
      u32 kind         0: conv 3x3, stride 1, pad 1, NCHW input, OIHW weights
                       1: dense (the NCHW input flattened)
      u32 cin, cout, height, width      input geometry (dense: cin features, 1, 1)
      u32 pool         0, or 2: 2x2 max pool with stride 2 after the layer
      u32 wformat      wg_weight_format: 0 int, 1 ternary, 2 binary
      u32 wbits        int codes: 2..8 stored as int8, 12 stored as int16
                       (full-precision layers: 12-bit fixed point, per-row scale)
      u32 in_bits      activation code bits of the input (8 for pixels)
      u32 out_bits     code bits of the output, 0: float output (logits)
      u32 acc_bits     accumulator width b the layer was trained for (32: none)
      u32 cyclic       wg_cyclic: 0 none, 1 smooth
      u32 slope        k of the smooth cyclic activation
      u32 relu         0 or 1
      f32 scale[cout], f32 bias[cout]
      codes, cout x K row-major, K = cin*3*3 (OIHW order) or cin:
        binary/ternary: 2 bits per code holding code + 1, four per byte,
        first code in the low bits; int: int8 or int16 per code

A layer computes z = sum_k codes[m,k] * x[k] exactly, a = wrap_b(z),
c = cyclic(a), y = fmaf((float)c, scale[m], bias[m]), ReLU, then either the
next layer's code clamp(round_half_even(y), 0, 2^out_bits - 1) or, for
out_bits = 0, y itself.  With float_acts = 1, x and y stay float and
y = scale[m] * u + bias[m] with u the float sum (not bit-exact: float rows).
scale and bias fold the weight scale alpha[m], the input step, BatchNorm
and 1 / (the next layer's step).

Golden file (.wgg):
    char magic[8]   "WGGOLD01"
    u32  n_images, n_runs
    n_images x 784 pixel bytes
    n_runs records: u32 acc_bits, u32 cyclic (applied to the quantized layers;
      the full-precision ones keep 32 / none), then for every image and every
      layer, that layer's output after pooling: uint8 codes (NCHW) or, for the
      last layer, float32 logits.
"""
import ctypes
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

import wrapnet as W

# The integer simulation's accuracy is measured on the first CROSS test images:
# `wrapnet_demo --images 2000` must print the very same numbers (the full
# test set is the C side's job; numpy is slow on the shared machine).
CROSS = 2000
FORMAT = {"binary": 2, "ternary": 1, "sawb2": 0, "fp": 0}
WBITS = {"binary": 1, "ternary": 2, "sawb2": 3, "fp": 12}


def fmaf32(c, s, t):
    """fmaf(c, s, t) of float32 arrays, bit-exact with C's fmaf.

    In float64, p = c*s is exact (24 + 24 significand bits < 53); r = p + t
    is p + t rounded once, and TwoSum gives its exact error e.  Rounding r to
    float32 equals rounding p + t to float32 except when r lies exactly on a
    float32 halfway point and e != 0: then the exact value is on e's side of
    the tie, so r is moved one float64 ulp that way first (no float32 value
    or halfway point lies strictly between r and its neighbour).  Halfway
    points are detected on the bits: the 29 significand bits float32 drops
    equal 1 << 28 (all values here are float32-normal or zero)."""
    c64, s64, t64 = (np.asarray(v, np.float32).astype(np.float64) for v in (c, s, t))
    p = c64 * s64
    r = p + t64
    bb = r - p
    e = (p - (r - bb)) + (t64 - bb)
    bits = r.view(np.uint64)
    tie = (bits & np.uint64((1 << 29) - 1)) == np.uint64(1 << 28)
    fix = tie & (e != 0)
    r = np.where(fix, np.nextafter(r, np.where(e > 0, np.inf, -np.inf)), r)
    return r.astype(np.float32)


def check_fmaf32():
    """Cross-checks fmaf32 against the C library's fmaf, ties included."""
    libm = ctypes.CDLL("libm.so.6")
    libm.fmaf.restype = ctypes.c_float
    libm.fmaf.argtypes = [ctypes.c_float] * 3
    rng = np.random.default_rng(7)
    c = rng.integers(-40000, 40000, 20000).astype(np.float32)
    s = (rng.standard_normal(20000) * 0.01).astype(np.float32)
    t = (rng.standard_normal(20000)).astype(np.float32)
    # exact float32 halfway points p = c*s nudged by a tiny t: 3 * (1 + 2^-23)
    # is 3 + 1.5 ulp, so the correctly rounded answer follows the sign of t
    odd = rng.integers(0, 2000, 5000) * 2 + 3
    c[:5000] = odd.astype(np.float32)
    s[:5000] = np.float32(1 + 2.0 ** -23)
    t[:5000] = (rng.choice([-1.0, 1.0], 5000) * 1e-30).astype(np.float32)
    got = fmaf32(c, s, t)
    want = np.array([libm.fmaf(float(a), float(b), float(d)) for a, b, d in zip(c, s, t)],
                    np.float32)
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32)), "fmaf32 != libm fmaf"


def wrap(z, b):
    if b >= 32:
        return z
    h = 1 << (b - 1)
    return ((z + h) % (2 * h)) - h


def cyclic_int(a, b, k):
    h = 1 << (b - 1)
    inner = (k + 1) * np.abs(a) <= k * h
    return np.where(inner, a, np.where(a > 0, k * h - k * a, -k * h - k * a))


def bn_affine(bn):
    sd = torch.sqrt(bn.running_var.double() + bn.eps)
    g = bn.weight.detach().double() / sd
    return g, bn.bias.detach().double() - g * bn.running_mean.double()


def fixed_codes(w):
    """Full-precision weights as 12-bit fixed point with a per-row scale."""
    flat = w.detach().double().reshape(w.shape[0], -1)
    sc = flat.abs().max(1).values.clamp(min=1e-12) / W.FP_CODE_MAX
    return torch.round(flat / sc.view(-1, 1)).to(torch.int64), sc


def build_layers(net, kind):
    """The model's layer list (dicts) from a checkpointed network.
    kind: 'fp' (float net), 'qw' (quantized weights, float activations) or
    'int' (quantized weights and activations)."""
    layers = []
    geo = [(28, 28), (14, 14), (7, 7), (7, 7)]
    for i in range(4):
        conv, bn = net.convs[i], net.bns[i]
        g, beta = bn_affine(bn)
        quant = i in W.QUANT_LAYERS and kind != "fp"
        if quant:
            codes, alpha = W.weight_codes(conv.weight, net.wtype)
            codes = codes.reshape(codes.shape[0], -1).to(torch.int64)
            alpha = alpha.double()
            wtype = net.wtype
        else:
            codes, alpha = fixed_codes(conv.weight)
            wtype = "fp"
        if i == 0:
            alpha = alpha / 255.0  # pixels enter as codes 0..255
        in_step = net.steps[i] if (kind == "int" and quant) else 1.0
        next_step = net.steps[i + 1] if kind == "int" else 1.0
        if kind == "int" and i == 0:
            in_step = 1.0
        s = alpha * in_step * g / next_step
        t = beta / next_step
        layers.append(dict(
            kind=0, cin=W.CHANNELS[i], cout=W.CHANNELS[i + 1], h=geo[i][0], w=geo[i][1],
            pool=2 if W.POOL_AFTER[i] else 0, wtype=wtype, codes=codes.numpy(),
            in_bits=8 if i == 0 or kind != "int" else net.bits[i],
            out_bits=net.bits[i + 1] if kind == "int" else 0,
            acc_bits=net.cyclic_bits if (quant and net.cyclic_bits) else 32,
            cyclic=1 if (quant and net.cyclic_bits and kind == "int") else 0,
            slope=net.slope, relu=1,
            scale=s.float().numpy(), bias=t.float().numpy()))
    codes, sc = fixed_codes(net.fc.weight)
    in_step = net.steps[4] if kind == "int" else 1.0
    layers.append(dict(
        kind=1, cin=W.FC_IN, cout=10, h=1, w=1, pool=0, wtype="fp", codes=codes.numpy(),
        in_bits=8, out_bits=0, acc_bits=32, cyclic=0, slope=1, relu=0,
        scale=(sc * in_step).float().numpy(),
        bias=net.fc.bias.detach().float().numpy()))
    return layers


def run_int(layers, pixels, acc=None, cyc=None):
    """Integer simulation of an integer model on uint8 images (N, 28, 28).
    acc / cyc override the quantized layers' accumulator width and cyclic
    activation.  Returns every layer's output after pooling."""
    x = pixels.astype(np.float32)[:, None]
    outs = []
    for L in layers:
        q = L["wtype"] != "fp"
        b = (acc if acc is not None else L["acc_bits"]) if q else 32
        cy = (cyc if cyc is not None else L["cyclic"]) if q else 0
        cw = torch.from_numpy(L["codes"].astype(np.float32))
        if L["kind"] == 0:
            # float32 convolution of integers is exact: every partial sum is
            # an integer below 2047 * 255 * 9 < 2^24 (576 * 255 * 3 for the
            # quantized layers), whatever order the library adds in.
            z = F.conv2d(torch.from_numpy(x), cw.view(L["cout"], L["cin"], 3, 3),
                         padding=1).numpy().astype(np.int64)
        else:
            z = x.reshape(len(x), -1).astype(np.int64) @ L["codes"].astype(np.int64).T
        a = wrap(z, b)
        c = cyclic_int(a, b, L["slope"]) if cy == 1 else a
        shape = (1, -1, 1, 1) if L["kind"] == 0 else (1, -1)
        # (float)c: exact below 2^24; the dense layer's larger sums round to
        # nearest even through float64, exactly as C's int -> float.
        y = fmaf32(c.astype(np.float64).astype(np.float32), L["scale"].reshape(shape),
                   L["bias"].reshape(shape))
        if L["relu"]:
            y = np.maximum(y, np.float32(0))
        if L["out_bits"]:
            y = np.clip(np.rint(y), 0, (1 << L["out_bits"]) - 1).astype(np.uint8)
        if L["pool"]:
            n, ch, hh, ww = y.shape
            y = y[:, :, :hh // 2 * 2, :ww // 2 * 2].reshape(n, ch, hh // 2, 2, ww // 2, 2).max((3, 5))
        outs.append(y)
        x = y.astype(np.float32)
    return outs


def write_model(path, name, layers, float_acts):
    with open(path, "wb") as f:
        f.write(b"WGMODEL1")
        f.write(struct.pack("<II", len(layers), float_acts))
        f.write(name.encode()[:31].ljust(32, b"\0"))
        for L in layers:
            wb = WBITS[L["wtype"]]
            f.write(struct.pack("<13I", L["kind"], L["cin"], L["cout"], L["h"], L["w"],
                                L["pool"], FORMAT[L["wtype"]], max(wb, 2), L["in_bits"],
                                L["out_bits"], L["acc_bits"], L["cyclic"], L["slope"]))
            f.write(struct.pack("<I", L["relu"]))
            f.write(L["scale"].astype("<f4").tobytes())
            f.write(L["bias"].astype("<f4").tobytes())
            codes = L["codes"].reshape(-1)
            if L["wtype"] in ("binary", "ternary"):
                v = (codes + 1).astype(np.uint8)
                v = np.concatenate([v, np.zeros((-len(v)) % 4, np.uint8)]).reshape(-1, 4)
                f.write((v[:, 0] | v[:, 1] << 2 | v[:, 2] << 4 | v[:, 3] << 6).astype(np.uint8).tobytes())
            elif wb <= 8:
                f.write(codes.astype(np.int8).tobytes())
            else:
                f.write(codes.astype("<i2").tobytes())


def write_golden(path, layers, pixels, runs):
    with open(path, "wb") as f:
        f.write(b"WGGOLD01")
        f.write(struct.pack("<II", len(pixels), len(runs)))
        f.write(pixels.astype(np.uint8).tobytes())
        for acc, cyc in runs:
            f.write(struct.pack("<II", acc, cyc))
            outs = run_int(layers, pixels, acc, cyc)
            for i in range(len(pixels)):
                for o in outs:
                    f.write(o[i].astype("<f4" if o.dtype == np.float32 else np.uint8).tobytes())


def accuracy_int(layers, x, y, acc=None, cyc=None):
    correct = 0
    for i in range(0, len(x), 1000):
        logits = run_int(layers, x[i:i + 1000], acc, cyc)[-1]
        correct += int((logits.argmax(1) == y[i:i + 1000]).sum())
    return 100.0 * correct / len(x)


def load_net(path, wtype):
    d = torch.load(path)
    net = W.Net()
    net.load_state_dict(d["state"])
    net.wtype = wtype
    for key in ("steps", "bits", "quant_acts", "cyclic_bits", "slope", "penalty_bits"):
        if key in d:
            setattr(net, key, d[key])
    net.eval()
    return net


def evaluate_checkpoints(paths):
    """export.py --eval WTYPE CKPT...: integer-simulation accuracy on the full
    test set at each checkpoint's own accumulator width (ablations)."""
    wtype = paths[0]
    xte, yte = W.load_split(False)
    for p in paths[1:]:
        net = load_net(p, wtype)
        layers = build_layers(net, "int")
        acc = accuracy_int(layers, xte.numpy(), yte.numpy())
        print(f"{os.path.basename(p)}: k {net.slope} acc {net.cyclic_bits} bits "
              f"{net.bits[1:4]} integer accuracy {acc:.2f}%", flush=True)


def main():
    if sys.argv[1] == "--eval":
        evaluate_checkpoints(sys.argv[2:])
        return
    work, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    check_fmaf32()
    xte, yte = W.load_split(False)
    xte, yte = xte.numpy(), yte.numpy()
    report = []
    net = load_net(os.path.join(work, "float.pt"), None)
    write_model(os.path.join(outdir, "fmnist-float.wgm"), "float", build_layers(net, "fp"), 1)
    report.append(f"float: python float, first {CROSS}: {W.evaluate(net, torch.from_numpy(xte[:CROSS]), torch.from_numpy(yte[:CROSS])):.2f}%")
    gold_pix = xte[:2]
    for wtype in ("binary", "ternary", "sawb2"):
        if not os.path.exists(os.path.join(work, f"{wtype}-qw.pt")):
            continue
        net = load_net(os.path.join(work, f"{wtype}-qw.pt"), wtype)
        write_model(os.path.join(outdir, f"fmnist-{wtype}-qw.wgm"), f"{wtype} qw",
                    build_layers(net, "qw"), 1)
        report.append(f"{wtype}-qw: python float activations, first {CROSS}: {W.evaluate(net, torch.from_numpy(xte[:CROSS]), torch.from_numpy(yte[:CROSS])):.2f}%")
        for phase in ("qa", "wrap8", "wrap12"):
            p = os.path.join(work, f"{wtype}-{phase}.pt")
            if not os.path.exists(p):
                continue
            net = load_net(p, wtype)
            layers = build_layers(net, "int")
            base = os.path.join(outdir, f"fmnist-{wtype}-{phase}")
            write_model(base + ".wgm", f"{wtype} {phase}", layers, 0)
            native = (32, 0) if phase == "qa" else (net.cyclic_bits, 1)
            runs = [native] + ([(8, 0)] if phase == "qa" else [])
            write_golden(base + ".wgg", layers, gold_pix, runs)
            for acc, cyc in runs:
                report.append(f"{wtype}-{phase} acc {acc} cyclic {cyc}: python integer, first {CROSS}: "
                              f"{accuracy_int(layers, xte[:CROSS], yte[:CROSS], acc, cyc):.2f}% "
                              f"(steps {[round(s, 5) for s in net.steps[1:]]}, bits {net.bits[1:]})")
            print(report[-1], flush=True)
    with open(os.path.join(outdir, "python-accuracy.txt"), "w") as f:
        f.write("\n".join(report) + "\n")
    print("\n".join(report))


if __name__ == "__main__":
    main()
