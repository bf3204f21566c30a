"""The epilogue (wg_epilogue) as a dataclass.

Defaults are wg_epilogue_default()'s: b = 32, no cyclic activation, int32
output.  cyclic and output take the enum, its name ("smooth",
"uint8_float") or the int.  Per-row arrays are numpy arrays of exactly
float32 (scale, bias) or int32 (multiplier, shift, qbias) with M
elements; only the ones the output kind reads are passed to C (the others
as NULL), and a missing one that is read is C's NULL_POINTER.
"""
import ctypes
import dataclasses
from typing import Optional

import numpy as np

from . import _arrays
from .capi import Cyclic, Output, Status, wg_epilogue
from .errors import raise_status

# Output kind -> numpy dtype of y.
OUTPUT_DTYPES = {
    Output.INT8: np.dtype(np.int8),
    Output.INT16: np.dtype(np.int16),
    Output.INT32: np.dtype(np.int32),
    Output.UINT8_FLOAT: np.dtype(np.uint8),
    Output.UINT8_FIXED: np.dtype(np.uint8),
    Output.FLOAT32: np.dtype(np.float32),
}
_FLOAT_KINDS = (Output.UINT8_FLOAT, Output.FLOAT32)


@dataclasses.dataclass
class Epilogue:
    acc_bits: int = 32
    cyclic: object = Cyclic.NONE
    slope: int = 1
    output: object = Output.INT32
    scale: Optional[np.ndarray] = None
    bias: Optional[np.ndarray] = None
    relu: bool = False
    out_bits: int = 8
    multiplier: Optional[np.ndarray] = None
    shift: Optional[np.ndarray] = None
    qbias: Optional[np.ndarray] = None
    out_zero_point: int = 0

    @property
    def output_kind(self):
        kind = _arrays.enum_value(Output, self.output, "epilogue.output")
        if not isinstance(kind, Output):
            raise_status(Status.BAD_OPTION, f"epilogue.output: unknown output kind {kind}")
        return kind

    @property
    def dtype(self):
        """numpy dtype of the output y."""
        return OUTPUT_DTYPES[self.output_kind]

    def to_c(self, rows):
        """(wg_epilogue, arrays to keep alive while C reads them) for a call
        with `rows` output channels."""
        kind = self.output_kind
        c = wg_epilogue()
        c.acc_bits = int(self.acc_bits)
        c.cyclic = int(_arrays.enum_value(Cyclic, self.cyclic, "epilogue.cyclic"))
        c.slope = int(self.slope)
        c.output = int(kind)
        c.relu = int(self.relu)
        c.out_bits = int(self.out_bits)
        c.out_zero_point = int(self.out_zero_point)
        keep = []

        def rowwise(field, dtype):
            a = getattr(self, field)
            if a is None:
                return
            addr = _arrays.vector(a, dtype, f"epilogue.{field}", rows)
            keep.append(a)
            setattr(c, field, ctypes.cast(ctypes.c_void_p(addr), type(getattr(c, field))))

        if kind in _FLOAT_KINDS:
            rowwise("scale", np.float32)
            rowwise("bias", np.float32)
        elif kind == Output.UINT8_FIXED:
            rowwise("multiplier", np.int32)
            rowwise("shift", np.int32)
            rowwise("qbias", np.int32)
        return c, keep


def make(epilogue, overrides):
    """The Epilogue of a call: `epilogue` (or the default) with the
    keyword overrides applied."""
    ep = epilogue if epilogue is not None else Epilogue()
    if not isinstance(ep, Epilogue):
        raise TypeError(f"epilogue: expected wrapgemm.Epilogue, got {type(ep).__name__}")
    return dataclasses.replace(ep, **overrides) if overrides else ep
