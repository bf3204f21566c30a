#!/bin/sh
# Retrains every WrapNet model of docs/wrapnet.md and exports them to models/.
# Usage: scripts/wrapnet/train_all.sh WORKDIR   (checkpoints; reruns resume)
# The float network is shared; the binary and ternary pipelines then run side
# by side, one thread each, at low priority.
set -eu
work=${1:?usage: train_all.sh WORKDIR}
here=$(dirname "$0")
py=/usr/bin/python3
mkdir -p "$work"
nice $py -u "$here/train.py" "$work" float --threads 2 | tee "$work/float.log"
nice $py -u "$here/train.py" "$work" binary > "$work/binary.log" 2>&1 &
b=$!
nice $py -u "$here/train.py" "$work" ternary > "$work/ternary.log" 2>&1 &
t=$!
wait $b
wait $t
cat "$work/binary.log" "$work/ternary.log"
nice $py -u "$here/export.py" "$work" "$here/../../models"
