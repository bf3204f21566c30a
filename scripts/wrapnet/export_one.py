"""Exports single WrapNet checkpoints (the Table 5 nets: the buffer-bit
WrapNet-7, the R^c fine-tuned WrapNet-8, the carry fine-tuned WrapNet-8 and
the hybrid, whose layers have their own accumulator widths) as model files with golden
vectors, with export.py's writers, so that test-wrapnet and test-python
check them bit for bit like the other committed models.

    python3 export_one.py WTYPE MODELDIR CHECKPOINT:NAME...

writes MODELDIR/fmnist-<arch>-WTYPE-NAME.wgm and .wgg (the small net:
fmnist-WTYPE-NAME) and prints the integer simulation's accuracy on the
first export.CROSS test images at the checkpoint's own accumulator width.
Example (docs/wrapnet.md, "Table 5 on the deeper net"):

    python3 export_one.py binary ../../models \\
        ../../build-wrapnet/train-vgg7/binary-wrap7.pt:wrap7

WTYPE float exports a float checkpoint (export_float), e.g. the longer float
run of "The deeper net": export_one.py float ../../models
../../build-w20/vgg7-float8/float.pt:long writes fmnist-vgg7-float-long.wgm.
"""
import os
import sys

import torch

import export as E
import wrapnet as W


def export_float(net, base, title, xte, yte):
    """WTYPE float: a float checkpoint (train.py's float.pt; e.g. a longer
    float run) as export.py writes the float row's model: float activations,
    golden vectors of the C float inference, and its Python float accuracy."""
    layers = E.build_layers(net, "fp")
    E.write_model(base + ".wgm", title, layers, 1)
    E.write_golden(base + ".wgg", layers, xte[:E.GOLDEN_IMAGES], E.FLOAT_RUN, float_model=True)
    acc = W.evaluate(net, torch.from_numpy(xte[:E.CROSS]), torch.from_numpy(yte[:E.CROSS]))
    print(f"{os.path.basename(base)}.wgm: python float, first {E.CROSS}: {acc:.2f}%", flush=True)


def main():
    wtype, outdir, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
    E.check_fmaf32()
    xte, yte = W.load_split(False)
    xte, yte = xte.numpy(), yte.numpy()
    for spec in specs:
        path, name = spec.rsplit(":", 1)
        net = E.load_net(path, None if wtype == "float" else wtype)
        arch = net.arch.name
        prefix = "fmnist" if arch == "small" else f"fmnist-{arch}"
        tag = "" if arch == "small" else f"{arch} "
        if wtype == "float":
            export_float(net, os.path.join(outdir, f"{prefix}-float-{name}"), f"{tag}float {name}",
                         xte, yte)
            continue
        layers = E.build_layers(net, "int")
        base = os.path.join(outdir, f"{prefix}-{wtype}-{name}")
        E.write_model(base + ".wgm", f"{tag}{wtype} {name}", layers, 0)
        # per-layer widths (the hybrid's b = 7 buffer-bit layers): acc 0,
        # each layer's own (wn_run_opts, wrapnet_sim.simulate)
        native = (0 if net.acc_bits else net.cyclic_bits, 1 if net.slope else 0)
        E.write_golden(base + ".wgg", layers, xte[:E.GOLDEN_IMAGES], [native])
        acc = E.accuracy_int(layers, xte[:E.CROSS], yte[:E.CROSS])
        accs = [net.layer_bits(i) for i in net.arch.quant_layers]
        print(f"{os.path.basename(base)}.wgm: acc {accs} cyclic {native[1]} "
              f"bits {net.bits[1:-1]}: python integer, first {E.CROSS}: {acc:.2f}%", flush=True)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
