/* Thread counts, an engine's parallel-for, and concurrent callers: every
 * configuration must give the single-thread bits. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "core/reference.h"
#include "kernels.h"
#include "util.h"

typedef struct problem {
  int64_t m, n, k;
  int8_t *w;
  uint8_t *x;
  wg_epilogue ep;
  wgt_epi_data ed;
} problem;

static void make_problem(problem *p, int64_t m, int64_t n, int64_t k, uint64_t seed) {
  wgt_rng r = {seed};
  p->m = m;
  p->n = n;
  p->k = k;
  p->w = malloc((size_t)(m * k));
  p->x = malloc((size_t)(k * n));
  wgt_fill_weights(&r, p->w, (size_t)(m * k), WG_WEIGHTS_TERNARY, 2, WGT_RANDOM);
  wgt_fill_acts(&r, p->x, (size_t)(k * n), 4, WGT_RANDOM);
  wgt_epi_data_make(&p->ed, &r, m);
  p->ep = wg_epilogue_default();
  p->ep.acc_bits = 8;
  p->ep.cyclic = WG_CYCLIC_SMOOTH;
  p->ep.slope = 2;
  p->ep.output = WG_OUTPUT_UINT8_FLOAT;
  p->ep.out_bits = 4;
  wgt_epi_attach(&p->ep, &p->ed);
}

static void free_problem(problem *p) {
  free(p->w);
  free(p->x);
  wgt_epi_data_free(&p->ed);
}

static wg_status run(wg_context *ctx, const problem *p, uint8_t *y) {
  wg_weights *w;
  wg_status st = wg_weights_pack(ctx, p->w, p->m, p->k, p->k, WG_WEIGHTS_TERNARY, 0, &w);
  if (st != WG_OK) return st;
  st = wg_gemm(ctx, w, p->x, p->n, p->n, (wg_act_format){4, 0}, &p->ep, y, p->n, NULL);
  wg_weights_destroy(w);
  return st;
}

/* The last two have weights beyond L2, which split rows first (driver.c):
 * one with N in more than one column block of the packing (nc = 512). */
static const int64_t SHAPES[][3] = {{64, 3136, 576}, {512, 49, 600},   {7, 5, 3},
                                    {33, 97, 1000},  {256, 196, 2304}, {120, 1100, 2200}};

TEST(threads_counts_1_2_3_7_bit_identical) {
  /* Quick runs (TSan, qemu) keep the shapes that split along M and N. */
  size_t nshapes = wgt_quick() ? 3 : sizeof SHAPES / sizeof SHAPES[0];
  for (size_t s = wgt_quick() ? 1 : 0; s < nshapes; s++) {
    problem p;
    make_problem(&p, SHAPES[s][0], SHAPES[s][1], SHAPES[s][2], wgt_seed() + s);
    size_t bytes = (size_t)(p.m * p.n);
    uint8_t *ref = malloc(bytes), *y = malloc(bytes);
    wg_context *c1;
    CHECK(wg_context_create(1, &c1) == WG_OK, "ctx");
    CHECK(run(c1, &p, ref) == WG_OK, "1 thread");
    wg_context_destroy(c1);
    const int counts[] = {2, 3, 7};
    for (int i = 0; i < 3; i++) {
      wg_context *c;
      CHECK(wg_context_create(counts[i], &c) == WG_OK, "ctx %d", counts[i]);
      CHECK(wg_context_threads(c) == counts[i], "threads");
      memset(y, 0, bytes);
      CHECK(run(c, &p, y) == WG_OK, "%d threads", counts[i]);
      CHECK(memcmp(ref, y, bytes) == 0, "%d threads differ from 1 (shape %zu)", counts[i], s);
      wg_context_destroy(c);
      wgt_count_check(1);
    }
    free(ref);
    free(y);
    free_problem(&p);
  }
}

/* An engine's parallel-for: runs tasks on its own threads. */
typedef struct engine {
  int threads;
  int calls;
} engine;
typedef struct eng_job {
  wg_task_fn task;
  void *ctx;
  int64_t count, first, stride;
} eng_job;
static void *eng_worker(void *v) {
  eng_job *j = v;
  for (int64_t i = j->first; i < j->count; i += j->stride) j->task(j->ctx, i);
  return NULL;
}
static void engine_parallel_for(void *user, wg_task_fn task, void *task_ctx, int64_t count) {
  engine *e = user;
  e->calls++;
  pthread_t t[8];
  eng_job jobs[8];
  for (int i = 0; i < e->threads; i++) {
    jobs[i] = (eng_job){task, task_ctx, count, i, e->threads};
    pthread_create(&t[i], NULL, eng_worker, &jobs[i]);
  }
  for (int i = 0; i < e->threads; i++) pthread_join(t[i], NULL);
}

TEST(threads_engine_parallel_for) {
  problem p;
  make_problem(&p, 100, 300, 200, wgt_seed());
  size_t bytes = (size_t)(p.m * p.n);
  uint8_t *ref = malloc(bytes), *y = malloc(bytes);
  wg_context *c;
  CHECK(wg_context_create(1, &c) == WG_OK, "ctx");
  CHECK(run(c, &p, ref) == WG_OK, "ref");
  engine e = {3, 0};
  CHECK(wg_context_set_parallel_for(c, engine_parallel_for, &e, 3) == WG_OK, "set");
  CHECK(wg_context_threads(c) == 3, "parallelism reported");
  CHECK(run(c, &p, y) == WG_OK, "run");
  CHECK(e.calls == 1, "the engine's parallel-for was used (%d calls)", e.calls);
  CHECK(memcmp(ref, y, bytes) == 0, "engine threads differ");
  CHECK(wg_context_set_parallel_for(c, NULL, NULL, 0) == WG_OK, "unset");
  wg_context_destroy(c);
  free(ref);
  free(y);
  free_problem(&p);
  wgt_count_check(1);
}

typedef struct caller {
  wg_context *ctx;
  const problem *p;
  uint8_t *y;
  wg_status st;
} caller;
static void *caller_main(void *v) {
  caller *c = v;
  for (int rep = 0; rep < 3 && c->st == WG_OK; rep++) c->st = run(c->ctx, c->p, c->y);
  return NULL;
}

TEST(threads_concurrent_callers_shared_and_separate_contexts) {
  problem p;
  make_problem(&p, 70, 400, 300, wgt_seed() + 99);
  size_t bytes = (size_t)(p.m * p.n);
  uint8_t *ref = malloc(bytes);
  wg_context *shared;
  CHECK(wg_context_create(2, &shared) == WG_OK, "ctx");
  CHECK(run(shared, &p, ref) == WG_OK, "ref");
  for (int separate = 0; separate < 2; separate++) {
    enum { NC = 4 };
    caller cs[NC];
    pthread_t t[NC];
    for (int i = 0; i < NC; i++) {
      cs[i].ctx = shared;
      if (separate) wg_context_create(2, &cs[i].ctx);
      cs[i].p = &p;
      cs[i].y = calloc(1, bytes);
      cs[i].st = WG_OK;
      pthread_create(&t[i], NULL, caller_main, &cs[i]);
    }
    for (int i = 0; i < NC; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < NC; i++) {
      CHECK(cs[i].st == WG_OK, "caller %d: %s", i, wg_status_name(cs[i].st));
      CHECK(memcmp(cs[i].y, ref, bytes) == 0, "caller %d differs (separate=%d)", i, separate);
      if (separate) wg_context_destroy(cs[i].ctx);
      free(cs[i].y);
      wgt_count_check(1);
    }
  }
  wg_context_destroy(shared);
  free(ref);
  free_problem(&p);
}

/* The pool's hand-offs (threadpool.c): calls back to back (workers still
 * polling), after pauses shorter and longer than the polling window
 * (workers blocked, or joining late and finding the run closed), and a
 * context destroyed right after a call, all giving the single-thread bits
 * (and, under ThreadSanitizer, no race). */
TEST(threads_pool_handoffs_after_pauses) {
  problem p;
  make_problem(&p, 13, 200, 96, wgt_seed());
  size_t bytes = (size_t)(p.m * p.n);
  uint8_t *ref = malloc(bytes), *y = malloc(bytes);
  wg_context *c1, *c;
  CHECK(wg_context_create(1, &c1) == WG_OK, "ctx");
  CHECK(run(c1, &p, ref) == WG_OK, "1 thread");
  wg_context_destroy(c1);
  static const long pauses_us[] = {0, 0, 5, 50, 150, 400, 1200};
  int rounds = wgt_quick() ? 2 : 6;
  for (int threads = 2; threads <= 3; threads++)
    for (int r = 0; r < rounds; r++) {
      CHECK(wg_context_create(threads, &c) == WG_OK, "ctx %d", threads);
      for (size_t i = 0; i < sizeof pauses_us / sizeof pauses_us[0]; i++) {
        struct timespec ts = {0, pauses_us[(i + (size_t)r) % 7] * 1000};
        nanosleep(&ts, NULL);
        memset(y, 0, bytes);
        CHECK(run(c, &p, y) == WG_OK, "%d threads", threads);
        CHECK(memcmp(ref, y, bytes) == 0, "%d threads, pause %ld us: differs from 1 thread",
              threads, pauses_us[(i + (size_t)r) % 7]);
        wgt_count_check(1);
      }
      wg_context_destroy(c); /* right after a run: workers may still be polling */
    }
  free(ref);
  free(y);
  free_problem(&p);
}

/* The activation-code check runs on the context's threads for inputs above
 * 256 KiB: one bad code anywhere (first, inside, last byte) must still
 * return BAD_CODE with nothing written, on 2 and 3 threads, for the GEMM
 * and for conv2d. */
TEST(threads_bad_code_found_by_the_split_check) {
  problem p;
  make_problem(&p, 9, 640, 600, wgt_seed()); /* X: 384000 bytes */
  size_t bytes = (size_t)(p.m * p.n);
  uint8_t *y = malloc(bytes);
  const int64_t where[] = {0, 1000, 640 * 300 + 17, 640 * 600 - 1};
  for (int threads = 2; threads <= 3; threads++) {
    wg_context *c;
    wg_weights *w;
    CHECK(wg_context_create(threads, &c) == WG_OK, "ctx");
    CHECK(wg_weights_pack(c, p.w, p.m, p.k, p.k, WG_WEIGHTS_TERNARY, 0, &w) == WG_OK, "pack");
    for (int i = 0; i < 4; i++) {
      uint8_t keep = p.x[where[i]];
      p.x[where[i]] = 16; /* codes are 4-bit */
      memset(y, 0x5A, bytes);
      wg_status st = wg_gemm(c, w, p.x, p.n, p.n, (wg_act_format){4, 0}, &p.ep, y, p.n, NULL);
      int untouched = 1;
      for (size_t b = 0; b < bytes; b++) untouched &= y[b] == 0x5A;
      CHECK(st == WG_ERR_BAD_CODE && untouched, "GEMM, %d threads, bad code at %lld: %s",
            threads, (long long)where[i], wg_status_name(st));
      /* The same bytes as a 60-channel 80x80 NHWC image for a 1x1 conv2d
       * with K = 60 weights: 384000 bytes too. */
      wg_weights *w1;
      CHECK(wg_weights_pack(c, p.w, 9, 60, 600, WG_WEIGHTS_TERNARY, 0, &w1) == WG_OK, "pack");
      wg_conv2d_desc d = {WG_NHWC, 1, 60, 80, 80, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1};
      uint8_t *yc = malloc(9 * 6400);
      memset(yc, 0x5A, 9 * 6400);
      st = wg_conv2d(c, w1, &d, p.x, (wg_act_format){4, 0}, &p.ep, yc, NULL);
      untouched = 1;
      for (size_t b = 0; b < 9 * 6400; b++) untouched &= yc[b] == 0x5A;
      CHECK(st == WG_ERR_BAD_CODE && untouched, "conv2d, %d threads, bad code at %lld: %s",
            threads, (long long)where[i], wg_status_name(st));
      free(yc);
      wg_weights_destroy(w1);
      p.x[where[i]] = keep;
      wgt_count_check(2);
    }
    memset(y, 0, bytes);
    CHECK(wg_gemm(c, w, p.x, p.n, p.n, (wg_act_format){4, 0}, &p.ep, y, p.n, NULL) == WG_OK,
          "clean input, %d threads", threads);
    wg_weights_destroy(w);
    wg_context_destroy(c);
  }
  free(y);
  free_problem(&p);
}

/* Implicit im2col on threads with weights beyond L2 (rows split first,
 * driver.c) and more columns than one packing block: stride 2 gathers each
 * B row through the packer's row buffer, sized for one block (nc), so a
 * column chunk wider than nc would overflow it (AddressSanitizer lane).
 * 2 and 3 threads must give the 1-thread bits. */
TEST(threads_conv_wide_weights_split_rows) {
  const int64_t m = 64, c = 460, h = 72, w = 72;
  wg_conv2d_desc d = {WG_NCHW, 1, c, h, w, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1};
  int64_t k = c * 9, n = wg_conv2d_out_h(&d) * wg_conv2d_out_w(&d);
  wgt_rng r = {wgt_seed()};
  int8_t *wt = malloc((size_t)(m * k));
  uint8_t *x = malloc((size_t)(c * h * w));
  uint8_t *ref = malloc((size_t)(m * n)), *y = malloc((size_t)(m * n));
  wgt_fill_weights(&r, wt, (size_t)(m * k), WG_WEIGHTS_TERNARY, 2, WGT_RANDOM);
  wgt_fill_acts(&r, x, (size_t)(c * h * w), 4, WGT_RANDOM);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 8;
  ep.output = WG_OUTPUT_INT8;
  const int counts[] = {1, 2, 3};
  for (int i = 0; i < 3; i++) {
    wg_context *ctx;
    wg_weights *pw;
    CHECK(wg_context_create(counts[i], &ctx) == WG_OK &&
              wg_context_set_direct_conv(ctx, 0) == WG_OK &&
              wg_weights_pack(ctx, wt, m, k, k, WG_WEIGHTS_TERNARY, 2, &pw) == WG_OK,
          "set-up");
    CHECK(wg_conv2d(ctx, pw, &d, x, (wg_act_format){4, 0}, &ep, i ? y : ref, NULL) == WG_OK,
          "%d threads", counts[i]);
    if (i) CHECK(memcmp(ref, y, (size_t)(m * n)) == 0, "%d threads differ from 1", counts[i]);
    wg_weights_destroy(pw);
    wg_context_destroy(ctx);
  }
  free(wt);
  free(x);
  free(ref);
  free(y);
}

/* Tasks reuse what an earlier task of the same call left in their scratch
 * (a packed column chunk, driver.c; a pixel block's table and pixels,
 * direct_conv.c), or share B packed once by whichever task of a chunk runs
 * first (weights beyond L2, driver.c).  One thread, runners that interleave
 * the tasks of different chunks (0, n-1, 1, n-2, ...) on two or three
 * scratch blocks, two engine threads that run their tasks (every other
 * one) backwards, the pool, and later calls with other activations on the
 * same context (whose scratch and shared block still hold the earlier
 * call's chunks) must all give the reference's bits. */
static void alternating_runner(void *user, wg_task_fn task, void *task_ctx, int64_t count) {
  (void)user;
  for (int64_t i = 0; i < count; i++) task(task_ctx, i % 2 ? count - 1 - i / 2 : i / 2);
}

static void *backwards_worker(void *v) {
  eng_job *j = v;
  int64_t last = j->first + (j->count - 1 - j->first) / j->stride * j->stride;
  for (int64_t i = last; i >= j->first; i -= j->stride) j->task(j->ctx, i);
  return NULL;
}
static void backwards_runner(void *user, wg_task_fn task, void *task_ctx, int64_t count) {
  (void)user;
  pthread_t t[2];
  eng_job jobs[2];
  int started = 0;
  for (int i = 0; i < 2 && i < count; i++, started++) {
    jobs[i] = (eng_job){task, task_ctx, count, i, 2};
    if (pthread_create(&t[i], NULL, backwards_worker, &jobs[i]) != 0) break;
  }
  for (int i = 0; i < started; i++) pthread_join(t[i], NULL);
  for (int i = started; i < 2 && i < count; i++) backwards_worker(&jobs[i]);
}

typedef struct reuse_call {
  const char *what;
  int64_t m;
  wgt_conv_geom g; /* batch 0: a GEMM of K = g.c, N = g.w */
  wg_layout lay;
} reuse_call;

static wg_conv2d_desc reuse_desc(const reuse_call *rc) {
  const wgt_conv_geom *g = &rc->g;
  wg_conv2d_desc d = {rc->lay, g->batch, g->c, g->h, g->w, g->kh, g->kw, g->s, g->s,
                      g->p, g->p, g->p, g->p, g->d, g->d};
  return d;
}

static wg_status reuse_run(wg_context *ctx, const reuse_call *rc, const int8_t *w, int64_t k,
                           const uint8_t *x, const wg_epilogue *ep, uint8_t *y) {
  wg_weights *pw;
  wg_status st = wg_weights_pack(ctx, w, rc->m, k, k, WG_WEIGHTS_TERNARY, 0, &pw);
  if (st != WG_OK) return st;
  const wgt_conv_geom *g = &rc->g;
  wg_conv2d_desc d = reuse_desc(rc);
  wg_act_format act = {4, 0};
  st = g->batch ? wg_conv2d(ctx, pw, &d, x, act, ep, y, NULL)
                : wg_gemm(ctx, pw, x, g->w, g->w, act, ep, y, g->w, NULL);
  wg_weights_destroy(pw);
  return st;
}

TEST(threads_reused_scratch_in_any_task_order) {
  static const reuse_call calls[] = {
      /* weights beyond L2: row ranges of a column chunk share its packing */
      {"gemm 200x150x1400", 200, {0, 1400, 1, 150, 0, 0, 0, 0, 0, 0}, WG_NHWC},
      /* 49 pixels: one or two pixel blocks, channel ranges share a block */
      {"conv nhwc 96x7x7x64", 96, {1, 64, 7, 7, 96, 3, 3, 1, 1, 1}, WG_NHWC},
      {"conv nchw 2x96x7x7x64", 96, {2, 64, 7, 7, 96, 3, 3, 1, 1, 1}, WG_NCHW},
      {"conv nchw 40x12x12x128 stride 2", 40, {1, 128, 12, 12, 40, 3, 3, 2, 1, 1}, WG_NCHW},
      /* 144 pixels an image: NHWC shifted images for the forced kernel
       * below, one GEMM per image */
      {"conv nhwc 2x40x12x12x20", 40, {2, 20, 12, 12, 40, 3, 3, 1, 1, 1}, WG_NHWC},
  };
  for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
    const reuse_call *rc = &calls[c];
    const wgt_conv_geom *g = &rc->g;
    int64_t k = g->c * (g->batch ? g->kh * g->kw : 1), n = g->w, xn = k * n, oh = 0, ow = 0;
    if (g->batch) {
      wg_conv2d_desc d = reuse_desc(rc);
      oh = wg_conv2d_out_h(&d);
      ow = wg_conv2d_out_w(&d);
      n = g->batch * oh * ow;
      xn = g->batch * g->c * g->h * g->w;
    }
    problem p;
    make_problem(&p, rc->m, n, k, wgt_seed() + c);
    free(p.x); /* the activations come below */
    p.x = NULL;
    wgt_rng r = {wgt_seed() + 100 + c};
    uint8_t *x[2] = {malloc((size_t)xn), malloc((size_t)xn)};
    size_t bytes = (size_t)(rc->m * n);
    uint8_t *ref[2] = {malloc(bytes), malloc(bytes)}, *y = malloc(bytes);
    for (int i = 0; i < 2; i++) {
      wgt_fill_acts(&r, x[i], (size_t)xn, 4, WGT_RANDOM);
      if (g->batch)
        wgt_direct_conv(g, rc->lay, p.w, x[i], 0, &p.ep, ref[i], oh, ow);
      else
        wg_ref_gemm(p.w, k, rc->m, k, x[i], n, n, 0, &p.ep, ref[i], n, 1);
    }
    /* One thread, alternating on 2 and 3 blocks, a pool of 2, two engine
     * threads backwards; then the same with a kernel that reads NCHW rows
     * and NHWC ones (from 128 pixels an image) through the call's shifted
     * images (driver.c plan_images: built by whichever task needs a
     * channel first, state words of the earlier calls left in the reused
     * shared block); then the AVX2 lookup-table kernel. */
    for (int mode = 0; mode < 15; mode++) {
      wg_context *ctx;
      CHECK(wg_context_create(mode % 5 == 3 ? 2 : 1, &ctx) == WG_OK, "ctx");
      if (mode >= 5 && mode < 10)
        CHECK(wg_context_force_kernel(ctx, "acc8_ternary_x_u8_4x8_lut3__swar64") == WG_OK,
              "force");
      /* The AVX2 table pack, which reads a depth block by columns while
       * another task builds its images, where the CPU runs it. */
      if (mode >= 10 &&
          wg_context_force_kernel(ctx, "acc8_ternary_x_u8_8x64_lut3__avx2") != WG_OK) {
        wg_context_destroy(ctx);
        continue;
      }
      if (mode % 5 == 1 || mode % 5 == 2)
        CHECK(wg_context_set_parallel_for(ctx, alternating_runner, NULL, 1 + mode % 5) == WG_OK,
              "runner");
      if (mode % 5 == 4)
        CHECK(wg_context_set_parallel_for(ctx, backwards_runner, NULL, 2) == WG_OK, "runner");
      for (int call = 0; call < 3; call++) {
        memset(y, 0x5A, bytes);
        CHECK(reuse_run(ctx, rc, p.w, k, x[call % 2], &p.ep, y) == WG_OK, "%s: mode %d call %d",
              rc->what, mode, call);
        CHECK(memcmp(y, ref[call % 2], bytes) == 0, "%s: mode %d, call %d differs", rc->what,
              mode, call);
        wgt_count_check(1);
      }
      wg_context_destroy(ctx);
    }
    for (int i = 0; i < 2; i++) {
      free(x[i]);
      free(ref[i]);
    }
    free(y);
    free_problem(&p);
  }
}

/* Weights beyond L2 on several threads share one packing of B, each chunk
 * packed by the first of its tasks to run (driver.c).  A task that finds
 * its chunk still being packed by another packs its own copy instead of
 * waiting, and a state word left by an earlier plan means "not packed":
 * both, forced here by presetting the words, must give the reference's
 * bits, and a busy chunk must be left to its packer. */
TEST(threads_shared_b_busy_or_stale_chunks) {
  problem p;
  make_problem(&p, 200, 150, 1400, wgt_seed());
  size_t bytes = (size_t)(p.m * p.n);
  uint8_t *ref = malloc(bytes), *y = malloc(bytes);
  wg_ref_gemm(p.w, p.k, p.m, p.k, p.x, p.n, p.n, 0, &p.ep, ref, p.n, 1);
  wg_context *ctx;
  wg_weights *w;
  CHECK(wg_context_create(1, &ctx) == WG_OK &&
            wg_weights_pack(ctx, p.w, p.m, p.k, p.k, WG_WEIGHTS_TERNARY, 0, &w) == WG_OK,
        "set-up");
  wg_act_format act = {4, 0};
  wg_problem pr = wg_make_problem(w, act, &p.ep);
  const wg_kernel *k = wg_choose_kernel(ctx, w, &pr);
  const wg_gemm_desc gd = {p.n, WG_ROW_MAJOR, p.n, WG_ROW_MAJOR, p.n};
  wg_run r = wg_gemm_run_of(k, w, &gd, p.x, act, &p.ep, y);
  wg_driver_plan pl;
  size_t need = wg_driver_plan_run(&r, 2, &pl);
  if (!pl.shared_bytes) {
    wgt_skip("kernel %s: no shared B for this shape", k->name); /* then the clean-up */
  } else {
    uint8_t *shared = aligned_alloc(64, (pl.shared_bytes + 63) & ~(size_t)63);
    uint8_t *mem = aligned_alloc(64, WG_SCRATCH_TAG + ((need + 63) & ~(size_t)63));
    uint64_t *state = (uint64_t *)(void *)shared;
    for (int busy = 0; busy < 2; busy++) {
      memset(shared, 0xA5, pl.shared_bytes);
      for (int64_t c = 0; c < pl.nch; c++)
        state[c] = busy ? 2 * pl.reuse_id : 2 * (pl.reuse_id - 1) + 1;
      memset(mem, 0, WG_SCRATCH_TAG);
      memset(y, 0x5A, bytes);
      pl.shared = shared;
      for (int64_t t = 0; t < pl.tasks; t++) wg_driver_task(&pl, t, mem);
      CHECK(memcmp(y, ref, bytes) == 0, "%s chunks: differs from the reference",
            busy ? "busy" : "stale");
      for (int64_t c = 0; c < pl.nch; c++)
        CHECK(state[c] == 2 * pl.reuse_id + !busy, "%s chunk %lld: state %llu",
              busy ? "busy" : "stale", (long long)c, (unsigned long long)state[c]);
      wgt_count_check(1);
    }
    free(shared);
    free(mem);
  }
  wg_weights_destroy(w);
  wg_context_destroy(ctx);
  free(ref);
  free(y);
  free_problem(&p);
}

/* A kernel that builds lookup tables in pack_b (tables_b, set by every
 * kernel with `lut` in its name) gets only as many row ranges as keep the
 * threads busy, since every range builds its chunk's tables again
 * (driver.c few_row_ranges; eight ranges a thread made 512x49x4608 slower
 * on 2 threads than on one, docs/performance.md).  Planned for every such
 * kernel of the table, whatever the CPU (planning runs no kernel), on the
 * Table 7 GEMMs and 2-4 threads; other kernels keep more ranges on the
 * rows-first shape, so the rule is what limits them. */
TEST(threads_table_kernels_few_row_ranges) {
  static const int64_t shapes[][3] = {{512, 49, 4608}, {256, 196, 2304}, {128, 784, 1152},
                                      {64, 3136, 576}, {200, 20, 1400}};
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = wgt_kernels(0, NULL, list, WGT_MAX_KERNELS), tables = 0, control = 0;
  wg_context *ctx;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "ctx");
  for (int si = 0; si < 5; si++) {
    int64_t m = shapes[si][0], n = shapes[si][1], k = shapes[si][2];
    int8_t *codes = malloc((size_t)(m * k));
    for (int64_t i = 0; i < m * k; i++) codes[i] = (int8_t)(i % 3 - 1);
    wg_weights *w;
    CHECK(wg_weights_pack(ctx, codes, m, k, k, WG_WEIGHTS_TERNARY, 0, &w) == WG_OK, "pack");
    wg_epilogue ep = wg_epilogue_default();
    ep.acc_bits = 8;
    const wg_gemm_desc gd = {n, WG_ROW_MAJOR, n, WG_ROW_MAJOR, n};
    for (int i = 0; i < nk; i++)
      for (int par = 2; par <= 4; par++) {
        const wg_kernel *kn = list[i].k;
        wg_act_format act = {4, 0};
        wg_run r = wg_gemm_run_of(kn, w, &gd, (const uint8_t *)codes, act, &ep, codes);
        wg_driver_plan pl;
        wg_driver_plan_run(&r, par, &pl);
        int64_t mpanels = (m + kn->mr - 1) / kn->mr, need = (par + pl.nch - 1) / pl.nch;
        CHECK(!strstr(kn->name, "lut") == !kn->tables_b, "%s: tables_b %d", kn->name,
              kn->tables_b);
        if (kn->tables_b) {
          tables++;
          CHECK(pl.mch <= need, "%s %lldx%lldx%lld on %d threads: %lld row ranges for %lld chunks",
                kn->name, (long long)m, (long long)n, (long long)k, par, (long long)pl.mch,
                (long long)pl.nch);
          CHECK(pl.tasks >= (par < mpanels * pl.nch ? par : mpanels * pl.nch),
                "%s %lldx%lldx%lld on %d threads: %lld tasks", kn->name, (long long)m,
                (long long)n, (long long)k, par, (long long)pl.tasks);
          /* One range a thread: equal ranges (shrinking ones gave one of two
           * threads 3/4 of the rows). */
          CHECK(pl.mch < 2 || pl.ppc == (mpanels + pl.mch - 1) / pl.mch,
                "%s %lldx%lldx%lld on %d threads: widest of %lld ranges %lld of %lld panels",
                kn->name, (long long)m, (long long)n, (long long)k, par, (long long)pl.mch,
                (long long)pl.ppc, (long long)mpanels);
        } else if (si == 0 && pl.mch > need) {
          control++;
        }
      }
    wg_weights_destroy(w);
    free(codes);
  }
  CHECK(tables > 0 && control > 0, "%d table-kernel plans, %d controls with more ranges", tables,
        control);
  wg_context_destroy(ctx);
  wgt_count_check(1);
}

/* The task split's ranges (wg_split_at): they start at 0, end at `units`,
 * never go backwards, and shrink towards the end (the first at least as
 * wide as the last, the last at most a mean), and wg_split_widest, which
 * sizes the scratch of the widest, finds it; for the sizes the drivers cut
 * and for the bounds past which it falls back to equal ranges. */
TEST(threads_split_ranges_cover_and_shrink) {
  static const int64_t big[] = {(int64_t)1 << 40, ((int64_t)1 << 40) + 1, (int64_t)1 << 50};
  for (int64_t units = 0; units < 300 + 3; units++)
    for (int64_t parts = 1; parts <= 70; parts++) {
      int64_t u = units < 300 ? units : big[units - 300];
      int64_t prev = wg_split_at(u, parts, 0), first = wg_split_at(u, parts, 1) - prev;
      CHECK(prev == 0, "units %lld parts %lld: starts at %lld", (long long)u, (long long)parts,
            (long long)prev);
      int64_t widest = 0;
      for (int64_t i = 1; i <= parts; i++) {
        int64_t at = wg_split_at(u, parts, i);
        CHECK(at >= prev, "units %lld parts %lld: part %lld goes back", (long long)u,
              (long long)parts, (long long)i);
        if (at - prev > widest) widest = at - prev;
        prev = at;
      }
      CHECK(wg_split_widest(u, parts) == widest, "units %lld parts %lld: widest %lld, not %lld",
            (long long)u, (long long)parts, (long long)widest,
            (long long)wg_split_widest(u, parts));
      int64_t last = prev - wg_split_at(u, parts, parts - 1);
      CHECK(prev == u, "units %lld parts %lld: ends at %lld", (long long)u, (long long)parts,
            (long long)prev);
      CHECK(first >= last && last <= u / parts + 1, "units %lld parts %lld: first %lld last %lld",
            (long long)u, (long long)parts, (long long)first, (long long)last);
    }
  wgt_count_check(1);
}
