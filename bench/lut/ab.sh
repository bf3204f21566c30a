#!/bin/bash
# Two builds of bench/lut/kernel_bench (the library before and after a
# change) alternated run by run on one case: each run prints kernel A's and
# kernel B's medians over its interleaved rounds; this prints, per build,
# the median over the runs of B's time and of A / B (A, the same kernel in
# both builds, as an in-process reference), then new / old of B's time
# (docs/lut.md, "AVX-512 on Zen 5").
#
#   cp build-lut/lut/kernel_bench /tmp/kernel_bench.old   # before the change
#   make BUILDROOT=build-lut lib && make -C bench/lut all  # after it
#   KB_A=... KB_B=... bench/lut/ab.sh /tmp/kernel_bench.old build-lut/lut/kernel_bench 3 conv 64 56 nchw 15
set -e
OLD=${1:?old kernel_bench} NEW=${2:?new kernel_bench} N=${3:?runs per build}
shift 3
for i in $(seq 1 "$N"); do
  for b in old new; do
    if [ $b = old ]; then bin=$OLD; else bin=$NEW; fi
    out=$("$bin" "$@")
    a=$(echo "$out" | sed -n 1p | sed 's/.*median \([0-9.]*\) ms.*/\1/')
    x=$(echo "$out" | sed -n 2p | sed 's/.*median \([0-9.]*\) ms.*/\1/')
    echo "$b $x $a"
  done
done | python3 -c '
import sys, statistics as st
d = {"old": [], "new": []}
for l in sys.stdin:
    b, x, a = l.split()
    d[b].append((float(x), float(a)))
for b in ("old", "new"):
    print(b, "B median %.3f ms" % st.median(x for x, a in d[b]),
          "A/B median %.3f" % st.median(a / x for x, a in d[b]))
print("new/old B time: %.3f" % (st.median(x for x, a in d["new"]) / st.median(x for x, a in d["old"])))
'
