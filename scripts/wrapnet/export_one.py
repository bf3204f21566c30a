"""Exports single WrapNet checkpoints (the Table 5 nets: the buffer-bit
WrapNet-7 and the R^c fine-tuned WrapNet-8) as model files with golden
vectors, with export.py's writers, so that test-wrapnet and test-python
check them bit for bit like the other committed models.

    python3 export_one.py WTYPE MODELDIR CHECKPOINT:NAME...

writes MODELDIR/fmnist-<arch>-WTYPE-NAME.wgm and .wgg (the small net:
fmnist-WTYPE-NAME) and prints the integer simulation's accuracy on the
first export.CROSS test images at the checkpoint's own accumulator width.
Example (docs/wrapnet.md, "Table 5 on the deeper net"):

    python3 export_one.py binary ../../models \\
        ../../build-wrapnet/train-vgg7/binary-wrap7.pt:wrap7
"""
import os
import sys

import torch

import export as E
import wrapnet as W


def main():
    wtype, outdir, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
    E.check_fmaf32()
    xte, yte = W.load_split(False)
    xte, yte = xte.numpy(), yte.numpy()
    for spec in specs:
        path, name = spec.rsplit(":", 1)
        net = E.load_net(path, wtype)
        arch = net.arch.name
        prefix = "fmnist" if arch == "small" else f"fmnist-{arch}"
        tag = "" if arch == "small" else f"{arch} "
        layers = E.build_layers(net, "int")
        base = os.path.join(outdir, f"{prefix}-{wtype}-{name}")
        E.write_model(base + ".wgm", f"{tag}{wtype} {name}", layers, 0)
        native = (net.cyclic_bits, 1 if net.slope else 0)
        E.write_golden(base + ".wgg", layers, xte[:E.GOLDEN_IMAGES], [native])
        acc = E.accuracy_int(layers, xte[:E.CROSS], yte[:E.CROSS])
        print(f"{os.path.basename(base)}.wgm: acc {net.cyclic_bits} cyclic {native[1]} "
              f"bits {net.bits[1:-1]}: python integer, first {E.CROSS}: {acc:.2f}%", flush=True)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
