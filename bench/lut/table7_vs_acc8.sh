#!/bin/bash
# The LUT kernel against acc8_ternary_x_u8_6x16__avx2 on the Table 7 layers
# (docs/lut.md, "The kernel"): wgbench's own cases (gemm_raw, conv_raw,
# conv_nhwc_raw, full-size layers), one wgbench process per kernel and
# round, the order alternating per round; thread CPU time per call, medians
# and minima over the rounds, ratio = acc8 / LUT.
#
#   make BUILDROOT=build-lut bench-build
#   bench/lut/table7_vs_acc8.sh build-lut/x86_64-linux-gnu/wgbench [rounds]
set -e
BIN=${1:?path to wgbench}
R=${2:-5}
OUT=$(mktemp -d)
A=acc8_ternary_x_u8_6x16__avx2
B=acc8_ternary_x_u8_8x64_lut3__avx2
for r in $(seq 1 "$R"); do
  if [ $((r % 2)) = 1 ]; then L="$A $B"; else L="$B $A"; fi
  for k in $L; do
    "$BIN" --filter="table7/.*/$k\.(gemm_raw|conv_raw|conv_nhwc_raw)\$" --reps=1 \
      --out="$OUT/$r-$k" >/dev/null 2>&1
  done
done
PYTHONPATH="$(dirname "$0")" python3 - "$OUT" "$A" "$B" <<'PY'
import statistics as st, sys
import cpu_times
out, a, b = sys.argv[1:4]
t = cpu_times.load(out)
print('layer      case           acc8 ms med (min)   LUT ms med (min)   acc8/LUT med  by minima')
for layer in ['64x56x56', '128x28x28', '256x14x14', '512x7x7']:
    for m in ['gemm_raw', 'conv_raw', 'conv_nhwc_raw']:
        p, q = t.get(f'table7/{layer}/{a}.{m}'), t.get(f'table7/{layer}/{b}.{m}')
        if not p or not q:
            print(layer, m, 'missing')
            continue
        print(f'{layer:10s} {m:14s} {st.median(p):.3f} ({min(p):.3f})      {st.median(q):.3f} ({min(q):.3f})'
              f'      {st.median(p) / st.median(q):.2f}x        {min(p) / min(q):.2f}x')
PY
rm -rf "$OUT"
