"""docs/python.md's example blocks (```python python-example) run as they
are, so the documentation cannot drift from the package."""
import contextlib
import io
import os
import re
import unittest

from .common import REPO

DOC = os.path.join(REPO, "docs", "python.md")


def examples():
    with open(DOC) as f:
        text = f.read()
    return re.findall(r"^```python python-example\n(.*?)^```", text, re.S | re.M)


class TestDocExample(unittest.TestCase):
    def test_examples_run(self):
        blocks = examples()
        self.assertTrue(blocks, "no ```python python-example block in docs/python.md")
        out = io.StringIO()
        for i, code in enumerate(blocks):   # each block asserts its own results
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"{DOC}:example{i}", "exec"), {"__name__": "__doc_example__"})
        self.assertIn("WG_ERR_BAD_CODE", out.getvalue())   # the error path ran too


if __name__ == "__main__":
    unittest.main()
