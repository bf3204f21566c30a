"""Checks that turn numpy arrays into (address, sizes, leading dimension).

Nothing is copied: an array the C API cannot describe (rows not
contiguous, a row stride that is not a whole number of elements, a conv
tensor that is not dense) is refused.  A wrong dtype is a TypeError; a
shape that does not fit the other operands is BadSize and an
inexpressible stride BadStride, raised by the binding (function
"python") since C cannot see shapes.  What C can check itself (a stride
below its row, alignment, aliasing, codes) is left to C, so those errors
carry the library's own status.
"""
import enum

import numpy as np

from .capi import Status
from .errors import raise_status


def enum_value(kind, value, what):
    """An IntEnum member, its name as a string (any case) or an int.  An
    int outside the enum is passed through for C to reject."""
    if isinstance(value, str):
        try:
            return kind[value.upper()]
        except KeyError:
            raise_status(Status.BAD_OPTION, f"{what}: unknown {kind.__name__} {value!r} "
                         f"(one of {', '.join(m.name.lower() for m in kind)})")
    if isinstance(value, enum.Enum) and not isinstance(value, kind):
        raise TypeError(f"{what}: expected {kind.__name__}, got {value!r}")
    value = int(value)
    try:
        return kind(value)
    except ValueError:
        return value


def _array(a, dtype, what, writable):
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{what}: expected a numpy array of {np.dtype(dtype)}, got {type(a).__name__}")
    if a.dtype != np.dtype(dtype):
        raise TypeError(f"{what}: expected dtype {np.dtype(dtype)}, got {a.dtype} "
                        "(the binding never converts)")
    if writable and not a.flags.writeable:
        raise ValueError(f"{what}: array is read-only")


def matrix(a, dtype, what, writable=False, shape=None):
    """(address, rows, cols, ld) of a 2-D array whose rows are contiguous."""
    _array(a, dtype, what, writable)
    if a.ndim != 2:
        raise_status(Status.BAD_SIZE, f"{what}: expected 2 dimensions, got shape {a.shape}")
    if shape is not None and a.shape != tuple(shape):
        raise_status(Status.BAD_SIZE, f"{what}: shape {a.shape}, expected {tuple(shape)}")
    rows, cols = a.shape
    size = a.itemsize
    if cols > 1 and a.strides[1] != size:
        raise_status(Status.BAD_STRIDE, f"{what}: rows must be contiguous (strides {a.strides}); "
                     "np.ascontiguousarray copies")
    if rows > 1:
        if a.strides[0] % size:
            raise_status(Status.BAD_STRIDE, f"{what}: row stride {a.strides[0]} bytes is not "
                         f"a multiple of the element size {size}")
        ld = a.strides[0] // size   # below cols (0, negative): C says BAD_STRIDE
    else:
        ld = cols                   # one row: its stride is never used
    return a.ctypes.data, rows, cols, ld


def vector(a, dtype, what, length):
    """Address of a contiguous 1-D array of `length` elements."""
    _array(a, dtype, what, False)
    if a.ndim != 1 or a.shape[0] != length:
        raise_status(Status.BAD_SIZE, f"{what}: shape {a.shape}, expected ({length},)")
    if length > 1 and a.strides[0] != a.itemsize:
        raise_status(Status.BAD_STRIDE, f"{what}: must be contiguous (stride {a.strides[0]})")
    return a.ctypes.data


def dense(a, dtype, what, writable=False, ndim=None, shape=None):
    """Address of a C-contiguous array."""
    _array(a, dtype, what, writable)
    if ndim is not None and a.ndim != ndim:
        raise_status(Status.BAD_SIZE, f"{what}: expected {ndim} dimensions, got shape {a.shape}")
    if shape is not None and a.shape != tuple(shape):
        raise_status(Status.BAD_SIZE, f"{what}: shape {a.shape}, expected {tuple(shape)}")
    if not a.flags.c_contiguous:
        raise_status(Status.BAD_STRIDE, f"{what}: must be C-contiguous (strides {a.strides}); "
                     "np.ascontiguousarray copies")
    return a.ctypes.data


def pair(v, what):
    """An int or a pair of ints -> a pair."""
    if isinstance(v, (int, np.integer)):
        return int(v), int(v)
    v = tuple(int(x) for x in v)
    if len(v) != 2:
        raise ValueError(f"{what}: an int or a pair, got {v}")
    return v


def gemm_operands(weights, x, dtype, out):
    """X (K x N uint8 codes, K the weights' depth) and Y (M x N of dtype,
    out or a new array) of a GEMM: (xaddr, n, ldx, out, yaddr, ldy)."""
    xaddr, k, n, ldx = matrix(x, np.uint8, "x")
    m = weights.rows
    if k != weights.depth:
        raise_status(Status.BAD_SIZE, f"x has {k} rows, the weights' depth is {weights.depth}")
    if out is None:
        out = np.empty((m, n), dtype)
    yaddr, _, _, ldy = matrix(out, dtype, "out", writable=True, shape=(m, n))
    return xaddr, n, ldx, out, yaddr, ldy
