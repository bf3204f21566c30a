"""Exports trained checkpoints as wrapgemm model files, simulates them in
integers exactly as the C library computes, and writes golden vectors.

Usage: python3 export.py [--label NAME] WORKDIR MODELDIR
           (--label: a model set trained with other options, e.g. PACT, whose
           files and model names carry NAME: fmnist-vgg7-NAME-binary-wrap8.wgm)
       python3 export.py --eval WTYPE CHECKPOINT...   (ablations: accuracy only)
       python3 export.py --golden-float MODEL.wgm...  (MODEL.wgg of float-activation
           models already written, e.g. the committed small float/qw models; reads
           the model with python/tests/wrapnet_sim.py, which loads the library:
           make lib first)

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
      the full-precision ones keep 32 / none; acc_bits 0: each layer's own,
      for a net with per-layer widths, the hybrid), then for every image and every
      layer, that layer's output after pooling: uint8 codes (NCHW) or, for the
      last layer, float32 logits.
    A float-activation model (float_acts = 1: the float and qw models) has
    one run, acc_bits 32, cyclic 0, and float32 outputs for every layer: its
    C inference (wn_forward_float) fixes the order of every float operation
    and run_float_c below follows it, so these are bit-exact too.
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
GOLDEN_IMAGES = 2   # test images per golden file (make test reads them all)
FORMAT = {"binary": 2, "ternary": 1, "sawb2": 0, "fp": 0}
WBITS = {"binary": 1, "ternary": 2, "sawb2": 3, "fp": 12}
FLOAT_RUN = [(32, 0)]   # the one run of a float-activation model's golden file


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
    arch = net.arch
    for i in range(arch.n_conv):
        conv, bn = net.convs[i], net.bns[i]
        g, beta = bn_affine(bn)
        quant = i in arch.quant_layers and kind != "fp"
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
            kind=0, cin=arch.channels[i], cout=arch.channels[i + 1], h=arch.geo[i][0],
            w=arch.geo[i][1], pool=2 if arch.pool_after[i] else 0, wtype=wtype,
            codes=codes.numpy(),
            in_bits=8 if i == 0 or kind != "int" else net.bits[i],
            out_bits=net.bits[i + 1] if kind == "int" else 0,
            acc_bits=net.layer_bits(i) if (quant and net.cyclic_bits) else 32,
            # slope 0: trained through the bare modulo, so wrap only
            cyclic=1 if (quant and net.cyclic_bits and net.slope and kind == "int") else 0,
            slope=net.slope, relu=1,
            scale=s.float().numpy(), bias=t.float().numpy()))
    codes, sc = fixed_codes(net.fc.weight)
    in_step = net.steps[arch.fc] if kind == "int" else 1.0
    layers.append(dict(
        kind=1, cin=arch.fc_in, cout=10, h=1, w=1, pool=0, wtype="fp", codes=codes.numpy(),
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
            # an integer below 2047 * 255 * 9 < 2^24 (2304 * 255 * 3 for the
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


def run_float_c(layers, pixels):
    """A float-activation model exactly as examples/wrapnet_infer.c's
    wn_forward_float computes it in float32: per output, the products
    w[m,k] * x[k] added one by one for k = 0, 1, ... (OIHW order; zero
    weights skipped, which changes no bit: the running sum starts at +0 and
    never becomes -0), each product and sum rounded once (no contraction),
    then scale * sum + bias rounded twice, ReLU (v < 0 -> 0), and the
    2x2 max pool by the same comparisons.  Returns every layer's output."""
    x = pixels.astype(np.float32)[:, None]
    outs = []
    for L in layers:
        w = L["codes"].astype(np.float32)              # exact: |code| <= 2047
        if L["kind"] == 0:
            n, hh, ww = len(x), L["h"], L["w"]
            xp = np.zeros((n, L["cin"], hh + 2, ww + 2), np.float32)
            xp[:, :, 1:-1, 1:-1] = x
            col = np.stack([xp[:, ci, kh:kh + hh, kw:kw + ww].reshape(n, -1)
                            for ci in range(L["cin"]) for kh in range(3) for kw in range(3)],
                           1)                           # (n, K, H*W)
            acc = np.zeros((n, L["cout"], hh * ww), np.float32)
            for k in range(w.shape[1]):
                acc += w[None, :, k, None] * col[:, None, k, :]
            scale = L["scale"].astype(np.float32)[None, :, None]
            bias = L["bias"].astype(np.float32)[None, :, None]
            y = (scale * acc + bias).reshape(n, L["cout"], hh, ww)
        else:
            xf = x.reshape(len(x), -1)
            acc = np.zeros((len(x), L["cout"]), np.float32)
            for k in range(w.shape[1]):
                acc += w[None, :, k] * xf[:, k, None]
            y = L["scale"].astype(np.float32) * acc + L["bias"].astype(np.float32)
        if L["relu"]:
            y = np.where(y < 0, np.float32(0), y)
        if L["pool"]:
            y = y[:, :, :y.shape[2] // 2 * 2, :y.shape[3] // 2 * 2]
            u = np.where(y[:, :, 0::2, 0::2] > y[:, :, 0::2, 1::2],
                         y[:, :, 0::2, 0::2], y[:, :, 0::2, 1::2])
            v = np.where(y[:, :, 1::2, 0::2] > y[:, :, 1::2, 1::2],
                         y[:, :, 1::2, 0::2], y[:, :, 1::2, 1::2])
            y = np.where(u > v, u, v)
        outs.append(y.astype(np.float32))
        x = outs[-1]
    return outs


def write_golden(path, layers, pixels, runs, float_model=False):
    """float_model: a float-activation model, runs must be FLOAT_RUN."""
    with open(path, "wb") as f:
        f.write(b"WGGOLD01")
        f.write(struct.pack("<II", len(pixels), len(runs)))
        f.write(pixels.astype(np.uint8).tobytes())
        for acc, cyc in runs:
            f.write(struct.pack("<II", acc, cyc))
            # acc 0: each layer's own width (a hybrid net's 7 and 8 bits)
            outs = run_float_c(layers, pixels) if float_model else \
                run_int(layers, pixels, acc or None, cyc)
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
    net = W.Net(d.get("arch", "small"))
    net.load_state_dict(d["state"])
    net.wtype = wtype
    for key in ("steps", "bits", "quant_acts", "cyclic_bits", "slope", "penalty_bits",
                "acc_bits"):
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
              f"{net.bits[1:-1]} integer accuracy {acc:.2f}%", flush=True)


def golden_float_of_files(paths):
    """export.py --golden-float: golden vectors of existing float models."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "..", "python"))
    from tests import wrapnet_sim as sim  # the model reader
    xte, _ = W.load_split(False)
    for path in paths:
        model = sim.read_model(path)
        assert model["float_acts"] == 1, f"{path}: not a float-activation model"
        write_golden(path[:-4] + ".wgg", model["layers"], xte.numpy()[:GOLDEN_IMAGES],
                     FLOAT_RUN, float_model=True)
        print(f"{path[:-4]}.wgg written", flush=True)


def main():
    if sys.argv[1] == "--eval":
        evaluate_checkpoints(sys.argv[2:])
        return
    if sys.argv[1] == "--golden-float":
        golden_float_of_files(sys.argv[2:])
        return
    label = ""
    if sys.argv[1] == "--label":
        label = sys.argv[2]
        del sys.argv[1:3]
    work, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    check_fmaf32()
    xte, yte = W.load_split(False)
    xte, yte = xte.numpy(), yte.numpy()
    report = []
    net = load_net(os.path.join(work, "float.pt"), None)
    # The small net keeps its file names; another architecture's names carry
    # it (fmnist-vgg7-ternary-wrap8.wgm).
    arch = net.arch.name
    prefix = "fmnist" if arch == "small" else f"fmnist-{arch}"
    tag = "" if arch == "small" else f"{arch} "
    if label:
        prefix, tag = f"{prefix}-{label}", f"{tag}{label} "
    layers = build_layers(net, "fp")
    write_model(os.path.join(outdir, f"{prefix}-float.wgm"), f"{tag}float", layers, 1)
    write_golden(os.path.join(outdir, f"{prefix}-float.wgg"), layers, xte[:GOLDEN_IMAGES],
                 FLOAT_RUN, float_model=True)
    report.append(f"float: python float, first {CROSS}: {W.evaluate(net, torch.from_numpy(xte[:CROSS]), torch.from_numpy(yte[:CROSS])):.2f}%")
    gold_pix = xte[:GOLDEN_IMAGES]
    for wtype in ("binary", "ternary", "sawb2"):
        if not os.path.exists(os.path.join(work, f"{wtype}-qw.pt")):
            continue
        net = load_net(os.path.join(work, f"{wtype}-qw.pt"), wtype)
        layers = build_layers(net, "qw")
        base = os.path.join(outdir, f"{prefix}-{wtype}-qw")
        write_model(base + ".wgm", f"{tag}{wtype} qw", layers, 1)
        write_golden(base + ".wgg", layers, gold_pix, FLOAT_RUN, float_model=True)
        report.append(f"{wtype}-qw: python float activations, first {CROSS}: {W.evaluate(net, torch.from_numpy(xte[:CROSS]), torch.from_numpy(yte[:CROSS])):.2f}%")
        for phase in ("qa", "wrap8", "wrap12"):
            p = os.path.join(work, f"{wtype}-{phase}.pt")
            if not os.path.exists(p):
                continue
            net = load_net(p, wtype)
            layers = build_layers(net, "int")
            base = os.path.join(outdir, f"{prefix}-{wtype}-{phase}")
            write_model(base + ".wgm", f"{tag}{wtype} {phase}", layers, 0)
            native = (32, 0) if phase == "qa" else (net.cyclic_bits, 1 if net.slope else 0)
            runs = [native] + ([(8, 0)] if phase == "qa" else [])
            write_golden(base + ".wgg", layers, gold_pix, runs)
            for acc, cyc in runs:
                report.append(f"{wtype}-{phase} acc {acc} cyclic {cyc}: python integer, first {CROSS}: "
                              f"{accuracy_int(layers, xte[:CROSS], yte[:CROSS], acc, cyc):.2f}% "
                              f"(steps {[round(s, 5) for s in net.steps[1:]]}, bits {net.bits[1:]})")
            print(report[-1], flush=True)
    acc_file = "python-accuracy.txt" if arch == "small" else f"python-accuracy-{arch}.txt"
    if label:
        acc_file = acc_file[:-4] + f"-{label}.txt"
    with open(os.path.join(outdir, acc_file), "w") as f:
        f.write("\n".join(report) + "\n")
    print("\n".join(report))


if __name__ == "__main__":
    main()
