"""SAWB 2-bit weights and PACT activations on the deeper net (issue 20 item
5): one row per model set trained by train.py with that option, written into
docs/wrapnet.md between <!-- tables-variants-fmnist-vgg7:begin --> and
<!-- tables-variants-fmnist-vgg7:end -->.

    /usr/bin/python3 scripts/wrapnet/variant_tables.py [--write docs/wrapnet.md] \\
        NAME:WTYPE:WORKDIR[:TAG] ...

NAME labels the row (and the exported files, export.py --label), WTYPE is the
weight type of train.py, WORKDIR the folder it trained in, TAG the --tag of
its wrap8 checkpoint (WTYPE-wrap8TAG.pt; the reference row is an ablation
point of ablate_vgg7.sh, TAG -abl-ro-p5).  Reads train.py's output
(WORKDIR/train.log, or the per-phase logs WTYPE-qw.log, WTYPE-qa.log and the
wrap8 point's log): per phase the CPU time and the accuracy on the first 2000
test images, PACT's alphas; and, where present, WORKDIR/WTYPE-qa.pt.eval and
the wrap8 checkpoint's .eval (export.py --eval: the integer simulation, = the
C library bit for bit, on all 10000 test images).  A missing figure is
written as "–".  Needs no torch.
"""
import argparse
import os
import re

from tables import cpu_name, read_eval, write

PREFIX = "variants-fmnist-vgg7"
WEIGHTS = {"binary": "binary (1 bit)", "ternary": "ternary (2 bits)",
           "sawb2": "SAWB 2-bit {-3,-1,1,3}·α/3"}


def find(pattern, text, last=True):
    m = re.findall(pattern, text)
    return (m[-1] if last else m[0]) if m else None


def evaluated(path):
    """bits ("5/5/4/4/3") and integer accuracy ("89.41%") of an .eval file, or None."""
    ev = read_eval(path)
    return ("/".join(map(str, ev[0])), f"{ev[1]:.2f}%") if ev else None


def logs(work, wtype, tag):
    one = os.path.join(work, "train.log")
    if os.path.exists(one):
        paths = [one]
    else:
        w8 = (f"ablate-vgg7-{tag[len('-abl-'):]}.log" if tag.startswith("-abl-")
              else f"{wtype}-wrap8{tag}.log")
        paths = [os.path.join(work, f) for f in (f"{wtype}-qw.log", f"{wtype}-qa.log", w8)]
    return "".join(open(p).read() for p in paths if os.path.exists(p))


def row(name, wtype, work, tag=""):
    text = logs(work, wtype, tag)
    pact = "PACT alphas" in text
    cpu = {ph: find(rf"{ph} test accuracy .*CPU time (\d+) s", text) for ph in ("qa", "wrap8")}
    cpu["qw"] = find(r"qw CPU time (\d+) s", text)
    qw = find(r"qw test accuracy \(first 2000\) ([0-9.]+)%", text)
    qa, w8 = (evaluated(os.path.join(work, f"{wtype}-{ph}.pt.eval"))
              for ph in ("qa", f"wrap8{tag}"))
    bits = (w8 or qa or ("–",))[0]
    # a PACT set reuses the default pipeline's qw checkpoint (a link)
    shared = "(linked, = binary's)" if os.path.islink(os.path.join(work, f"{wtype}-qw.pt")) else "–"
    return (f"| {name} | {WEIGHTS.get(wtype, wtype)} | {'PACT (learned clip)' if pact else 'calibrated step'} "
            f"| {bits} | {qw + '%' if qw else shared} | {qa[1] if qa else '–'} "
            f"| {w8[1] if w8 else '–'} | "
            + " / ".join(cpu[ph] or "–" for ph in ("qw", "qa", "wrap8")) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="+", help="NAME:WTYPE:WORKDIR[:TAG]")
    ap.add_argument("--write", help="docs/wrapnet.md: replace or append the block")
    a = ap.parse_args()
    cmd = "scripts/wrapnet/variant_tables.py " + " ".join(a.sets)
    lines = [
        f"EPOCHS_SCALE 0.3 for qw, qa and wrap8 (k = 2, p = 5%, R^o 0.01, step search on 500 "
        f"training images), from the committed chain's float checkpoint; top-1 of the integer "
        f"simulation (= the C library bit for bit) on all 10000 test images, except the qw "
        f"column (float activations, first 2000 test images, train.py's log). CPU seconds per "
        f"phase: one thread, {cpu_name()}. Regenerate: `{cmd}`.",
        "",
        "| model | weights | activations | act bits L1-L5 | qw top-1 (2000) | QA, 32-bit sums "
        "| WrapNet-8 | training CPU s qw / qa / wrap8 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in a.sets:
        lines.append(row(*s.split(":", 3)))
    text = "\n".join(lines)
    print(text)
    if a.write:
        write(a.write, PREFIX, text)


if __name__ == "__main__":
    main()
