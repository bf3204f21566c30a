#!/bin/bash
# The SWAR lookup-table kernel against Table 8's general-register paths
# (docs/lut.md, "General registers"): wgbench's own table8 cases on the
# full-size layers (raw int8 output): the LUT kernel's gemm_raw and
# conv_raw, the exact and buffer table kernels' (swar64exact, swar64buf)
# and the SWAR API's swar64 exact / buffer / carry paths.  One wgbench
# process per side and round, the order alternating per round; thread CPU
# time per call, medians and minima over the rounds.
#
#   make BUILDROOT=build-lutswar bench-build
#   bench/lut/table8_vs_swar.sh build-lutswar/x86_64-linux-gnu/wgbench [rounds]
set -e
BIN=${1:?path to wgbench}
R=${2:-5}
OUT=$(mktemp -d)
LUT='table8/.*/acc8_ternary_x_u8_4x8_lut3__swar64\.(gemm_raw|conv_raw)$'
BASE='table8/.*/(acc8_ternary_x_u8_1x4__swar64exact|acc7_ternary_x_u7_2x4__swar64buf)\.(gemm_raw|conv_raw)$|table8/.*/swar64_(exact_acc8|buffer_acc7|carry_acc8)\.gemm_raw$'
for r in $(seq 1 "$R"); do
  if [ $((r % 2)) = 1 ]; then L="lut base"; else L="base lut"; fi
  for s in $L; do
    f=$LUT
    [ "$s" = base ] && f=$BASE
    "$BIN" --filter="$f" --reps=1 --out="$OUT/$r-$s" >/dev/null 2>&1
  done
done
PYTHONPATH="$(dirname "$0")" python3 - "$OUT" <<'PY'
import statistics as st, sys
import cpu_times
t = cpu_times.load(sys.argv[1])
lut = 'acc8_ternary_x_u8_4x8_lut3__swar64'
paths = [('swar64exact', 'acc8_ternary_x_u8_1x4__swar64exact'),
         ('swar64buf', 'acc7_ternary_x_u7_2x4__swar64buf'),
         ('api exact', 'swar64_exact_acc8'), ('api buffer', 'swar64_buffer_acc7'),
         ('api carry', 'swar64_carry_acc8')]
for layer in ['64x56x56', '128x28x28', '256x14x14', '512x7x7']:
    for m in ['gemm_raw', 'conv_raw']:
        q = t.get(f'table8/{layer}/{lut}.{m}')
        if not q:
            print(layer, m, 'missing')
            continue
        row = f'{layer:10s} {m:9s} LUT {st.median(q):7.3f} ({min(q):.3f}) ms'
        for short, name in paths:
            p = t.get(f'table8/{layer}/{name}.{m}')
            if p:
                row += f' | {short} {st.median(p):7.3f} ({min(p):.3f}) {st.median(p) / st.median(q):.2f}x'
        print(row)
PY
rm -rf "$OUT"
