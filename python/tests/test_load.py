"""Where the package finds libwrapgemm.so: WRAPGEMM_LIB, then this
checkout's build/<triplet>/, then ctypes.util.find_library."""
import os
import subprocess
import sys
import sysconfig
import unittest

from .common import REPO, wg

PYTHON_DIR = os.path.join(REPO, "python")


def run(code, env):
    return subprocess.run([sys.executable, "-B", "-c", code], cwd="/", env=env,
                          capture_output=True, text=True)


class TestLoad(unittest.TestCase):
    def env(self, **kw):
        env = {k: v for k, v in os.environ.items() if k != "WRAPGEMM_LIB"}
        env["PYTHONPATH"] = PYTHON_DIR
        env.update(kw)
        return env

    def test_env_var_first(self):
        p = run("import wrapgemm; print(wrapgemm.capi.lib_path)",
                self.env(WRAPGEMM_LIB=wg.capi.lib_path))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), wg.capi.lib_path)

    def test_missing_env_path_is_an_error(self):
        p = run("import wrapgemm", self.env(WRAPGEMM_LIB="/nonexistent/libwrapgemm.so"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("WRAPGEMM_LIB=/nonexistent/libwrapgemm.so does not exist", p.stderr)

    def test_build_folder_then_system(self):
        from wrapgemm import _load
        saved = os.environ.pop("WRAPGEMM_LIB", None)
        try:
            first = _load.candidates()[0]
        finally:
            if saved is not None:
                os.environ["WRAPGEMM_LIB"] = saved
        triplet = sysconfig.get_config_var("MULTIARCH")
        if not triplet:
            self.skipTest("this Python has no MULTIARCH triplet")
        self.assertEqual(first, os.path.join(REPO, "build", triplet, "libwrapgemm.so"))

if __name__ == "__main__":
    unittest.main()
