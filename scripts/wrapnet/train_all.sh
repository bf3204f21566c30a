#!/bin/sh
# Retrains every WrapNet model of docs/wrapnet.md and exports them to models/.
# Usage: scripts/wrapnet/train_all.sh WORKDIR [MODELDIR]
#   WORKDIR holds the checkpoints (a rerun resumes); MODELDIR defaults to
#   models/.  EPOCHS_SCALE (default 1) scales every phase's image budget.
# The float network is shared; the binary and ternary pipelines then run side
# by side, one thread each, at low priority.
set -eu
work=${1:?usage: train_all.sh WORKDIR}
here=$(dirname "$0")
models=${2:-$here/../../models}
scale=${EPOCHS_SCALE:-1}
py=/usr/bin/python3
mkdir -p "$work"
nice $py -u "$here/train.py" "$work" float --threads 2 --epochs-scale "$scale" | tee "$work/float.log"
nice $py -u "$here/train.py" "$work" binary --epochs-scale "$scale" > "$work/binary.log" 2>&1 &
b=$!
nice $py -u "$here/train.py" "$work" ternary --epochs-scale "$scale" > "$work/ternary.log" 2>&1 &
t=$!
wait $b
wait $t
cat "$work/binary.log" "$work/ternary.log"
nice $py -u "$here/export.py" "$work" "$models"
