"""WrapNet model files (.wgm) and golden vectors (.wgg) of models/, read as
scripts/wrapnet/export.py writes them, and two ways to run an integer
model in process:

- simulate(): export.py's run_int (the Python integer simulation) in
  numpy alone (export.py needs torch; this does not);
- through_library(): the quantized layers through wrapgemm.conv2d with the
  fused epilogue, as examples/wrapnet_infer.c runs them; the
  full-precision layers (12-bit fixed point) stay exact numpy.
"""
import struct

import numpy as np

from . import oracle
from .common import wg


def read_model(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"WGMODEL1", path
    n, float_acts = struct.unpack_from("<II", data, 8)
    off = 8 + 8 + 32
    layers = []
    for _ in range(n):
        v = struct.unpack_from("<14I", data, off)
        off += 56
        L = dict(zip(("kind", "cin", "cout", "h", "w", "pool", "wformat", "wbits", "in_bits",
                      "out_bits", "acc_bits", "cyclic", "slope", "relu"), v))
        cout = L["cout"]
        k = L["cin"] * 9 if L["kind"] == 0 else L["cin"]
        L["scale"] = np.frombuffer(data, "<f4", cout, off).astype(np.float32)
        L["bias"] = np.frombuffer(data, "<f4", cout, off + 4 * cout).astype(np.float32)
        off += 8 * cout
        total = cout * k
        if L["wformat"] != 0:          # 2-bit fields holding code + 1, low bits first
            nbytes = (total + 3) // 4
            b = np.frombuffer(data, np.uint8, nbytes, off)
            off += nbytes
            fields = np.stack([(b >> s) & 3 for s in (0, 2, 4, 6)], 1).reshape(-1)[:total]
            codes = fields.astype(np.int16) - 1
        elif L["wbits"] <= 8:
            codes = np.frombuffer(data, np.int8, total, off).astype(np.int16)
            off += total
        else:
            codes = np.frombuffer(data, "<i2", total, off).astype(np.int16)
            off += 2 * total
        L["codes"] = codes.reshape(cout, k)
        L["quantized"] = L["wbits"] <= 8
        layers.append(L)
    assert off == len(data), f"{path}: {len(data) - off} bytes left over"
    return dict(float_acts=float_acts, layers=layers)


def out_size(L):
    if L["kind"] == 1:
        return L["cout"]
    h, w = (L["h"] // 2, L["w"] // 2) if L["pool"] else (L["h"], L["w"])
    return L["cout"] * h * w


def read_golden(path, model):
    """(pixels (n, 28, 28) uint8, [(acc, cyclic, [per layer outputs])])."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"WGGOLD01", path
    n, runs = struct.unpack_from("<II", data, 8)
    off = 16
    pixels = np.frombuffer(data, np.uint8, n * 784, off).reshape(n, 28, 28)
    off += n * 784
    out = []
    layers = model["layers"]
    for _ in range(runs):
        acc, cyc = struct.unpack_from("<II", data, off)
        off += 8
        per_layer = [[] for _ in layers]
        for _ in range(n):
            for i, L in enumerate(layers):
                size = out_size(L)
                if L["out_bits"]:
                    per_layer[i].append(np.frombuffer(data, np.uint8, size, off))
                    off += size
                else:
                    per_layer[i].append(np.frombuffer(data, "<f4", size, off).astype(np.float32))
                    off += 4 * size
        out.append((acc, cyc, [np.stack(p) for p in per_layer]))
    assert off == len(data), path
    return pixels, out


def _pool(y):
    n, c, h, w = y.shape
    return y[:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max((3, 5))


def _stage(L, c):
    """The float stage: fmaf, ReLU, then a code or (out_bits 0) the float."""
    shape = (1, -1, 1, 1) if L["kind"] == 0 else (1, -1)
    y = oracle.fmaf32(c.astype(np.float64).astype(np.float32), L["scale"].reshape(shape),
                      L["bias"].reshape(shape))
    if L["relu"]:
        y = np.maximum(y, np.float32(0))
    if L["out_bits"]:
        y = np.clip(np.rint(y), 0, (1 << L["out_bits"]) - 1).astype(np.uint8)
    return y


def _exact_layer(L, x):
    """z of a layer, exact: 3x3 conv with zero padding, or dense."""
    if L["kind"] == 0:
        cols, oh, ow = oracle.im2col(x, 0, 3, 3, (1, 1), (1, 1, 1, 1), (1, 1), 0)
        z = np.einsum("mk,nkp->nmp", L["codes"].astype(np.int64), cols)
        return z.reshape(len(x), L["cout"], oh, ow)
    return x.reshape(len(x), -1).astype(np.int64) @ L["codes"].astype(np.int64).T


def simulate(model, pixels, acc=None, cyc=None):
    """export.py's run_int: every layer's output after pooling.  acc 0 or
    None: each layer's own width (a golden run's acc 0, as wn_run_opts)."""
    acc = acc or None
    x = pixels[:, None].astype(np.int64)
    outs = []
    for L in model["layers"]:
        q = L["quantized"]
        b = (acc if acc is not None else L["acc_bits"]) if q else 32
        cy = (cyc if cyc is not None else L["cyclic"]) if q else 0
        z = _exact_layer(L, x)
        a = z if b >= 32 else oracle.wrap(z, b)
        c = oracle.cyclic(a, b, oracle.CYCLIC_SMOOTH, L["slope"]) if cy == 1 else a
        y = _stage(L, c)
        if L["pool"]:
            y = _pool(y)
        outs.append(y)
        x = y.astype(np.int64)
    return outs


def through_library(ctx, model, packed, pixels, acc=None, cyc=None):
    """The same, with the quantized layers run by wrapgemm.conv2d."""
    acc = acc or None
    x = pixels[:, None].astype(np.uint8)
    outs = []
    for i, L in enumerate(model["layers"]):
        if L["quantized"]:
            assert L["kind"] == 0
            y, _ = ctx.conv2d(packed[i], np.ascontiguousarray(x), kernel_size=3, padding=1,
                              act_bits=L["in_bits"],
                              acc_bits=acc if acc is not None else L["acc_bits"],
                              cyclic=cyc if cyc is not None else L["cyclic"], slope=L["slope"],
                              output=wg.Output.UINT8_FLOAT, scale=L["scale"], bias=L["bias"],
                              relu=L["relu"], out_bits=L["out_bits"])
        else:
            z = _exact_layer(L, x.astype(np.int64))
            y = _stage(L, z)
        if L["pool"]:
            y = _pool(y)
        outs.append(y)
        x = y
    return outs


def pack(ctx, model):
    """{layer index: wrapgemm.Weights} of the quantized layers."""
    return {i: ctx.pack(L["codes"].astype(np.int8), L["wformat"], max(L["wbits"], 2))
            for i, L in enumerate(model["layers"]) if L["quantized"]}
