#!/bin/bash
# The binary layers (docs/lut.md, "Binary weights"): wgbench's table7b
# cases, the four Table 7 layers with binary weights, for the binary LUT
# kernel, the ternary LUT kernel and the sign+add kernel on the same binary
# weights (gemm_raw, conv_raw, conv_nhwc_raw, full-size layers), and
# oneDNN's convolution primitive on them (int8 -1/+1, 7-bit activations).
# One wgbench process per implementation and round, the order rotating per
# round; thread CPU time per call, medians and minima over the rounds,
# ratios = the other / the binary LUT (above 1: the binary LUT is faster).
#
#   make BUILDROOT=build-lutbin bench-build
#   bench/lut/table7b.sh build-lutbin/x86_64-linux-gnu/wgbench [rounds]
#
# TABLE=table7 runs the ternary layers instead; IMPLS replaces the list
# (the first is the one the ratios divide by), e.g. on an AVX-512 CPU:
#   TABLE=table7 IMPLS="acc8_ternary_x_u8_8x128_lut3__avx512bw
#     acc32_int8_x_u8_8x32__avx512vnni onednn_conv_u8s8s32" bench/lut/table7b.sh ...
# An implementation without a case (VNNI has no NHWC case) prints "-".
set -e
BIN=${1:?path to wgbench}
R=${2:-5}
OUT=$(mktemp -d)
TABLE=${TABLE:-table7b}
IMPLS=${IMPLS:-"acc8_binary_x_u8_8x64_lut4__avx2 acc8_ternary_x_u8_8x64_lut3__avx2
       acc8_ternary_x_u8_6x16__avx2 onednn_conv_u8s8s32"}
CASES=${CASES:-"gemm_raw conv_raw conv_nhwc_raw"}
set -- $IMPLS
N=$#
for r in $(seq 1 "$R"); do
  for i in $(seq 0 $((N - 1))); do
    j=$(( (i + r) % N + 1 ))
    k=${!j}
    "$BIN" --filter="$TABLE/.*/$k\.(${CASES// /|}|conv)\$" --reps=1 \
      --out="$OUT/$r-$k" >/dev/null 2>&1
  done
done
PYTHONPATH="$(dirname "$0")" python3 - "$OUT" "$TABLE" "$CASES" $IMPLS <<'PY'
import statistics as st, sys
import cpu_times
out, table, cases, lut, *others = sys.argv[1:]
t = cpu_times.load(out)
short = {o: o.split('_x_u8_')[-1] for o in others}
print(f'layer      case           {lut.split("_x_u8_")[-1]} ms med (min)   ' +
      '   '.join(f'{short[o]} ms med (min), /LUT' for o in others))
for layer in ['64x56x56', '128x28x28', '256x14x14', '512x7x7']:
    for m in cases.split():
        p = t.get(f'{table}/{layer}/{lut}.{m}')
        if not p:
            print(layer, m, 'missing')
            continue
        row = f'{layer:10s} {m:14s} {st.median(p):.3f} ({min(p):.3f})'
        for o in others:
            name = f'{table}/{layer}/{o}.' + ('conv' if o.startswith('onednn') else m)
            q = t.get(name)
            if not q or (o.startswith('onednn') and m != 'conv_raw'):
                row += '   -'
                continue
            row += f'   {st.median(q):.3f} ({min(q):.3f}) {st.median(q) / st.median(p):.2f}x'
        print(row)
PY
rm -rf "$OUT"
