"""The WrapNet training reproduces itself bit for bit (docs/wrapnet.md,
"Reproducibility"): scripts/wrapnet/train.py's run_epochs, trained twice for
a few batches from the same seed, gives identical weights and BatchNorm
statistics, for the float phase and for a WrapNet-8 fine-tune
(quantized weights and activations, cyclic activation, R^o); also when
OpenBLAS's own thread pool was left at 2 threads before threads.pin(1) (the
cause of the unreproduced first model set: torch.set_num_threads does not
reach that pool); with torch.use_deterministic_algorithms(True), which
raises on any op torch lists as nondeterministic.  Synthetic images, the small net: about 2 s.  Needs torch
(the training's dependency): skipped without it."""
import contextlib
import io
import os
import sys
import unittest

from .common import REPO

try:
    import torch
    sys.path.insert(0, os.path.join(REPO, "scripts", "wrapnet"))
    import threads
    import train
    import wrapnet as W
except ImportError:          # no torch: the lane still runs everything else
    torch = None

BATCHES = 2


def data():
    g = torch.Generator().manual_seed(5)
    x = torch.randint(0, 256, (BATCHES * 128, 28, 28), generator=g, dtype=torch.uint8)
    return x, torch.randint(0, 10, (len(x),), generator=g)


def run(phase, seed=0, blas_before=None):
    """The network's state (weights, BatchNorm statistics) after BATCHES
    batches of run_epochs (its progress line silenced):
    from a seeded initialisation: phase 'float', or 'wrap8' (binary weights,
    4-bit activations, 8-bit accumulator, k = 2, R^o)."""
    # torch's own list of nondeterministic ops: none of the training's may run
    was = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return _run(phase, seed, blas_before)
    finally:
        torch.use_deterministic_algorithms(was)


def _run(phase, seed, blas_before):
    lib = threads.openblas()
    if blas_before is not None:
        lib.openblas_set_num_threads(blas_before)
    threads.pin(1)
    x, y = data()
    torch.manual_seed(1)
    net = W.Net("small")
    if phase == "wrap8":
        net.wtype = "binary"
        # fixed steps (the step search would triple the test's time)
        net.steps, net.bits = [0.25] * (net.arch.fc + 1), [4] * (net.arch.fc + 1)
        net.penalty_bits = net.cyclic_bits = 8
        net.slope, net.quant_acts = 2, True
    train.run_epochs(net, x, y, BATCHES * 128, 5e-4 if phase == "wrap8" else 2e-3,
                     reg=0.01 if phase == "wrap8" else 0.0, seed=seed)
    return {k: v.clone() for k, v in net.state_dict().items()}


def differing(a, b):
    return [k for k in a if not torch.equal(a[k], b[k])]


@unittest.skipIf(torch is None, "torch is not installed (the training's dependency)")
class TestTrainRepro(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.saved = torch.get_num_threads()
        # OpenBLAS's pool at 1 thread here and at 2 in test_openblas_pool_pinned:
        # equal weights only where threads.pin(1) reaches that pool
        cls.float0 = run("float", blas_before=1 if threads.openblas() else None)

    @classmethod
    def tearDownClass(cls):
        threads.pin(cls.saved)

    def test_float_twice(self):
        self.assertEqual(differing(self.float0, run("float")), [])

    def test_float_other_order_differs(self):
        # the comparison sees a change: another data order, other weights
        self.assertTrue(differing(self.float0, run("float", seed=1)))

    def test_wrap8_twice(self):
        self.assertEqual(differing(run("wrap8"), run("wrap8")), [])

    def test_openblas_pool_pinned(self):
        if threads.openblas() is None:
            self.skipTest("torch's BLAS is not OpenBLAS")
        self.assertEqual(differing(self.float0, run("float", blas_before=2)), [])


if __name__ == "__main__":
    unittest.main()
