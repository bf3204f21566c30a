#!/bin/sh
# Retrains every WrapNet model of docs/wrapnet.md and exports them to models/.
# Usage: scripts/wrapnet/train_all.sh WORKDIR [MODELDIR]
#   WORKDIR holds the checkpoints (a rerun resumes, also within a phase);
#   MODELDIR defaults to models/.  Settings (environment):
#   EPOCHS_SCALE  (default 1) scales every phase's image budget;
#   ARCH          small (default; make demo's models) or vgg7 (the deeper net);
#   FLOAT_EPOCHS  (default 1) and FLOAT_SCALE (default EPOCHS_SCALE): the float
#                 phase's budget, FLOAT_EPOCHS * FLOAT_SCALE epochs;
#   FLOAT_THREADS (default 2) threads of the float phase (the others use 1);
#   PHASES        (default qa,wrap8,wrap12) the phases after qw;
#   CALIB_IMAGES  (default 1000) training images of the step search.
# The float network is shared; the binary and ternary pipelines then run side
# by side, one thread each, at low priority.
set -eu
work=${1:?usage: train_all.sh WORKDIR}
here=$(dirname "$0")
models=${2:-$here/../../models}
scale=${EPOCHS_SCALE:-1}
arch=${ARCH:-small}
py=/usr/bin/python3
mkdir -p "$work"
nice $py -u "$here/train.py" "$work" float --arch "$arch" --threads "${FLOAT_THREADS:-2}" \
  --epochs-scale "${FLOAT_SCALE:-$scale}" --float-epochs "${FLOAT_EPOCHS:-1}" | tee -a "$work/float.log"
for w in binary ternary; do
  nice $py -u "$here/train.py" "$work" $w --arch "$arch" --epochs-scale "$scale" \
    --phases "${PHASES:-qa,wrap8,wrap12}" --calib-images "${CALIB_IMAGES:-1000}" \
    >> "$work/$w.log" 2>&1 &
  eval "pid_$w=\$!"
done
wait "$pid_binary"
wait "$pid_ternary"
cat "$work/binary.log" "$work/ternary.log"
nice $py -u "$here/export.py" "$work" "$models"
