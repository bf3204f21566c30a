/* The direct convolution of the AVX2 kernels that have one (direct_conv.c,
 * ukernel_avx2.h: ternary sign+add, 16-bit maddubs, 32-bit maddubs), NHWC
 * and NCHW (input rows turned into pixels per task, OIHW weights reordered
 * on first use, transposed stores), against the convolution from its definition: pixel
 * panels of 1..6 rows, channel panels below, at and above 16, channel
 * counts that leave 1, 2 and 3 depth groups before the four-group loop,
 * the deepest K it takes and the first it leaves to im2col, padding,
 * stride, dilation, batches, several pixel blocks, every epilogue it
 * finishes, thread counts and an engine's parallel-for.  Each call must
 * report the method it ran, so that a fallback cannot pass for a direct
 * run. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "test_avx2.h"

/* The AVX2 kernels with a direct convolution (the 16-bit-operand madd16
 * kernel has none: its weight pairs are another layout). */
static int has_direct(const wgt_kernel *k) { return k->k->direct != NULL; }

/* The one the tests of a single kernel use: for ternary weights. */
static int ternary_direct(const wgt_kernel *k) { return wgt_avx2_runs_ternary(k) && has_direct(k); }

/* The kernels whose direct path the geometry and thread tests run: the
 * AVX2 ones and the AVX-512 VNNI one (same wg_direct contract,
 * docs/avx512.md), those this CPU lacks skipped. */
static int direct_kernels(wgt_kernel *list) {
  int n = wgt_avx2_kernels(list);
  return n + wgt_kernels(0, "avx512", list + n, WGT_MAX_KERNELS - n);
}

typedef struct dcase {
  const wgt_kernel *k;
  wgt_conv_geom g;
  wg_output_kind out;
  wg_cyclic cyc;
  int slope, b, abits, zx, relu, data;
} dcase;

/* A serial parallel-for that claims `parallelism` 3 (so the library takes
 * three scratch blocks) and runs the tasks in reverse. */
static void reverse_runner(void *user, wg_task_fn task, void *task_ctx, int64_t count) {
  (void)user;
  for (int64_t i = count - 1; i >= 0; i--) task(task_ctx, i);
}

/* threads < 0: an engine's parallel-for.  Returns 1 when the output equals
 * the definition's, the guard bytes are intact and `want` ran. */
static int run_case(const dcase *c, wg_layout lay, int threads, int allow, const char *want,
                    uint64_t seed) {
  const wgt_conv_geom *g = &c->g;
  wgt_rng r = {seed};
  wg_conv2d_desc d = {lay, g->batch, g->c, g->h, g->w, g->kh, g->kw, g->s, g->s,
                      g->p, g->p, g->p, g->p, g->d, g->d};
  int64_t oh = wg_conv2d_out_h(&d), ow = wg_conv2d_out_w(&d), kk = g->c * g->kh * g->kw;
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = c->b;
  ep.cyclic = c->cyc;
  ep.slope = c->slope;
  ep.output = c->out;
  ep.relu = c->relu;
  ep.out_bits = 4;
  size_t es = wg_output_size(c->out);
  size_t ybytes = (size_t)(g->batch * g->m * oh * ow) * es;
  size_t xn = (size_t)(g->batch * g->c * g->h * g->w);
  int8_t *w = malloc((size_t)(g->m * kk));
  uint8_t *x = malloc(xn);
  unsigned char *y = malloc(ybytes + 64), *ref = malloc(ybytes);
  wgt_fill_weights(&r, w, (size_t)(g->m * kk), c->k->wf, c->k->wbits, c->data);
  wgt_fill_acts(&r, x, xn, c->abits, c->data);
  wgt_epi_data ed;
  wgt_epi_data_make(&ed, &r, g->m);
  wgt_epi_attach(&ep, &ed);
  memset(y, 0xA5, ybytes + 64);
  wgt_direct_conv(g, lay, w, x, c->zx, &ep, ref, oh, ow);
  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  wg_run_info info = {0};
  wg_act_format act = {c->abits, c->zx};
  int ok = wg_context_create(threads < 0 ? 1 : threads, &ctx) == WG_OK &&
           wg_context_force_kernel(ctx, c->k->name) == WG_OK &&
           wg_context_set_direct_conv(ctx, allow) == WG_OK &&
           (threads >= 0 || wg_context_set_parallel_for(ctx, reverse_runner, NULL, 3) == WG_OK) &&
           wg_weights_pack(ctx, w, g->m, kk, kk, c->k->wf, c->k->wbits, &pw) == WG_OK &&
           wg_conv2d(ctx, pw, &d, x, act, &ep, y, &info) == WG_OK &&
           strcmp(info.kernel, c->k->name) == 0 && strcmp(info.method, want) == 0 &&
           memcmp(y, ref, ybytes) == 0;
  for (int i = 0; i < 64 && ok; i++) ok = y[ybytes + (size_t)i] == 0xA5;
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  wgt_epi_data_free(&ed);
  free(w);
  free(x);
  free(y);
  free(ref);
  wgt_count_check((long)ybytes);
  return ok;
}

/* The epilogues a direct kernel finishes (int8, or uint8 through float;
 * smooth only up to b = 16), rotated by `v`, with codes up to the kernel's
 * widest. */
static void epilogue_variant(dcase *c, const wgt_kernel *k, int v) {
  static const wg_cyclic cycs[] = {WG_CYCLIC_SMOOTH, WG_CYCLIC_NONE, WG_CYCLIC_ABS};
  c->k = k;
  c->out = v % 2 ? WG_OUTPUT_UINT8_FLOAT : WG_OUTPUT_INT8;
  c->cyc = cycs[v % 3];
  c->slope = v % 5 == 4 ? 65536 : 1 + v % 4;
  c->b = 8 - v % 5;           /* 8 .. 4 */
  if (c->out == WG_OUTPUT_UINT8_FLOAT && k->maxb > 8)
    c->b = v % 4 == 1 ? k->maxb : 9 + v % 8; /* 9 .. 16, or the widest */
  /* abs needs b <= 16 (API); smooth beyond 16 the AVX2 direct tiles leave
   * to im2col */
  if (c->b > 16 && c->cyc != WG_CYCLIC_NONE) c->cyc = WG_CYCLIC_NONE;
  if (c->out == WG_OUTPUT_INT8 && c->cyc == WG_CYCLIC_ABS && c->b > 7) c->b = 7;
  c->abits = k->abits - v % 6 % 3; /* the widest codes, or one or two bits less */
  c->zx = v % 4 == 3 ? (1 << c->abits) - 2 : v % 4 == 1 ? 1 : 0;
  c->relu = c->out == WG_OUTPUT_UINT8_FLOAT && v % 3 == 0;
  c->data = v % 7 == 6 ? WGT_EXTREME : v % 7 == 3 ? WGT_EXTREME_MIXED : WGT_RANDOM;
}

TEST(avx2_direct_conv_geometries) {
  int ran = 0;
  static const wgt_conv_geom geoms[] = {
      /* batch, C, H, W, M, KH, KW, stride, pad, dilation */
      {1, 4, 1, 1, 1, 3, 3, 1, 1, 1},     /* one pixel, one channel quad    */
      {1, 8, 1, 2, 16, 3, 3, 1, 1, 1},    /* 2 pixels: a 2-row panel         */
      {1, 12, 1, 3, 17, 3, 3, 1, 1, 1},   /* 3 pixels, 17 channels: 16 + 1   */
      {1, 16, 2, 2, 15, 3, 3, 1, 1, 1},   /* 4 pixels, 15 channels           */
      {1, 20, 1, 5, 33, 3, 3, 1, 1, 1},   /* 5 pixels, C/4 = 5: 1 + 4 groups */
      {1, 8, 1, 11, 5, 3, 3, 1, 1, 1},    /* 11 pixels: 6 + 5                */
      {1, 36, 1, 13, 31, 3, 3, 1, 1, 1},  /* 13 pixels: 6 + 6 + 1, C/4 = 9   */
      {1, 24, 2, 3, 7, 3, 3, 1, 1, 1},    /* 6 pixels, C/4 = 6: 2 + 4        */
      {1, 28, 1, 7, 20, 3, 3, 1, 1, 1},   /* 7 pixels, C/4 = 7: 1 + 2 + 4    */
      {1, 64, 3, 4, 64, 3, 3, 1, 1, 1},   /* 12 pixels, ResNet's 64 channels */
      {2, 8, 5, 5, 9, 3, 3, 2, 1, 1},     /* batch, stride 2: 2 x 9 pixels   */
      {1, 12, 7, 6, 5, 5, 3, 1, 2, 1},    /* 5x3, padding of two pixels      */
      {1, 4, 9, 9, 6, 3, 3, 1, 1, 2},     /* dilation 2                      */
      {3, 16, 5, 4, 17, 1, 1, 1, 0, 1},   /* 1x1, batch 3                    */
      {1, 8, 20, 21, 18, 3, 3, 1, 1, 1},  /* 420 pixels: several blocks      */
      {1, 512, 3, 3, 19, 3, 3, 1, 1, 1},  /* K = 4608, the deepest direct    */
      {1, 4, 3, 3, 2, 9, 9, 1, 4, 1},     /* window larger than the image    */
      /* Panels of 6 pixels inside one row with every window inside the
       * image take their taps as offsets (pixel i at i * stride * C): */
      {1, 8, 7, 40, 9, 3, 3, 2, 1, 1},    /* stride 2, 20 pixels a row       */
      {1, 4, 9, 30, 5, 3, 3, 1, 0, 2},    /* dilation 2, no padding          */
      {2, 12, 5, 27, 7, 3, 3, 3, 1, 1},   /* stride 3, batch: rows of 9      */
  };
  int n = (int)(sizeof geoms / sizeof geoms[0]);
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = direct_kernels(list);
  for (int ki = 0; ki < nk; ki++) {
    const wgt_kernel *k = &list[ki];
    if (!has_direct(k) || !k->runnable) continue;
    for (int gi = 0; gi < n; gi++)
      for (int v = 0; v < 6; v++) {
        if ((wgt_quick() || ki > 0) && (gi + v + ki) % 3) continue;
        dcase c = {.g = geoms[gi]};
        epilogue_variant(&c, k, gi + v);
        uint64_t seed = wgt_seed() + (uint64_t)(1000 * ki + 10 * gi + v);
        int threads = 1 + v % 3;
        wg_layout lay = (gi + v) % 2 ? WG_NCHW : WG_NHWC;
        CHECK(run_case(&c, lay, threads, 1, "direct", seed),
              "%s geometry %d variant %d %s threads %d seed %llu", k->name, gi, v,
              lay == WG_NCHW ? "NCHW" : "NHWC", threads, (unsigned long long)seed);
        ran++;
      }
  }
  if (!ran) SKIP("no AVX2 kernel available");
}

/* The same results on 1, 2, 3 and 7 threads and through an engine's
 * parallel-for (tasks split over pixel blocks and channel ranges). */
TEST(avx2_direct_conv_threads_and_runner) {
  int ran = 0;
  static const wgt_conv_geom geoms[] = {
      {1, 32, 7, 7, 96, 3, 3, 1, 1, 1},   /* few pixels: channel ranges  */
      {2, 8, 24, 17, 24, 3, 3, 1, 1, 1},  /* many blocks                 */
  };
  static const int threads[] = {1, 2, 3, 7, -1};
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = direct_kernels(list);
  for (int ki = 0; ki < nk; ki++) {
    const wgt_kernel *k = &list[ki];
    if (!has_direct(k) || !k->runnable) continue;
    for (int gi = 0; gi < 2; gi++)
      for (int ti = 0; ti < 5; ti++) {
        dcase c = {.g = geoms[gi]};
        epilogue_variant(&c, k, gi + ki + 1);
        uint64_t seed = wgt_seed() + (uint64_t)(10 * ki + gi);
        wg_layout lay = ti % 2 ? WG_NCHW : WG_NHWC;
        CHECK(run_case(&c, lay, threads[ti], 1, "direct", seed),
              "%s geometry %d %s threads %d seed %llu", k->name, gi,
              lay == WG_NCHW ? "NCHW" : "NHWC", threads[ti], (unsigned long long)seed);
        ran++;
      }
  }
  if (!ran) SKIP("no AVX2 kernel available");
}

/* What the direct path leaves to implicit im2col, each still exact:
 * channels not a multiple of 4, K past its depth, other outputs, and the
 * context's switch. */
TEST(avx2_direct_conv_fallbacks) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = wgt_avx2_kernels(list);
  const wgt_kernel *tk = wgt_avx2_find(list, nk, ternary_direct);
  if (!tk) SKIP("no AVX2 kernel with a direct convolution for ternary weights runs here");
  dcase base = {.g = {1, 8, 5, 6, 20, 3, 3, 1, 1, 1}};
  epilogue_variant(&base, tk, 1);
  uint64_t seed = wgt_seed();
  CHECK(run_case(&base, WG_NHWC, 1, 1, "direct", seed), "baseline");
  CHECK(run_case(&base, WG_NHWC, 1, 0, "implicit_im2col", seed), "switched off");
  CHECK(run_case(&base, WG_NCHW, 1, 1, "direct", seed), "NCHW");
  CHECK(run_case(&base, WG_NCHW, 1, 0, "implicit_im2col", seed), "NCHW switched off");
  dcase c = base;
  c.g.c = 6;
  CHECK(run_case(&c, WG_NHWC, 1, 1, "implicit_im2col", seed), "C = 6");
  CHECK(run_case(&c, WG_NCHW, 1, 1, "implicit_im2col", seed), "C = 6, NCHW");
  c = base;
  c.g.c = 516; /* K = 4644 */
  CHECK(run_case(&c, WG_NHWC, 2, 1, "implicit_im2col", seed), "K past the depth block");
  static const wg_output_kind others[] = {WG_OUTPUT_INT16, WG_OUTPUT_INT32,
                                          WG_OUTPUT_FLOAT32, WG_OUTPUT_UINT8_FIXED};
  for (int i = 0; i < 4; i++) {
    c = base;
    c.out = others[i];
    CHECK(run_case(&c, (wg_layout)(i % 2), 1, 1, "implicit_im2col", seed), "output kind %d",
          (int)others[i]);
  }
  /* The 16-bit-operand kernel has no direct convolution; the 32-bit
   * maddubs kernel's b = 32 smooth activation is not vectorised (kernels
   * with narrower lanes cannot take b = 32). */
  for (int ki = 0; ki < nk; ki++) {
    const wgt_kernel *k = &list[ki];
    if (k->maxb < 32) continue;
    c = base;
    epilogue_variant(&c, k, 1);
    c.cyc = WG_CYCLIC_SMOOTH;
    c.b = 32;
    CHECK(run_case(&c, WG_NHWC, 1, 1, "implicit_im2col", seed), "%s", k->name);
  }
}

TEST(avx2_direct_conv_switch_arguments) {
  wg_context *ctx;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
  CHECK(wg_context_set_direct_conv(NULL, 1) == WG_ERR_NULL_POINTER, "NULL context");
  CHECK(wg_context_set_direct_conv(ctx, 2) == WG_ERR_BAD_OPTION, "allow = 2");
  CHECK(wg_context_set_direct_conv(ctx, -1) == WG_ERR_BAD_OPTION, "allow = -1");
  CHECK(wg_context_set_direct_conv(ctx, 0) == WG_OK, "allow = 0");
  CHECK(wg_context_set_direct_conv(ctx, 1) == WG_OK, "allow = 1");
  wg_context_destroy(ctx);
}

/* NCHW weights are reordered tap-major by the first call that needs them:
 * several application threads making that first call at once on shared
 * weights (each with its own context) must all get the right bits, and
 * ThreadSanitizer must see no race. */
typedef struct first_call {
  wg_weights *w;
  const wg_conv2d_desc *d;
  const uint8_t *x;
  const wg_epilogue *ep;
  int abits;
  unsigned char *y;
  wg_status st;
  const char *kernel, *method;
} first_call;

static void *first_call_main(void *v) {
  first_call *f = v;
  wg_context *ctx = NULL;
  wg_run_info info = {0};
  f->st = wg_context_create(1, &ctx);
  if (f->st == WG_OK) f->st = wg_context_force_kernel(ctx, f->kernel);
  if (f->st == WG_OK)
    f->st = wg_conv2d(ctx, f->w, f->d, f->x, (wg_act_format){f->abits, 0}, f->ep, f->y, &info);
  f->method = info.method;
  wg_context_destroy(ctx);
  return NULL;
}

TEST(threads_avx2_direct_conv_nchw_first_calls) {
  wgt_kernel list[WGT_MAX_KERNELS];
  const wgt_kernel *tk = wgt_avx2_find(list, wgt_avx2_kernels(list), ternary_direct);
  if (!tk) SKIP("no AVX2 kernel with a direct convolution for ternary weights runs here");
  const wgt_conv_geom g = {1, 12, 9, 10, 21, 3, 3, 1, 1, 1};
  wgt_rng r = {wgt_seed()};
  wg_conv2d_desc d = {WG_NCHW, g.batch, g.c, g.h, g.w, g.kh, g.kw, g.s, g.s,
                      g.p, g.p, g.p, g.p, g.d, g.d};
  int64_t oh = wg_conv2d_out_h(&d), ow = wg_conv2d_out_w(&d), kk = g.c * g.kh * g.kw;
  size_t ybytes = (size_t)(g.m * oh * ow), xn = (size_t)(g.c * g.h * g.w);
  int8_t *w = malloc((size_t)(g.m * kk));
  uint8_t *x = malloc(xn);
  unsigned char *ref = malloc(ybytes), *y = malloc(4 * ybytes);
  wgt_fill_weights(&r, w, (size_t)(g.m * kk), WG_WEIGHTS_TERNARY, 2, WGT_RANDOM);
  wgt_fill_acts(&r, x, xn, 5, WGT_RANDOM);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 8;
  ep.output = WG_OUTPUT_INT8;
  wgt_direct_conv(&g, WG_NCHW, w, x, 0, &ep, ref, oh, ow);
  wg_context *ctx;
  wg_weights *pw = NULL;
  CHECK(wg_context_create(1, &ctx) == WG_OK &&
            wg_weights_pack(ctx, w, g.m, kk, kk, WG_WEIGHTS_TERNARY, 2, &pw) == WG_OK,
        "pack");
  wg_context_destroy(ctx);
  pthread_t tid[4];
  first_call f[4];
  for (int i = 0; i < 4; i++) {
    f[i] = (first_call){pw, &d, x, &ep, 5, y + (size_t)i * ybytes, WG_OK, tk->name, NULL};
    CHECK(pthread_create(&tid[i], NULL, first_call_main, &f[i]) == 0, "thread");
  }
  for (int i = 0; i < 4; i++) pthread_join(tid[i], NULL);
  for (int i = 0; i < 4; i++) {
    CHECK(f[i].st == WG_OK && f[i].method && strcmp(f[i].method, "direct") == 0,
          "caller %d: %s %s", i, wg_status_name(f[i].st), f[i].method ? f[i].method : "-");
    CHECK(memcmp(y + (size_t)i * ybytes, ref, ybytes) == 0, "caller %d: wrong output", i);
    wgt_count_check((long)ybytes);
  }
  wg_weights_destroy(pw);
  free(w);
  free(x);
  free(ref);
  free(y);
}
