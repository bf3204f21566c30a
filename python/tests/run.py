"""Runs every test of python/tests and ends with the line make test's lane
machinery reads (scripts/run-lanes.sh): `N passed, N failed, N skipped`,
counted per test method (a test whose subtests fail counts once).

usage (from python/): python3 -m tests.run [unittest name patterns...]
"""
import os
import sys
import unittest


def main():
    try:
        import numpy  # noqa: F401
    except ImportError:
        print("test-python: numpy is missing (Debian: apt-get install python3-numpy; "
              "scripts/deps.sh test installs it)")
        print("0 passed, 1 failed, 0 skipped")
        return 1
    here = os.path.dirname(os.path.abspath(__file__))
    loader = unittest.TestLoader()
    if len(sys.argv) > 1:
        loader.testNamePatterns = [f"*{p}*" for p in sys.argv[1:]]
    suite = loader.discover(here, top_level_dir=os.path.dirname(here))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    bad = {getattr(t, "test_case", t).id() for t, _ in
           result.failures + result.errors} | {t.id() for t in result.unexpectedSuccesses}
    skipped = len(result.skipped)
    passed = result.testsRun - len(bad) - skipped
    if result.testsRun == 0:
        print("test-python: no test ran")
        bad = {"none"}
    print(f"{passed} passed, {len(bad)} failed, {skipped} skipped")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
