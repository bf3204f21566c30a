#!/usr/bin/env python3
"""Writes the committed seed corpora of the two libFuzzer harnesses:
test/fuzz/corpus (fuzz_api) and test/fuzz/corpus_conv (fuzz_conv).

Each input is a header whose bytes choose the problem, then an 8-byte seed
from which the harness fills every tensor (fuzz_input.h).  The cases below
are chosen to cover the option space once each: every kernel forced, both
methods, layouts, outputs, cyclic functions, thread set-ups, the deep depth
blocks, each planted fault and each value mix.  The decoders here mirror the
harnesses' and each case names the values it wants; a byte is searched for
that decodes to them, so the files stay right if a mapping changes (edit
both).  fuzz_conv's cases with groups, a slice or an option fault add three
bytes after the seed (conv_tail, fuzz_conv_options.h); libFuzzer lengthens
inputs slowly, so without such seeds it did not reach those bytes in 90 s.  Run from anywhere: python3 test/fuzz/make_corpus.py (it replaces
both directories).  A harness built with -DFUZZ_STATS prints what each file
decodes to and what the call returned (fuzz_input.h).
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
# The x86-64 kernel table (kernels/isa_list.inc order; the AVX-512 ones are
# forced only where the CPU has them, else the call is automatic).
KERNELS = ["acc8_binary_x_u8_8x128_lut4__avx512bw", "acc8_ternary_x_u8_8x128_lut3__avx512bw", "acc32_int8_x_u8_8x32__avx512vnni",
           "acc8_binary_x_u8_4x5__avx512bw", "acc8_ternary_x_u8_4x6__avx512bw",
           "acc8_binary_x_u8_8x64_lut4__avx2", "acc8_ternary_x_u8_8x64_lut3__avx2",
           "acc8_ternary_x_u8_6x16__avx2", "acc16_int8_x_u8_6x16__avx2",
           "acc32_int8_x_u8_6x16__avx2", "acc32_int8_x_u8_6x16_madd16__avx2",
           "acc8_int8_x_u8_4x32__c", "acc16_int8_x_u8_4x16__c", "acc32_int8_x_u8_4x8__c",
           "acc8_binary_x_u8_4x8_lut4__swar64",
           "acc8_ternary_x_u8_4x8_lut3__swar64", "acc8_binary_x_u8_1x4__swar64exact",
           "acc8_binary_x_u8_1x4__swar32exact", "acc7_binary_x_u7_2x4__swar64buf",
           "acc7_binary_x_u7_2x4__swar32buf", "acc8_ternary_x_u8_1x4__swar64exact",
           "acc8_ternary_x_u8_1x4__swar32exact", "acc7_ternary_x_u7_2x4__swar64buf",
           "acc7_ternary_x_u7_2x4__swar32buf"]
NKERNELS = len(KERNELS)  # kernel byte b -> b % (NKERNELS + 1) - 1 (-1 = automatic)
OUTPUTS = ["int8", "int16", "int32", "u8float", "u8fixed", "float32"]
FAULTS = ["none", "zx", "xcode", "wcode", "nonfinite", "outzp", "misaligned", "aliasing"]
ACC = [2, 3, 4, 5, 6, 7, 8, 8, 9, 10, 12, 15, 16, 16, 32, 32]
SLOPE = [1, 2, 3, 4, 5, 7, 64, 65536]
EDGE = [0, 4, 16, 48, 96, 160, 224, 256]


def pick(decode, **want):
    """The first byte whose decoded fields include `want`."""
    for b in range(256):
        d = decode(b)
        if all(d[k] == v for k, v in want.items()):
            return b
    raise ValueError(f"no byte gives {want}")


# Decoders shared by both harnesses (fuzz_input.h and the harness bodies).
def fmt(b): return {"wf": ["int", "ternary", "binary"][b % 3], "wbits": 2 + b // 3 % 7}
def actb(b): return {"bits": 1 + b % 8}
def zx_of(bits):
    hi = (1 << bits) - 1
    def d(b):
        v = (hi if b % 2 else 0) if b >= 240 else b % (hi + 1)
        return {"zx": v}
    return d
def acc(b): return {"acc": ACC[b % 16]}
def cyc(b): return {"cyclic": ["none", "smooth", "abs"][b % 3], "slope": SLOPE[b // 3 % 8]}
def kern(b): k = b % (NKERNELS + 1) - 1; return {"kernel": "auto" if k < 0 else KERNELS[k]}
def fault(b): return {"fault": "none" if b < 224 else FAULTS[1 + (b - 224) % 7]}
def mix(b): return {"edge": EDGE[b & 7], "favour": b >> 3 & 3}
def threads(t):  # fuzz_context's byte
    k = t % 8
    return {"threads": 1 if k < 3 else 2 if k < 5 else 3 if k < 6 else f"runner{2 + t // 8 % 8}"}


def api_header(c):
    m = c.get("m", 7)
    mb = m - 1 if m <= 19 else 240 + (m - 19) // 3
    n = c.get("n", 40)
    nb = n - 1
    if c.get("k") == "big":  # m = 64 - mb % 8, n = 96 + nb % 55
        mb, nb = 64 - m, n - 96
    k = c.get("k", 24)
    deep = {1152: 250, 2304: 251, 2305: 252, 4608: 253, 4609: 254, 4700: 255, "big": 183}
    kb = deep[k] if k in deep else k - 1 if k <= 72 else 200 + (k - 72) // 12
    strides = c.get("xpad", 0) | c.get("ldw_pad", 0) << 2 | c.get("ldy_pad", 0) << 4
    ob = pick(lambda b: {"out": OUTPUTS[b % 6], "relu": b // 6 % 2, "ob": 1 + b // 12 % 8},
              out=c.get("out", "int32"), relu=c.get("relu", 0), ob=c.get("out_bits", 8))
    tb = 0 if c.get("no_in_place") else 1
    tb |= pick(lambda b: threads(b), threads=c.get("threads", 1)) << 2
    bits = c.get("bits", 8)
    return bytes([
        mb, nb, kb, strides, c.get("xoff", 0), c.get("yoff", 0),
        pick(fmt, wf=c.get("wf", "int"), wbits=c.get("wbits", 8)),
        pick(actb, bits=bits), pick(zx_of(bits), zx=c.get("zx", 0)),
        pick(acc, acc=c.get("acc", 32)),
        pick(cyc, cyclic=c.get("cyclic", "none"), slope=c.get("slope", 1)),
        ob, pick(kern, kernel=c.get("kernel", "auto")), tb,
        pick(fault, fault=c.get("fault", "none")),
        pick(mix, **c.get("wmix", {"edge": 48, "favour": 0})),
        pick(mix, **c.get("xmix", {"edge": 48, "favour": 0})),
        c.get("emix", 0)])


def conv_header(c):
    cc = c["cc"] if "cc" in c else pick(lambda b: {"C": [64, 128, 252, 256, 260, 512, 36, 100][b // 8 % 8] if b % 8 == 0
                         else 1 + b // 8 % 23 if b % 8 < 3 else 4 * (1 + b // 8 % 8)},
              C=c.get("C", 8))
    kh, kw = c.get("kernel_hw", (3, 3))
    sh, sw = c.get("stride", (1, 1))
    dh, dw = c.get("dilation", (1, 1))
    pt, pl, pb, pr = c.get("pad", (1, 1, 1, 1))
    m = c.get("m", 8)
    mb = c["mg"] - 1 if "mg" in c else m - 1 if m <= 35 else 240 + (m - 19) // 3
    ob = pick(lambda b: {"out": (("u8float", "int8")[b // 2 % 2]) if b % 2 else OUTPUTS[b // 2 % 6],
                         "relu": b // 12 % 2, "ob": 1 + b // 24 % 8},
              out=c.get("out", "int8"), relu=c.get("relu", 0), ob=c.get("out_bits", 8))
    tb = (0 if c.get("no_direct") else 1) | pick(threads, threads=c.get("threads", 1)) << 2
    bits = c.get("bits", 8)
    return bytes([
        (0 if c.get("layout", "nchw") == "nchw" else 1) | (c.get("batch", 1) - 1) << 1,
        cc, c.get("H", 6) - 1, c.get("W", 6) - 1, (kh - 1) + 5 * (kw - 1),
        (sh - 1) + 3 * (sw - 1) + 9 * (dh - 1) + 18 * (dw - 1),
        pt | pl << 2 | pb << 4 | pr << 6,
        mb,
        pick(fmt, wf=c.get("wf", "ternary"), wbits=c.get("wbits", 8)),
        pick(actb, bits=bits), pick(zx_of(bits), zx=c.get("zx", 0)),
        pick(acc, acc=c.get("acc", 8)),
        pick(cyc, cyclic=c.get("cyclic", "none"), slope=c.get("slope", 1)),
        ob, pick(kern, kernel=c.get("kernel", "auto")), tb,
        c.get("xoff", 0), c.get("yoff", 0) | c.get("ldw_pad", 0) << 6,
        pick(fault, fault=c.get("fault", "none")),
        pick(mix, **c.get("wmix", {"edge": 48, "favour": 0})),
        pick(mix, **c.get("xmix", {"edge": 48, "favour": 0})),
        c.get("emix", 0)])


# After the seed (fuzz_conv_options.h): groups, slice, option fault.  None
# of them (the cases above) is the plain wg_conv2d.
OPT_FAULTS = ["none", "negative", "overflow", "groups_c", "slice", "other_g", "misaligned"]
def dw_channel_byte(C, mult): return C - 1  # C = 1 + cc % (64 / mult), C <= 64 / mult
def divisors(C): return [g for g in range(2, min(C, 64) + 1) if C % g == 0]


def conv_tail(c):
    g = c.get("groups")
    if g is None:
        gb = 0
    elif g == "one":  # the groups field 1: ungrouped
        gb = 4
    elif g == "dw":
        mult = c.get("mult", 1)
        gb = 3 if mult == 1 else 1 + 4 * (mult - 1)
    else:
        gb = 2 + 4 * divisors(c["C"]).index(g)
    t = c.get("slice")  # (T - M, o)
    sb = 0 if t is None else 1 | t[0] << 1 | t[1] << 4
    f = OPT_FAULTS.index(c.get("optfault", "none"))
    fb = (0 if f == 0 else 160 + 2 * (f - 1)) | c.get("plan_first", 0)
    return bytes([gb, sb, fb])


def wf_of(k): return "ternary" if "ter" in k else "binary" if "bin" in k else "int"
# maddubs kernels take 8-bit activations only with weights in [-64, 63]
def wbits_of(k, i): return 7 if "avx2" in k and "madd16" not in k else 8 if i % 2 else 6
def acc_of(k):
    return 7 if "buf" in k else 8 if "acc8" in k or "swar" in k else 16 if "acc16" in k else 32


MAXED = {"edge": 256, "favour": 2}   # runs of the largest code / weight
UNIFORM = {"edge": 0, "favour": 0}
EXTREMES = {"edge": 160, "favour": 0}

API = [
    # every kernel forced once, on formats it takes
    *[dict(kernel=k, wf=wf_of(k), wbits=wbits_of(k, i), bits=7 if "buf" in k else 8,
           acc=acc_of(k), out="int8" if acc_of(k) <= 8 else "int32",
           m=5 + i, n=9 + 7 * i, k=13 + 5 * i, seed=100 + i, name=f"kernel_{k}")
      for i, k in enumerate(KERNELS)],
    # the in-place tiles: ternary, N over 64, ldx a multiple of 32, any placement
    # (docs/avx2.md names these in_place_*), and the same switched off
    dict(wf="ternary", m=13, n=150, k=40, xpad=3, xoff=17, acc=8, out="int8", seed=1,
         name="in_place_0"),
    dict(wf="ternary", m=6, n=128, k=64, xpad=3, xoff=0, acc=8, out="u8float", out_bits=4,
         seed=2, name="in_place_1"),
    dict(wf="binary", m=7, n=100, k=5, xpad=3, xoff=63, acc=6, out="u8fixed", out_bits=3,
         cyclic="smooth", slope=2, threads=2, emix=2, seed=13, name="in_place_2"),
    dict(wf="ternary", m=19, n=97, k=72, xpad=3, xoff=32, acc=8, out="u8float", cyclic="abs",
         bits=3, zx=5, threads="runner5", seed=14, name="in_place_3"),
    dict(wf="ternary", m=6, n=128, k=64, xpad=3, xoff=1, acc=8, out="u8float", out_bits=4,
         no_in_place=1, seed=2, name="in_place_off"),
    # deep K across the depth blocks
    dict(m=3, n=20, k=2305, acc=32, wbits=8, xmix=MAXED, wmix=MAXED, seed=3, name="deep_2305"),
    dict(m=7, n=70, k=4609, wf="ternary", acc=16, out="int16", seed=4, name="deep_4609"),
    # weights beyond L2 in one depth block, 2 threads: B packed once for all
    dict(m=64, n=100, k="big", wf="ternary", acc=8, out="int8", threads=2, seed=15,
         name="big_shared_b"),
    dict(m=4, n=33, k=600, acc=12, cyclic="smooth", slope=3, out="int16", kernel="acc16_int8_x_u8_4x16__c",
         seed=5, name="deep_600_c"),
    # saturating maddubs pairs: largest codes and weights throughout
    dict(m=6, n=48, k=64, wbits=7, bits=8, acc=16, out="int16", xmix=MAXED,
         wmix={"edge": 256, "favour": 1}, kernel="acc16_int8_x_u8_6x16__avx2", seed=6,
         name="maddubs_edge"),
    dict(m=8, n=40, k=31, wbits=8, bits=8, zx=255, acc=16, out="int16", xmix=MAXED,
         wmix={"edge": 256, "favour": 1}, seed=12, name="full_range_extremes"),
    # outputs, cyclic functions, relu, threads, strides, zero points
    dict(out="u8fixed", out_bits=5, relu=1, acc=9, cyclic="smooth", slope=65536, emix=31,
         threads=2, ldy_pad=3, yoff=5, zx=100, seed=7, name="u8fixed_smooth"),
    dict(out="float32", acc=10, cyclic="abs", emix=1, threads=3, ldw_pad=2, bits=4, zx=9,
         seed=8, name="float32_abs"),
    dict(out="u8float", out_bits=1, relu=1, acc=5, cyclic="smooth", slope=7,
         threads="runner5", xmix=EXTREMES, wmix=EXTREMES, bits=3, zx=7, seed=9,
         name="u8float_runner"),
    dict(out="int8", acc=8, cyclic="abs", m=64, n=3, k=5, seed=10, name="unsupported_int8_abs"),
    dict(out="int16", acc=2, m=1, n=1, k=1, bits=1, xpad=1, seed=11, name="tiny"),
    # each planted fault
    *[dict(fault=f, out="u8fixed" if f == "outzp" else "float32" if f in ("nonfinite",
           "misaligned", "aliasing") else "int32", bits=5, wf="ternary", acc=16,
           m=9, n=70, k=33, seed=20 + i, name=f"fault_{f}") for i, f in enumerate(FAULTS[1:])],
]

CONV = [
    # every kernel forced once, both layouts
    *[dict(kernel=k, wf=wf_of(k), wbits=wbits_of(k, i), bits=7 if "buf" in k else 8,
           acc=acc_of(k), out="int8" if acc_of(k) <= 8 else "u8float" if i % 2 else "int32",
           layout="nhwc" if i % 2 else "nchw", C=4 * (1 + i % 5), m=3 + i, H=5 + i % 7,
           W=9 - i % 5, zx=3 * i, seed=200 + i, name=f"kernel_{k}")
      for i, k in enumerate(KERNELS)],
    # the direct convolution (int8 / u8 float, channels % 4 == 0), both layouts
    dict(layout="nchw", C=16, m=20, H=12, W=12, kernel_hw=(3, 3), pad=(1, 2, 0, 3),
         out="u8float", out_bits=4, relu=1, acc=8, cyclic="smooth", slope=2, zx=5, seed=30,
         name="direct_nchw_pads"),
    dict(layout="nhwc", C=32, m=35, H=7, W=11, kernel_hw=(5, 1), stride=(2, 1), acc=16,
         out="u8float", cyclic="abs", xoff=3, yoff=1, threads=2, seed=31, name="direct_nhwc_5x1"),
    dict(layout="nchw", C=24, m=13, H=9, W=12, kernel_hw=(1, 3), stride=(1, 2), acc=8,
         out="int8", wf="int", wbits=7, xmix=MAXED, wmix={"edge": 256, "favour": 1},
         kernel="acc16_int8_x_u8_6x16__avx2", seed=39, name="direct_maddubs_edge"),
    dict(layout="nhwc", C=8, m=12, H=12, W=12, kernel_hw=(2, 4), dilation=(2, 2), stride=(3, 2),
         wf="int", wbits=8, acc=16, out="u8float", xmix=MAXED, wmix={"edge": 256, "favour": 1},
         zx=255, seed=32, name="full_range_dilated"),
    dict(layout="nchw", C=12, m=9, H=10, W=3, pad=(3, 0, 3, 0), no_direct=1, threads="runner3",
         seed=33, name="direct_off_runner"),
    # deep K: past the direct limit (4608) and the depth blocks
    dict(layout="nhwc", C=512, m=4, H=3, W=3, kernel_hw=(3, 3), wf="ternary", acc=8, seed=34,
         name="deep_512x3x3"),
    dict(layout="nchw", C=260, m=2, H=4, W=4, kernel_hw=(5, 5), pad=(2, 2, 2, 2), acc=32,
         out="int32", wf="int", wbits=4, threads=3, seed=35, name="deep_260x5x5"),
    # odd channels (implicit im2col), batches, outputs, a window that does not fit
    dict(layout="nchw", C=3, batch=3, m=17, H=8, W=8, out="u8fixed", out_bits=6, emix=31,
         acc=12, cyclic="smooth", slope=64, bits=2, zx=3, seed=36, name="batch3_c3"),
    dict(layout="nhwc", C=7, batch=2, m=5, H=6, W=9, out="float32", acc=9, emix=1, bits=6,
         zx=40, seed=37, name="batch2_c7_float"),
    dict(layout="nchw", C=4, m=3, H=2, W=2, kernel_hw=(5, 5), pad=(0, 0, 0, 0), seed=38,
         name="window_too_big"),
    # each planted fault
    *[dict(fault=f, out="u8fixed" if f == "outzp" else "float32" if f in ("nonfinite",
           "misaligned", "aliasing") else "int8", bits=5, acc=8, C=8, m=6,
           layout="nhwc" if i % 2 else "nchw", seed=40 + i, name=f"fault_{f}")
      for i, f in enumerate(FAULTS[1:])],
    # depthwise (G = C): the AVX2 rows (NHWC, multiplier 1, >= 8 channels, tails),
    # the portable rows (NCHW, multipliers 2 and 3), every output stage
    *[dict(groups="dw", layout="nhwc", cc=dw_channel_byte(C, 1), C=C, kernel_hw=(3, 3),
           stride=(s, s), wf="int", wbits=8, acc={"int8": 8, "int16": 16}.get(o, 32), out=o,
           out_bits=5, relu=i % 2,
           zx=7 * i, xmix=EXTREMES if i % 2 else UNIFORM, emix=i, H=9 + i, W=7 + 2 * i,
           threads="runner4" if i == 3 else 1 + i % 3, seed=60 + i, name=f"dw_avx2_{o}_c{C}")
      for i, (C, s, o) in enumerate([(32, 1, "u8float"), (17, 2, "int8"), (64, 1, "int32"),
                                     (9, 1, "u8fixed"), (24, 2, "float32"),
                                     (40, 1, "int16")])],
    dict(groups="dw", mult=2, layout="nchw", cc=dw_channel_byte(12, 2), C=12, kernel_hw=(3, 3),
         wf="ternary", acc=8, out="int8", slice=(3, 2), seed=70, name="dw_nchw_mult2_slice"),
    dict(groups="dw", mult=3, layout="nhwc", cc=dw_channel_byte(21, 3), C=21, kernel_hw=(5, 5),
         dilation=(2, 1), pad=(2, 0, 3, 1), wf="int", wbits=4, acc=16, out="u8float",
         slice=(5, 5), batch=2, seed=71, name="dw_nhwc_mult3_slice"),
    dict(groups="dw", layout="nhwc", cc=dw_channel_byte(64, 1), C=64, kernel_hw=(3, 3),
         wf="int", wbits=8, acc=32, out="u8float", batch=2, slice=(7, 3), threads=2,
         xmix=MAXED, wmix={"edge": 256, "favour": 1}, zx=255, seed=72, name="dw_full_range_slice"),
    dict(groups="dw", layout="nhwc", cc=dw_channel_byte(16, 1), C=16, no_direct=1, out="int8",
         seed=73, name="dw_direct_off"),
    dict(groups="dw", layout="nhwc", cc=dw_channel_byte(16, 1), C=16, kernel="acc32_int8_x_u8_4x8__c",
         wf="int", wbits=6, acc=32, out="int32", seed=74, name="dw_forced_c"),
    dict(groups="dw", layout="nchw", cc=dw_channel_byte(8, 1), C=8, kernel="acc16_int8_x_u8_6x16__avx2",
         wf="int", wbits=7, acc=16, out="int16", seed=75, name="dw_forced_avx2_nchw"),
    dict(groups="dw", layout="nhwc", cc=dw_channel_byte(8, 1), C=8, kernel="acc8_ternary_x_u8_1x4__swar64exact",
         wf="ternary", acc=8, out="int8", seed=76, name="dw_forced_swar"),
    # other groups: one implicit-im2col GEMM per group
    dict(groups=3, C=12, mg=5, layout="nhwc", slice=(2, 1), out="u8float", acc=16, seed=80,
         name="groups3_c12_slice"),
    dict(groups=2, C=8, mg=7, layout="nchw", threads="runner3", out="u8fixed", emix=31, acc=12,
         seed=81, name="groups2_c8_runner"),
    dict(groups=64, C=256, mg=1, layout="nchw", kernel_hw=(1, 1), pad=(0, 0, 0, 0), H=4, W=4,
         acc=16, out="int16", seed=82, name="groups64_c256"),
    dict(groups=4, C=252, mg=3, layout="nhwc", kernel_hw=(3, 1), acc=32, out="int32", wf="int",
         wbits=8, seed=83, name="groups4_c252_deep"),
    # slices of ungrouped convolutions: direct (both layouts) and implicit im2col
    dict(groups="one", C=16, m=12, layout="nchw", slice=(4, 3), out="u8float", seed=84,
         name="slice_direct_nchw"),
    dict(C=32, m=9, layout="nhwc", slice=(7, 7), out="int8", threads=3, seed=85,
         name="slice_direct_nhwc"),
    dict(C=7, m=5, layout="nhwc", slice=(1, 0), out="float32", batch=3, plan_first=1,
         seed=86, name="slice_im2col_nhwc"),
    dict(C=16, m=12, layout="nchw", slice=(0, 0), out="int8", seed=87, name="slice_exact"),
    # an output overlapping the activations, inside the slice's range (a stride gap too)
    *[dict(fault="aliasing", groups="dw", layout=lay, cc=dw_channel_byte(16, 1), C=16,
           out="float32", slice=(6, 2), seed=88 + i, name=f"dw_aliasing_{lay}")
      for i, lay in enumerate(["nchw", "nhwc"])],
    # each planted option fault, depthwise and grouped problems
    *[dict(optfault=f, C=16, mg=3, layout="nhwc" if i % 2 else "nchw", slice=(2, 1),
           plan_first=i % 2, out="int8", seed=90 + i, name=f"optfault_{f}",
           **(dict(groups="dw", cc=dw_channel_byte(16, 1)) if i % 2 else dict(groups=2)))
      for i, f in enumerate(OPT_FAULTS[1:])],
    dict(optfault="other_g", C=8, m=6, seed=97, name="optfault_grouped_weights_ungrouped_call"),
]


def write(dirname, header, cases, tail=lambda c: b""):
    path = os.path.join(HERE, dirname)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    assert len({c["name"] for c in cases}) == len(cases)
    for c in cases:
        data = header(c) + c["seed"].to_bytes(8, "little") + tail(c)
        name = c["name"]
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)
    print(f"{dirname}: {len(cases)} inputs")


write("corpus", api_header, API)
write("corpus_conv", conv_header, CONV,
      lambda c: conv_tail(c) if set(c) & {"groups", "slice", "optfault", "plan_first"} else b"")
