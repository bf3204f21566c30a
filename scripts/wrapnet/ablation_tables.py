"""The paper's Tables 2, 3 and 4 on the deeper net, from the points that
scripts/wrapnet/ablate_vgg7.sh trained and evaluated in WORKDIR, written
into docs/wrapnet.md between <!-- tables-ablations-fmnist-vgg7:begin --> and
<!-- tables-ablations-fmnist-vgg7:end --> next to the paper's figures.

    /usr/bin/python3 scripts/wrapnet/ablation_tables.py WORKDIR [--write docs/wrapnet.md]

Reads, per point TAG, WORKDIR/binary-wrap8-abl-TAG.pt.eval (export.py --eval:
activation bits and integer accuracy on the whole test set) and
WORKDIR/ablate-vgg7-TAG.log (train.py: the calibrated overflow rates and
the phase's CPU time).  A point without its .eval file is listed as not
run (or as not evaluated if its checkpoint exists); no number is written for it.  Needs no torch.
"""
import argparse
import os
import re
import statistics

from tables import cpu_name, read_eval, write

PREFIX = "ablations-fmnist-vgg7"
# tag -> (slope k, p in %); the k = 2, p = 5% point belongs to both tables.
TABLE2 = [("k1-p5", "1"), ("k2-p5", "2"), ("k4-p5", "4"), ("k10-p5", "10"),
          ("k0-p5", "modulo (k → ∞)")]
TABLE3 = [("p0", "0"), ("p2", "2"), ("k2-p5", "5"), ("p10", "10"), ("p20", "20"),
          ("p30", "30"), ("p40", "40"), ("p50", "50")]
# The paper's Table 2 and Table 3 (VGG-7, CIFAR-10, binary weights, no R^o);
# "*" is the paper's divergence mark.
PAPER2 = {"k1-p5": "90.24%", "k2-p5": "90.52%", "k4-p5": "90.25%", "k10-p5": "89.16%",
          "k0-p5": "* (diverged)"}
PAPER3 = {"p0": ("1", "90.07%"), "p2": ("3", "90.51%"), "k2-p5": ("3", "90.52%"),
          "p10": ("4", "89.92%"), "p20": ("4", "88.25%"), "p30": ("5", "85.30%"),
          "p40": ("5", "36.11%"), "p50": ("5", "* (diverged)")}
# Table 4: the overflow penalty R^o (coefficient 0 and 0.01) at p = 20% and 5%,
# k = 2; its R^o = 0 points are Table 3's.  (R^o, p in %, tag, paper top-1)
TABLE4 = [("0", "20", "p20", 88.25), ("0", "5", "k2-p5", 90.52),
          ("0.01", "20", "ro-p20", 90.05), ("0.01", "5", "ro-p5", 90.81)]
TAGS = [t for t, _ in TABLE2 + TABLE3] + [t for _, _, t, _ in TABLE4]


def point(work, tag):
    """The measured figures of one point, or None if it has not been evaluated."""
    ev = read_eval(os.path.join(work, f"binary-wrap8-abl-{tag}.pt.eval"))
    if not ev:
        return None
    d = {"bits": ev[0], "acc": ev[1], "cpu": None, "rates": [], "resumed": False}
    log = os.path.join(work, f"ablate-vgg7-{tag}.log")
    if os.path.exists(log):
        with open(log) as f:
            text = f.read()
        d["rates"] = [float(r) for r in re.findall(r"calib L\d+: .* overflow\(8\) ([0-9.]+)%", text)]
        cpu = re.findall(r"wrap8 test accuracy .*CPU time (\d+) s", text)
        d["cpu"] = int(cpu[-1]) if cpu else None
        d["resumed"] = "resumed at" in text
    return d


def cells(points, tags, fmt):
    return " | ".join(fmt(points[t]) if points[t] else "not run" for t in tags)


ACC = lambda d: f"{d['acc']:.2f}%"
CPU = lambda d: str(d["cpu"]) if d["cpu"] else "–"


def table(points, head, cols, rows):
    """A markdown table: one column per (tag, label) of cols, one row per
    (label, fmt) of rows.  A row labelled "paper ..." formats the tag (the
    paper's figure); the others format the point's measurements."""
    tags = [t for t, _ in cols]
    out = ["| " + head + " | " + " | ".join(lab for _, lab in cols) + " |",
           "|---" * (len(cols) + 1) + "|"]
    for label, fmt in rows:
        body = (" | ".join(fmt(t) for t in tags) if label.startswith("paper")
                else cells(points, tags, fmt))
        out.append("| " + label + " | " + body + " |")
    return out


def median_bits(bits):
    m = statistics.median(bits)
    return f"{m:g}"


def table4(points):
    """Table 4 as the paper lays it out: one row per (R^o, p), the accuracy
    difference between p = 5% and p = 20% on the p = 5% row."""
    out = ["| R^o coefficient | p (%) | act bits L1-L5 | top-1 | difference | paper top-1 "
           "(VGG-7, CIFAR-10) | paper difference | training CPU s |",
           "|---|---|---|---|---|---|---|---|"]
    for i, (reg, p, tag, paper) in enumerate(TABLE4):
        d, diff, pdiff = points[tag], "–", "–"
        if i % 2:   # the p = 5% row of its R^o: 5% minus 20%
            d20 = points[TABLE4[i - 1][2]]
            if d and d20:
                diff = f"{d['acc'] - d20['acc']:.2f}%"
            pdiff = f"{paper - TABLE4[i - 1][3]:.2f}%"
        bits = "/".join(map(str, d["bits"])) if d else "not run"
        out.append(f"| {reg} | {p} | {bits} | {ACC(d) if d else 'not run'} | {diff} | "
                   f"{paper:.2f}% | {pdiff} | {CPU(d) if d else '–'} |")
    return out


def block(work, points, cmdline, scale, calib):
    done = [t for t in TAGS if points[t]]
    missing = sorted({t for t in TAGS if not points[t]}, key=TAGS.index)
    cpus = [points[t]["cpu"] for t in set(done) if points[t]["cpu"] is not None]
    lines = [
        f"Binary weights, WrapNet-8 retrained from one binary qw checkpoint per point, no R^o "
        f"(`--reg 0`) except Table 4's R^o rows (`--reg 0.01`), EPOCHS_SCALE {scale} (warm-up {36 * float(scale):g}k + fine-tune "
        f"{120 * float(scale):g}k images), step search on {calib} training images; top-1 of the "
        f"integer simulation (= the C library bit for bit) on all 10000 test images. "
        f"Training CPU time per point (one thread, {cpu_name()}): "
        + (f"{min(cpus)} to {max(cpus)} s, {sum(cpus)} s for the {len(cpus)} points run"
           if cpus else "–")
        + f". Regenerate: `{cmdline}`.",
        "",
        "Table 2 (p = 5%):",
        "",
        *table(points, "slope k", TABLE2, [
            ("act bits L1-L5", lambda d: "/".join(map(str, d["bits"]))),
            ("top-1", ACC),
            ("paper top-1 (VGG-7, CIFAR-10)", lambda t: PAPER2[t]),
            ("training CPU s", CPU)]),
        "",
        "Table 3 (k = 2):",
        "",
        *table(points, "target overflow p (%)", TABLE3, [
            ("act bits L1-L5", lambda d: "/".join(map(str, d["bits"]))),
            ("median bits", lambda d: median_bits(d["bits"])),
            ("calibrated overflow L1-L5 (%)",
             lambda d: "/".join(f"{r:.1f}" for r in d["rates"]) if d["rates"] else "–"),
            ("top-1", ACC),
            ("paper median bits", lambda t: PAPER3[t][0]),
            ("paper top-1 (VGG-7, CIFAR-10)", lambda t: PAPER3[t][1]),
            ("training CPU s", CPU)]),
        "",
        "Table 4 (k = 2; the R^o = 0 rows are Table 3's points):",
        "",
        *table4(points),
    ]
    trained = [t for t in missing if os.path.exists(os.path.join(work, f"binary-wrap8-abl-{t}.pt"))]
    if trained:
        lines += ["", "Trained but not yet evaluated (no figures): " + ", ".join(trained) + "."]
    missing = [t for t in missing if t not in trained]
    if missing:
        lines += ["", "Not run (no figures): " + ", ".join(missing) + "."]
    resumed = [t for t in done if points[t]["resumed"]]
    if resumed:
        lines += ["", "Resumed after an interruption (their CPU time counts the last run only): "
                  + ", ".join(sorted(set(resumed))) + "."]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--write", help="docs/wrapnet.md: replace or append the block")
    a = ap.parse_args()
    points = {t: point(a.work, t) for t in TAGS}
    scale = os.environ.get("EPOCHS_SCALE", "0.3")
    calib = os.environ.get("CALIB_IMAGES", "500")
    cmdline = "scripts/wrapnet/ablate_vgg7.sh " + a.work
    text = block(a.work, points, cmdline, scale, calib)
    print(text)
    if a.write:
        write(a.write, PREFIX, text)


if __name__ == "__main__":
    main()
