"""A longer float baseline of an architecture and its test accuracy per
epoch (issue 20: "a float baseline trained to convergence").

    OMP_NUM_THREADS=1 nice -n 10 /usr/bin/python3 -u scripts/wrapnet/float_curve.py \\
        WORKDIR --arch vgg7 --epochs 4

Runs `train.py WORKDIR float --arch A --float-epochs E` (one-cycle Adam over
the whole budget, resumable: train.py keeps its state every 100 batches in
WORKDIR/float.pt.part-train) and, while it runs, copies that state at the
100-batch save nearest each epoch's end to WORKDIR/float-epoch-N.pt; then
scores every copy and the final float.pt on all 10000 test images in float
and prints one line per epoch.  The mid-run states are on the one-cycle
schedule (the learning rate still high), so the last row is the baseline
and the earlier ones show how far the accuracy still moved.  Use its own
WORKDIR: the committed chain's float.pt is another run.
"""
import argparse
import os
import subprocess
import sys
import time

import torch

import wrapnet as W

BS, SAVE_EVERY = 128, 100   # train.py's batch and state-save interval


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--arch", default="vgg7", choices=sorted(W.ARCHS))
    ap.add_argument("--epochs", type=int, default=4)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    final = os.path.join(a.work, "float.pt")
    part = final + ".part-train"
    per_epoch = 60000 // BS
    # the 100-batch saves nearest each epoch end (the last epoch: float.pt)
    marks = {round(e * per_epoch / SAVE_EVERY) * SAVE_EVERY: e for e in range(1, a.epochs)}
    if not os.path.exists(final):
        here = os.path.dirname(os.path.abspath(__file__))
        proc = subprocess.Popen([sys.executable, "-u", os.path.join(here, "train.py"), a.work,
                                 "float", "--arch", a.arch, "--float-epochs", str(a.epochs)])
        seen = None
        while True:
            done = proc.poll() is not None
            if os.path.exists(part) and os.path.getmtime(part) != seen:
                seen = os.path.getmtime(part)
                try:
                    d = torch.load(part)
                except (RuntimeError, EOFError, OSError):
                    d = None   # being replaced; the next poll reads it
                if d and d["b"] in marks:
                    snap = os.path.join(a.work, f"float-epoch-{marks[d['b']]}.pt")
                    if not os.path.exists(snap):
                        torch.save({"state": d["net"], "arch": a.arch, "batches": d["b"]}, snap)
            if done:
                break
            time.sleep(5)
        if proc.returncode:
            raise SystemExit(f"train.py failed ({proc.returncode})")
    xte, yte = W.load_split(False)
    rows = [(e, os.path.join(a.work, f"float-epoch-{e}.pt")) for e in range(1, a.epochs)]
    rows.append((a.epochs, final))
    for e, path in rows:
        if not os.path.exists(path):
            print(f"epoch {e}: no state saved", flush=True)
            continue
        d = torch.load(path)
        net = W.Net(a.arch)
        net.load_state_dict(d["state"])
        b = d.get("batches", a.epochs * per_epoch)
        print(f"epoch {e} ({b * BS / 60000:.2f} epochs): test accuracy (10000) "
              f"{W.evaluate(net, xte, yte):.2f}%", flush=True)


if __name__ == "__main__":
    main()
