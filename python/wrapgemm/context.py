"""Contexts, packed weights, GEMM and convolution."""
import collections
import ctypes
import threading

import numpy as np

from . import _arrays, epilogue as _ep
from ._handle import Handle, Using
from .capi import (Layout, Status, WeightFormat, lib, wg_act_format, wg_conv2d_desc,
                   wg_conv2d_options, wg_parallel_for_fn, wg_plan, wg_run_info)
from .errors import check, raise_status

RunInfo = collections.namedtuple("RunInfo", "kernel method")
RunInfo.__doc__ = "Which kernel ran a call and how (wg_run_info)."
Kernel = collections.namedtuple("Kernel", "index name available")
Plan = collections.namedtuple("Plan", "kernel method kernel_reason method_reason kernel_index")
Plan.__doc__ = ("Which kernel and method a call would run, and why (wg_plan); kernel and "
                "method are what its RunInfo then says.")


def kernels():
    """The kernel table in priority order: [Kernel(index, name, available)]."""
    return [Kernel(i, lib.wg_kernel_name(i).decode(), bool(lib.wg_kernel_available(i)))
            for i in range(lib.wg_kernel_count())]


def version():
    return lib.wg_version().decode()


def _run_info(info):
    return RunInfo(info.kernel.decode(), info.method.decode())


def _plan(p):
    return Plan(p.kernel.decode(), p.method.decode(), p.kernel_reason.decode(),
                p.method_reason.decode(), int(p.kernel_index))


class _Owned:
    """Lifetime of an object owning one C handle (self._h): close() or a
    with-block frees it now, garbage collection otherwise."""

    def close(self):
        self._h.close()

    @property
    def closed(self):
        return self._h.closed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if hasattr(self, "_h"):
            self._h.close()


class Weights(_Owned):
    """M x K weight codes packed once (wg_weights).  Immutable; usable from
    any thread and any context.  Freed by close(), by leaving a `with`
    block or by garbage collection, whichever comes first."""

    def __init__(self, ctx, codes, format=WeightFormat.TERNARY, bits=8, groups=1):
        fmt = _arrays.enum_value(WeightFormat, format, "format")
        addr, m, k, ld = _arrays.matrix(codes, np.int8, "codes")
        out = ctypes.c_void_p()
        with Using(ctx._h) as (pc,):
            if groups == 1:
                check(lib.wg_weights_pack(pc, addr, m, k, ld, int(fmt), int(bits),
                                          ctypes.byref(out)), "wg_weights_pack")
            else:
                check(lib.wg_weights_pack_grouped(pc, addr, int(groups), m, k, ld, int(fmt),
                                                  int(bits), ctypes.byref(out)),
                      "wg_weights_pack_grouped")
        self._h = Handle(out.value, lib.wg_weights_destroy, "weights")
        self.format = fmt
        self.bits = int(bits)
        self.rows = int(lib.wg_weights_rows(out.value))
        self.depth = int(lib.wg_weights_depth(out.value))
        self.groups = int(lib.wg_weights_groups(out.value))

    @property
    def shape(self):
        return (self.rows, self.depth)


    def __repr__(self):
        fmt = self.format.name.lower() if isinstance(self.format, WeightFormat) else self.format
        return f"<wrapgemm.Weights {self.rows}x{self.depth} {fmt}{'' if not self.closed else ' closed'}>"


class _Tasks:
    """One parallel-for of the library run by a Python runner: each index
    exactly once, and all of them returned before C continues, whatever
    the runner does (what it missed runs here, serially)."""

    def __init__(self, task, task_ctx, count):
        self.task, self.task_ctx, self.count = task, task_ctx, count
        self.started = bytearray(count)
        self.cv = threading.Condition()
        self.in_flight = 0

    def run(self, i):
        i = int(i)
        with self.cv:
            if not 0 <= i < self.count or self.started[i]:
                raise ValueError(f"wrapgemm parallel_for: task {i} out of range or run twice")
            self.started[i] = 1
            self.in_flight += 1
        try:
            self.task(self.task_ctx, i)
        finally:
            with self.cv:
                self.in_flight -= 1
                self.cv.notify_all()

    def finish(self):
        with self.cv:
            self.cv.wait_for(lambda: self.in_flight == 0)
            missed = [i for i in range(self.count) if not self.started[i]]
        for i in missed:
            self.run(i)
        return missed


class Context(_Owned):
    """A wg_context: worker threads (0 = one per CPU, 1 = the caller only),
    the kernel choice and two switches.  Thread-safe for gemm/conv2d calls
    from several Python threads; the setters must not race with calls."""

    def __init__(self, threads=0, kernel=None, direct_conv=True, gemm_in_place=True):
        out = ctypes.c_void_p()
        check(lib.wg_context_create(int(threads), ctypes.byref(out)), "wg_context_create")
        self._h = Handle(out.value, lib.wg_context_destroy, "context")
        self._direct_conv = True
        self._gemm_in_place = True
        self._runner = None
        self._runner_error = threading.local()
        if kernel is not None:
            self.kernel = kernel
        if not direct_conv:
            self.direct_conv = False
        if not gemm_in_place:
            self.gemm_in_place = False

    # -- settings ------------------------------------------------------
    @property
    def threads(self):
        with Using(self._h) as (pc,):
            return int(lib.wg_context_threads(pc))

    @property
    def kernel(self):
        """The forced kernel's name, or "auto"; assign a name, "auto" or None."""
        with Using(self._h) as (pc,):
            return lib.wg_context_kernel(pc).decode()

    @kernel.setter
    def kernel(self, name):
        with Using(self._h) as (pc,):
            check(lib.wg_context_force_kernel(pc, None if name is None else name.encode()),
                  "wg_context_force_kernel")

    @property
    def direct_conv(self):
        return self._direct_conv

    @direct_conv.setter
    def direct_conv(self, allow):
        with Using(self._h) as (pc,):
            check(lib.wg_context_set_direct_conv(pc, int(allow)), "wg_context_set_direct_conv")
        self._direct_conv = bool(allow)

    @property
    def gemm_in_place(self):
        return self._gemm_in_place

    @gemm_in_place.setter
    def gemm_in_place(self, allow):
        with Using(self._h) as (pc,):
            check(lib.wg_context_set_gemm_in_place(pc, int(allow)),
                  "wg_context_set_gemm_in_place")
        self._gemm_in_place = bool(allow)

    def set_parallel_for(self, runner, parallelism=1):
        """Runs the context's parallel work through `runner(run, count)`,
        which must call run(i) for every i in range(count) (on any threads)
        and return when all have returned; e.g. with a
        concurrent.futures pool: lambda run, n: list(pool.map(run, range(n))).
        `parallelism` is how many it runs at once.  None restores the pool.
        If the runner raises or skips indices, the rest run serially and the
        call then raises the runner's error (or RuntimeError)."""
        if runner is None:
            with Using(self._h) as (pc,):
                check(lib.wg_context_set_parallel_for(pc, wg_parallel_for_fn(), None, 0),
                      "wg_context_set_parallel_for")
            self._runner = None
            return
        local = self._runner_error

        def trampoline(user, task, task_ctx, count):
            tasks = _Tasks(task, task_ctx, count)
            error = None
            try:
                runner(tasks.run, count)
            except BaseException as e:  # C cannot unwind: report after the call
                error = e
            missed = tasks.finish()
            if error is None and missed:
                error = RuntimeError(f"wrapgemm parallel_for: the runner skipped "
                                     f"{len(missed)} of {count} tasks")
            # The library calls the runner on the thread that made the call
            # (wg_gemm's caller), so a thread-local reaches that call's _after.
            if error is not None and getattr(local, "error", None) is None:
                local.error = error

        cb = wg_parallel_for_fn(trampoline)
        with Using(self._h) as (pc,):
            check(lib.wg_context_set_parallel_for(pc, cb, None, int(parallelism)),
                  "wg_context_set_parallel_for")
        self._runner = cb  # C holds the pointer: keep the thunk alive

    def _after(self, status, function):
        error = getattr(self._runner_error, "error", None)
        if error is not None:
            self._runner_error.error = None
            raise error
        check(status, function)

    # -- weights -------------------------------------------------------
    def pack(self, codes, format=WeightFormat.TERNARY, bits=8, groups=1):
        """Packs M x K int8 codes (rows contiguous, any row stride):
        format "int" (bits 2..8), "ternary" or "binary".  groups > 1: the
        weights of a grouped convolution (wg_weights_pack_grouped): M all
        output channels, K one group's depth (C/groups * kh * kw)."""
        return Weights(self, codes, format, bits, groups)

    # -- GEMM ------------------------------------------------------------
    def gemm(self, weights, x, *, act_bits=8, zero_point=0, epilogue=None, out=None,
             **epilogue_fields):
        """Y (M x N) = epilogue(W * (X - zero_point)): x is K x N uint8 codes
        (rows contiguous, any row stride); y has the output kind's dtype
        (out= writes into an M x N array with contiguous rows instead).
        Returns (y, RunInfo)."""
        ep = _ep.make(epilogue, epilogue_fields)
        xaddr, n, ldx, out, yaddr, ldy = _arrays.gemm_operands(weights, x, ep.dtype, out)
        cep, keep = ep.to_c(weights.rows)
        info = wg_run_info()
        with Using(self._h, weights._h) as (pc, pw):
            st = lib.wg_gemm(pc, pw, xaddr, n, ldx, wg_act_format(int(act_bits), int(zero_point)),
                             ctypes.byref(cep), yaddr, ldy, ctypes.byref(info))
        del keep, x
        self._after(st, "wg_gemm")
        return out, _run_info(info)

    def plan_gemm(self, weights, x, *, act_bits=8, zero_point=0, epilogue=None, ldy=None,
                  **epilogue_fields):
        """The Plan of gemm(weights, x, ...) with the same arguments, without
        running it (wg_plan_gemm): x is not read, only its address and shape
        matter (the in-place GEMM depends on X's alignment); ldy is the
        output's row stride (default N, as gemm's own output)."""
        ep = _ep.make(epilogue, epilogue_fields)
        xaddr, k, n, ldx = _arrays.matrix(x, np.uint8, "x")
        m = weights.rows
        if k != weights.depth:
            raise_status(Status.BAD_SIZE, f"x has {k} rows, the weights' depth is {weights.depth}")
        cep, keep = ep.to_c(m)
        out = wg_plan()
        with Using(self._h, weights._h) as (pc, pw):
            st = lib.wg_plan_gemm(pc, pw, xaddr, n, ldx,
                                  wg_act_format(int(act_bits), int(zero_point)),
                                  ctypes.byref(cep), n if ldy is None else int(ldy),
                                  ctypes.byref(out))
        del keep, x
        check(st, "wg_plan_gemm")
        return _plan(out)

    def plan_conv2d(self, weights, x_shape, *, kernel_size, stride=1, padding=0, dilation=1,
                    layout=Layout.NCHW, act_bits=8, zero_point=0, epilogue=None, groups=None,
                    out_channels=0, out_channel_offset=0, **epilogue_fields):
        """The Plan of conv2d on an input of shape x_shape with the same
        arguments, without running it or needing the input
        (wg_plan_conv2d_ex)."""
        ep = _ep.make(epilogue, epilogue_fields)
        d = conv2d_desc(tuple(x_shape), layout, kernel_size, stride, padding, dilation)
        opt = conv2d_options(weights, groups, out_channels, out_channel_offset)
        cep, keep = ep.to_c(weights.rows)
        out = wg_plan()
        with Using(self._h, weights._h) as (pc, pw):
            st = lib.wg_plan_conv2d_ex(pc, pw, ctypes.byref(d), ctypes.byref(opt),
                                       wg_act_format(int(act_bits), int(zero_point)),
                                       ctypes.byref(cep), ctypes.byref(out))
        del keep
        check(st, "wg_plan_conv2d_ex")
        return _plan(out)

    # -- convolution -----------------------------------------------------
    def conv2d(self, weights, x, *, kernel_size, stride=1, padding=0, dilation=1,
               layout=Layout.NCHW, act_bits=8, zero_point=0, epilogue=None, out=None,
               groups=None, out_channels=0, out_channel_offset=0, **epilogue_fields):
        """2-D convolution of a dense uint8 batch x ((N, C, H, W) for NCHW,
        (N, H, W, C) for NHWC) with weights of K = C/groups * kh * kw (OIHW
        order for NCHW, OHWI for NHWC, over a group's channels).  padding: p,
        (ph, pw) or (top, left, bottom, right), filled with zero_point.
        groups: the weights' (default), C for depthwise.  out_channels T
        (0: M) and out_channel_offset o: y is a tensor of T channels of
        which the call writes channels [o, o + M) only (concatenation in
        place; pass out= to fill an existing one, else a zeroed one is made).
        Returns (y, RunInfo), y in the same layout (wg_conv2d_ex)."""
        ep = _ep.make(epilogue, epilogue_fields)
        dtype = ep.dtype
        xaddr = _arrays.dense(x, np.uint8, "x", ndim=4)
        d = conv2d_desc(x.shape, layout, kernel_size, stride, padding, dilation)
        opt = conv2d_options(weights, groups, out_channels, out_channel_offset)
        m = weights.rows
        shape = conv2d_output_shape(d, int(out_channels) or m)
        if out is None:
            # A descriptor C will reject has no output shape: a 1-element
            # buffer stands in (every such fault is checked before writing).
            out = np.zeros(shape if 0 not in shape else (1,), dtype)
            yaddr = out.ctypes.data
        else:
            yaddr = _arrays.dense(out, dtype, "out", writable=True, shape=shape)
        cep, keep = ep.to_c(m)
        info = wg_run_info()
        with Using(self._h, weights._h) as (pc, pw):
            st = lib.wg_conv2d_ex(pc, pw, ctypes.byref(d), ctypes.byref(opt), xaddr,
                                  wg_act_format(int(act_bits), int(zero_point)),
                                  ctypes.byref(cep), yaddr, ctypes.byref(info))
        del keep, x
        self._after(st, "wg_conv2d_ex")
        if 0 in shape:  # C accepted a descriptor without output: cannot be
            raise RuntimeError("wrapgemm: wg_conv2d succeeded on an empty output")
        return out, _run_info(info)


    def __repr__(self):
        if self.closed:
            return "<wrapgemm.Context closed>"
        return f"<wrapgemm.Context threads={self.threads} kernel={self.kernel}>"


def conv2d_desc(x_shape, layout=Layout.NCHW, kernel_size=1, stride=1, padding=0,
                dilation=1):
    """The wg_conv2d_desc of an input of shape x_shape (4 dimensions in
    the layout's order)."""
    lay = _arrays.enum_value(Layout, layout, "layout")
    if not isinstance(lay, Layout):
        raise_status(Status.BAD_OPTION, f"layout: unknown layout {lay}")
    if len(x_shape) != 4:
        raise_status(Status.BAD_SIZE, f"x: expected 4 dimensions, got shape {tuple(x_shape)}")
    if lay == Layout.NCHW:
        n, c, h, w = x_shape
    else:
        n, h, w, c = x_shape
    kh, kw = _arrays.pair(kernel_size, "kernel_size")
    sh, sw = _arrays.pair(stride, "stride")
    dh, dw = _arrays.pair(dilation, "dilation")
    if isinstance(padding, (int, np.integer)):
        pads = (int(padding),) * 4
    else:
        pads = tuple(int(p) for p in padding)
        if len(pads) == 2:
            pads = pads * 2  # (ph, pw) -> top, left, bottom, right
        if len(pads) != 4:
            raise ValueError(f"padding: p, (ph, pw) or (top, left, bottom, right), got {padding}")
    return wg_conv2d_desc(int(lay), n, c, h, w, kh, kw, sh, sw, *pads, dh, dw)


def conv2d_options(weights, groups=None, out_channels=0, out_channel_offset=0):
    """The wg_conv2d_options of a call on `weights`: groups None takes the
    weights' own."""
    g = weights.groups if groups is None else int(groups)
    return wg_conv2d_options(g, int(out_channels), int(out_channel_offset))


def conv2d_output_shape(desc, channels):
    """The output shape of a descriptor with `channels` output channels
    (with a 0 where the window does not fit or the descriptor is bad)."""
    oh = int(lib.wg_conv2d_out_h(ctypes.byref(desc)))
    ow = int(lib.wg_conv2d_out_w(ctypes.byref(desc)))
    if desc.layout == Layout.NHWC:
        return (desc.batch, oh, ow, channels)
    return (desc.batch, channels, oh, ow)
