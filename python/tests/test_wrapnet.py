"""The exported WrapNet models of models/ run in process: the quantized
layers through wrapgemm (every kernel this CPU can run) against the
Python integer simulation, layer by layer, bit for bit; and the
simulation against the golden vectors export.py wrote with torch."""
import glob
import os
import unittest

import numpy as np

from . import wrapnet_sim as sim
from .common import REPO, available_kernels, rng, wg

MODELS = sorted(glob.glob(os.path.join(REPO, "models", "*.wgg")))


class TestWrapNet(unittest.TestCase):
    def test_models_present(self):
        self.assertTrue(MODELS, "no models/*.wgg")

    def test_every_model(self):
        kernels = available_kernels()
        extra = rng(700).integers(0, 256, (4, 28, 28), dtype=np.uint8)
        checked = integer_models = 0
        for gold in MODELS:
            name = os.path.basename(gold)[:-4]
            model = sim.read_model(gold[:-4] + ".wgm")
            if model["float_acts"]:
                # Float models (float and qw rows) run no kernel; their
                # golden vectors are checked against the C float inference
                # by test-wrapnet (wrapnet_demo --check).
                continue
            integer_models += 1
            pixels, runs = sim.read_golden(gold, model)
            images = np.concatenate([pixels, extra])
            for acc, cyc, golden in runs:
                want = sim.simulate(model, images, acc, cyc)
                for i, g in enumerate(golden):      # the port == export.py's run_int
                    self.assertTrue(np.array_equal(want[i][:len(pixels)].reshape(g.shape), g),
                                    f"{name} acc {acc} cyclic {cyc}: simulation != golden, "
                                    f"layer {i}")
                for kname in kernels:
                    with wg.Context(threads=2, kernel=kname) as ctx:
                        packed = sim.pack(ctx, model)
                        try:
                            got = sim.through_library(ctx, model, packed, images, acc, cyc)
                        except wg.Unsupported:
                            continue
                        finally:
                            for w in packed.values():
                                w.close()
                    for i, (g, s) in enumerate(zip(got, want)):
                        self.assertTrue(np.array_equal(g, s),
                                        f"{name} acc {acc} cyclic {cyc} kernel {kname}: "
                                        f"layer {i} differs")
                    checked += 1
        self.assertGreater(integer_models, 0)
        self.assertGreater(checked, integer_models)


if __name__ == "__main__":
    unittest.main()
