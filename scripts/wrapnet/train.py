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
    wrap7      the same for a 7-bit accumulator (not in the default --phases):
               the paper's buffer-bit net (section 3.3, Table 5), run in 8-bit
               SWAR lanes whose top bit absorbs the carries (docs/swar.md)
    rc8        (--phases rc8 --rc COEF [--rc-from CKPT] [--rc-layers 1,2]) a
               WrapNet-8 (default OUT/<wtype>-wrap8<tag>.pt) fine-tuned with
               R^o and the carry-variance regulariser R^c (appendix A.1,
               wrapnet.carry_count), steps unchanged: Table 5's R^c row
    carry8     (--phases carry8 [--carry-from CKPT] [--rc COEF]) appendix A.2:
               fine-tuning with the SWAR carries simulated layer by layer,
               least carry variance first (carry_phases below)
    hybrid     (--phases carry8,hybrid) carries on the layers before the
               first significant drop, the buffer bit (b = 7) on the rest

Checkpoints go to OUT/<phase>.pt (float) and OUT/<wtype>-<phase>.pt; every
phase whose checkpoint exists is skipped, so an interrupted run resumes.

Usage: python3 train.py OUT {float | binary | ternary | sawb2} [--epochs-scale F]
       [--p RATE] [--slope K] [--reg COEF] [--phases qa,wrap8,wrap12] [--tag SUFFIX]
       [--pact [--pact-decay COEF]] [--arch small|vgg7] [--float-epochs E]
--arch picks the network (wrapnet.ARCHS; default the small net of make demo);
the checkpoints record it and OUT must hold one architecture only.
--float-epochs sets the float phase's budget in epochs (default 1, times
--epochs-scale).  Within a phase, the state (network, Adam, schedule, batch
index) is saved every 100 batches to OUT/<checkpoint>.part-<stage>.pt, so a
run killed mid-phase resumes at that batch with the same arguments; the part
files are removed once the phase's checkpoint is written.
--pact (off by default; the committed models were trained without it) gives
each quantized layer's input a learned PACT clip alpha in the qa/wrap phases:
calibrated with wrapnet.calibrate_pact (alpha starts at the 99.99th
percentile, the bit width is chosen for p% overflow), trained with the PACT
gradient and an L2 term --pact-decay * alpha^2 / 2, and saved as
steps = alpha / (2^ba - 1), which export.py uses unchanged.  Give it its own
OUT or a --tag so that its checkpoints do not replace the default ones.
Ablations (docs/wrapnet.md) reuse OUT's float and qw checkpoints, e.g.
       train.py OUT binary --phases wrap8 --slope 4 --tag=-k4
"""
import argparse
import os
import shutil
import time

import torch
import torch.nn.functional as F

import threads
import wrapnet as W


def run_epochs(net, x, y, images, lr, reg=0.0, bs=128, seed=0, pact_decay=0.0, part=None,
               rc=0.0, hook=None, hook_every=25):
    """Adam with a one-cycle schedule over `images` random training images
    (a fraction of an epoch or several: the shared 2-core machine sets the
    budget, see docs/wrapnet.md).  With `part` (a path), the state is saved
    there every 100 batches and at the end, and resumed from it if present.
    hook() (the carry phases: re-estimating the carry corrections) runs
    before the first batch, after a resume, and every hook_every batches."""
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    nb = max(1, images // bs)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=nb, pct_start=0.15)
    g = torch.Generator().manual_seed(seed)
    perm = torch.cat([torch.randperm(len(x), generator=g) for _ in range(nb * bs // len(x) + 1)])
    t0, tot, pen, start, rcs = time.time(), 0.0, 0.0, 0, 0.0
    if part and os.path.exists(part):
        d = torch.load(part)
        net.load_state_dict(d["net"])
        opt.load_state_dict(d["opt"])
        sched.load_state_dict(d["sched"])
        start, tot, pen, rcs = d["b"], d["tot"], d["pen"], d.get("rcs", 0.0)
        print(f"    resumed at {start * bs} images from {part}", flush=True)

    def save_part(done):
        if part:
            torch.save({"net": net.state_dict(), "opt": opt.state_dict(),
                        "sched": sched.state_dict(), "b": done, "tot": tot, "pen": pen,
                        "rcs": rcs},
                       part + ".tmp")
            os.replace(part + ".tmp", part)

    net.train()
    for b in range(start, nb):
        if hook and (b == start or b % hook_every == 0):
            hook()
        idx = perm[b * bs:(b + 1) * bs]
        out = net(x[idx])
        loss = F.cross_entropy(out, y[idx])
        tot += loss.item()
        if reg:
            loss = loss + reg * net.penalty
        pen += net.penalty.item()
        if net.pact and pact_decay:
            loss = loss + pact_decay * net.pact_l2()
        if rc:
            loss = loss + rc * net.carry_reg_value
            rcs += net.carry_reg_value.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if (b + 1) % 100 == 0 or b + 1 == nb:
            extra = (f" R^c {rcs / (b + 1):.2f} (carry std per layer "
                     f"{[round(v ** 0.5, 1) for _, v in net.carry_stats.values()]})"
                     if rc else "")
            print(f"    {(b + 1) * bs} images: loss {tot / (b + 1):.4f} "
                  f"R^o {pen / (b + 1):.3f}{extra} ({time.time() - t0:.0f} s)", flush=True)
            save_part(b + 1)


def drop_parts(ckpt_path):
    """Removes a finished phase's mid-phase states (run_epochs' `part`)."""
    for stage in ("train", "warmup", "finetune"):
        if os.path.exists(f"{ckpt_path}.part-{stage}"):
            os.remove(f"{ckpt_path}.part-{stage}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("wtype", choices=["float", "binary", "ternary", "sawb2"])
    ap.add_argument("--epochs-scale", type=float, default=1.0)
    ap.add_argument("--p", type=float, default=0.05, help="target overflow rate")
    ap.add_argument("--slope", type=int, default=2,
                    help="k of the smooth cyclic activation; 0: the bare modulo (k -> infinity)")
    ap.add_argument("--reg", type=float, default=0.01, help="R^o coefficient")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--train-images", type=int, default=60000, help="smoke tests use fewer")
    ap.add_argument("--phases", default="qa,wrap8,wrap12", help="ablations run wrap8 alone")
    ap.add_argument("--tag", default="", help="suffix of the qa/wrap checkpoints (ablations)")
    ap.add_argument("--pact", action="store_true", help="learned PACT clipping in qa/wrap phases")
    ap.add_argument("--pact-decay", type=float, default=2e-4,
                    help="L2 coefficient of the PACT alphas (the paper's CIFAR-10 weight decay)")
    ap.add_argument("--arch", default="small", choices=sorted(W.ARCHS))
    ap.add_argument("--float-epochs", type=float, default=1.0)
    ap.add_argument("--calib-images", type=int, default=1000,
                    help="training images of the step search (section 3.2)")
    ap.add_argument("--rc", type=float, default=0.0,
                    help="R^c coefficient (carry-variance regulariser) of the rc8 phase")
    ap.add_argument("--rc-from", default=None,
                    help="checkpoint the rc8 phase fine-tunes (default OUT/<wtype>-wrap8<tag>.pt)")
    ap.add_argument("--rc-layers", default=None,
                    help="comma-separated quantized layers R^c applies to (default: all)")
    ap.add_argument("--carry-from", default=None,
                    help="checkpoint the carry8 / hybrid phases start from "
                         "(default OUT/<wtype>-wrap8<tag>.pt)")
    ap.add_argument("--carry-images", type=int, default=10000,
                    help="training images of each layer's carry fine-tune (carry8)")
    ap.add_argument("--hybrid-images", type=int, default=15000,
                    help="training images of the hybrid's fine-tune")
    ap.add_argument("--hybrid-drop", type=float, default=1.0,
                    help="a significant drop (hybrid): accuracy with carries this many points "
                         "below the carry-free start, on the decision images")
    ap.add_argument("--carry-lr", type=float, default=3e-4)
    a = ap.parse_args()
    # torch's and OpenBLAS's pools (threads.py): the weights' bits depend on both
    print(f"threads: {threads.pin(a.threads)}", flush=True)
    torch.manual_seed(1)
    os.makedirs(a.out, exist_ok=True)
    xtr, ytr = W.load_split(True)
    xtr, ytr = xtr[:a.train_images], ytr[:a.train_images]
    xte, yte = W.load_split(False)
    ep = lambda n: int(n * a.epochs_scale)
    xev, yev = xte[:2000], yte[:2000]  # training logs only; export.py measures all
    fpath = os.path.join(a.out, "float.pt")

    net = W.Net(a.arch)
    if not os.path.exists(fpath):
        print(f"phase float ({a.arch})", flush=True)
        t0 = time.process_time()
        run_epochs(net, xtr, ytr, ep(int(60000 * a.float_epochs)), 2e-3,
                   part=fpath + ".part-train")
        torch.save({"state": net.state_dict(), "arch": a.arch}, fpath)
        drop_parts(fpath)
        print(f"  float CPU time {time.process_time() - t0:.0f} s", flush=True)
        print(f"  float test accuracy (first 2000) {W.evaluate(net, xev, yev):.2f}%", flush=True)
    if a.wtype == "float":
        return

    def ckpt(phase):
        tag = a.tag if phase != "qw" else ""
        return os.path.join(a.out, f"{a.wtype}-{phase}{tag}.pt")

    def load(phase, path=None):
        d = torch.load(path or (ckpt(phase) if phase != "float" else fpath))
        if d.get("arch", "small") != a.arch:
            raise SystemExit(f"{a.out} holds {d.get('arch', 'small')} checkpoints, not {a.arch}")
        n = W.Net(a.arch)
        n.load_state_dict(d["state"])
        n.wtype = None if phase == "float" else a.wtype
        for key in ("steps", "bits", "quant_acts", "cyclic_bits", "slope", "penalty_bits",
                    "acc_bits"):
            if key in d:
                setattr(n, key, d[key])
        n.carry_sim = {li: None for li in d.get("carry_sim_layers", [])}
        return n

    def save(n, phase, acc, extra=None):
        state = n.state_dict()
        # PACT: the learned clips live in steps (synced before saving) and in
        # "pact_alpha"; the state keeps the default keys so that export.py
        # and every other reader load it unchanged.
        state.pop("pact_alpha", None)
        torch.save({"state": state, "arch": a.arch, "steps": n.steps, "bits": n.bits,
                    "quant_acts": n.quant_acts, "cyclic_bits": n.cyclic_bits,
                    "slope": n.slope, "penalty_bits": n.penalty_bits, "acc": acc,
                    "acc_bits": n.acc_bits, "carry_sim_layers": sorted(n.carry_sim),
                    **(extra or {})},
                   ckpt(phase))

    if not os.path.exists(ckpt("qw")):
        print(f"phase qw ({a.wtype} weights, float activations)", flush=True)
        net = load("float")
        net.wtype = a.wtype
        t0 = time.process_time()
        run_epochs(net, xtr, ytr, ep(105000), 1e-3, seed=2, part=ckpt("qw") + ".part-train")
        print(f"  qw CPU time {time.process_time() - t0:.0f} s", flush=True)
        acc = W.evaluate(net, xev, yev)
        print(f"  qw test accuracy (first 2000) {acc:.2f}%", flush=True)
        save(net, "qw", acc)
        drop_parts(ckpt("qw"))

    calib_x = xtr[:a.calib_images]
    for phase, b in (("qa", 8), ("wrap7", 7), ("wrap8", 8), ("wrap12", 12)):
        if phase not in a.phases.split(",") or os.path.exists(ckpt(phase)):
            continue
        print(f"phase {phase}", flush=True)
        t0 = time.process_time()
        net = load("qw")
        if a.pact:
            net.steps, net.bits, rates, clips = W.calibrate_pact(net, calib_x, b, a.p)
            net.enable_pact(clips)
            alpha0 = net.pact_alphas()
            print(f"  PACT alphas (initial) {[round(v, 4) for v in alpha0]}", flush=True)
        else:
            net.steps, net.bits, rates = W.calibrate(net, calib_x, b, a.p)
        net.penalty_bits = b
        pd = a.pact_decay
        if phase == "qa":
            net.quant_acts = True
            run_epochs(net, xtr, ytr, ep(45000), 5e-4, seed=3, pact_decay=pd,
                       part=ckpt(phase) + ".part-train")
        else:
            net.cyclic_bits, net.slope = b, a.slope
            net.quant_acts = False
            print("  warm-up (float activations, cyclic)", flush=True)
            run_epochs(net, xtr, ytr, ep(36000 if b <= 8 else 24000), 5e-4, seed=4, pact_decay=pd,
                       part=ckpt(phase) + ".part-warmup")
            print(f"  warm-up test accuracy (first 2000) {W.evaluate(net, xev, yev):.2f}%", flush=True)
            net.quant_acts = True
            print("  fine-tune (quantized activations, R^o)", flush=True)
            run_epochs(net, xtr, ytr, ep(120000 if b <= 8 else 36000), 5e-4, reg=a.reg, seed=5,
                       pact_decay=pd, part=ckpt(phase) + ".part-finetune")
        extra = None
        if a.pact:
            net.sync_pact_steps()
            alpha = net.pact_alphas()
            print(f"  PACT alphas (initial) {[round(v, 4) for v in alpha0]} -> (learned) "
                  f"{[round(v, 4) for v in alpha]}; steps {[round(s, 5) for s in net.steps[1:-1]]} "
                  f"bits {net.bits[1:-1]}", flush=True)
            extra = {"pact_alpha0": alpha0, "pact_alpha": alpha}
        acc = W.evaluate(net, xev, yev)
        print(f"  {phase} test accuracy (first 2000) (fake-quantized) {acc:.2f}%; "
              f"CPU time {time.process_time() - t0:.0f} s", flush=True)
        save(net, phase, acc, extra)
        drop_parts(ckpt(phase))

    # rc8 (appendix A of the paper, Table 5's R^c row): the WrapNet-8 of
    # --rc-from (or OUT/<wtype>-wrap8<tag>.pt), steps and cyclic activation
    # unchanged, fine-tuned with quantized activations, R^o and the carry-
    # variance regulariser R^c = the mean over the neurons of the batch
    # variance of their Algorithm 1 carry counts (wrapnet.carry_count).
    if "rc8" in a.phases.split(",") and not os.path.exists(ckpt("rc8")):
        src = a.rc_from or ckpt("wrap8")
        print(f"phase rc8 (R^c {a.rc} from {src})", flush=True)
        t0 = time.process_time()
        net = load("wrap8", src)
        net.quant_acts, net.carry_reg, net.carry_bits = True, True, net.cyclic_bits
        if a.rc_layers:
            net.carry_layers = [int(v) for v in a.rc_layers.split(",")]
        run_epochs(net, xtr, ytr, ep(120000), 5e-4, reg=a.reg, rc=a.rc, seed=6,
                   part=ckpt("rc8") + ".part-finetune")
        net.carry_reg = False
        acc = W.evaluate(net, xev, yev)
        print(f"  rc8 test accuracy (first 2000) (fake-quantized) {acc:.2f}%; "
              f"CPU time {time.process_time() - t0:.0f} s", flush=True)
        save(net, "rc8", acc, {"rc": a.rc, "rc_from": src, "rc_layers": net.carry_layers})
        drop_parts(ckpt("rc8"))

    if {"carry8", "hybrid"} & set(a.phases.split(",")):
        carry_phases(a, xtr, ytr, calib_x, ckpt, load, save)


def carry_order(net, x):
    """The quantized layers by increasing carry variance (Algorithm 1's
    count, each output's variance over the images x averaged over the
    layer's outputs: R^c's per-layer term), on the carry-free net."""
    net.eval()
    net.carry_reg, net.carry_layers = True, None
    with torch.no_grad():
        net(x)
    stats = dict(net.carry_stats)
    net.carry_reg = False
    for li in sorted(stats):
        print(f"  L{li}: carry mean {stats[li][0]:.2f} variance {stats[li][1]:.2f} "
              f"(std {stats[li][1] ** 0.5:.2f})", flush=True)
    return sorted(stats, key=lambda li: stats[li][1]), stats


def carry_phases(a, xtr, ytr, calib_x, ckpt, load, save):
    """Appendix A.2: fine-tuning with simulated carries layer by layer
    (carry8), and the hybrid.

    carry8: from --carry-from (default OUT/<wtype>-wrap8<tag>.pt), steps,
    cyclic activation and 8-bit accumulators unchanged, the quantized
    layers in order of increasing carry variance (carry_order, on the
    calibration images); step j fine-tunes --carry-images images with the
    SWAR carries of the first j + 1 layers of that order simulated in the
    forward (wrapnet.swar_lane_carries: wg_swar_gemm's CARRY mode with four
    8-bit lanes in 32-bit registers), each minus its mean-carry correction,
    re-estimated as the deployed path does (Net.calibrate_carries: layer by
    layer on the calibration images through the corrected net) before the
    first batch and every 25 batches; R^o and (with --rc) R^c stay on.  Step
    j is saved as OUT/<wtype>-carry8-s<j><tag>.pt (part files inside a step),
    the last one also as OUT/<wtype>-carry8<tag>.pt.

    hybrid: the first step whose accuracy (carries simulated, corrected, on
    the decision images: the last 2000 training images) is more than
    --hybrid-drop points below the carry-free start is a significant drop;
    the hybrid keeps the carries of the layers before it and gives that
    layer and the rest the buffer bit: b = 7 (steps searched again for 7-bit
    overflow at p, codes of at most 7 bits, smooth cyclic activation at
    b = 7: BUFFER mode at inference), then fine-tunes --hybrid-images images
    from the step before the drop.  No drop: the hybrid is carry8."""
    src = a.carry_from or ckpt("wrap8")
    xdec, ydec = xtr[-2000:], ytr[-2000:]
    base = load("wrap8", src)
    base.quant_acts = True
    print(f"phases carry8/hybrid from {src}", flush=True)
    order, stats = carry_order(base, calib_x)
    acc0 = W.evaluate(base, xdec, ydec)
    print(f"  layer order (least carry variance first): {order}; carry-free accuracy "
          f"(decision images) {acc0:.2f}%", flush=True)
    steps_acc, net = [], base
    for j, li in enumerate(order):
        path = ckpt(f"carry8-s{j}")
        if os.path.exists(path):
            net = load("wrap8", path)
            steps_acc.append(torch.load(path)["acc_dec"])
            print(f"  step {j} (L{li}): {path} exists, decision accuracy {steps_acc[-1]:.2f}%",
                  flush=True)
            continue
        t0 = time.process_time()
        net.quant_acts = True
        net.carry_sim = {l: None for l in order[:j + 1]}
        net.calibrate_carries(calib_x)
        before = W.evaluate(net, xdec, ydec)
        print(f"  step {j}: carries on {sorted(net.carry_sim)}; before fine-tuning "
              f"{before:.2f}% (decision images)", flush=True)
        if a.rc:
            net.carry_reg, net.carry_bits = True, net.cyclic_bits
        run_epochs(net, xtr, ytr, a.carry_images, a.carry_lr, reg=a.reg, rc=a.rc, seed=10 + j,
                   part=path + ".part-finetune", hook=lambda n=net: n.calibrate_carries(calib_x))
        net.carry_reg = False
        net.calibrate_carries(calib_x)
        acc = W.evaluate(net, xdec, ydec)
        steps_acc.append(acc)
        print(f"  step {j} (L{li}) fine-tuned: {acc:.2f}% (decision images; carry-free start "
              f"{acc0:.2f}%); CPU time {time.process_time() - t0:.0f} s", flush=True)
        extra = {"order": order, "acc_dec": acc, "acc_dec_before": before, "acc0": acc0,
                 "carry_src": src, "carry_var": {l: stats[l][1] for l in stats}}
        save(net, f"carry8-s{j}", acc, extra)
        drop_parts(path)
    if not os.path.exists(ckpt("carry8")):
        shutil.copyfile(ckpt(f"carry8-s{len(order) - 1}"), ckpt("carry8"))
    if "hybrid" not in a.phases.split(",") or os.path.exists(ckpt("hybrid")):
        return
    drop = next((j for j, acc in enumerate(steps_acc) if acc < acc0 - a.hybrid_drop), None)
    if drop is None:
        print("  hybrid: no significant drop, the hybrid is carry8", flush=True)
        shutil.copyfile(ckpt("carry8"), ckpt("hybrid"))
        return
    carry_layers, buffer_layers = order[:drop], sorted(order[drop:])
    print(f"phase hybrid: drop at step {drop} (L{order[drop]}: {steps_acc[drop]:.2f}% < "
          f"{acc0:.2f}% - {a.hybrid_drop}); carries on {sorted(carry_layers)}, buffer bit "
          f"(b = 7) on {buffer_layers}", flush=True)
    t0 = time.process_time()
    net = load("wrap8", ckpt(f"carry8-s{drop - 1}") if drop else src)
    net.acc_bits = {l: 7 for l in buffer_layers}
    for l in buffer_layers:   # network order: each on the new steps before it
        net.steps[l], net.bits[l], _ = W.calibrate_layer(net, calib_x, l, 7, a.p, net.steps,
                                                         net.bits, max_bits=7)
    net.quant_acts = True
    net.carry_sim = {l: None for l in carry_layers}
    if a.rc and carry_layers:
        net.carry_reg, net.carry_bits, net.carry_layers = True, net.cyclic_bits, carry_layers
    run_epochs(net, xtr, ytr, a.hybrid_images, a.carry_lr, reg=a.reg, rc=a.rc if carry_layers
               else 0.0, seed=20, part=ckpt("hybrid") + ".part-finetune",
               hook=lambda: net.calibrate_carries(calib_x))
    net.carry_reg = False
    net.calibrate_carries(calib_x)
    acc = W.evaluate(net, xdec, ydec)
    print(f"  hybrid fine-tuned: {acc:.2f}% (decision images); CPU time "
          f"{time.process_time() - t0:.0f} s", flush=True)
    save(net, "hybrid", acc, {"order": order, "drop_step": drop, "acc_dec": acc, "acc0": acc0,
                              "carry_src": src, "buffer_layers": buffer_layers})
    drop_parts(ckpt("hybrid"))


if __name__ == "__main__":
    main()
