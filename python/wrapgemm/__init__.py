"""wrapgemm for Python: ctypes over libwrapgemm.so and numpy (docs/python.md).

    import numpy as np, wrapgemm as wg
    with wg.Context(threads=1) as ctx, ctx.pack(codes, "ternary") as w:
        y, info = ctx.gemm(w, x, act_bits=3, acc_bits=8, cyclic="smooth", slope=2)

Everything follows include/wrapgemm.h and docs/semantics.md; errors are
exceptions named after the status (wrapgemm.errors).  The library is found
through WRAPGEMM_LIB, then this checkout's build/<triplet>/, then the
system (wrapgemm._load).
"""
from . import capi, errors
from .calib import (OverflowStats, StepChoice, acc_bits_needed, calib_find_step,
                    overflow_stats, quantize_weights)
from .capi import (Cyclic, GemmlowpOutput, Layout, Order, Output, Quantizer, Status, SwarMode,
                   WeightFormat)
from .context import (Context, Kernel, Plan, RunInfo, Weights, conv2d_desc,
                      conv2d_options, conv2d_output_shape, kernels, version)
from .epilogue import OUTPUT_DTYPES, Epilogue
from .gemm_ex import ZeroPointWeights, gemm_ex, gemmlowp_gemm, pack_ex, plan_gemm_ex
from .errors import *  # noqa: F401,F403  (WgError and one class per status)
from .errors import WgError, error_class
from .swar import (CarryStats, SwarResult, swar_carry_stats, swar_gemm,
                   swar_naive_gemm)

__version__ = version()

__all__ = [
    "capi", "errors", "Context", "Weights", "Epilogue", "RunInfo", "Plan", "Kernel", "kernels",
    "version", "conv2d_desc", "conv2d_options", "conv2d_output_shape", "OUTPUT_DTYPES",
    "swar_gemm", "swar_naive_gemm", "swar_carry_stats", "SwarResult", "CarryStats",
    "overflow_stats", "OverflowStats", "acc_bits_needed", "calib_find_step", "StepChoice",
    "quantize_weights", "pack_ex", "ZeroPointWeights", "gemm_ex", "plan_gemm_ex",
    "gemmlowp_gemm", "Order", "GemmlowpOutput", "Status", "WeightFormat", "Cyclic", "Output",
    "Layout", "SwarMode", "Quantizer", "WgError", "error_class",
]
__all__ += [c for c in errors.__all__ if c not in __all__ + ["check", "raise_status"]]
