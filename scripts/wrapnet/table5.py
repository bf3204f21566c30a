#!/usr/bin/python3
"""The WrapNet paper's Table 5 through the C SWAR path: bit-packed inference
of WrapNet models on cores without a vector unit.

    make lib && /usr/bin/python3 scripts/wrapnet/table5.py [--write docs/wrapnet.md]
    /usr/bin/python3 scripts/wrapnet/table5.py --prefix fmnist-vgg7 --stats calib \
        --rows binary-wrap8,ternary-wrap8,binary-wrap7,binary-rc8 --write docs/wrapnet.md

Each row is a model, models/<prefix>-<row>.wgm: by default the WrapNet-8
models (--weights binary,ternary: <prefix>-{binary,ternary}-wrap8.wgm) of
the small net (--prefix fmnist, three quantized layers) or of the deeper
net (--prefix fmnist-vgg7, five).  The quantized conv layers run through
wrapgemm.swar_gemm (the C library's wg_swar_gemm, single-threaded, general
registers only) on an im2col of each batch, with the layer's own epilogue
(wrap to b bits, smooth cyclic activation, scale, bias, ReLU,
requantization) fused; the full-precision first and last layers (12-bit
fixed point) run exactly in numpy as in python/tests/wrapnet_sim.py.  Four
8-bit lanes in 32-bit registers (appendix A.1's example; --reg-bits 64
packs eight), the modes:

  (v) exact       lanes cut, no carry crosses a lane: the contract's result,
                  the same bits as wg_conv2d (checked on the first images);
  (c) uncorrected plain register additions: each carry out of a lane enters
                  the next lane (the top lane's is lost);
  (c) corrected   the same, minus each output's mean lane-carry count,
                  calibrated layer by layer (in order, each layer on inputs of
                  the corrected layers before it) on the first
                  --calib-images training images: wg_swar_carry_stats'
                  `correction`, passed back as carry_correction;
  (c) buffer bit  for a net trained for 7-bit accumulators (a wrap7 row):
                  7-bit lanes whose 8th bit absorbs each carry and is cleared
                  (BUFFER mode; the contract's result for b = 7).
  hybrid          a net with per-layer widths (train.py phase hybrid): in the
                  (c) runs its b = 7 layers run in BUFFER mode, its b = 8
                  layers in CARRY mode (uncorrected / corrected as above);
                  carry statistics are those of its CARRY layers.

Carry statistics per layer (--stats test: on the test set in the corrected
run, the inputs the deployed bit-packed net sees; --stats calib: in the
calibration pass over the training images, the same inputs without a
counting pass over the test set): the paper's count (Algorithm 1 of
appendix A, every carry added back, `carries`) and the carries that really
entered a neighbouring lane (`lane_carries`: the lane sum is exactly
z + lane_carries mod 2^8); and Algorithm 1's count on the calibration
images through the exact net ("exact inputs": no carry upstream, what the
training's R^c sees).  "mean" is the per-output (per-neuron) mean over
images averaged over the outputs, "std" the per-output population standard
deviation (the paper's eq. 4) averaged over the outputs.

The R^c and buffer-bit nets are trained by train.py (phases rc8 and wrap7)
and exported by export_one.py; see docs/wrapnet.md.

The library comes from WRAPGEMM_LIB or this checkout's build/ (docs/python.md).
The dataset: FASHION_MNIST_DIR or /usr/share/datasets/fashion-mnist
(Debian's dataset-fashion-mnist; scripts/deps.sh demo installs it).
"""
import argparse
import gzip
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "python"))

import wrapgemm as wg  # noqa: E402
from tests import wrapnet_sim as sim  # noqa: E402  (model reader, exact fp layers)
from tables import cpu_name, write_block  # noqa: E402

DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
CHUNK = 1000
BEGIN, END = "<!-- table5:begin -->", "<!-- table5:end -->"   # the small net's block
# What each model's row is (--rows binary-wrap8,binary-wrap7,...): the model
# file is models/<prefix>-<row>.wgm.
KIND = {"wrap8": "WrapNet-8", "wrap7": "WrapNet-7", "rc8": "WrapNet-8 + R^c",
        "carry8": "WrapNet-8 + R^c, carry fine-tuned layer by layer", "hybrid": "Hybrid"}


def layer_mode(L, mode):
    """A layer's SWAR mode in a run of `mode`: in the carry runs a layer
    trained for a 7-bit accumulator (the hybrid's buffer-bit layers) runs in
    BUFFER mode, the others in CARRY mode."""
    return "buffer" if mode == "carry" and L["acc_bits"] <= 7 else mode


def markers(prefix):
    """The block's markers in docs/wrapnet.md: the small net keeps its own."""
    if prefix == "fmnist":
        return BEGIN, END
    return f"<!-- table5-{prefix}:begin -->", f"<!-- table5-{prefix}:end -->"

# The paper's Table 5 (VGG-7, CIFAR-10, binary weights, 8-bit accumulators).
PAPER = [("Baseline", "90.81%", "10.03%", "254.91", "159.55"),
         ("Buffer Bit", "–", "88.22%", "–", "–"),
         ("R^c", "–", "87.86%", "384.42", "17.91"),
         ("Hybrid", "–", "89.43%", "482.4", "16.18")]


def load_idx(name, data_dir):
    with gzip.open(os.path.join(data_dir, name), "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def im2col(x):
    """(B, C, H, W) uint8 -> (C*9, B*H*W) uint8: 3x3 taps, zero padding 1,
    rows in the filter order of the model's codes (c, kh, kw), columns
    image by image."""
    b, c, h, w = x.shape
    xp = np.zeros((c, b, h + 2, w + 2), np.uint8)
    xp[:, :, 1:-1, 1:-1] = x.transpose(1, 0, 2, 3)
    cols = np.empty((c, 3, 3, b, h, w), np.uint8)
    for i in range(3):
        for j in range(3):
            cols[:, i, j] = xp[:, :, i:i + h, j:j + w]
    return cols.reshape(c * 9, b * h * w)


def per_image(a, m, b, p):
    """An M x (B*P) array of the GEMM -> (B, M*P), output (m, p) of each image."""
    return a.reshape(m, b, p).transpose(1, 0, 2).reshape(b, m * p)


def swar_layer(L, pw, x, mode, reg_bits, correction=None, counts=False):
    """One quantized layer on a batch x (B, C, H, W) uint8: (output after
    pooling, carries (B, M*P) or None, lane_carries (B, M*P) or None)."""
    b, m, p = len(x), L["cout"], L["h"] * L["w"]
    corr = None
    if correction is not None:
        corr = np.ascontiguousarray(np.broadcast_to(correction.reshape(m, 1, p), (m, b, p)))
        corr = corr.reshape(m, b * p)
    res = wg.swar_gemm(pw, im2col(x), mode=mode, reg_bits=reg_bits, act_bits=L["in_bits"],
                       acc_bits=L["acc_bits"], cyclic=L["cyclic"], slope=L["slope"],
                       output=wg.Output.UINT8_FLOAT, scale=L["scale"], bias=L["bias"],
                       relu=L["relu"], out_bits=L["out_bits"], carries=counts,
                       lane_carries=counts, carry_correction=corr)
    y = res.y.reshape(m, b, L["h"], L["w"]).transpose(1, 0, 2, 3)
    if L["pool"]:
        y = sim._pool(y)
    y = np.ascontiguousarray(y)
    if not counts:
        return y, None, None
    return y, per_image(res.carries, m, b, p), per_image(res.lane_carries, m, b, p)


def fp_layer(L, x):
    """A full-precision layer (12-bit fixed point), exact, as the C example."""
    y = sim._stage(L, sim._exact_layer(L, x.astype(np.int64)))
    return sim._pool(y) if L["pool"] else y


class Moments:
    """Per-output sums of counts and of their squares over images (exact int64)."""

    def __init__(self):
        self.n, self.s, self.s2 = 0, 0, 0

    def add(self, c):
        c = c.astype(np.int64)
        self.n += len(c)
        self.s = self.s + c.sum(0)
        self.s2 = self.s2 + (c * c).sum(0)

    def mean_std(self):
        """(per-output means, per-output population standard deviations)."""
        mean = self.s / self.n
        var = np.maximum(self.s2 / self.n - mean * mean, 0.0)
        return mean, np.sqrt(var)


class Net:
    def __init__(self, path, ctx):
        self.model = sim.read_model(path)
        self.layers = self.model["layers"]
        self.quant = [i for i, L in enumerate(self.layers) if L["quantized"]]
        assert self.layers[0]["kind"] == 0 and not self.layers[0]["quantized"]
        assert self.layers[-1]["kind"] == 1 and not self.layers[-1]["quantized"]
        self.packed = sim.pack(ctx, self.model)

    def close(self):
        for w in self.packed.values():
            w.close()

    def first(self, pixels):
        """Layer 0 (full precision) on all images, in chunks."""
        return np.concatenate([fp_layer(self.layers[0], pixels[i:i + CHUNK, None])
                               for i in range(0, len(pixels), CHUNK)])

    def run(self, x0, mode, reg_bits, corrections=None, moments=None):
        """Layers 1.. on layer 0's output x0: logits (N, 10).  moments:
        {layer: (Moments of carries, Moments of lane_carries)} to fill."""
        logits = []
        for i in range(0, len(x0), CHUNK):
            x = x0[i:i + CHUNK]
            for li in self.quant:
                L = self.layers[li]
                lm = layer_mode(L, mode)
                corr = corrections[li] if corrections and lm == "carry" else None
                counting = moments is not None and lm == "carry"
                x, c, lc = swar_layer(L, self.packed[li], x, lm, reg_bits, corr, counts=counting)
                if counting:
                    moments[li][0].add(c)
                    moments[li][1].add(lc)
            logits.append(fp_layer(self.layers[-1], x))
        return np.concatenate(logits)

    def calibrate(self, x0, reg_bits):
        """Each quantized layer's correction (the rounded mean lane-carry
        count of every output), layer by layer on the corrected net's own
        inputs.  Returns ({layer: int32 correction}, {layer: stats check},
        moments, clean): moments {layer: (Moments of carries, of lane
        carries)} of those calibration passes (the inputs the corrected
        bit-packed net sees), clean {layer: Moments of carries} on the
        inputs of the exact net (no carry upstream: what training sees)."""
        corrections, check, moments, clean = {}, {}, {}, {}
        x, xe = x0, x0
        for li in self.quant:
            L = self.layers[li]
            if layer_mode(L, "carry") == "buffer":    # no carries to count or correct
                x, xe = [np.concatenate([swar_layer(L, self.packed[li], v[i:i + CHUNK], m,
                                                    reg_bits)[0]
                                         for i in range(0, len(v), CHUNK)])
                         for v, m in ((x, "buffer"), (xe, "exact"))]
                continue
            counts, lanes = [], []
            moments[li], clean[li] = (Moments(), Moments()), Moments()
            for i in range(0, len(x), CHUNK):
                _, c, lc = swar_layer(L, self.packed[li], x[i:i + CHUNK], "carry", reg_bits,
                                      counts=True)
                counts.append(c)
                lanes.append(lc)
                moments[li][0].add(c)
                moments[li][1].add(lc)
                clean[li].add(swar_layer(L, self.packed[li], xe[i:i + CHUNK], "carry", reg_bits,
                                         counts=True)[1])
            xe = np.concatenate([swar_layer(L, self.packed[li], xe[i:i + CHUNK], "exact",
                                            reg_bits)[0] for i in range(0, len(xe), CHUNK)])
            lanes = np.concatenate(lanes)
            st = wg.swar_carry_stats(lanes)
            corrections[li] = st.correction
            mom = Moments()
            mom.add(lanes)
            mean, std = mom.mean_std()
            # the library's fixed-point statistics against numpy's
            check[li] = max(np.abs(st.mean_q16 / 65536.0 - mean).max(),
                            np.abs(st.std_q16 / 65536.0 - std).max())
            x = np.concatenate([swar_layer(L, self.packed[li], x[i:i + CHUNK], "carry", reg_bits,
                                           corrections[li])[0]
                                for i in range(0, len(x), CHUNK)])
        return corrections, check, moments, clean

    def check_exact(self, pixels, reg_bits):
        """SWAR exact mode == the integer simulation (the contract), every
        layer's output, on these images."""
        want = sim.simulate(self.model, pixels)
        x = fp_layer(self.layers[0], pixels[:, None])
        assert np.array_equal(x, want[0])
        for li in self.quant:
            x, _, _ = swar_layer(self.layers[li], self.packed[li], x, "exact", reg_bits)
            assert np.array_equal(x, want[li]), f"layer {li}: SWAR exact != simulation"
        logits = fp_layer(self.layers[-1], x)
        assert np.array_equal(logits.view(np.uint32), want[-1].view(np.uint32))


def accuracy(logits, labels):
    return 100.0 * float((logits.argmax(1) == labels).mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default=os.path.join(REPO, "models"))
    ap.add_argument("--data", default=DATA_DIR)
    ap.add_argument("--prefix", default="fmnist",
                    help="model set: fmnist (the small net), fmnist-vgg7 (the deeper net)")
    ap.add_argument("--weights", default="binary,ternary",
                    help="WrapNet-8 rows: <prefix>-<w>-wrap8.wgm for each")
    ap.add_argument("--rows", default=None,
                    help="models by name instead, e.g. binary-wrap8,binary-wrap7,binary-rc8: "
                         "<prefix>-<row>.wgm; a wrap7 (7-bit) net runs in BUFFER mode for (c)")
    ap.add_argument("--test-images", type=int, default=10000)
    ap.add_argument("--calib-images", type=int, default=2000)
    ap.add_argument("--reg-bits", type=int, default=32, choices=(32, 64))
    ap.add_argument("--stats", default="test", choices=("test", "calib"),
                    help="carry statistics of the corrected run on the test images (test) or "
                         "of the calibration pass on the training images (calib: no counting "
                         "over the test set, 1/4 of the cost)")
    ap.add_argument("--write", metavar="DOC",
                    help=f"replace the text between {BEGIN} and {END} in DOC "
                         "(<!-- table5-PREFIX:begin/end --> for another prefix)")
    ap.add_argument("--add", action="store_true",
                    help="with --write: add this run's rows to the block's tables, keeping "
                         "the block's other rows (a row of the same name is replaced), and "
                         "its first line as a note (the full block takes 10 min per row)")
    a = ap.parse_args()
    rows = (a.rows.split(",") if a.rows else [f"{w}-wrap8" for w in a.weights.split(",")])

    t_start, cpu_start = time.time(), time.process_time()
    xt = load_idx("t10k-images-idx3-ubyte.gz", a.data)[:a.test_images]
    yt = load_idx("t10k-labels-idx1-ubyte.gz", a.data)[:a.test_images]
    xc = load_idx("train-images-idx3-ubyte.gz", a.data)[:a.calib_images]
    lanes = a.reg_bits // 8
    results = []
    with wg.Context(threads=1) as ctx:
        for row in rows:
            wname, phase = row.rsplit("-", 1)
            path = os.path.join(a.models, f"{a.prefix}-{row}.wgm")
            net = Net(path, ctx)
            t0 = time.time()
            net.check_exact(xt[:20], a.reg_bits)
            x0t = net.first(xt)
            acc_v = accuracy(net.run(x0t, "exact", a.reg_bits), yt)
            r = dict(weights=wname, phase=phase, row=row, acc_v=acc_v, layers=[],
                     bits=[net.layers[li]["in_bits"] for li in net.quant])
            if all(net.layers[li]["acc_bits"] <= 7 for li in net.quant):
                # the buffer-bit net: 7-bit lanes, the 8th bit absorbs each
                # carry (BUFFER mode, the contract's result for b <= 7)
                r["acc_b"] = accuracy(net.run(x0t, "buffer", a.reg_bits), yt)
                print(f"{row}: (v) {acc_v:.2f}%  (c) buffer bit {r['acc_b']:.2f}%"
                      f"  [{time.time() - t0:.0f} s]", file=sys.stderr, flush=True)
            else:
                r["acc_c"] = accuracy(net.run(x0t, "carry", a.reg_bits), yt)
                x0c = net.first(xc)
                corrections, check, moments, clean = net.calibrate(x0c, a.reg_bits)
                if a.stats == "test":
                    moments = {li: (Moments(), Moments()) for li in corrections}
                    r["acc_k"] = accuracy(net.run(x0t, "carry", a.reg_bits, corrections,
                                                  moments), yt)
                else:
                    r["acc_k"] = accuracy(net.run(x0t, "carry", a.reg_bits, corrections), yt)
                r["buffer_layers"] = [li for li in net.quant if li not in corrections]
                for li in corrections:
                    L = net.layers[li]
                    (cm, cs), (lm, ls) = moments[li][0].mean_std(), moments[li][1].mean_std()
                    em, es = clean[li].mean_std()
                    r["layers"].append(dict(layer=li, k=L["cin"] * 9, outputs=len(cm),
                                            in_bits=L["in_bits"], alg1=cm, alg1_std=cs,
                                            lane=lm, lane_std=ls, clean=em, clean_std=es,
                                            corr=corrections[li], check=check[li]))
                print(f"{row}: (v) {acc_v:.2f}%  (c) {r['acc_c']:.2f}%  (c) corrected "
                      f"{r['acc_k']:.2f}%  [{time.time() - t0:.0f} s]", file=sys.stderr,
                      flush=True)
            net.close()
            r["seconds"] = time.time() - t0
            results.append(r)
    wall, cpu = time.time() - t_start, time.process_time() - cpu_start
    text = report(results, a, lanes, wall, cpu)
    print(text)
    if a.write and a.add:
        add_rows(a.write, *markers(a.prefix), text.rstrip("\n"))
    elif a.write:
        write_block(a.write, *markers(a.prefix), text.rstrip("\n"))


def tables_in(lines):
    """(first, end) line ranges of the markdown tables in lines."""
    out, start = [], None
    for i, line in enumerate(lines + [""]):
        if line.startswith("|") and start is None:
            start = i
        elif not line.startswith("|") and start is not None:
            out.append((start, i))
            start = None
    return out


def add_rows(doc, begin, end, text):
    """--add: this run's rows (the paper's left out) go to the end of the
    block's two tables, replacing rows whose first cell they share; this
    run's first line follows the block's own first line as a note."""
    with open(doc) as f:
        s = f.read()
    head, rest = s.split(begin + "\n", 1)
    old, tail = rest.split("\n" + end, 1)
    lines, new = old.split("\n"), text.split("\n")
    pairs = list(zip(tables_in(lines), tables_in(new)))
    for (os_, oe), (ns, ne) in reversed(pairs):
        rows = [r for r in new[ns + 2:ne] if not r.startswith("| paper")]
        names = {r.split("|")[1] for r in rows}
        kept = [r for r in lines[os_ + 2:oe] if r.split("|")[1] not in names]
        lines[os_ + 2:oe] = kept + rows
    lines[0] += " Rows added later (table5.py --add): " + new[0]
    write_block(doc, begin, end, "\n".join(lines))




def overall(r, key="alg1"):
    """Algorithm 1's per-output mean and std, averaged over every output of
    the quantized layers (key "clean": on the exact net's inputs)."""
    n = sum(L["outputs"] for L in r["layers"])
    return (sum(L[key].sum() for L in r["layers"]) / n,
            sum(L[key + "_std"].sum() for L in r["layers"]) / n)


def report(results, a, lanes, wall, cpu):
    where = ("the test images, corrected run" if a.stats == "test" else
             f"the {a.calib_images} calibration images, corrected layers")
    out = [f"Models models/{a.prefix}-*.wgm; {a.test_images} test images; corrections from the "
           f"first {a.calib_images} training images; {lanes} lanes of 8 bits in {a.reg_bits}-bit "
           f"registers; {wall:.0f} s wall, {cpu:.0f} s CPU on {cpu_name()}. "
           f"carry / carry std: Algorithm 1's count on {where}; \"exact inputs\": on the "
           "calibration images through the exact (carry-free) net.", "",
           "| net | act bits | accuracy (v) | accuracy (c) | carry | carry std "
           "| carry, exact inputs | carry std, exact inputs |",
           "|---|---|---|---|---|---|---|---|"]
    for row in PAPER:
        out.append(f"| paper (VGG-7, CIFAR-10, binary): {row[0]} | ~3 | " + " | ".join(row[1:])
                   + " | | |")
    for r in results:
        name = f"{r['weights']} {KIND.get(r['phase'], r['phase'])}"
        if r.get("buffer_layers"):
            name += (" (CARRY mode on " + ", ".join(f"L{L['layer']}" for L in r["layers"])
                     + "; buffer bit, b = 7, on " + ", ".join(f"L{li}" for li in
                                                             r["buffer_layers"]) + ")")
        bits = "/".join(str(b) for b in r["bits"])
        if "acc_b" in r:
            out.append(f"| {name}, 7-bit lanes + buffer bit | {bits} | {r['acc_v']:.2f}% | "
                       f"{r['acc_b']:.2f}% | – | – | – | – |")
            continue
        mean, std = overall(r)
        em, es = overall(r, "clean")
        out.append(f"| {name}, uncorrected | {bits} | {r['acc_v']:.2f}% | "
                   f"{r['acc_c']:.2f}% | | | {em:.2f} | {es:.2f} |")
        out.append(f"| {name}, mean-corrected | {bits} | – | "
                   f"{r['acc_k']:.2f}% | {mean:.2f} | {std:.2f} | {em:.2f} | {es:.2f} |")
    out += ["", f"Per layer ({where}): Algorithm 1's count and the carries that "
            f"entered a neighbouring lane of {lanes}, and Algorithm 1's count on exact inputs; "
            "mean = per-output mean averaged over outputs, std = per-output standard deviation "
            "averaged over outputs.", "",
            "| net | layer | K | act bits | outputs | carry mean | carry std "
            "| lane carries mean | lane carries std | exact inputs: carry mean | carry std |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        for L in r["layers"]:
            out.append(f"| {r['row']} | L{L['layer']} | {L['k']} | {L['in_bits']} | "
                       f"{L['outputs']} | {L['alg1'].mean():.2f} | {L['alg1_std'].mean():.2f} | "
                       f"{L['lane'].mean():.2f} | {L['lane_std'].mean():.2f} | "
                       f"{L['clean'].mean():.2f} | {L['clean_std'].mean():.2f} |")
    checks = [L["check"] for r in results for L in r["layers"]]
    worst = max(checks) if checks else 0.0
    out += ["", f"(wg_swar_carry_stats' mean and std agree with numpy's to {worst:.1e} on the "
            "calibration counts; SWAR exact mode equals the integer simulation layer by layer "
            "on the first 20 test images.)", ""]
    return "\n".join(out)


if __name__ == "__main__":
    main()
