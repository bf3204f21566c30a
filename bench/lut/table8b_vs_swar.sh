#!/bin/bash
# The SWAR binary lookup-table kernels (acc8_binary_x_u8_4x8_lut<G>__swar64,
# docs/lut.md, "General registers: binary weights") against the ternary
# SWAR LUT on the same binary weights (wgbench's table8b cases) and Table
# 8's binary general-register paths: the binary exact and buffer table
# kernels (table8/, binary weights) and the SWAR API's 64-bit exact /
# buffer / carry modes on binary weights (table8b/, gemm_raw only); the
# four full-size layers, gemm_raw and conv_raw, raw int8 output.  Three
# wgbench processes per round (the binary LUTs; the ternary LUT; the
# Table 8 paths), the order rotating per round; thread CPU time per call,
# medians and minima over the rounds; ratio = the other / the first
# binary LUT named (above 1: it is faster).
#
#   make BUILDROOT=build-swarb bench-build
#   bench/lut/table8b_vs_swar.sh build-swarb/x86_64-linux-gnu/wgbench [rounds]
set -e
BIN=${1:?path to wgbench}
R=${2:-5}
OUT=${KEEP:-$(mktemp -d)}  # KEEP=dir: keep the runs' bench.json there
mkdir -p "$OUT"
V='\.(gemm_raw|conv_raw)$'
F0="table8/.*/acc8_binary_x_u8_4x8_lut[0-9]__swar64$V"
F1="table8b/.*/acc8_ternary_x_u8_4x8_lut3__swar64$V"
F2="table8/.*/(acc8_binary_x_u8_1x4__swar64exact|acc7_binary_x_u7_2x4__swar64buf)$V|table8b/.*/swar64_(exact_acc8|buffer_acc7|carry_acc8)\.gemm_raw\$"
for r in $(seq 1 "$R"); do
  for i in 0 1 2; do
    j=$(( (i + r) % 3 ))
    f=F$j
    "$BIN" --filter="${!f}" --reps=1 --out="$OUT/$r-$j" >/dev/null 2>&1
  done
  echo "round $r done $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
PYTHONPATH="$(dirname "$0")" python3 - "$OUT" <<'PY'
import statistics as st, sys
import cpu_times
t = cpu_times.load(sys.argv[1])
luts = sorted({n.split('/')[2].split('.')[0] for n in t
               if n.startswith('table8/') and '_lut' in n and 'binary' in n})
others = [('lut3 on binary', 'table8b', 'acc8_ternary_x_u8_4x8_lut3__swar64'),
          ('binary swar64exact', 'table8', 'acc8_binary_x_u8_1x4__swar64exact'),
          ('binary swar64buf', 'table8', 'acc7_binary_x_u7_2x4__swar64buf'),
          ('API exact', 'table8b', 'swar64_exact_acc8'),
          ('API buffer', 'table8b', 'swar64_buffer_acc7'),
          ('API carry', 'table8b', 'swar64_carry_acc8')]
print('rounds:', len(t[next(iter(t))]) if t else 0)
for layer in ['64x56x56', '128x28x28', '256x14x14', '512x7x7']:
    for m in ['gemm_raw', 'conv_raw']:
        base = t.get(f'table8/{layer}/{luts[0]}.{m}') if luts else None
        if not base:
            print(layer, m, 'missing')
            continue
        row = f'{layer:10s} {m:9s}'
        for lut in luts:
            q = t.get(f'table8/{layer}/{lut}.{m}')
            row += f' | {lut.split("_")[-3]} {st.median(q):7.3f} ({min(q):.3f})'
            if lut != luts[0]:
                row += f' {st.median(q) / st.median(base):.2f}x'
        for short, tab, name in others:
            p = t.get(f'{tab}/{layer}/{name}.{m}')
            if p:
                row += f' | {short} {st.median(p):7.3f} {st.median(p) / st.median(base):.2f}x'
        print(row)
PY
[ -n "$KEEP" ] || rm -rf "$OUT"
