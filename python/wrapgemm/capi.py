"""The C API of include/wrapgemm.h, mirrored with ctypes.

Every public struct is a ctypes.Structure under its C name, every enum an
IntEnum whose members are the C constants without their prefix, and every
WG_API function gets its argtypes/restype here.  python/tests/test_layout.py
compiles a C program against the header that prints each struct's size and
offsets and each constant's value, and parses the header's prototypes, so
that this file cannot drift from the header unnoticed.

`lib` is the loaded library; `lib_path` where it came from.
"""
import ctypes
import enum
from ctypes import (POINTER, Structure, c_char_p, c_double, c_float, c_int,
                    c_int32, c_int64, c_uint32, c_void_p)

from ._load import load

lib, lib_path = load()


# ---- enums (C enums are int-sized on every ABI this builds for) ----------
class Status(enum.IntEnum):
    OK = 0
    NULL_POINTER = 1
    BAD_SIZE = 2
    SIZE_OVERFLOW = 3
    BAD_STRIDE = 4
    BAD_CODE = 5
    BAD_OPTION = 6
    UNSUPPORTED = 7
    NO_MEMORY = 8
    UNKNOWN_KERNEL = 9
    KERNEL_UNAVAILABLE = 10
    THREAD = 11
    ALIASING = 12
    MISALIGNED = 13


class WeightFormat(enum.IntEnum):
    INT = 0
    TERNARY = 1
    BINARY = 2


class Cyclic(enum.IntEnum):
    NONE = 0
    SMOOTH = 1
    ABS = 2


class Output(enum.IntEnum):
    INT8 = 0
    INT16 = 1
    INT32 = 2
    UINT8_FLOAT = 3
    UINT8_FIXED = 4
    FLOAT32 = 5


class Layout(enum.IntEnum):
    NCHW = 0
    NHWC = 1


class SwarMode(enum.IntEnum):
    EXACT = 0
    BUFFER = 1
    CARRY = 2


class Order(enum.IntEnum):
    ROW_MAJOR = 0
    COL_MAJOR = 1


class GemmlowpOutput(enum.IntEnum):
    UINT8 = 0
    INT32 = 1


class Quantizer(enum.IntEnum):
    BINARY = 0
    TERNARY = 1
    SAWB2 = 2


def status_c_name(member):
    return "WG_OK" if member == Status.OK else "WG_ERR_" + member.name


# C typedef name -> (IntEnum, function giving a member's C constant name)
ENUMS = {
    "wg_status": (Status, status_c_name),
    "wg_weight_format": (WeightFormat, lambda e: "WG_WEIGHTS_" + e.name),
    "wg_cyclic": (Cyclic, lambda e: "WG_CYCLIC_" + e.name),
    "wg_output_kind": (Output, lambda e: "WG_OUTPUT_" + e.name),
    "wg_layout": (Layout, lambda e: "WG_" + e.name),
    "wg_swar_mode": (SwarMode, lambda e: "WG_SWAR_" + e.name),
    "wg_quantizer": (Quantizer, lambda e: "WG_QUANT_" + e.name),
    "wg_order": (Order, lambda e: "WG_" + e.name),
    "wg_gemmlowp_output": (GemmlowpOutput, lambda e: "WG_GEMMLOWP_" + e.name),
}
c_enum = c_int


# ---- structs -------------------------------------------------------------
class wg_act_format(Structure):
    _fields_ = [("bits", c_int), ("zero_point", c_int)]


class wg_epilogue(Structure):
    _fields_ = [
        ("acc_bits", c_int),
        ("cyclic", c_enum),
        ("slope", c_int),
        ("output", c_enum),
        ("scale", POINTER(c_float)),
        ("bias", POINTER(c_float)),
        ("relu", c_int),
        ("out_bits", c_int),
        ("multiplier", POINTER(c_int32)),
        ("shift", POINTER(c_int32)),
        ("qbias", POINTER(c_int32)),
        ("out_zero_point", c_int),
    ]


class wg_run_info(Structure):
    _fields_ = [("kernel", c_char_p), ("method", c_char_p)]


class wg_conv2d_desc(Structure):
    _fields_ = [("layout", c_enum)] + [(f, c_int64) for f in (
        "batch", "channels", "height", "width", "kernel_h", "kernel_w",
        "stride_h", "stride_w", "pad_top", "pad_left", "pad_bottom",
        "pad_right", "dilation_h", "dilation_w")]


class wg_conv2d_options(Structure):
    _fields_ = [("groups", c_int64), ("out_channels", c_int64),
                ("out_channel_offset", c_int64)]


class wg_plan(Structure):
    _fields_ = [("kernel", c_char_p), ("method", c_char_p), ("kernel_reason", c_char_p),
                ("method_reason", c_char_p), ("kernel_index", c_int)]


class wg_weights_desc(Structure):
    _fields_ = [("m", c_int64), ("k", c_int64), ("order", c_enum), ("ldw", c_int64),
                ("format", c_enum), ("bits", c_int), ("is_unsigned", c_int),
                ("zero_point", c_int)]


class wg_gemm_desc(Structure):
    _fields_ = [("n", c_int64), ("x_order", c_enum), ("ldx", c_int64), ("y_order", c_enum),
                ("ldy", c_int64)]


class wg_gemmlowp_desc(Structure):
    _fields_ = [("m", c_int64), ("n", c_int64), ("k", c_int64),
                ("lhs_order", c_enum), ("ld_lhs", c_int64), ("lhs_offset", c_int32),
                ("rhs_order", c_enum), ("ld_rhs", c_int64), ("rhs_offset", c_int32),
                ("result_order", c_enum), ("ld_result", c_int64), ("output", c_enum),
                ("result_fixedpoint_multiplier", c_int32), ("result_shift", c_int32),
                ("result_offset_after_shift", c_int32), ("clamp_min", c_int32),
                ("clamp_max", c_int32)]


class wg_swar_options(Structure):
    _fields_ = [
        ("reg_bits", c_int),
        ("mode", c_enum),
        ("carries", POINTER(c_uint32)),
        ("ld_carries", c_int64),
        ("lane_carries", POINTER(c_uint32)),
        ("ld_lane_carries", c_int64),
        ("carry_correction", POINTER(c_int32)),
        ("ld_correction", c_int64),
    ]


class wg_overflow_stats(Structure):
    _fields_ = [
        ("count", c_int64),
        ("overflows", c_int64),
        ("rate", c_double),
        ("max_abs", c_int64),
        ("width", c_int64 * 33),
    ]


class wg_step_choice(Structure):
    _fields_ = [("step", c_float), ("act_bits", c_int), ("index", c_int),
                ("rate", c_double)]


STRUCTS = {cls.__name__: cls for cls in (
    wg_act_format, wg_epilogue, wg_run_info, wg_conv2d_desc, wg_conv2d_options, wg_plan,
    wg_swar_options, wg_overflow_stats, wg_step_choice, wg_weights_desc, wg_gemm_desc,
    wg_gemmlowp_desc)}

# Opaque handles and callbacks.
wg_context_p = c_void_p
wg_weights_p = c_void_p
wg_task_fn = ctypes.CFUNCTYPE(None, c_void_p, c_int64)
wg_parallel_for_fn = ctypes.CFUNCTYPE(None, c_void_p, wg_task_fn, c_void_p, c_int64)

# ---- prototypes: name -> (restype, argtypes), in the header's order -------
# Data pointers are c_void_p (numpy's addresses pass as ints); the header's
# pointer types are recorded in the test's comparison, not here.
PROTOTYPES = {
    "wg_status_name": (c_char_p, [c_enum]),
    "wg_version": (c_char_p, []),
    "wg_context_create": (c_enum, [c_int, POINTER(wg_context_p)]),
    "wg_context_destroy": (None, [wg_context_p]),
    "wg_context_threads": (c_int, [wg_context_p]),
    "wg_context_force_kernel": (c_enum, [wg_context_p, c_char_p]),
    "wg_context_set_direct_conv": (c_enum, [wg_context_p, c_int]),
    "wg_context_set_gemm_in_place": (c_enum, [wg_context_p, c_int]),
    "wg_context_kernel": (c_char_p, [wg_context_p]),
    "wg_kernel_count": (c_int, []),
    "wg_kernel_name": (c_char_p, [c_int]),
    "wg_kernel_available": (c_int, [c_int]),
    "wg_context_set_parallel_for": (c_enum, [wg_context_p, wg_parallel_for_fn,
                                             c_void_p, c_int]),
    "wg_weights_pack": (c_enum, [wg_context_p, c_void_p, c_int64, c_int64,
                                 c_int64, c_enum, c_int, POINTER(wg_weights_p)]),
    "wg_weights_pack_ex": (c_enum, [wg_context_p, c_void_p, POINTER(wg_weights_desc),
                                    POINTER(wg_weights_p)]),
    "wg_weights_destroy": (None, [wg_weights_p]),
    "wg_weights_rows": (c_int64, [wg_weights_p]),
    "wg_weights_depth": (c_int64, [wg_weights_p]),
    "wg_weights_pack_grouped": (c_enum, [wg_context_p, c_void_p, c_int64, c_int64, c_int64,
                                         c_int64, c_enum, c_int, POINTER(wg_weights_p)]),
    "wg_weights_groups": (c_int64, [wg_weights_p]),
    "wg_epilogue_default": (wg_epilogue, []),
    "wg_gemm": (c_enum, [wg_context_p, wg_weights_p, c_void_p, c_int64, c_int64,
                         wg_act_format, POINTER(wg_epilogue), c_void_p, c_int64,
                         POINTER(wg_run_info)]),
    "wg_gemm_ex": (c_enum, [wg_context_p, wg_weights_p, POINTER(wg_gemm_desc), c_void_p,
                            wg_act_format, POINTER(wg_epilogue), c_void_p,
                            POINTER(wg_run_info)]),
    "wg_gemmlowp_desc_default": (wg_gemmlowp_desc, [c_int64, c_int64, c_int64]),
    "wg_gemmlowp_gemm": (c_enum, [wg_context_p, POINTER(wg_gemmlowp_desc), c_void_p, c_void_p,
                                  c_void_p, POINTER(wg_run_info)]),
    "wg_conv2d_out_h": (c_int64, [POINTER(wg_conv2d_desc)]),
    "wg_conv2d_out_w": (c_int64, [POINTER(wg_conv2d_desc)]),
    "wg_conv2d": (c_enum, [wg_context_p, wg_weights_p, POINTER(wg_conv2d_desc),
                           c_void_p, wg_act_format, POINTER(wg_epilogue),
                           c_void_p, POINTER(wg_run_info)]),
    "wg_conv2d_ex": (c_enum, [wg_context_p, wg_weights_p, POINTER(wg_conv2d_desc),
                              POINTER(wg_conv2d_options), c_void_p, wg_act_format,
                              POINTER(wg_epilogue), c_void_p, POINTER(wg_run_info)]),
    "wg_plan_gemm": (c_enum, [wg_context_p, wg_weights_p, c_void_p, c_int64, c_int64,
                              wg_act_format, POINTER(wg_epilogue), c_int64,
                              POINTER(wg_plan)]),
    "wg_plan_gemm_ex": (c_enum, [wg_context_p, wg_weights_p, POINTER(wg_gemm_desc), c_void_p,
                                 wg_act_format, POINTER(wg_epilogue), POINTER(wg_plan)]),
    "wg_plan_conv2d": (c_enum, [wg_context_p, wg_weights_p, POINTER(wg_conv2d_desc),
                                wg_act_format, POINTER(wg_epilogue), POINTER(wg_plan)]),
    "wg_plan_conv2d_ex": (c_enum, [wg_context_p, wg_weights_p, POINTER(wg_conv2d_desc),
                                   POINTER(wg_conv2d_options), wg_act_format,
                                   POINTER(wg_epilogue), POINTER(wg_plan)]),
    "wg_swar_options_default": (wg_swar_options, []),
    "wg_swar_gemm": (c_enum, [wg_weights_p, c_void_p, c_int64, c_int64,
                              wg_act_format, POINTER(wg_epilogue),
                              POINTER(wg_swar_options), c_void_p, c_int64]),
    "wg_swar_naive_gemm": (c_enum, [c_void_p, c_int64, c_int64, c_int64,
                                    c_void_p, c_int64, c_int64, wg_act_format,
                                    POINTER(wg_epilogue), c_void_p, c_int64]),
    "wg_swar_carry_stats": (c_enum, [c_void_p, c_int64, c_int64, c_int64,
                                     c_void_p, c_void_p, c_void_p]),
    "wg_overflow_stats_compute": (c_enum, [c_void_p, c_int64, c_int,
                                           POINTER(wg_overflow_stats)]),
    "wg_acc_bits_needed": (c_enum, [c_enum, c_int, c_int, c_int64,
                                    POINTER(c_int)]),
    "wg_calib_find_step": (c_enum, [c_void_p, c_int64, c_int64, c_int64,
                                    c_void_p, c_int64, c_int64, c_float, c_int,
                                    c_double, c_int, POINTER(wg_step_choice)]),
    "wg_quantize_weights": (c_enum, [c_void_p, c_int64, c_int64, c_int64, c_enum,
                                     c_void_p, c_int64, c_void_p]),
}

for _name, (_res, _args) in PROTOTYPES.items():
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args
