"""The WrapNet training pipeline of the paper's section 4.1, on Fashion-MNIST.

    float      full-precision pre-training (shared by every weight type)
    qw         quantized weights, float activations            (BWN / TWN)
    qa         + activations quantized at the 8-bit-calibrated steps, no
               cyclic activation, fine-tuned                    (BWN-QA / TWN-QA)
    wrap8      steps for p% overflow of an 8-bit accumulator, smooth cyclic
               activation (k = 2) after each quantized conv, warm-up with float
               activations, then fine-tuning with quantized activations and
               the overflow penalty R^o                         (WrapNet, 8-bit)
    wrap12     the same for a 12-bit accumulator

Checkpoints go to OUT/<phase>.pt (float) and OUT/<wtype>-<phase>.pt; every
phase whose checkpoint exists is skipped, so an interrupted run resumes.

Usage: python3 train.py OUT {float | binary | ternary | sawb2} [--epochs-scale F]
       [--p RATE] [--slope K] [--reg COEF] [--phases qa,wrap8,wrap12] [--tag SUFFIX]
Ablations (docs/wrapnet.md) reuse OUT's float and qw checkpoints, e.g.
       train.py OUT binary --phases wrap8 --slope 4 --tag=-k4
"""
import argparse
import os
import time

import torch
import torch.nn.functional as F

import wrapnet as W


def run_epochs(net, x, y, images, lr, reg=0.0, bs=128, seed=0):
    """Adam with a one-cycle schedule over `images` random training images
    (a fraction of an epoch or several: the shared 2-core machine sets the
    budget, see docs/wrapnet.md)."""
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    nb = max(1, images // bs)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=nb, pct_start=0.15)
    g = torch.Generator().manual_seed(seed)
    perm = torch.cat([torch.randperm(len(x), generator=g) for _ in range(nb * bs // len(x) + 1)])
    net.train()
    t0, tot, pen = time.time(), 0.0, 0.0
    for b in range(nb):
        idx = perm[b * bs:(b + 1) * bs]
        out = net(x[idx])
        loss = F.cross_entropy(out, y[idx])
        tot += loss.item()
        if reg:
            loss = loss + reg * net.penalty
        pen += net.penalty.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if (b + 1) % 100 == 0 or b + 1 == nb:
            print(f"    {(b + 1) * bs} images: loss {tot / (b + 1):.4f} "
                  f"R^o {pen / (b + 1):.3f} ({time.time() - t0:.0f} s)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("wtype", choices=["float", "binary", "ternary", "sawb2"])
    ap.add_argument("--epochs-scale", type=float, default=1.0)
    ap.add_argument("--p", type=float, default=0.05, help="target overflow rate")
    ap.add_argument("--slope", type=int, default=2)
    ap.add_argument("--reg", type=float, default=0.01, help="R^o coefficient")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--train-images", type=int, default=60000, help="smoke tests use fewer")
    ap.add_argument("--phases", default="qa,wrap8,wrap12", help="ablations run wrap8 alone")
    ap.add_argument("--tag", default="", help="suffix of the qa/wrap checkpoints (ablations)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    os.makedirs(a.out, exist_ok=True)
    xtr, ytr = W.load_split(True)
    xtr, ytr = xtr[:a.train_images], ytr[:a.train_images]
    xte, yte = W.load_split(False)
    ep = lambda n: int(n * a.epochs_scale)
    xev, yev = xte[:2000], yte[:2000]  # training logs only; export.py measures all
    fpath = os.path.join(a.out, "float.pt")

    net = W.Net()
    if not os.path.exists(fpath):
        print("phase float", flush=True)
        run_epochs(net, xtr, ytr, ep(60000), 2e-3)
        torch.save({"state": net.state_dict()}, fpath)
        print(f"  float test accuracy (first 2000) {W.evaluate(net, xev, yev):.2f}%", flush=True)
    if a.wtype == "float":
        return

    def ckpt(phase):
        tag = a.tag if phase != "qw" else ""
        return os.path.join(a.out, f"{a.wtype}-{phase}{tag}.pt")

    def load(phase):
        d = torch.load(ckpt(phase) if phase != "float" else fpath)
        n = W.Net()
        n.load_state_dict(d["state"])
        n.wtype = None if phase == "float" else a.wtype
        for key in ("steps", "bits", "quant_acts", "cyclic_bits", "slope", "penalty_bits"):
            if key in d:
                setattr(n, key, d[key])
        return n

    def save(n, phase, acc):
        torch.save({"state": n.state_dict(), "steps": n.steps, "bits": n.bits,
                    "quant_acts": n.quant_acts, "cyclic_bits": n.cyclic_bits,
                    "slope": n.slope, "penalty_bits": n.penalty_bits, "acc": acc},
                   ckpt(phase))

    if not os.path.exists(ckpt("qw")):
        print(f"phase qw ({a.wtype} weights, float activations)", flush=True)
        net = load("float")
        net.wtype = a.wtype
        run_epochs(net, xtr, ytr, ep(105000), 1e-3, seed=2)
        acc = W.evaluate(net, xev, yev)
        print(f"  qw test accuracy (first 2000) {acc:.2f}%", flush=True)
        save(net, "qw", acc)

    calib_x = xtr[:1000]
    for phase, b in (("qa", 8), ("wrap8", 8), ("wrap12", 12)):
        if phase not in a.phases.split(",") or os.path.exists(ckpt(phase)):
            continue
        print(f"phase {phase}", flush=True)
        net = load("qw")
        net.steps, net.bits, rates = W.calibrate(net, calib_x, b, a.p)
        net.penalty_bits = b
        if phase == "qa":
            net.quant_acts = True
            run_epochs(net, xtr, ytr, ep(45000), 5e-4, seed=3)
        else:
            net.cyclic_bits, net.slope = b, a.slope
            net.quant_acts = False
            print("  warm-up (float activations, cyclic)", flush=True)
            run_epochs(net, xtr, ytr, ep(36000 if b == 8 else 24000), 5e-4, seed=4)
            print(f"  warm-up test accuracy (first 2000) {W.evaluate(net, xev, yev):.2f}%", flush=True)
            net.quant_acts = True
            print("  fine-tune (quantized activations, R^o)", flush=True)
            run_epochs(net, xtr, ytr, ep(120000 if b == 8 else 36000), 5e-4, reg=a.reg, seed=5)
        acc = W.evaluate(net, xev, yev)
        print(f"  {phase} test accuracy (first 2000) (fake-quantized) {acc:.2f}%", flush=True)
        save(net, phase, acc)


if __name__ == "__main__":
    main()
