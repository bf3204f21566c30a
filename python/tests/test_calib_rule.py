"""One step-search rule in C and Python (issue 20 item 6): the torch-free
search of scripts/wrapnet/calib.py, which wrapnet.calibrate and
calibrate_pact use, against wg_calib_find_step on the same data."""
import ast
import importlib.util
import os
import unittest

import numpy as np

from .common import REPO, rng, weight_codes, wg

WRAPNET_DIR = os.path.join(REPO, "scripts", "wrapnet")


def load_calib():
    """scripts/wrapnet/calib.py under its own name (it needs numpy only)."""
    spec = importlib.util.spec_from_file_location("wrapnet_calib",
                                                  os.path.join(WRAPNET_DIR, "calib.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


calib = load_calib()


def rate_curve(w, x, clip, b, spo):
    """Every grid step's overflow rate, coarsest first."""
    w64 = w.astype(np.int64)
    return [calib.overflow_rate(w64 @ calib.codes(x, s, ba), b) for s, ba in calib.grid(clip, spo)]


def old_rules(rates, target):
    """The two former rules, for the record: calibrate.c stopped before the
    first step over target (step 0 if it was over); wrapnet.py did the same
    but never checked step 0."""
    c = py = None
    for j, r in enumerate(rates):
        if r > target and c is not None:
            break
        c = j
        if r > target:
            break
    for j, r in enumerate(rates):
        if r > target and py is not None:
            break
        py = j
    return c, py


class TestCalibRule(unittest.TestCase):
    def both(self, w, x, clip, b, target, spo):
        got = wg.calib_find_step(w, x, clip=clip, acc_bits=b, target_rate=target,
                                 steps_per_octave=spo)
        want = calib.find_step(w, x, clip, b, target, spo)
        self.assertEqual((np.float32(got.step), got.act_bits, got.index, got.rate),
                         (np.float32(want[0]), want[1], want[2], want[3]),
                         f"b={b} target={target} spo={spo} clip={clip}")
        return got

    def test_same_choice_on_random_data(self):
        r = rng(900)
        for i in range(40):
            m, k, n = int(r.integers(1, 9)), int(r.integers(1, 80)), int(r.integers(1, 60))
            fmt = [wg.WeightFormat.TERNARY, wg.WeightFormat.BINARY, wg.WeightFormat.INT][i % 3]
            w = weight_codes(r, m, k, fmt, 3)
            x = np.abs(r.standard_normal((k, n))).astype(np.float32) * np.float32(2)
            x[r.random((k, n)) < 0.3] = 0
            clip = np.float32(np.quantile(x, 0.999)) if i % 4 else np.float32(r.uniform(0.5, 8))
            if not clip > 0:
                clip = np.float32(1)
            b = int(r.integers(3, 12))
            target = float(r.choice([0.0, 0.02, 0.05, 0.1, 0.3, 1.0]))
            spo = int(r.choice([1, 2, 8, 64]))
            self.both(w, x, clip, b, target, spo)

    def test_non_monotone_curves(self):
        """Cases where the overflow rate does not fall monotonically as the
        step grows, so the finest step at or under p is not the end of a
        coarse-to-fine scan: C and Python still agree, on the new rule.
        Pairs of nearly equal samples under weights +1 and -1 make every
        sum rounding noise, which overflows b = 2 at some steps and not at
        others."""
        r = rng(901)
        differ = 0
        for i in range(400):
            h = int(r.integers(2, 6))
            xa = r.integers(0, 512, (h, 1))
            xb = np.clip(xa + r.integers(-8, 9, (h, 1)), 0, 511)
            x = (np.concatenate([xa, xb]) / 64).astype(np.float32)
            w = np.array([[1] * h + [-1] * h], np.int8)
            spo = 1 + i % 2
            rates = rate_curve(w, x, 8.0, 2, spo)
            j = self.both(w, x, 8.0, 2, 0.0, spo).index
            under = [i for i, v in enumerate(rates) if v <= 0.0]
            self.assertEqual(j, under[-1] if under else 0)
            differ += j not in old_rules(rates, 0.0)
        self.assertGreater(differ, 10, "too few curves where the old rules differ")

    def test_hand_made_curve(self):
        """test/test_calib.c's calib_find_step_rule: rates 1, 0, 1, 0, 1, 1,
        1, 1 over the steps 8, 4, ... 0.0625; the rule picks step 1 (j 3),
        the former C rule step 8, the former Python rule step 4."""
        w = np.array([[-1, 1, -1, 1, -1]], np.int8)
        x = np.array([[0.75], [5.375], [2.875], [4.25], [3.625]], np.float32)
        rates = rate_curve(w, x, 8.0, 2, 1)
        self.assertEqual(rates, [1, 0, 1, 0, 1, 1, 1, 1])
        self.assertEqual(old_rules(rates, 0.0), (0, 1))
        got = self.both(w, x, 8.0, 2, 0.0, 1)
        self.assertEqual((got.index, got.step, got.act_bits, got.rate), (3, 1.0, 4, 0.0))

    def test_search_on_given_rates(self):
        """calib.search on both of wrapnet's grids, rates given by index."""
        for rates, target, want in [([1, 0, 1, 0, 1], 0.0, 3), ([0.5, 0.6], 0.1, 0),
                                    ([0, 0, 0], 0.0, 2), ([0.2, 0.01, 0.3], 0.05, 1)]:
            cands = [(float(i), i + 1) for i in range(len(rates))]
            seen = []

            def rate_at(step, ba, rates=rates, seen=seen):
                seen.append(ba - 1)
                return rates[ba - 1]
            j, step, ba, rate = calib.search(cands, rate_at, target)
            self.assertEqual((j, ba, rate), (want, want + 1, rates[want]))
            # finest first, stopping at the first candidate that meets p
            self.assertEqual(seen, list(range(len(rates) - 1, want - 1, -1)) or [0])
        self.assertEqual([ba for _, ba in calib.pact_grid(3.0)], list(range(1, 9)))

    def test_wrapnet_uses_the_rule(self):
        """wrapnet.calibrate (through calibrate_layer, its per-layer search,
        which the hybrid's buffer-bit layers use too) and calibrate_pact
        choose through calib.search (read from the source: wrapnet.py needs
        torch, these tests do not)."""
        with open(os.path.join(WRAPNET_DIR, "wrapnet.py")) as f:
            tree = ast.parse(f.read())
        funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        self.assertIn("calibrate_layer", {c.func.id for c in ast.walk(funcs["calibrate"])
                                          if isinstance(c, ast.Call)
                                          and isinstance(c.func, ast.Name)})
        for name, grid in (("calibrate_layer", "grid"), ("calibrate_pact", "pact_grid")):
            calls = {(c.func.value.id, c.func.attr) for c in ast.walk(funcs[name])
                     if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                     and isinstance(c.func.value, ast.Name)}
            self.assertIn(("calib", "search"), calls, name)
            self.assertIn(("calib", grid), calls, name)


if __name__ == "__main__":
    unittest.main()
