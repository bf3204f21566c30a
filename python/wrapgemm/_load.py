"""Finding libwrapgemm.so.

Order: the environment variable WRAPGEMM_LIB (a path; it must exist), then
the build folder of the checkout this package sits in
(<repo>/build/<triplet>/libwrapgemm.so, what `make` builds), then the
system's libraries through ctypes.util.find_library("wrapgemm") (an
installed `make install`).
"""
import ctypes
import ctypes.util
import os
import platform
import sysconfig

# python/wrapgemm/_load.py -> the repository root two folders up.
_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _triplet():
    # Debian's Python knows its multiarch triplet, which is what
    # `gcc -dumpmachine` (the Makefile's TRIPLET) prints there.
    multiarch = sysconfig.get_config_var("MULTIARCH")
    return multiarch or f"{platform.machine()}-linux-gnu"


def candidates():
    """The paths tried, in order (the last one may be a bare soname)."""
    env = os.environ.get("WRAPGEMM_LIB")
    if env:
        return [env]
    out = [os.path.join(_REPO, "build", _triplet(), "libwrapgemm.so")]
    found = ctypes.util.find_library("wrapgemm")
    if found:
        out.append(found)
    return out


def load():
    """The library as a ctypes.CDLL (calls release the GIL)."""
    tried = candidates()
    env = os.environ.get("WRAPGEMM_LIB")
    if env and not os.path.exists(env):
        raise OSError(f"wrapgemm: WRAPGEMM_LIB={env} does not exist")
    for path in tried:
        if os.sep in path and not os.path.exists(path):
            continue
        return ctypes.CDLL(path), path
    raise OSError("wrapgemm: libwrapgemm.so not found; tried "
                  + ", ".join(tried + ["ctypes.util.find_library('wrapgemm')"])
                  + " (run `make`, or set WRAPGEMM_LIB)")
