"""The paper's Tables 1 and 6 for an exported WrapNet model set, measured
through the C inference (examples/wrapnet_demo.c: the quantized layers run
by the library's kernels; with the demo's optional rows, a longer float run
and the SAWB 2-bit and PACT WrapNet-8 nets, where their models exist) on
the whole Fashion-MNIST test set, next to the
paper's VGG-7 / CIFAR-10 figures, written into docs/wrapnet.md between
<!-- tables-PREFIX:begin --> and <!-- tables-PREFIX:end -->.

    make BUILDROOT=build lib build/x86_64-linux-gnu/wrapnet_demo
    /usr/bin/python3 scripts/wrapnet/tables.py --demo build/x86_64-linux-gnu/wrapnet_demo \\
        --prefix fmnist-vgg7 [--models models] [--write docs/wrapnet.md]

Needs no torch: the demo reads the models and the test set (decompressed
here into a temporary folder from FASHION_MNIST_DIR).
"""
import argparse
import gzip
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile

DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
FILES = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

# The paper's Table 6 (VGG-7 column, CIFAR-10) and Table 1 (binary weights,
# 3-bit activations, 8-bit accumulators): (method, weight bits, acc bits) ->
# (activation bits, top-1).
PAPER = {
    ("float", "32", "32"): ("32", "92.45%"),
    ("float, longer run", "32", "32"): ("32", "92.45%"),
    ("BWN", "1", "32"): ("32", "91.55%"),
    ("BWN-QA", "1", "32"): ("~3", "91.30%"),
    ("BWN-QA, no cyclic", "1", "8"): ("3", "10.06% (Table 1: overflow 10.84%)"),
    ("WrapNet", "1", "8"): ("~3", "90.81%"),
    ("WrapNet", "1", "12"): ("~7", "91.59%"),
    ("TWN", "2", "32"): ("32", "91.56%"),
    ("TWN-QA", "2", "32"): ("~4", "91.49%"),
    ("TWN-QA, no cyclic", "2", "8"): ("", "–"),
    ("WrapNet", "2", "8"): ("~4", "91.14%"),
    ("WrapNet", "2", "12"): ("~7", "91.53%"),
}


def cpu_name():
    """The CPU's model name and vector level, named beside every figure."""
    try:
        info = open("/proc/cpuinfo").read()
    except OSError:
        return platform.processor() or "unknown CPU"
    model = next((l.split(":", 1)[1].strip() for l in info.splitlines()
                  if l.startswith("model name")), platform.processor() or "unknown CPU")
    flags = next((l.split(":", 1)[1].split() for l in info.splitlines()
                  if l.startswith("flags")), [])
    level = next((f for f in ("avx512_vnni", "avx512bw", "avx2") if f in flags), "no AVX2")
    return f"{model}, {level}"


def read_eval(path):
    """(bits per layer, integer accuracy %) from export.py --eval's line in
    path, or None where it is missing or holds no such line."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        m = re.search(r"bits \[([0-9, ]+)\] integer accuracy ([0-9.]+)%", f.read())
    return ([int(b) for b in m.group(1).split(",")], float(m.group(2))) if m else None


def run_demo(demo, models, prefix, images):
    tmp = tempfile.mkdtemp(prefix="wrapnet-tables-")
    try:
        for name in FILES:
            with gzip.open(os.path.join(DATA_DIR, name + ".gz"), "rb") as src, \
                    open(os.path.join(tmp, name), "wb") as dst:
                shutil.copyfileobj(src, dst)
        cmd = [demo, "--models", models, "--prefix", prefix, "--data", tmp]
        if images:
            cmd += ["--images", str(images)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    finally:
        shutil.rmtree(tmp)
    return out


def parse_rows(out):
    """The demo's table rows as lists of cells."""
    rows = []
    for line in out.splitlines():
        if line.startswith("| ") and not line.startswith("| network"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def pct(cell):
    return float(cell.rstrip("%"))


def block(rows, out, prefix, models, cmdline):
    n = re.search(r"Fashion-MNIST, (\d+) test images", out)
    timing = re.search(r"\((.*s wall.*)\)", out)
    lines = [
        f"{n.group(1) if n else '?'} test images, models {models}/{prefix}-*.wgm, "
        f"C inference ({timing.group(1) if timing else ''}, {cpu_name()}); "
        f"regenerate: `{cmdline}`",
        "",
        "| network | act bits | weight | acc | top-1 | 8-bit overflow rate per quantized layer "
        "| paper act bits | paper top-1 (VGG-7, CIFAR-10) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    acc = {}
    for r in rows:
        method, acts, wbits, accb, top1, note = r[:6]
        pa, pt = PAPER.get((method, wbits, accb), ("", "–"))
        lines.append(f"| {method} | {acts} | {wbits} | {accb} | {top1} | {note} | {pa} | {pt} |")
        acc.setdefault((method, wbits, accb), pct(top1))
    lines.append("")
    for wb, base in (("1", "BWN"), ("2", "TWN")):
        w8 = acc.get(("WrapNet", wb, "8"))
        if w8 is None:
            continue
        ref, qa = acc.get((base, wb, "32")), acc.get((base + "-QA", wb, "32"))
        lines.append(f"- {base} weights: WrapNet 8-bit {w8:.2f}% is {ref - w8:.2f} points below "
                     f"{base} (32-bit activations and sums, {ref:.2f}%) and {qa - w8:.2f} below "
                     f"{base}-QA (same activation steps, 32-bit sums, {qa:.2f}%).")
    # wrapnet_demo's optional rows (EXTRAS): the gap of every 8-bit WrapNet
    # to the longer float run, the float baseline where it exists.
    fl = acc.get(("float, longer run", "32", "32"))
    gaps = [(name, acc[key]) for name, key in (
        ("binary", ("WrapNet", "1", "8")), ("ternary", ("WrapNet", "2", "8")),
        ("SAWB 2-bit", ("WrapNet, SAWB 2-bit", "2", "8")),
        ("PACT binary", ("WrapNet, PACT", "1", "8"))) if key in acc]
    if fl is not None and gaps:
        lines.append(f"- Float baseline (the longer float run, {fl:.2f}%; the quantized nets' "
                     f"float start {acc[('float', '32', '32')]:.2f}%): WrapNet 8-bit "
                     + ", ".join(f"{name} {a:.2f}% ({fl - a:.2f} points below)"
                                 for name, a in gaps) + ".")
    return "\n".join(lines)


def write_block(doc, begin, end, text):
    """Replaces what lies between the markers begin and end in doc with
    text (appending the block where doc has none)."""
    with open(doc) as f:
        s = f.read()
    if begin in s:
        head, rest = s.split(begin, 1)
        tail = rest.split(end, 1)[1]
        s = head + begin + "\n" + text + "\n" + end + tail
    else:
        s = s.rstrip("\n") + "\n\n" + begin + "\n" + text + "\n" + end + "\n"
    with open(doc, "w") as f:
        f.write(s)


def write(doc, prefix, text):
    write_block(doc, f"<!-- tables-{prefix}:begin -->", f"<!-- tables-{prefix}:end -->", text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--demo", required=True, help="the built examples/wrapnet_demo")
    ap.add_argument("--models", default="models")
    ap.add_argument("--prefix", default="fmnist-vgg7")
    ap.add_argument("--images", type=int, default=0, help="0: the whole test set")
    ap.add_argument("--write", help="docs/wrapnet.md: replace or append the block")
    a = ap.parse_args()
    out = run_demo(a.demo, a.models, a.prefix, a.images)
    cmdline = "scripts/wrapnet/tables.py " + " ".join(sys.argv[1:])
    text = block(parse_rows(out), out, a.prefix, a.models, cmdline)
    print(text)
    if a.write:
        write(a.write, a.prefix, text)


if __name__ == "__main__":
    main()
