/* Library-internal types shared by the API, the driver and the tests. */
#ifndef WG_INTERNAL_H
#define WG_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "bsrc.h"
#include "kernel.h"
#include "threadpool.h"
#include "wrapgemm.h"

#define WG_MAX_THREADS 256

typedef struct wg_scratch {
  void *p;
  size_t n;
} wg_scratch;

struct wg_context {
  int threads;
  const wg_kernel *forced;      /* NULL: automatic choice */
  wg_pool *pool;                /* NULL when threads == 1 */
  pthread_mutex_t pool_mu;      /* held by the call using the pool+scratch */
  /* fork(): 2 * wg_forks() of the process that pool and pool_mu belong
   * to, odd while a fork child takes the context over (wg_context_own);
   * a child's pool starts on its first use (pool_pending, under pool_mu). */
  _Atomic uint32_t home;
  int pool_pending;
  wg_scratch scratch[WG_MAX_THREADS];
  wg_scratch shared;            /* the block all tasks of a run share */
  wg_parallel_for_fn runner;    /* engine's parallel-for, or NULL */
  void *runner_user;
  int runner_par;
  int direct_conv;              /* NHWC conv2d may run direct kernels */
  int gemm_in_place;            /* GEMMs may read a plain B in place */
};

/* One packing of the weights, shared by all kernels with the same pack_a. */
typedef struct wg_apack {
  void (*pack_a)(const int8_t *, int64_t, int, int64_t, void *);
  size_t panel_bytes;   /* one MR-row panel, whole padded depth */
  void *data;
  size_t bytes;         /* the whole allocation at data (aliasing checks) */
  size_t group_bytes;   /* from one group's panels to the next's (grouped
                           weights: each group's rows start a new panel) */
} wg_apack;

/* Direct-convolution panels of OIHW filters reordered tap-major, for one
 * (channels, taps) factorisation of K: made by the first NCHW conv2d that
 * needs them (weights.c). */
typedef struct wg_tap_pack {
  int64_t c, taps;
  wg_apack pack;        /* pack.pack_a: the wg_direct.pack_w of its layout */
} wg_tap_pack;

struct wg_weights {
  int64_t m, k;
  int64_t groups;       /* G of wg_weights_pack_grouped (1: ungrouped) */
  /* Grouped weights with few taps: the codes tap-major, dw[t*m + row],
   * for the depthwise path (depthwise.c); NULL otherwise. */
  int8_t *dw;
  wg_weight_format format;
  int bits, wmin, wmax;
  int32_t *rowsum;
  /* The weights' zero point left for the call to subtract (wg_weights_pack_ex):
   * z = sum W*X - zw*sum_k X - zx*rowsum, the zw*sum_k X (zero-point
   * corrected) added per call by the driver (colsum.c); 0 when the codes
   * were packed as W - zw already. */
  int32_t zw;
  int npacks;
  wg_apack packs[64];
  /* Made on demand by calls that may run concurrently: read without a
   * lock up to ntap (published by a release store), extended by one call
   * at a time, the one that set tap_owner (weights.c). */
  _Atomic uint32_t tap_owner;
  _Atomic int ntap;
  wg_tap_pack tap[8];
};

const wg_apack *wg_weights_find(const wg_weights *w, const wg_kernel *k);
/* wg_weights_pack_grouped, or with call_abits > 0 weights for calls with
 * call_abits-bit activations and b = call_b only: packed for the one kernel
 * ctx chooses for them (UNSUPPORTED: none), not for every kernel that
 * might serve them (what wg_weights_pack_u8_once must make, in fewer
 * passes: test_weights_once.c compares the two). */
wg_status wg_weights_pack_for(const wg_context *ctx, const int8_t *src, int64_t ngroups,
                              int64_t m, int64_t k, int64_t ldw, wg_weight_format format,
                              int bits, int call_abits, int call_b, wg_weights **out);
/* wg_weights_pack_ex, packed likewise for one kind of call (weights_ex.c). */
wg_status wg_weights_pack_ex_for(const wg_context *ctx, const void *w, const wg_weights_desc *d,
                                 int call_abits, int call_b, wg_weights **out);
/* The same for a checked desc of unsigned 8-bit INT codes (any zero point
 * 0..255, any order): no code can be invalid, so in two passes over the
 * codes, their range and then the one kernel's panels with the row sums on
 * the way (weights_once.c; wg_gemmlowp_gemm's per-call packing). */
wg_status wg_weights_pack_u8_once(const wg_context *ctx, const uint8_t *w,
                                  const wg_weights_desc *d, int call_abits, int call_b,
                                  wg_weights **out);
/* The smallest INT width (2..8) holding the codes [lo, hi] (weights_ex.c). */
int wg_int_width(int lo, int hi);
/* Adds room for one kernel's panels to w, unfilled (weights.c). */
wg_status wg_weights_new_pack(wg_weights *w,
                              void (*pack)(const int8_t *, int64_t, int, int64_t, void *),
                              int mr, int ku, size_t group_bytes, wg_apack **out);
/* Group g of grouped weights as ungrouped weights of m / groups rows
 * (their packs, row sums and sizes; nothing made on demand), into *view,
 * which lives no longer than w. */
void wg_weights_group_view(const wg_weights *w, int64_t g, wg_weights *view);
/* The kernel's direct-convolution panels of OIHW weights with `c` channels
 * and `taps` filter taps, reordered tap-major as the direct kernel reads
 * them; made on first use and kept.  NULL: no memory, none possible, or
 * another call is making one now (never waits: weights.c). */
const wg_apack *wg_weights_tap_major(const wg_weights *w, const wg_kernel *k, int64_t c,
                                     int64_t taps);
/* The kernel's direct-convolution panels, or NULL (none packed). */
const wg_apack *wg_weights_find_direct(const wg_weights *w, const wg_kernel *k);

/* Kernel choice (dispatch.c).  What a call asks for, as eligibility sees
 * it. */
wg_problem wg_make_problem(const wg_weights *w, wg_act_format act,
                           const wg_epilogue *ep);
/* The kernel a call runs: the forced one if it may serve the weights and
 * accepts the call, else the first such one of the table.  NULL:
 * UNSUPPORTED. */
const wg_kernel *wg_choose_kernel(const wg_context *ctx, const wg_weights *w,
                                  const wg_problem *p);
/* 1 if this CPU has every feature the kernel needs. */
int wg_kernel_runnable(const wg_kernel *k);
/* 1 if the kernel computes the call exactly: b <= lane_bits and its
 * `eligible` (NULL: every operand range) accepts the operand ranges. */
int wg_kernel_accepts(const wg_kernel *k, const wg_problem *p);
/* 1 if the kernel may serve these weights in some call: runnable, and
 * accepting their code range with the narrowest activations.  weights.c
 * packs the weights for exactly these kernels. */
int wg_kernel_serves_weights(const wg_kernel *k, const wg_weights *w);
/* Looks a kernel up by name; status UNKNOWN_KERNEL / KERNEL_UNAVAILABLE. */
wg_status wg_find_kernel(const char *name, const wg_kernel **out);

/* Runs a validated GEMM over `nimg` independent images (NCHW batches; 1
 * otherwise).  Image i reads src->x + i*x_img and writes y + i*y_img
 * elements. */
typedef struct wg_run {
  const wg_kernel *kern;
  const wg_weights *w;
  struct wg_bsrc src;
  int64_t n;
  int64_t nimg, x_img, y_img;
  wg_epi epi;
  void *y;
  int64_t ys_m, ys_n;
  int64_t groups;       /* conv2d: G >= 1 (groups.c); 0 for a GEMM */
} wg_run;
wg_status wg_driver_run(wg_context *ctx, const wg_run *r);
/* The run of a checked wg_gemm_ex call: kernel k on X into Y, laid out
 * per d, one image (gemm.c). */
wg_run wg_gemm_run_of(const wg_kernel *k, const wg_weights *w, const wg_gemm_desc *d,
                      const uint8_t *x, wg_act_format act, const wg_epilogue *ep, void *y);

/* wg_driver_run in two steps, for a caller that runs the driver's tasks
 * among its own (gemm_rows.c): the split of `r` for `par` threads, and its
 * task t (a wg_task_body) with the returned bytes of scratch. */
typedef struct wg_driver_plan {
  const wg_run *r;
  const wg_apack *ap;
  int64_t kpad, kc;         /* padded depth and depth block, in elements */
  int64_t npn, nch;         /* NR-panels of N, column chunks per image   */
  int taper;                /* chunks shrink along the list (threads)    */
  int64_t ppc, mch;         /* MR-panels of the widest row range, ranges */
  int even_rows;            /* row ranges equal, not shrinking (one a
                               thread: few_row_ranges, driver.c)          */
  size_t bpack_bytes;
  /* Weights with a zero point (w->zw): uint32 words after the packed B of
   * a task's scratch for its columns' terms (colsum.c) and one tile's
   * starting sums; 0 otherwise. */
  size_t zw_words;
  int64_t tasks;
  /* Identifies this plan's packed chunks in a task's scratch (unique per
   * plan), so that a thread's next task of the same chunk need not pack
   * it again; 0 when chunks are not reused (several depth blocks). */
  uint64_t reuse_id;
  /* With shared_bytes > 0, B is also packed once for all tasks into the
   * run's shared block (wg_run_tasks_shared): a state word per chunk (2 *
   * reuse_id while the first of its tasks to run packs it, 2 * reuse_id + 1
   * once packed), then every NR panel of N in order; a task that finds its
   * chunk still being packed packs its own copy in its scratch.  bshare_bytes
   * is B's part (0: B not shared), shared_bytes the whole block. */
  size_t shared_bytes, state_bytes, bshare_bytes;
  uint8_t *shared;
  /* NCHW convolutions with sh = 1: the call's shifted images (bsrc.h) in
   * the shared block from imgs_at, a state word per image and channel
   * (imgs_state_bytes), then imgs_per_img bytes per image; imgs_id 0:
   * none. */
  size_t imgs_at, imgs_state_bytes, imgs_per_img;
  uint64_t imgs_id;
} wg_driver_plan;
size_t wg_driver_plan_run(const wg_run *r, int par, wg_driver_plan *pl);
/* -zw * sum_{k<K} (B[k, n] - zx) modulo 2^32 for n in [n0, n0 + len), into
 * out (colsum.c): where the driver starts the tiles of weights whose zero
 * point zw was not packed into their codes. */
void wg_zw_column_terms(const wg_bsrc *s, int32_t zw, uint32_t zx, int64_t n0, int64_t len,
                        uint32_t *out);
void wg_driver_task(void *plan, int64_t t, uint8_t *mem);

/* The in-place GEMM (gemm_rows.c): the columns of run `r` it takes, from
 * *n0 on (whole tiles of its kernel's rows_nr; 0: none), and running them.
 * *why (here and in wg_direct_conv_weights): the method's name and the rule
 * that chose it, a static string (wg_plan.method_reason). */
int64_t wg_gemm_rows_span(const wg_context *ctx, const wg_run *r, int64_t *n0,
                          const char **why);
wg_status wg_gemm_rows_run(wg_context *ctx, const wg_run *r, int64_t n0, int64_t ncols);

/* The weight panels with which conv2d's run `r` can go to its kernel's
 * direct convolution (made on first use for NCHW), or NULL: implicit
 * im2col; and running it there (direct_conv.c). */
const wg_apack *wg_direct_conv_weights(const wg_context *ctx, const wg_run *r,
                                       const char **why);
wg_status wg_direct_conv_run(wg_context *ctx, const wg_run *r, const wg_apack *wp);

/* Grouped convolutions (groups.c): whether run `r` (G > 1) can take its
 * kernel's depthwise path (*why as above), running it (depthwise.c), and
 * running one implicit-im2col GEMM per group. */
int wg_depthwise_ok(const wg_context *ctx, const wg_run *r, const char **why);
wg_status wg_depthwise_run(wg_context *ctx, const wg_run *r);
wg_status wg_grouped_run(wg_context *ctx, const wg_run *r);

/* The one decision of which kernel runs a checked call and how (plan.c),
 * made alike for the run and for wg_plan_gemm / wg_plan_conv2d, so that a
 * plan cannot disagree with the run. */
typedef struct wg_decision {
  const char *method, *kernel_why, *method_why; /* static strings (wg_plan) */
  int kernel_index;       /* the kernel's index in the table */
  int64_t n0, in_place;   /* gemm_in_place: columns [n0, n0 + in_place) */
  const wg_apack *direct; /* "direct": the weight panels it reads */
  int depthwise;          /* "depthwise": the kernel's depthwise rows */
} wg_decision;
/* Sets r->kern (r built with any kernel: only its kern changes) and *dc
 * for a checked call with act and ep; UNSUPPORTED if no kernel may compute
 * it.  For an NCHW direct convolution it makes the tap-major weight panels
 * as the run would (kept with the weights). */
wg_status wg_decide(const wg_context *ctx, wg_run *r, wg_act_format act, const wg_epilogue *ep,
                    wg_decision *dc);
/* The plan of a decided run. */
void wg_plan_of(const wg_run *r, const wg_decision *dc, wg_plan *out);

/* Runs fn(plan, t, mem) once for every t in [0, tasks), on the context's
 * threads (its pool, an engine's parallel-for, or the caller alone), each
 * call with a 64-byte-aligned scratch block of its own: a wg_scratch_tag,
 * zero at the start of the run, then `need` bytes (mem + WG_SCRATCH_TAG).
 * A task may leave work in its block for a later task of the same run
 * that gets the same block (a thread runs many), naming it in the tag
 * under an id from wg_reuse_id.  The scratch is taken before any task
 * runs: NO_MEMORY comes before anything is written (tasks.c). */
typedef struct wg_scratch_tag {
  uint64_t id;  /* 0: nothing to reuse */
  int64_t a, b; /* which piece of work, in the plan's terms */
} wg_scratch_tag;
#define WG_SCRATCH_TAG 64
/* Does the block whose tag this is hold piece (a, b) of plan `id`? */
static inline int wg_scratch_holds(const wg_scratch_tag *tag, uint64_t id, int64_t a, int64_t b) {
  return id != 0 && tag->id == id && tag->a == a && tag->b == b;
}
typedef void (*wg_task_body)(void *plan, int64_t t, uint8_t *mem);
/* 1 when ctx's pool and pool_mu may be used by this process: always in the
 * process that made it; in a fork child once the first call has taken it
 * over (context.c).  0 while another thread of the child does that. */
int wg_context_own(wg_context *ctx);
wg_status wg_run_tasks(wg_context *ctx, wg_task_body fn, void *plan, size_t need,
                       int64_t tasks);
/* wg_run_tasks with one more block of `shared_bytes`, common to all tasks
 * of the run, stored in *shared before any task runs: 64-byte aligned, its
 * bytes left by earlier runs (zero when first allocated). */
wg_status wg_run_tasks_shared(wg_context *ctx, wg_task_body fn, void *plan, size_t need,
                              int64_t tasks, size_t shared_bytes, uint8_t **shared);
/* A value no other plan has had (never 0), for the plans of one run to
 * tell their tags apart. */
uint64_t wg_reuse_id(void);
/* Where part i of `units` cut into `parts` consecutive ranges starts
 * (i = parts: units).  The ranges shrink towards the end, the first about
 * twice the mean and the last about 1/parts of it, so that the tasks handed
 * out last are small and a thread the host slows down holds up the end of
 * a run by little.  Ranges may be empty when units < parts. */
int64_t wg_split_at(int64_t units, int64_t parts, int64_t i);
/* The widest of those ranges (rounding may make it a later one). */
int64_t wg_split_widest(int64_t units, int64_t parts);

/* Checks shared by the entry points.  Each returns the first failure in
 * the documented order (docs/api.md, "Order of checks"): NULL_POINTER,
 * BAD_SIZE, BAD_STRIDE, SIZE_OVERFLOW, options (BAD_OPTION, UNSUPPORTED
 * of act and epilogue), MISALIGNED, ALIASING, BAD_CODE, then what the
 * kernel choice and the run return. */
/* The epilogue's options; a per-row array it reads is NULL_POINTER if
 * missing and MISALIGNED if not aligned for its type, before any of its
 * values is read. */
wg_status wg_check_epilogue(const wg_epilogue *ep, int64_t m);
/* bits 1..8 and 0 <= zero_point <= 2^bits - 1: the padding code and the
 * zero-point correction stay inside every kernel's proven code range. */
wg_status wg_check_act(wg_act_format act);

/* The bytes [at, at + n) an operand's pointer and extent cover, first to
 * last byte touched; n = 0 (a NULL pointer): nothing. */
typedef struct wg_span {
  uintptr_t at;
  uint64_t n;
} wg_span;
wg_span wg_span_of(const void *p, int64_t bytes);
/* rows x cols elements of es bytes, row stride ld elements:
 * ((rows - 1) * ld + cols) * es bytes (the caller checked it fits). */
wg_span wg_span_matrix(const void *p, int64_t rows, int64_t cols, int64_t ld, int64_t es);
int wg_spans_overlap(wg_span a, wg_span b);
/* Does s overlap the weights' storage (the wg_weights object, its row
 * sums and every packing of them, tap-major ones included) or one of the
 * per-row arrays the output kind of ep reads (m entries)?  w, ep may be
 * NULL. */
int wg_overlaps_operands(wg_span s, const wg_weights *w, const wg_epilogue *ep, int64_t m);
/* p (NULL included) is a multiple of align. */
int wg_aligned(const void *p, size_t align);
/* The output of a GEMM-shaped call, ys its bytes, element type from
 * ep->output: MISALIGNED unless aligned to its element size, then
 * ALIASING if it overlaps xs, the weights' storage or ep's arrays, or if
 * info (may be NULL) overlaps y or any of those. */
wg_status wg_check_output(const void *y, wg_span ys, wg_span xs, const wg_weights *w,
                          const wg_epilogue *ep, const wg_run_info *info);

/* The shape of a GEMM-shaped call over packed weights w: pointers (then
 * MISALIGNED for an ep or info, may be NULL, not aligned for its type),
 * sizes, strides, byte-count overflow. */
wg_status wg_check_matrix_shape(const wg_weights *w, const uint8_t *x, int64_t n,
                                int64_t ldx, const wg_epilogue *ep, const void *y,
                                int64_t ldy, const wg_run_info *info);
/* The codes check (codes.c): WG_OK if every byte of the r x c region (row
 * stride ld) is <= maxcode, else BAD_CODE (or NO_MEMORY), checked on the
 * context's threads. */
wg_status wg_codes_check(wg_context *ctx, const uint8_t *x, int64_t r, int64_t c, int64_t ld,
                         uint8_t maxcode);
/* 1 if every byte of the r x c region (row stride ld) is <= maxcode
 * (maxcode = 2^bits - 1), on the calling thread. */
int wg_codes_fit(const uint8_t *x, int64_t r, int64_t c, int64_t ld, uint8_t maxcode);
/* The epilogue of a checked call, resolved for the kernels (epilogue.c). */
wg_epi wg_resolve_epilogue(const wg_epilogue *ep, const wg_weights *w,
                           wg_act_format act);

/* a*b and a+b on non-negative int64, failing on overflow of int64 or
 * beyond PTRDIFF_MAX (the largest object a 32-bit target can address). */
int wg_mul_ok(int64_t a, int64_t b, int64_t *out);
int wg_add_ok(int64_t a, int64_t b, int64_t *out);

#endif
