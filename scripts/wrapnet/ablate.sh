#!/bin/sh
# The ablations of docs/wrapnet.md (the paper's Tables 2 and 3) on binary
# weights: WrapNet-8 retrained from WORKDIR's binary qw checkpoint with other
# slopes k and target overflow rates p, at half the default image budget
# (the k = 2, p = 5% run at the same budget is the reference), then scored
# with the integer simulation on the whole test set.
# Usage: scripts/wrapnet/ablate.sh WORKDIR   (after train_all.sh WORKDIR)
set -eu
work=${1:?usage: ablate.sh WORKDIR}
here=$(dirname "$0")
py=/usr/bin/python3
run() {
  nice $py -u "$here/train.py" "$work" binary --phases wrap8 --epochs-scale 0.5 "$@" \
    > "$work/ablate$(echo "$@" | tr -d ' -').log" 2>&1
}
run --slope 2 --p 0.05 --tag=-ref & run --slope 1 --tag=-k1 & wait
run --slope 4 --tag=-k4 & run --p 0.02 --tag=-p2 & wait
run --p 0.10 --tag=-p10 & run --p 0.20 --tag=-p20 & wait
nice $py -u "$here/export.py" --eval binary "$work"/binary-wrap8-ref.pt \
  "$work"/binary-wrap8-k1.pt "$work"/binary-wrap8-k4.pt "$work"/binary-wrap8-p2.pt \
  "$work"/binary-wrap8-p10.pt "$work"/binary-wrap8-p20.pt
