#!/bin/sh
# The paper's Tables 2, 3 and 4 on the deeper net (--arch vgg7) at the paper's
# settings: binary weights, no overflow penalty (--reg 0; Table 4's R^o rows
# --reg 0.01), every point a
# WrapNet-8 phase retrained from WORKDIR's binary qw checkpoint with one
# factor changed, then scored on the whole test set with the integer
# simulation (export.py --eval; bit for bit the C library's result, which
# test-wrapnet's golden files check), and written into docs/wrapnet.md by
# ablation_tables.py.
#   Table 2: slope k = 1, 2, 4, 10 and the bare modulo (--slope 0), p = 5%;
#   Table 3: p = 0, 2, 5, 10, 20, 30, 40, 50%, k = 2 (k = 2, p = 5% shared);
#   Table 4: R^o coefficient 0 and 0.01 at p = 20% and 5%, k = 2 (the R^o = 0
#   points are Table 3's; the two R^o = 0.01 points run with --reg 0.01).
# Usage: scripts/wrapnet/ablate_vgg7.sh WORKDIR [DOC]
#   WORKDIR holds float.pt and binary-qw.pt of --arch vgg7 (train_all.sh with
#   ARCH=vgg7, or train.py WORKDIR binary --arch vgg7 --phases qw); DOC
#   (default docs/wrapnet.md) receives the tables.  Resumable: a finished
#   point (checkpoint) or evaluation (.eval file) is skipped, a point killed
#   mid-phase resumes at its last 100-batch state.  Settings (environment):
#   EPOCHS_SCALE (default 0.3) image budget of each point, CALIB_IMAGES
#   (default 500) images of the step search, JOBS (default 2) points run at
#   once, one thread each, at low priority; POINTS (default all 14) a subset
#   of the tags below.
set -eu
work=${1:?usage: ablate_vgg7.sh WORKDIR [DOC]}
here=$(dirname "$0")
doc=${2:-$here/../../docs/wrapnet.md}
py=/usr/bin/python3
export OMP_NUM_THREADS=1 EPOCHS_SCALE="${EPOCHS_SCALE:-0.3}" CALIB_IMAGES="${CALIB_IMAGES:-500}"
export WORK="$work" HERE="$here" PY="$py"
# tag  slope  p  R^o coefficient
all="k2-p5 2 0.05 0
k1-p5 1 0.05 0
k4-p5 4 0.05 0
k10-p5 10 0.05 0
k0-p5 0 0.05 0
p0 2 0.0 0
p2 2 0.02 0
p10 2 0.10 0
p20 2 0.20 0
p30 2 0.30 0
p40 2 0.40 0
p50 2 0.50 0
ro-p20 2 0.20 0.01
ro-p5 2 0.05 0.01"
sel=${POINTS:-$(echo "$all" | cut -d' ' -f1)}
list=$(for t in $sel; do
  echo "$all" | grep "^$t " || { echo "ablate_vgg7.sh: no point $t" >&2; exit 1; }; done)
# A point that fails is reported and the others go on; the tables are then
# written from whatever finished (the missing points listed as not run).
status=0
echo "$list" | xargs -P "${JOBS:-2}" -L 1 sh -c '
    tag=$0 k=$1 p=$2 reg=$3 ck="$WORK/binary-wrap8-abl-$tag.pt"
    if [ ! -f "$ck" ]; then
      nice -n 10 "$PY" -u "$HERE/train.py" "$WORK" binary --arch vgg7 --phases wrap8 --reg "$reg" \
        --slope "$k" --p "$p" --epochs-scale "$EPOCHS_SCALE" --calib-images "$CALIB_IMAGES" \
        --tag=-abl-$tag >> "$WORK/ablate-vgg7-$tag.log" 2>&1 ||
        { echo "ablate_vgg7.sh: $tag failed, see $WORK/ablate-vgg7-$tag.log" >&2; exit 1; }
    fi
    if [ ! -f "$ck.eval" ]; then
      nice -n 10 "$PY" -u "$HERE/export.py" --eval binary "$ck" > "$ck.eval.tmp" &&
        mv "$ck.eval.tmp" "$ck.eval" || exit 1
    fi
    cat "$ck.eval"' || status=$?
"$py" "$here/ablation_tables.py" "$work" --write "$doc"
exit "$status"
