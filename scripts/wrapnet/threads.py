"""One thread count for every pool the float training runs on.

A float sum's bits depend on how its terms are split among threads, so the
training (train.py) reproduces its checkpoints bit for bit only at a fixed
thread count in every pool that adds floats:

  - torch's own pool (OpenMP here): convolutions (oneDNN), BatchNorm,
    reductions; torch.set_num_threads sets it;
  - the BLAS library's pool: the dense layer's matrix products.  Debian's
    torch (BLAS_INFO=generic) calls libblas.so.3, which the alternatives
    system points at OpenBLAS's pthread build once libopenblas0-pthread is
    installed (reference BLAS, one thread, before).  torch.set_num_threads
    does not reach that pool: it starts with OPENBLAS_NUM_THREADS or
    OMP_NUM_THREADS, else one thread per core, so `train.py --threads 1`
    without OMP_NUM_THREADS=1 ran its products on 2 threads on the 2-core
    machine and its weights differed from a run with it (docs/wrapnet.md,
    "Reproducibility").  An MKL build's pool follows torch.set_num_threads.
"""
import ctypes

import torch

# sonames under which an OpenBLAS torch calls may be loaded already
_BLAS_LIBS = ("libblas.so.3", "libopenblas.so.0")


def openblas():
    """The OpenBLAS this process has loaded (ctypes handle), or None where
    the BLAS is another one (reference BLAS, MKL) or none is found."""
    for name in _BLAS_LIBS:
        try:
            lib = ctypes.CDLL(name)   # the loaded copy where torch loaded it
        except OSError:
            continue
        if hasattr(lib, "openblas_set_num_threads"):
            return lib
    return None


def pin(n):
    """Sets torch's pool and OpenBLAS's pool (where torch uses OpenBLAS) to
    n threads; returns a short description for the training log."""
    torch.set_num_threads(n)
    lib = openblas()
    if lib is None:
        return f"{n} torch threads, BLAS not OpenBLAS"
    lib.openblas_set_num_threads(n)
    return f"{n} torch threads, {lib.openblas_get_num_threads()} OpenBLAS threads"
