/*
 * wrapgemm: quantized GEMM and convolution that accumulate in wrap-around
 * low-bit registers (WrapNet).
 *
 * Every call computes one function (docs/semantics.md):
 *
 *     z[m,n] = sum_k (W[m,k] - zw) * (X[k,n] - zx)          exact integers
 *                         (zw: the weights' zero point, 0 unless packed
 *                         with one by wg_weights_pack_ex)
 *     a[m,n] = wrap_b(z) = ((z + 2^(b-1)) mod 2^b) - 2^(b-1)
 *     c[m,n] = cyclic(a)                                    none | smooth(k) | abs
 *     y[m,n] = output stage(c)                              int | uint8 | float
 *
 * Every kernel (portable C, AVX2, NEON, bit-packed SWAR) and every thread
 * count returns the same bits.  Arguments are checked at this boundary; on
 * any error the output buffer is left untouched and a status is returned.
 *
 * Sizes and strides are int64_t so that negative values can be rejected
 * rather than wrapped; a size whose byte count overflows size_t (32-bit
 * targets included) returns WG_ERR_SIZE_OVERFLOW.
 *
 * Checks run in one order, and a call with several faults returns the
 * first: NULL_POINTER (then MISALIGNED for an argument struct, ep, d, opt
 * or info, not aligned for its type), BAD_SIZE, BAD_STRIDE, SIZE_OVERFLOW,
 * options (BAD_OPTION, or UNSUPPORTED for options that cannot be combined;
 * a per-row epilogue array is NULL_POINTER or MISALIGNED there, before its
 * values are read), MISALIGNED (outputs and typed arrays not aligned to
 * their element size), ALIASING (an output overlapping an input or another
 * output), BAD_CODE, then what the kernel choice and the run return
 * (UNSUPPORTED, NO_MEMORY, THREAD).  docs/api.md gives each function's
 * exact list and the byte ranges the aliasing check compares.
 */
#ifndef WRAPGEMM_H
#define WRAPGEMM_H

#include <stddef.h>
#include <stdint.h>

#define WG_VERSION_MAJOR 0
#define WG_VERSION_MINOR 1
#define WG_VERSION_PATCH 0
#define WG_VERSION_STRING "0.1.0"
/* Single integer for compile-time comparisons: 10000*major + 100*minor + patch. */
#define WG_VERSION_NUMBER \
  (WG_VERSION_MAJOR * 10000 + WG_VERSION_MINOR * 100 + WG_VERSION_PATCH)

#if defined(_WIN32) && defined(WG_BUILDING_SHARED)
#define WG_API __declspec(dllexport)
#elif defined(__GNUC__)
#define WG_API __attribute__((visibility("default")))
#else
#define WG_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Status codes.  Values are pinned: they never change between versions.    */
/* ------------------------------------------------------------------------ */
typedef enum wg_status {
  WG_OK = 0,
  WG_ERR_NULL_POINTER = 1,      /* a required pointer was NULL               */
  WG_ERR_BAD_SIZE = 2,          /* a dimension was zero or negative          */
  WG_ERR_SIZE_OVERFLOW = 3,     /* a byte count or index overflowed size_t   */
  WG_ERR_BAD_STRIDE = 4,        /* a leading dimension smaller than its row  */
  WG_ERR_BAD_CODE = 5,          /* a weight or activation code outside its
                                   declared format                           */
  WG_ERR_BAD_OPTION = 6,        /* an option outside its documented range    */
  WG_ERR_UNSUPPORTED = 7,       /* valid options that cannot be combined (or
                                   a forced kernel that cannot do them)      */
  WG_ERR_NO_MEMORY = 8,         /* an allocation failed                      */
  WG_ERR_UNKNOWN_KERNEL = 9,    /* a kernel name not in this build's table
                                   (other architectures' kernels are not)   */
  WG_ERR_KERNEL_UNAVAILABLE = 10, /* a kernel of this build's table that this
                                     CPU cannot run                         */
  WG_ERR_THREAD = 11,           /* the thread pool could not be started      */
  WG_ERR_ALIASING = 12,         /* an output's bytes overlap an input's (or
                                   another output's): docs/api.md, Aliasing */
  WG_ERR_MISALIGNED = 13        /* an int16/int32/float output, or a typed
                                   array or argument struct the call reads
                                   or writes, not aligned for its type      */
} wg_status;

/* Name of a status ("WG_OK", "WG_ERR_BAD_SIZE", ...); "WG_ERR_?" for values
 * outside the enum.  Never NULL; the string is static. */
WG_API const char *wg_status_name(wg_status status);

/* The library's version string at run time (may differ from the header's). */
WG_API const char *wg_version(void);

/* ------------------------------------------------------------------------ */
/* Context: threads, kernel choice, scratch memory.                          */
/* ------------------------------------------------------------------------ */
typedef struct wg_context wg_context;

/* Creates a context with `threads` worker threads (0 = one per online CPU,
 * 1 = run on the caller only; at most 256).  The kernel choice starts as the
 * environment variable WRAPGEMM_KERNEL if it is set and non-empty (a name from
 * wg_kernel_name(); "auto" means automatic), else automatic.  If
 * WRAPGEMM_KERNEL names an unknown or unavailable kernel, creation fails with
 * that status so that a test can never silently run the wrong kernel.
 * Errors: NULL_POINTER (out), BAD_OPTION (threads), NO_MEMORY, THREAD,
 * UNKNOWN_KERNEL, KERNEL_UNAVAILABLE.
 * Thread safety: a context may be used by several application threads at
 * once; calls on it are serialised internally only where they share the
 * pool.
 * fork(): a child may use and destroy the contexts and weights it inherited,
 * even if another thread of the parent was inside a call at that instant;
 * it gets the same bits.  The pool's threads do not exist in the child: an
 * inherited context starts a new pool on its first call there that needs one
 * (if its threads cannot be started, calls run on the calling thread), and
 * destroying it joins none of the parent's.  If the fork came while another
 * thread was inside a call on that very context, the child leaves the
 * parent's scratch blocks of it allocated (a bounded leak).  This uses
 * malloc, pthread_mutex_init and pthread_create in the child, which POSIX
 * does not promise after forking a threaded process and glibc provides. */
WG_API wg_status wg_context_create(int threads, wg_context **out);

/* Releases a context and joins its threads (none of a parent's: see fork
 * above).  NULL is accepted. */
WG_API void wg_context_destroy(wg_context *ctx);

/* Number of threads (the caller included) the context runs work on. */
WG_API int wg_context_threads(const wg_context *ctx);

/* Forces one kernel by name for every later call on this context, or returns
 * to automatic choice with NULL or "auto".  Errors: NULL_POINTER (ctx),
 * UNKNOWN_KERNEL (not in this build's table), KERNEL_UNAVAILABLE (this CPU
 * lacks a feature it needs).  Not thread-safe against concurrent calls on ctx. */
WG_API wg_status wg_context_force_kernel(wg_context *ctx, const char *name);

/* Whether wg_conv2d may run a kernel's direct convolution (default 1):
 * channels a multiple of 4, K within the kernel's depth block, int8 or
 * float-requantized uint8 output, and a kernel that has one (the AVX2
 * ternary, 16-bit and 32-bit maddubs kernels).  It broadcasts activations
 * straight from the input pixels instead of packing im2col panels (NCHW
 * input: a few rows at a time turned into pixels first; the weights
 * reordered once, on the first such call, and kept with them).  The result
 * is bit-identical either way, so this is a switch for measurement and
 * testing.  Errors: NULL_POINTER, BAD_OPTION (allow not 0 or 1).  Not
 * thread-safe against concurrent calls on ctx. */
WG_API wg_status wg_context_set_direct_conv(wg_context *ctx, int allow);

/* Whether wg_gemm may read X in place (default 1): a kernel that has an
 * in-place tile (the AVX2 ternary kernel: 6 rows x 64 columns) multiplies
 * X's rows where they lie instead of packing them, for the columns that
 * fill whole tiles, when K is within the kernel's depth block and ldx is
 * not a multiple of 4096; the remaining columns are packed as before.  The
 * result is bit-identical either way, so this is a switch for measurement
 * and testing.  Errors: NULL_POINTER, BAD_OPTION (allow not 0 or 1).  Not
 * thread-safe against concurrent calls on ctx. */
WG_API wg_status wg_context_set_gemm_in_place(wg_context *ctx, int allow);

/* The forced kernel's name, or "auto". */
WG_API const char *wg_context_kernel(const wg_context *ctx);

/* The kernel table, in priority order: index 0 .. wg_kernel_count()-1.
 * Names follow <acc>_<weights>_x_<acts>_<MR>x<NR>__<isa>, e.g.
 * "acc8_ternary_x_u8_6x16__avx2".  wg_kernel_name returns NULL out of range.
 * wg_kernel_available says whether this build and this CPU can run it. */
WG_API int wg_kernel_count(void);
WG_API const char *wg_kernel_name(int index);
WG_API int wg_kernel_available(int index);

/* ------------------------------------------------------------------------ */
/* Parallel-for hook: run the library's work on an engine's own pool.       */
/* ------------------------------------------------------------------------ */
/* The library calls `task(task_ctx, i)` exactly once for every i in
 * [0, count) and relies on all of them having returned when the runner
 * returns.  Calls may run concurrently, in any order, on any thread. */
typedef void (*wg_task_fn)(void *task_ctx, int64_t i);
typedef void (*wg_parallel_for_fn)(void *user, wg_task_fn task, void *task_ctx,
                                   int64_t count);

/* Routes the context's parallel work to `runner(user, ...)` instead of its own
 * pool (NULL restores the pool).  `parallelism` is how many tasks the runner
 * executes at once; work is split for that many.  Errors: NULL_POINTER (ctx),
 * BAD_OPTION (parallelism < 1 with a runner). */
WG_API wg_status wg_context_set_parallel_for(wg_context *ctx,
                                             wg_parallel_for_fn runner,
                                             void *user, int parallelism);

/* ------------------------------------------------------------------------ */
/* Prepacked weights.                                                        */
/* ------------------------------------------------------------------------ */
typedef enum wg_weight_format {
  WG_WEIGHTS_INT = 0,     /* signed codes of `bits` bits: -2^(bits-1) .. 2^(bits-1)-1,
                             bits in 2..8 */
  WG_WEIGHTS_TERNARY = 1, /* codes -1, 0, +1 */
  WG_WEIGHTS_BINARY = 2   /* codes -1, +1 */
} wg_weight_format;

typedef struct wg_weights wg_weights;

/* Packs M x K weight codes (row m is output channel m, element (m,k) at
 * w[m*ldw + k]) once, for every kernel of `ctx` that could use them.  For
 * conv2d, k runs over the filter in the input layout's order: NCHW input
 * uses OIHW filters (k = (ci*KH + kh)*KW + kw), NHWC input uses OHWI filters
 * (k = (kh*KW + kw)*C + ci).  `bits` is read only for WG_WEIGHTS_INT.
 * Every code is checked: one outside the format returns BAD_CODE.
 * Errors: NULL_POINTER, BAD_SIZE (m, k < 1), BAD_STRIDE (ldw < k),
 * SIZE_OVERFLOW, BAD_OPTION (format, bits), BAD_CODE, NO_MEMORY.
 * The result is immutable and may be shared by threads and contexts. */
WG_API wg_status wg_weights_pack(const wg_context *ctx, const int8_t *w,
                                 int64_t m, int64_t k, int64_t ldw,
                                 wg_weight_format format, int bits,
                                 wg_weights **out);

/* How a matrix lies in memory (wg_weights_desc, wg_gemm_desc,
 * wg_gemmlowp_desc): element (r, c) of an R x C matrix with leading
 * dimension ld at [r*ld + c] (ROW_MAJOR, ld >= C) or [c*ld + r] (COL_MAJOR,
 * ld >= R), gemmlowp's MapOrder. */
typedef enum wg_order { WG_ROW_MAJOR = 0, WG_COL_MAJOR = 1 } wg_order;

/* Weights with a zero point, in either order (wg_weights_pack_ex). */
typedef struct wg_weights_desc {
  int64_t m, k;            /* rows (output channels) and depth             */
  wg_order order;          /* W(m,k) at w[m*ldw + k] or at w[k*ldw + m]     */
  int64_t ldw;             /* >= k (ROW_MAJOR) or >= m (COL_MAJOR)          */
  wg_weight_format format;
  int bits;                /* WG_WEIGHTS_INT only: 2..8                     */
  int is_unsigned;         /* 0 or 1; 1 (WG_WEIGHTS_INT only): the codes
                              are uint8_t 0 .. 2^bits - 1 (gemmlowp's lhs),
                              else int8_t codes of the format               */
  int zero_point;          /* zw, a code of the format: -2^(bits-1) ..
                              2^(bits-1) - 1 for signed INT, 0 .. 2^bits - 1
                              for unsigned, 0 for TERNARY and BINARY        */
} wg_weights_desc;

/* Packs weights as wg_weights_pack, from codes w (int8_t, or uint8_t when
 * d->is_unsigned) laid out per d, whose GEMM operand is W - zw: every call
 * on the result computes z = sum_k (W[m,k] - zw) * (X[k,n] - zx)
 * (docs/semantics.md).  The result serves wg_gemm, wg_gemm_ex and
 * wg_conv2d alike; wg_swar_gemm refuses weights whose W - zw does not fit
 * int8 (UNSUPPORTED).  Errors: NULL_POINTER (ctx, w, d, out), MISALIGNED
 * (d), BAD_SIZE (m, k < 1), BAD_STRIDE (ldw below its row), SIZE_OVERFLOW,
 * BAD_OPTION (order, format, bits, is_unsigned not 0/1 or set with a
 * format other than INT, zero_point outside its range), BAD_CODE (a code
 * outside the format), NO_MEMORY.  On error *out is untouched. */
WG_API wg_status wg_weights_pack_ex(const wg_context *ctx, const void *w,
                                    const wg_weights_desc *d, wg_weights **out);

/* Releases packed weights.  NULL is accepted. */
WG_API void wg_weights_destroy(wg_weights *weights);

/* Rows (M) and depth (K) of packed weights; 0 for NULL. */
WG_API int64_t wg_weights_rows(const wg_weights *weights);
WG_API int64_t wg_weights_depth(const wg_weights *weights);

/* Weights of a grouped convolution (wg_conv2d_options.groups = G): M x K codes
 * as wg_weights_pack's, with M = all output channels and K = the depth of
 * one group, (C/G) * kernel_h * kernel_w, in the layout's filter order over
 * the group's own C/G channels.  Row m is output channel m, of group
 * m / (M/G): oneDNN's [G][M/G][C/G][KH][KW] for NCHW, [G][M/G][KH][KW][C/G]
 * for NHWC.  A depthwise filter (G = C) is M = C * multiplier rows of
 * KH*KW taps, output channel c*multiplier + j reading input channel c.
 * Each group is packed on its own, so only wg_conv2d_ex with the same G takes
 * these weights (wg_gemm and the others: UNSUPPORTED unless G = 1, which
 * is wg_weights_pack).  Errors as wg_weights_pack's, and BAD_SIZE for
 * groups < 1 or M not a multiple of it. */
WG_API wg_status wg_weights_pack_grouped(const wg_context *ctx, const int8_t *w,
                                         int64_t groups, int64_t m, int64_t k,
                                         int64_t ldw, wg_weight_format format,
                                         int bits, wg_weights **out);

/* The G the weights were packed for (1 from wg_weights_pack); 0 for NULL. */
WG_API int64_t wg_weights_groups(const wg_weights *weights);

/* ------------------------------------------------------------------------ */
/* Activations.                                                              */
/* ------------------------------------------------------------------------ */
typedef struct wg_act_format {
  int bits;        /* ba in 1..8: every code is in 0 .. 2^ba - 1 (checked)  */
  int zero_point;  /* zx in 0 .. 2^ba - 1 (a code of the format, else
                      BAD_OPTION), subtracted from every code; padding of
                      a convolution is this code (0 for unsigned codes)     */
} wg_act_format;

/* ------------------------------------------------------------------------ */
/* Epilogue: wrap, cyclic activation, output stage.                          */
/* ------------------------------------------------------------------------ */
typedef enum wg_cyclic {
  WG_CYCLIC_NONE = 0,   /* c = a: the bare modulo                            */
  WG_CYCLIC_SMOOTH = 1, /* h = 2^(b-1), slope k >= 1:
                             c = a             where (k+1)|a| <= k*h
                             c = k*h - k*a     where a > 0 beyond that
                             c = -k*h - k*a    where a < 0 beyond that       */
  WG_CYCLIC_ABS = 2     /* c = |a|                                           */
} wg_cyclic;

typedef enum wg_output_kind {
  /* Integers: c itself (with WG_CYCLIC_NONE, the raw wrapped accumulator a).
   * The type must hold every value of c: int8 needs b <= 8 (b <= 7 with abs),
   * int16 needs b <= 16 (b <= 15 with abs), else UNSUPPORTED. */
  WG_OUTPUT_INT8 = 0,
  WG_OUTPUT_INT16 = 1,
  WG_OUTPUT_INT32 = 2,
  /* uint8 codes for the next layer, in float32:
   *   y = fmaf((float)c, scale[m], bias[m])          one rounding
   *   y = max(y, 0) if relu
   *   q = clamp(round_half_even(y), 0, 2^out_bits - 1)                    */
  WG_OUTPUT_UINT8_FLOAT = 3,
  /* uint8 codes through gemmlowp/TFLite fixed point, all integer:
   *   v = sat32(c + qbias[m])                (qbias NULL = 0)
   *   v = sat32(v * 2^max(shift[m], 0))
   *   v = SaturatingRoundingDoublingHighMul(v, multiplier[m])
   *   v = RoundingDivideByPOT(v, max(-shift[m], 0))
   *   q = clamp(v + out_zero_point, relu ? out_zero_point : 0, 2^out_bits - 1)
   * multiplier[m] in [2^30, 2^31) or 0, shift[m] in -31..30.               */
  WG_OUTPUT_UINT8_FIXED = 4,
  /* float32: y = fmaf((float)c, scale[m], bias[m]), then max(y, 0) if relu. */
  WG_OUTPUT_FLOAT32 = 5
} wg_output_kind;

typedef struct wg_epilogue {
  int acc_bits;            /* b: 2..16, or 32                               */
  wg_cyclic cyclic;
  int slope;               /* k >= 1, read only for WG_CYCLIC_SMOOTH        */
  wg_output_kind output;
  /* float stages (UINT8_FLOAT, FLOAT32): M entries each, all finite; each
   * per-row array here and below aligned for its type (else MISALIGNED)  */
  const float *scale;
  const float *bias;
  int relu;                /* 0 or 1                                        */
  int out_bits;            /* 1..8, uint8 outputs only                      */
  /* fixed-point stage (UINT8_FIXED): M entries each                       */
  const int32_t *multiplier;
  const int32_t *shift;
  const int32_t *qbias;    /* may be NULL                                   */
  int out_zero_point;      /* 0 .. 2^out_bits - 1                           */
} wg_epilogue;

/* An epilogue for raw 32-bit accumulators: b = 32, no activation, int32 out.
 * Start from it and set what differs. */
WG_API wg_epilogue wg_epilogue_default(void);

/* ------------------------------------------------------------------------ */
/* Results of a call.                                                        */
/* ------------------------------------------------------------------------ */
typedef struct wg_run_info {
  const char *kernel;      /* name of the kernel that ran (static string)   */
  const char *method;      /* how: "gemm" (wg_gemm, X packed), "gemm_in_place"
                              (wg_gemm, X read in place: see
                              wg_context_set_gemm_in_place),
                              "implicit_im2col" or "direct" (wg_conv2d; see
                              wg_context_set_direct_conv), "depthwise"
                              (wg_conv2d_ex with groups = channels:
                              the kernel's depthwise rows)              */
} wg_run_info;

/* ------------------------------------------------------------------------ */
/* GEMM: Y (M x N) = epilogue(W (M x K, packed) * (X (K x N) - zx)).         */
/* ------------------------------------------------------------------------ */
/* X(k,n) is x[k*ldx + n], ldx >= n.  Y(m,n) is element m*ldy + n of y, whose
 * element type follows ep->output (int8/int16/int32/uint8/float), ldy >= n;
 * the address of an int16 y must be a multiple of 2, of an int32 or float y
 * a multiple of 4 (as any C array of the type is), else MISALIGNED; x needs
 * no alignment.  y's bytes
 * [y, y + ((M-1)*ldy + n) * size) must not overlap x's [x, x + (K-1)*ldx + n),
 * the packed weights' storage, or the per-row arrays ep's output reads
 * (M elements each), else ALIASING; ranges are compared whole, stride
 * gaps included.  `info` may be NULL; it is an output too (aligned for its
 * type, overlapping neither y nor an input).
 * Errors: NULL_POINTER, BAD_SIZE (n < 1), BAD_STRIDE, SIZE_OVERFLOW,
 * BAD_OPTION (act or epilogue fields out of range, non-finite scale/bias),
 * MISALIGNED (y, or a per-row epilogue array not aligned for its type),
 * ALIASING, BAD_CODE (an activation code >= 2^act.bits), UNSUPPORTED (output
 * type too narrow for b, the forced kernel cannot compute this
 * combination, or grouped weights), NO_MEMORY, THREAD.  On error nothing is
 * written to y or info. */
WG_API wg_status wg_gemm(wg_context *ctx, const wg_weights *w,
                         const uint8_t *x, int64_t n, int64_t ldx,
                         wg_act_format act, const wg_epilogue *ep,
                         void *y, int64_t ldy, wg_run_info *info);

/* The shape and layout of wg_gemm_ex: X is K x N and Y is M x N, each in
 * either order, so that a fully connected layer reads its input as
 * [batch, features] (x_order = WG_COL_MAJOR: X(k,n) at x[n*ldx + k], ldx
 * >= K) and writes [batch, outputs] (y_order = WG_COL_MAJOR: Y(m,n) at
 * y[n*ldy + m], ldy >= M) without a transpose. */
typedef struct wg_gemm_desc {
  int64_t n;               /* columns of X and Y (the batch)                */
  wg_order x_order;
  int64_t ldx;             /* >= n (ROW_MAJOR) or >= K (COL_MAJOR)          */
  wg_order y_order;
  int64_t ldy;             /* >= n (ROW_MAJOR) or >= M (COL_MAJOR)          */
} wg_gemm_desc;

/* wg_gemm with X and Y laid out per d (wg_gemm(ctx, w, x, n, ldx, ...) is
 * wg_gemm_ex with {n, WG_ROW_MAJOR, ldx, WG_ROW_MAJOR, ldy}).  y's bytes
 * span [y, y + ((R-1)*ldy + C) * size) for its R x C storage (M x n
 * row-major, n x M column-major), x's likewise, compared as wg_gemm's.
 * Errors as wg_gemm's, in its order, plus NULL_POINTER and MISALIGNED for
 * d (after ep and info's) and BAD_OPTION for an order outside wg_order
 * (with the act and epilogue options).  On error nothing is written. */
WG_API wg_status wg_gemm_ex(wg_context *ctx, const wg_weights *w, const wg_gemm_desc *d,
                            const uint8_t *x, wg_act_format act, const wg_epilogue *ep,
                            void *y, wg_run_info *info);

/* ------------------------------------------------------------------------ */
/* gemmlowp-compatible entry (docs/gemmlowp.md).                             */
/* ------------------------------------------------------------------------ */
/* gemmlowp::GemmWithOutputPipeline<uint8_t, ...> in one call: lhs (M x K)
 * and rhs (K x N) uint8, each in either order, with gemmlowp's offsets
 * (ADDED to every code: lhs_offset = -weight zero point, rhs_offset =
 * -activation zero point), 32-bit accumulation
 *     acc[m,n] = sum_k (lhs[m,k] + lhs_offset) * (rhs[k,n] + rhs_offset)
 * modulo 2^32, then the output stage:
 *   WG_GEMMLOWP_INT32  result int32: acc (the empty pipeline);
 *   WG_GEMMLOWP_UINT8  result uint8, OutputStageQuantizeDownInt32ByFixedPoint
 *                      (= ...ToUint8ScaleByFixedPoint), OutputStageClamp and
 *                      OutputStageSaturatingCastToUint8 in that order:
 *     v = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc,
 *             result_fixedpoint_multiplier), result_shift)
 *         + result_offset_after_shift                      (modulo 2^32)
 *     v = min(max(v, clamp_min), clamp_max)
 *     q = min(max(v, 0), 255)
 * bit for bit as gemmlowp computes them (test/gemmlowp). */
typedef enum wg_gemmlowp_output {
  WG_GEMMLOWP_UINT8 = 0,
  WG_GEMMLOWP_INT32 = 1
} wg_gemmlowp_output;

typedef struct wg_gemmlowp_desc {
  int64_t m, n, k;
  wg_order lhs_order;
  int64_t ld_lhs;          /* as wg_order: >= k row-major, >= m col-major   */
  int32_t lhs_offset;      /* -255 .. 0                                     */
  wg_order rhs_order;
  int64_t ld_rhs;          /* >= n row-major, >= k col-major                */
  int32_t rhs_offset;      /* -255 .. 0                                     */
  wg_order result_order;
  int64_t ld_result;       /* >= n row-major, >= m col-major                */
  wg_gemmlowp_output output;
  int32_t result_fixedpoint_multiplier;  /* any int32 (UINT8 only, as the  */
  int32_t result_shift;                  /* 0 .. 31     fields below)      */
  int32_t result_offset_after_shift;     /* any int32                      */
  int32_t clamp_min, clamp_max;          /* clamp_min <= clamp_max; 0 and
                                            255 clamp nothing              */
} wg_gemmlowp_desc;

/* Fills the shape and orders of a desc: m, n, k, ld_* dense for row-major
 * operands, offsets 0, UINT8 output with multiplier 2^30, shift 0, offset
 * 0 and clamp [0, 255].  Set what differs. */
WG_API wg_gemmlowp_desc wg_gemmlowp_desc_default(int64_t m, int64_t n, int64_t k);

/* The result of d's GEMM into `result` (uint8_t, or int32_t aligned to 4,
 * per d->output), on ctx's threads and kernels.  lhs is packed on every
 * call (prepack with wg_weights_pack_ex and call wg_gemm_ex to pay that
 * once).  result's bytes must not overlap lhs's or rhs's (ALIASING).
 * Errors: NULL_POINTER (ctx, d, lhs, rhs, result), MISALIGNED (d, info,
 * an int32 result), BAD_SIZE (m, n, k < 1), BAD_STRIDE, SIZE_OVERFLOW,
 * BAD_OPTION (an order, output, offset or shift outside its range,
 * clamp_min > clamp_max), ALIASING, NO_MEMORY, THREAD.  On error nothing
 * is written to result or info. */
WG_API wg_status wg_gemmlowp_gemm(wg_context *ctx, const wg_gemmlowp_desc *d,
                                  const uint8_t *lhs, const uint8_t *rhs, void *result,
                                  wg_run_info *info);

/* ------------------------------------------------------------------------ */
/* 2-D convolution, lowered to the same GEMM.                                */
/* ------------------------------------------------------------------------ */
typedef enum wg_layout { WG_NCHW = 0, WG_NHWC = 1 } wg_layout;

typedef struct wg_conv2d_desc {
  wg_layout layout;          /* input layout; the output has the same       */
  int64_t batch, channels, height, width;   /* input N, C, H, W             */
  int64_t kernel_h, kernel_w;
  int64_t stride_h, stride_w;               /* >= 1                          */
  int64_t pad_top, pad_left, pad_bottom, pad_right;   /* >= 0, padding = zx  */
  int64_t dilation_h, dilation_w;           /* >= 1                          */
  /* Every field must be below 2^31 (2^31 - 1 is accepted): 2^31 or more is
   * SIZE_OVERFLOW, whatever the other fields, even where the call would
   * index nothing that large. */
} wg_conv2d_desc;

/* Output height and width of `d` (0 if the window does not fit or d is bad,
 * misaligned included). */
WG_API int64_t wg_conv2d_out_h(const wg_conv2d_desc *d);
WG_API int64_t wg_conv2d_out_w(const wg_conv2d_desc *d);

/* Y = epilogue(conv(X, W)).  The weights hold M = output channels rows and
 * K = channels * kernel_h * kernel_w columns, in the filter order named at
 * wg_weights_pack.  X is dense in d->layout; Y is dense in the same layout
 * with M channels and wg_conv2d_out_h x wg_conv2d_out_w pixels, element type
 * from ep->output (aligned as wg_gemm's).  y's bytes [y, y + batch * M *
 * out_h * out_w * size) must not overlap x's [x, x + batch * C * H * W), the
 * weights' storage or ep's per-row arrays (ALIASING).  Errors as wg_gemm,
 * plus BAD_OPTION for an unknown layout, BAD_SIZE for a window that does
 * not fit, SIZE_OVERFLOW for a field >= 2^31, and UNSUPPORTED for weights
 * whose K does not match d (or packed grouped).  wg_conv2d_ex with no
 * options. */
WG_API wg_status wg_conv2d(wg_context *ctx, const wg_weights *w,
                           const wg_conv2d_desc *d, const uint8_t *x,
                           wg_act_format act, const wg_epilogue *ep, void *y,
                           wg_run_info *info);

/* What an engine adds to a convolution: groups and an output slice.  All
 * zero (`= {0}`; or no options, NULL) is wg_conv2d's convolution, so a
 * field added later starts as 0 = as before (docs/api.md, "Groups and
 * output slices").  Every field below 2^31 (else SIZE_OVERFLOW). */
typedef struct wg_conv2d_options {
  int64_t groups;             /* G: 0 or 1 = ungrouped; else input channels
                                 [g*C/G, (g+1)*C/G) feed output channels
                                 [g*M/G, (g+1)*M/G) only; C a multiple of G
                                 (else BAD_SIZE); weights from
                                 wg_weights_pack_grouped with the same G.
                                 G = C is a depthwise convolution (M = C x
                                 the channel multiplier)                    */
  int64_t out_channels;       /* T: channels of the output tensor y points
                                 at (0: M), >= out_channel_offset + M (else
                                 BAD_STRIDE): the NHWC pixel stride, and the
                                 NCHW image stride over out_h * out_w; the
                                 convolution's ldy                         */
  int64_t out_channel_offset; /* o: the first of them this call writes, so
                                 that layers concatenate in place           */
} wg_conv2d_options;

/* wg_conv2d with options (NULL: none).  K = (C/G) * kernel_h * kernel_w
 * (wg_weights_pack_grouped).  Y is a tensor of T channels in d->layout of
 * which the call writes channels [o, o + M), and no other byte.  With
 * P = out_h * out_w and S the element size, the bytes it may write,
 * [y + o*S, y + ((batch*P - 1)*T + o + M) * S) for NHWC and
 * [y + o*P*S, y + ((batch - 1)*T + o + M) * P * S) for NCHW, are compared
 * whole (stride gaps included) with x's, the weights' storage and ep's
 * per-row arrays (ALIASING).  Errors as wg_conv2d's, in its order, plus
 * MISALIGNED for opt (with d's), BAD_SIZE for a negative field of opt (with
 * d's) and for C not a multiple of G (after SIZE_OVERFLOW of the fields),
 * BAD_STRIDE for T < o + M, UNSUPPORTED for weights packed for another G.
 * What runs: G = C with a kernel that has depthwise rows (the AVX2 and
 * portable ones) is the "depthwise" method, any other G > 1 one
 * implicit-im2col GEMM per group ("implicit_im2col"). */
WG_API wg_status wg_conv2d_ex(wg_context *ctx, const wg_weights *w,
                              const wg_conv2d_desc *d, const wg_conv2d_options *opt,
                              const uint8_t *x, wg_act_format act,
                              const wg_epilogue *ep, void *y, wg_run_info *info);

/* ------------------------------------------------------------------------ */
/* Plans: which kernel and method a call would run, before running it.       */
/* ------------------------------------------------------------------------ */
typedef struct wg_plan {
  const char *kernel;        /* as wg_run_info.kernel would be               */
  const char *method;        /* as wg_run_info.method would be               */
  const char *kernel_reason; /* why that kernel: "forced ..." or the table's
                                rule (static string, for people)             */
  const char *method_reason; /* why that method, starting with its name
                                (static string, for people)                  */
  int kernel_index;          /* the kernel's index in the table (its rank:
                                wg_kernel_name)                              */
} wg_plan;

/* What wg_gemm(ctx, w, x, n, ldx, act, ep, y, ldy, info) would run, into
 * *out: the kernel and method are those the call's wg_run_info gets (one
 * decision, shared by both), as long as ctx's settings (forced kernel,
 * set_direct_conv, set_gemm_in_place) do not change in between.  x is
 * taken for its address only (whether X's rows allow the in-place GEMM
 * depends on their alignment) and never read: pass the pointer the call
 * will get.  Nothing of the activations or the output is needed.
 * Errors, in wg_gemm's order, for the arguments it has: NULL_POINTER
 * (ctx, w, x, ep, out), MISALIGNED (ep, out), BAD_SIZE, BAD_STRIDE,
 * SIZE_OVERFLOW, BAD_OPTION, UNSUPPORTED (as wg_gemm's, a forced kernel
 * that cannot compute the call included), MISALIGNED (ep's per-row arrays),
 * ALIASING (out overlapping the weights' storage or ep's per-row arrays).
 * BAD_CODE cannot come: codes are not read.  On error *out is untouched. */
WG_API wg_status wg_plan_gemm(wg_context *ctx, const wg_weights *w, const uint8_t *x,
                              int64_t n, int64_t ldx, wg_act_format act,
                              const wg_epilogue *ep, int64_t ldy, wg_plan *out);

/* What wg_gemm_ex(ctx, w, d, x, act, ep, y, info) would run, as
 * wg_plan_gemm (x for its address only).  Errors as wg_plan_gemm's, plus
 * d's as wg_gemm_ex's.  On error *out is untouched. */
WG_API wg_status wg_plan_gemm_ex(wg_context *ctx, const wg_weights *w, const wg_gemm_desc *d,
                                 const uint8_t *x, wg_act_format act, const wg_epilogue *ep,
                                 wg_plan *out);

/* What wg_conv2d(ctx, w, d, x, act, ep, y, info) would run, as
 * wg_plan_gemm (no x: the method does not depend on where the input
 * lies).  A plan of an NCHW direct convolution makes the weights'
 * tap-major panels as that call's first run would (kept with the weights;
 * should that allocation fail, the plan says implicit_im2col, and so would
 * the call).  Errors as wg_conv2d's but those of x, y, info and the codes;
 * out as in wg_plan_gemm.  On error *out is untouched. */
WG_API wg_status wg_plan_conv2d(wg_context *ctx, const wg_weights *w, const wg_conv2d_desc *d,
                                wg_act_format act, const wg_epilogue *ep, wg_plan *out);

/* What wg_conv2d_ex would run, as wg_plan_conv2d ("depthwise" included). */
WG_API wg_status wg_plan_conv2d_ex(wg_context *ctx, const wg_weights *w,
                                   const wg_conv2d_desc *d, const wg_conv2d_options *opt,
                                   wg_act_format act, const wg_epilogue *ep, wg_plan *out);

/* ------------------------------------------------------------------------ */
/* Bit-packed general-register arithmetic (SWAR): carry mode and statistics. */
/* ------------------------------------------------------------------------ */
/* (section: SWAR) */
/* For cores without a vector unit (paper section 3.3, appendix A;
 * docs/swar.md).  Ternary or binary weights make every product a masked
 * activation; L = reg_bits / 8 products are packed along K into one general
 * register, lane l holding w*x mod 2^8 (mod 2^7 in buffer mode) in bits
 * [8l, 8l+8), the registers are added, and the lanes are summed at the end.
 * The modes differ only in what happens to a carry out of a lane:
 *   EXACT   cut: the lane sum is z mod 2^8, the contract's result for b <= 8
 *           (also table kernels: "acc8_{ternary,binary}_x_u8_1x4__swar64exact"
 *           and __swar32exact);
 *   BUFFER  7-bit lanes whose guard bit is cleared after every addition:
 *           z mod 2^7, the contract's result for b <= 7; activation codes
 *           must be 7-bit (act.bits <= 7)  (table kernels
 *           "acc7_{ternary,binary}_x_u7_2x4__swar64buf" and __swar32buf);
 *   CARRY   plain register addition: a carry enters the next lane, the one
 *           out of the top lane is lost.  The lane sum is then
 *           z + lane_carries (mod 2^8), not the contract's function.
 * Then  s = lane sum - carry_correction[m,n] (CARRY only, optional) goes
 * through the contract's epilogue as the accumulator: zero-point correction,
 * wrap_b, cyclic activation, output stage.  Single-threaded (it models one
 * core), weights from wg_weights_pack (any format whose codes are -1, 0, +1;
 * WG_WEIGHTS_BINARY ones use a layout with one mask less).  docs/swar.md. */
typedef enum wg_swar_mode {
  WG_SWAR_EXACT = 0,
  WG_SWAR_BUFFER = 1,
  WG_SWAR_CARRY = 2
} wg_swar_mode;

typedef struct wg_swar_options {
  int reg_bits;          /* 32 (four lanes) or 64 (eight lanes)             */
  wg_swar_mode mode;
  /* CARRY only; each may be NULL.  Element (m,n) at [m*ld + n], ld >= n.   */
  uint32_t *carries;     /* out: Algorithm 1 of appendix A on the products
                            v_k = W[m,k]*X[k,n] (raw codes, before the zero
                            point): u = sum_k (v_k mod 2^8); then carries
                            c are added back into an 8-bit accumulator
                            until none is left; the count of them.  Equals
                            u ? (u - 1) / 255 : 0.  A zero product adds 0
                            (the paper's sign(0) = 0 would add 2^7).       */
  int64_t ld_carries;
  uint32_t *lane_carries; /* out: carries that entered a neighbouring lane
                            in the registers of this reg_bits (the ones out
                            of the top lane excluded): the lane sum is
                            exactly z + lane_carries (mod 2^8).             */
  int64_t ld_lane_carries;
  const int32_t *carry_correction; /* in: subtracted from the lane sum, e.g.
                            the calibrated mean from wg_swar_carry_stats   */
  int64_t ld_correction;
} wg_swar_options;

/* reg_bits 64, EXACT, no counts, no correction. */
WG_API wg_swar_options wg_swar_options_default(void);

/* Y (M x N) = epilogue(SWAR(W, X)), X(k,n) at x[k*ldx + n], Y(m,n) element
 * m*ldy + n of y (type from ep->output).
 * Errors: NULL_POINTER (w, x, ep, opt, y), BAD_SIZE (n < 1), BAD_STRIDE
 * (ldx, ldy or a used ld_* < n), SIZE_OVERFLOW, BAD_OPTION (act, epilogue,
 * reg_bits, mode), MISALIGNED (y as wg_gemm's; carries, lane_carries,
 * carry_correction not a multiple of 4), ALIASING (y, carries, lane_carries
 * overlapping x, carry_correction, the weights' storage, ep's per-row
 * arrays, or each other), BAD_CODE (an activation >= 2^act.bits),
 * UNSUPPORTED (acc_bits > 8, > 7 for BUFFER; BUFFER with act.bits > 7;
 * counts or a correction outside CARRY; weights with a code outside
 * -1..1; grouped weights), NO_MEMORY.  On error nothing is written to y or to the count
 * arrays. */
WG_API wg_status wg_swar_gemm(const wg_weights *w, const uint8_t *x, int64_t n,
                              int64_t ldx, wg_act_format act,
                              const wg_epilogue *ep, const wg_swar_options *opt,
                              void *y, int64_t ldy);

/* The paper's Table 8 baseline, compiled like the SWAR kernels (general
 * registers only): a plain m, n, k loop over the raw codes, no packing, one
 * product at a time formed with logical operations and added into an 8-bit
 * accumulator whose bit 7 is a buffer bit cleared after every addition.
 * Its result is the contract's for b <= 7.  W (M x K) at w[m*ldw + k] with
 * codes -1, 0, +1; X, Y as wg_swar_gemm.  Errors: NULL_POINTER, BAD_SIZE
 * (m, k, n < 1), BAD_STRIDE, SIZE_OVERFLOW, BAD_OPTION, MISALIGNED (y as
 * wg_gemm's), ALIASING (y overlapping w's [w, w + (m-1)*ldw + k), x or ep's
 * per-row arrays), BAD_CODE (a weight outside -1..1 or an activation
 * >= 2^act.bits), UNSUPPORTED (acc_bits > 7), NO_MEMORY.  On error nothing
 * is written. */
WG_API wg_status wg_swar_naive_gemm(const int8_t *w, int64_t m, int64_t k,
                                    int64_t ldw, const uint8_t *x, int64_t n,
                                    int64_t ldx, wg_act_format act,
                                    const wg_epilogue *ep, void *y, int64_t ldy);

/* Per-output carry statistics over a batch (paper eqs. 3-4): counts of item
 * b and output i at counts[b*batch_stride + i], b < batch, i < outputs.
 * Results in fixed point with 16 fraction bits (value * 65536), exact:
 *   mean_q16[i] = round-half-up(mean * 65536)
 *   std_q16[i]  = floor(sqrt(var) * 65536), var = mean of squared deviations
 *                 (exact while batch * std < 2^48; beyond, the lowest bits
 *                 are dropped, never more than std * 2^-31)
 *   correction[i] = round-half-up(mean) modulo 2^32 (the lane sum is
 *                 corrected modulo 2^32), for wg_swar_options.carry_correction
 * (integer arithmetic in general registers only, so the SWAR objects stay
 * free of floating point).  Each output pointer may be NULL, not all three.
 * Errors: NULL_POINTER, BAD_SIZE (batch or outputs < 1, batch > 2^31),
 * BAD_STRIDE (batch_stride < outputs), SIZE_OVERFLOW, MISALIGNED (counts,
 * correction not a multiple of 4; mean_q16, std_q16 not of
 * _Alignof(uint64_t)), ALIASING (an output overlapping counts'
 * [counts, counts + ((batch-1)*batch_stride + outputs) * 4) or another
 * output).  On error nothing is written. */
WG_API wg_status wg_swar_carry_stats(const uint32_t *counts, int64_t batch,
                                     int64_t outputs, int64_t batch_stride,
                                     uint64_t *mean_q16, uint64_t *std_q16,
                                     int32_t *correction);

/* ------------------------------------------------------------------------ */
/* Calibration and weight quantization.                                      */
/* ------------------------------------------------------------------------ */
/* (section: calibration) */
/* Tools for turning a float network into wrapgemm codes without Python
 * (docs/wrapnet.md).  All are pure functions of their arguments; nothing is
 * written on error. */

/* Overflow statistics of exact accumulators z (the int32 output of a call
 * with acc_bits = 32 and WG_CYCLIC_NONE) at a b-bit accumulator: the paper's
 * Table 1 rate and section 3.2's calibration quantity. */
typedef struct wg_overflow_stats {
  int64_t count;        /* values examined                                  */
  int64_t overflows;    /* values outside [-2^(b-1), 2^(b-1))               */
  double rate;          /* overflows / count                                */
  int64_t max_abs;      /* largest |z|                                      */
  /* width[w], w in 1..32: how many values need exactly w bits as signed
   * integers (w is the smallest with -2^(w-1) <= z < 2^(w-1)); width[0]
   * is 0.  The overflow count at any b' is the sum of width[b'+1 .. 32]. */
  int64_t width[33];
} wg_overflow_stats;

/* Statistics of z[0..count-1] at acc_bits b in 2..32.
 * Errors: NULL_POINTER, BAD_SIZE (count < 1), BAD_OPTION (b). */
WG_API wg_status wg_overflow_stats_compute(const int32_t *z, int64_t count,
                                           int acc_bits,
                                           wg_overflow_stats *out);

/* The smallest accumulator width b such that no sum of k products of a
 * weight code of `format` (`weight_bits` read for WG_WEIGHTS_INT, 2..8) and
 * an activation code 0 .. 2^act_bits - 1 (act_bits 1..8, zero point 0) can
 * leave [-2^(b-1), 2^(b-1)): the worst case, e.g. b = 16 for 2-bit weights
 * and activations at k = 3*3*512.  The result may exceed 32.
 * Errors: NULL_POINTER, BAD_SIZE (k < 1), SIZE_OVERFLOW (k > 2^40),
 * BAD_OPTION (format, bits). */
WG_API wg_status wg_acc_bits_needed(wg_weight_format format, int weight_bits,
                                    int act_bits, int64_t k, int *acc_bits);

/* Activation step search (paper section 3.2).  Candidate steps are
 *     step_j = (float)(clip * 2^(-j / steps_per_octave)),  j = 0, 1, ...
 * each with the fewest activation bits ba_j (1..8) such that
 * (2^ba_j - 1) * step_j >= clip; the grid ends before the first step that
 * would need more than 8 bits.  At step_j the sample activations become
 * codes q = clamp(round_half_even(x / step_j), 0, 2^ba_j - 1) (float32
 * division), and rate_j is the share of the m x n sums
 * z = sum_k w[m,k] * q[k,n] outside [-2^(b-1), 2^(b-1)).  The result is the
 * finest step whose rate_j is at or under target_rate, or step_0 if none
 * is: the scan starts at the grid's last step and coarsens while the rate
 * is above the target (the paper's section 3.2), so a coarser step with a
 * higher rate does not veto a finer one.  scripts/wrapnet/calib.py is the
 * same rule in Python. */
typedef struct wg_step_choice {
  float step;           /* the chosen step                                  */
  int act_bits;         /* its activation bits                              */
  int index;            /* its j                                            */
  double rate;          /* its overflow rate                                */
} wg_step_choice;

/* w: m x k weight codes (w[i*ldw + j]); x: k x n float samples, e.g. an
 * im2col of a layer's inputs (x[i*ldx + j]), all finite; clip > 0 finite;
 * acc_bits 2..31; target_rate in [0, 1]; steps_per_octave 1..64.
 * Errors: NULL_POINTER, BAD_SIZE, BAD_STRIDE, SIZE_OVERFLOW, BAD_OPTION
 * (clip, acc_bits, target, steps_per_octave, a non-finite sample),
 * NO_MEMORY. */
WG_API wg_status wg_calib_find_step(const int8_t *w, int64_t m, int64_t k,
                                    int64_t ldw, const float *x, int64_t n,
                                    int64_t ldx, float clip, int acc_bits,
                                    double target_rate, int steps_per_octave,
                                    wg_step_choice *out);

/* Weight quantizers: float weights (m x k, row = output channel) to codes
 * and a per-row scale, so that w[i][j] ~ scale[i] * codes[i][j].
 *   BINARY  (BWN): codes sign(w) with sign(0) = +1, scale = mean |w| of the
 *           row; codes for WG_WEIGHTS_BINARY.
 *   TERNARY (TWN): delta = 0.7 * mean |w| of the row, codes sign(w) where
 *           |w| > delta else 0, scale = mean |w| over |w| > delta (0 when
 *           no weight passes); codes for WG_WEIGHTS_TERNARY.
 *   SAWB2   (PACT/SAWB section 4, 4 bins, one scale for the whole matrix):
 *           alpha = 2.587 * sqrt(E[w^2]) - 1.693 * E[|w|], levels
 *           {-3, -1, 1, 3} * alpha / 3, each weight to the nearest level
 *           (a tie goes to the larger code); codes for WG_WEIGHTS_INT with
 *           bits = 3, scale = alpha / 3 in every row (0 and codes +1 for an
 *           all-zero matrix).
 * Means are taken in double.  Weights must be finite.
 * Errors: NULL_POINTER, BAD_SIZE, BAD_STRIDE (ldw < k, ldc < k),
 * SIZE_OVERFLOW, BAD_OPTION (quantizer, a non-finite weight). */
typedef enum wg_quantizer {
  WG_QUANT_BINARY = 0,
  WG_QUANT_TERNARY = 1,
  WG_QUANT_SAWB2 = 2
} wg_quantizer;

WG_API wg_status wg_quantize_weights(const float *w, int64_t m, int64_t k,
                                     int64_t ldw, wg_quantizer quantizer,
                                     int8_t *codes, int64_t ldc, float *scale);

#ifdef __cplusplus
}
#endif

#endif /* WRAPGEMM_H */
