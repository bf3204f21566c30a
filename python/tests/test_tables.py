"""scripts/wrapnet/tables.py's block from wrapnet_demo's output (no demo
run: a stand-in output): every row keeps its cells and gets the paper's,
the optional rows of the demo's EXTRAS (a longer float run, SAWB 2-bit and
PACT WrapNet-8) included, and the float-baseline bullet states each 8-bit
WrapNet's gap to the longer float run only where that row exists."""
import os
import sys
import unittest

from .common import REPO

sys.path.insert(0, os.path.join(REPO, "scripts", "wrapnet"))
import tables  # noqa: E402  (needs no torch)

OUT = """Fashion-MNIST, 10000 test images; act bits are the quantized layers' inputs.

| network                | act bits   | weight | acc |   top-1 | 8-bit overflow rate per quantized layer |
|------------------------|------------|--------|-----|---------|---|
| float                  | 32         | 32     |  32 |  92.16% |  |
| float, longer run      | 32         | 32     |  32 |  93.54% |  |
| BWN                    | 32         | 1      |  32 |  91.64% |  |
| BWN-QA                 | 5/5/4/4/3  | 1      |  32 |  90.90% |  |
| WrapNet                | 5/5/4/4/3  | 1      |   8 |  90.77% | L1 0.66% |
| TWN                    | 32         | 2      |  32 |  91.99% |  |
| TWN-QA                 | 5/5/4/5/3  | 2      |  32 |  91.65% |  |
| WrapNet                | 5/5/4/5/3  | 2      |   8 |  91.54% | L1 0.50% |
| WrapNet, SAWB 2-bit    | 3/4/3/3/2  | 2      |   8 |  89.64% | L1 1.07% |
| WrapNet, PACT          | 4/4/3/3/2  | 1      |   8 |  90.83% | L1 0.53% |

(984.4 s wall, 515.3 s CPU, 2 threads)
"""


class TestTables(unittest.TestCase):
    def block(self, out):
        return tables.block(tables.parse_rows(out), out, "fmnist-vgg7", "models", "cmd")

    def test_rows_and_gaps(self):
        text = self.block(OUT)
        self.assertIn("| float, longer run | 32 | 32 | 32 | 93.54% |  | 32 | 92.45% |", text)
        self.assertIn("| WrapNet, SAWB 2-bit | 3/4/3/3/2 | 2 | 8 | 89.64% | L1 1.07% |  | – |",
                      text)
        self.assertIn("| WrapNet | 5/5/4/4/3 | 1 | 8 | 90.77% | L1 0.66% | ~3 | 90.81% |", text)
        bullet = [line for line in text.splitlines() if line.startswith("- Float baseline")]
        self.assertEqual(len(bullet), 1)
        for part in ("93.54%", "float start 92.16%", "binary 90.77% (2.77 points below)",
                     "ternary 91.54% (2.00 points below)",
                     "SAWB 2-bit 89.64% (3.90 points below)",
                     "PACT binary 90.83% (2.71 points below)"):
            self.assertIn(part, bullet[0])

    def test_no_longer_float_no_bullet(self):
        out = "\n".join(line for line in OUT.splitlines() if "longer run" not in line)
        text = self.block(out)
        self.assertNotIn("Float baseline", text)
        self.assertIn("- BWN weights: WrapNet 8-bit 90.77% is 0.87 points below", text)


if __name__ == "__main__":
    unittest.main()
