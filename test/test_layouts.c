/*
 * wg_gemm_ex's operand layouts (X as N x K, Y as N x M: a fully connected
 * layer on [batch, features]) and wg_weights_pack_ex's weight zero points,
 * on every kernel of the table, bit-exact against the reference
 * (wgt_gemm_case runs both entries when a case sets their fields).
 */
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "test_avx2.h"
#include "util.h"
#include "core/reference.h"

/* The table's kernels this CPU runs, into ks; how many. */
static int runnable_kernels(wgt_kernel *ks) {
  wgt_kernel all[WGT_MAX_KERNELS];
  int n = wgt_kernels(0, NULL, all, WGT_MAX_KERNELS), r = 0;
  for (int i = 0; i < n; i++)
    if (all[i].runnable) ks[r++] = all[i];
  return r;
}

/* Sizes one below, at and above the kernel's MR, NR, KU and 1. */
static int64_t around(int64_t unit, int i) {
  int64_t v[] = {1, unit - 1, unit, unit + 1, 2 * unit + 3};
  int64_t x = v[i % 5];
  return x < 1 ? 1 : x;
}

/* wgt_avx2_case's case, its b lowered to the kernel's lanes (7-bit SWAR
 * lanes). */
static void kernel_case(wgt_case *c, const wgt_kernel *kn, int64_t m, int64_t n, int64_t k,
                        int v) {
  wgt_avx2_case(c, kn, m, n, k, v);
  if (c->ep.acc_bits > kn->maxb) c->ep.acc_bits = kn->maxb;
}

/* One case of kernel kn in each of the four layouts, threads 1 and 3, odd
 * strides; *ran counts the cases run. */
static int four_layouts(const wgt_kernel *kn, wgt_case c, uint64_t seed, int *ran) {
  for (int o = 0; o < 4; o++) {
    c.x_order = o & 1 ? WG_COL_MAJOR : WG_ROW_MAJOR;
    c.y_order = o & 2 ? WG_COL_MAJOR : WG_ROW_MAJOR;
    c.ldx_pad = o == 1 ? 3 : o == 3 ? 1 : 0;
    c.ldy_pad = o >= 2 ? 5 : 0;
    int r = wgt_gemm_case(kn->name, 1 + 2 * (o & 1), &c, seed + (uint64_t)o);
    if (r != WGT_PASS) return r;
    (*ran)++;
  }
  return WGT_PASS;
}

/* Item 3: every runnable kernel, sizes around MR, NR and KU (K around the
 * depth block kc too, once per kernel), the epilogue rotating. */
TEST(gemm_ex_layouts_every_kernel) {
  wgt_kernel ks[WGT_MAX_KERNELS];
  int nk = runnable_kernels(ks), ran = 0;
  uint64_t seed = wgt_seed();
  for (int i = 0; i < nk; i++) {
    const wg_kernel *k = ks[i].k;
    int steps = wgt_quick() ? 5 : 10;
    for (int v = 0; v < steps; v++) {
      wgt_case c;
      int64_t kk = v == steps - 1 && k->kc > 0 ? k->kc + 1 : around(k->ku, v + 2) + v;
      kernel_case(&c, &ks[i], around(k->mr, v), around(k->nr, v + 1) + (v > 4 ? 40 : 0), kk, v);
      int r = four_layouts(&ks[i], c, seed + (uint64_t)(i * 100 + v), &ran);
      CHECK(r == WGT_PASS, "%s variant %d: %s", k->name, v,
            r == WGT_CANNOT ? "refused its own operands" : "wrong");
    }
  }
  printf("    %d layout cases on %d kernels\n", ran, nk);
  if (!ran) SKIP("no kernel runs here");
}

/* The weight codes of a zero-point case: unsigned or signed `bits`-bit
 * codes, zero point zw.  Chosen so that W - zw does not fit int8 (the
 * per-call column sums) or does (codes packed as W - zw). */
typedef struct zw_kind {
  int wunsigned, bits, zw;
  const char *what;
} zw_kind;
static const zw_kind ZW_KINDS[] = {
    {1, 8, 3, "uint8, zw 3: column sums"},
    {1, 8, 250, "uint8, zw 250: column sums"},
    {0, 8, -100, "int8, zw -100: column sums"},
    {1, 8, 128, "uint8, zw 128: packed as W - zw"},
    {0, 8, 127, "int8, zw 127: packed as W - zw"},
    {1, 4, 11, "uint4, zw 11: packed as W - zw"},
    {0, 3, -4, "int3, zw -4: packed as W - zw"},
};
enum { ZW_NKINDS = sizeof ZW_KINDS / sizeof ZW_KINDS[0] };

/* Item 4: every runnable kernel that takes 8-bit integer weights (the
 * column-sum path exists only for 8-bit codes), every kind of zero point,
 * sizes around MR, NR, KU and the depth block, both layouts of X, 1 and 3
 * threads, extreme codes included. */
TEST(weights_zero_point_every_kernel) {
  wgt_kernel ks[WGT_MAX_KERNELS];
  int nk = runnable_kernels(ks), ran = 0, kernels = 0;
  uint64_t seed = wgt_seed() ^ 0x2f;
  for (int i = 0; i < nk; i++) {
    const wg_kernel *k = ks[i].k;
    if (ks[i].wf != WG_WEIGHTS_INT || ks[i].wbits != 8) continue;
    kernels++;
    int steps = wgt_quick() ? 7 : 14;
    for (int v = 0; v < steps; v++) {
      const zw_kind *z = &ZW_KINDS[v % ZW_NKINDS];
      wgt_case c;
      int64_t kk = v == steps - 1 && k->kc > 0 ? 2 * k->kc + 3 : around(k->ku, v) + 3 * v;
      kernel_case(&c, &ks[i], around(k->mr, v + 1), around(k->nr, v) + 7 * v, kk, v);
      c.wf = WG_WEIGHTS_INT;
      c.wbits = z->bits;
      c.wunsigned = z->wunsigned;
      c.zw = z->zw;
      c.data = v % 3 == 2 ? WGT_EXTREME_MIXED : v % 5 == 4 ? WGT_EXTREME : WGT_RANDOM;
      c.x_order = v % 2 ? WG_COL_MAJOR : WG_ROW_MAJOR;
      c.y_order = v % 4 >= 2 ? WG_COL_MAJOR : WG_ROW_MAJOR;
      c.ldx_pad = v % 3;
      int r = wgt_gemm_case(k->name, 1 + 2 * (v % 2), &c, seed + (uint64_t)(i * 100 + v));
      CHECK(r == WGT_PASS, "%s (%s): %s", k->name, z->what,
            r == WGT_CANNOT ? "refused" : "wrong");
      ran++;
    }
  }
  printf("    %d zero-point cases on %d kernels\n", ran, kernels);
  if (!ran) SKIP("no kernel here takes 8-bit integer weights");
}

/* Automatic choice, zero-point weights, sizes across the driver's splits
 * (several row ranges, column chunks, depth blocks) and thread counts. */
TEST(weights_zero_point_auto_threads) {
  wgt_rng s = {wgt_seed() ^ 0x77};
  int cases = wgt_quick() ? 6 : 16;
  for (int i = 0; i < cases; i++) {
    const zw_kind *z = &ZW_KINDS[i % ZW_NKINDS];
    wgt_case c;
    memset(&c, 0, sizeof c);
    c.m = wgt_range(&s, 1, 140);
    c.n = wgt_range(&s, 1, 700);
    c.k = i % 4 == 3 ? wgt_range(&s, 4600, 5000) : wgt_range(&s, 1, 300);
    c.wf = WG_WEIGHTS_INT;
    c.wbits = z->bits;
    c.wunsigned = z->wunsigned;
    c.zw = z->zw;
    c.abits = (int)wgt_range(&s, 1, 8);
    c.zx = (int)wgt_range(&s, 0, (1 << c.abits) - 1);
    c.x_order = i % 2 ? WG_COL_MAJOR : WG_ROW_MAJOR;
    c.y_order = i % 3 ? WG_ROW_MAJOR : WG_COL_MAJOR;
    c.ldx_pad = i % 5;
    c.ldy_pad = i % 7;
    static const wg_output_kind outs[] = {WG_OUTPUT_INT32, WG_OUTPUT_UINT8_FIXED,
                                          WG_OUTPUT_INT16, WG_OUTPUT_UINT8_FLOAT};
    int b = i % 4 == 0 ? 32 : i % 4 == 2 ? 16 : (int)wgt_range(&s, 2, 16);
    wgt_epilogue(&c, outs[i % 4], i % 3 == 1 ? WG_CYCLIC_SMOOTH : WG_CYCLIC_NONE, 2, b);
    int threads = 1 + (int)(i % 4);
    int r = wgt_gemm_case(NULL, threads, &c, wgt_next(&s));
    CHECK(r == WGT_PASS, "case %d (%s): %s", i, z->what, r == WGT_CANNOT ? "refused" : "wrong");
  }
}

/* One conv2d of zero-point weights (signed 8-bit codes w, zero point zw)
 * on kernel kn (NULL: automatic), against the definition by linearity:
 * z = conv(W) - zw * conv(ones), both exact in int32 here. */
static int conv_direct_runs;

static int conv_zw_case(const wgt_kernel *kn, wg_layout lay, int zw, int threads, uint64_t seed) {
  const wgt_conv_geom g = {2, 8, 7, 6, 11, 3, 3, 1, 1, 1};
  wg_conv2d_desc d = {.layout = lay, .batch = g.batch, .channels = g.c, .height = g.h,
                      .width = g.w, .kernel_h = g.kh, .kernel_w = g.kw, .stride_h = 1,
                      .stride_w = 1, .pad_top = 1, .pad_left = 1, .pad_bottom = 1,
                      .pad_right = 1, .dilation_h = 1, .dilation_w = 1};
  int64_t oh = wg_conv2d_out_h(&d), ow = wg_conv2d_out_w(&d), k = g.c * g.kh * g.kw;
  size_t xn = (size_t)(g.batch * g.c * g.h * g.w), yn = (size_t)(g.batch * g.m * oh * ow);
  wgt_rng r = {seed};
  int8_t *w = malloc((size_t)(g.m * k)), *ones = malloc((size_t)(g.m * k));
  uint8_t *x = malloc(xn);
  int32_t *z1 = malloc(yn * 4), *z2 = malloc(yn * 4);
  uint8_t *y = malloc(2 * yn + 16), *want = malloc(2 * yn); /* int16 */
  /* 7-bit codes when W - zw is to fit int8 (folded) */
  wgt_fill_weights(&r, w, (size_t)(g.m * k), WG_WEIGHTS_INT, zw > 0 ? 7 : 8, WGT_RANDOM);
  memset(ones, 1, (size_t)(g.m * k));
  wgt_fill_acts(&r, x, xn, 7, WGT_RANDOM);
  int zx = 9;
  wg_epilogue raw = wg_epilogue_default(), ep = wg_epilogue_default();
  wgt_direct_conv(&g, lay, w, x, zx, &raw, (unsigned char *)z1, oh, ow);
  wgt_direct_conv(&g, lay, ones, x, zx, &raw, (unsigned char *)z2, oh, ow);
  /* int8 output where the direct method may run (folded codes) */
  int bmax = zw > 0 ? 8 : 12;
  ep.acc_bits = kn && kn->maxb < bmax ? kn->maxb : bmax;
  ep.cyclic = WG_CYCLIC_SMOOTH;
  ep.slope = 3;
  ep.output = zw > 0 ? WG_OUTPUT_INT8 : WG_OUTPUT_INT16;
  size_t es = wg_output_size(ep.output);
  for (size_t i = 0; i < yn; i++) { /* channel of element i, per layout */
    int64_t m = lay == WG_NCHW ? (int64_t)(i / (size_t)(oh * ow)) % g.m : (int64_t)i % g.m;
    wg_ref_output(&ep, m, (int64_t)z1[i] - (int64_t)zw * z2[i], want + es * i);
  }
  memset(y, 0xA7, 2 * yn + 16);
  int result = WGT_PASS;
  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  wg_run_info info = {0};
  const wg_weights_desc wd = {g.m, k, WG_ROW_MAJOR, k, WG_WEIGHTS_INT, 8, 0, zw};
  wg_status st = wg_context_create(threads, &ctx);
  if (st == WG_OK && kn) st = wg_context_force_kernel(ctx, kn->name);
  if (st == WG_OK) st = wg_weights_pack_ex(ctx, w, &wd, &pw);
  if (st == WG_OK) st = wg_conv2d(ctx, pw, &d, x, (wg_act_format){7, zx}, &ep, y, &info);
  if (st != WG_OK) {
    wgt_fail(__FILE__, __LINE__, "%s %s zw %d: %s", kn ? kn->name : "auto",
             lay ? "NHWC" : "NCHW", zw, wg_status_name(st));
    result = WGT_FAIL;
  }
  for (size_t i = 0; i < yn && result == WGT_PASS; i++)
    if (memcmp(y + es * i, want + es * i, es) != 0) {
      int16_t got = es == 1 ? (int8_t)y[i] : 0, exp = es == 1 ? (int8_t)want[i] : 0;
      if (es == 2) {
        memcpy(&got, y + 2 * i, 2);
        memcpy(&exp, want + 2 * i, 2);
      }
      wgt_fail(__FILE__, __LINE__, "%s %s zw %d threads %d: y[%zu] got %d want %d (%s)",
               info.kernel, lay ? "NHWC" : "NCHW", zw, threads, i, got, exp, info.method);
      result = WGT_FAIL;
    }
  for (size_t i = es * yn; i < es * yn + 16 && result == WGT_PASS; i++)
    if (y[i] != 0xA7) {
      wgt_fail(__FILE__, __LINE__, "wrote past the output");
      result = WGT_FAIL;
    }
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  free(w);
  free(ones);
  free(x);
  free(z1);
  free(z2);
  free(y);
  free(want);
  if (result == WGT_PASS && zw > 0 && strcmp(info.method, "direct") == 0) conv_direct_runs++;
  return result;
}

/* Zero-point weights in conv2d: both layouts, the zero point left to the
 * call (zw -100: column sums through implicit im2col, padding reading zx)
 * and folded into the codes (zw 20: every method, direct included), every
 * kernel taking 8-bit weights and the automatic choice. */
TEST(conv2d_weights_zero_point) {
  wgt_kernel ks[WGT_MAX_KERNELS];
  int nk = runnable_kernels(ks), ran = 0;
  for (int i = -1; i < nk; i++) {
    const wgt_kernel *kn = i < 0 ? NULL : &ks[i];
    if (kn && (kn->wf != WG_WEIGHTS_INT || kn->wbits != 8 || kn->abits < 7)) continue;
    for (int lay = 0; lay < 2; lay++)
      for (int z = 0; z < 2; z++) {
        int r = conv_zw_case(kn, (wg_layout)lay, z ? 20 : -100, 1 + 2 * z,
                             wgt_seed() + (uint64_t)(i * 4 + lay * 2 + z));
        if (r != WGT_PASS) return;
        ran++;
        wgt_count_check(1);
      }
  }
  printf("    %d conv2d cases, %d of them direct\n", ran, conv_direct_runs);
}

/* The in-place GEMM (X row-major where its rows allow) writing a
 * column-major Y: every kernel with an in-place tile, the run checked to
 * be "gemm_in_place". */
TEST(gemm_ex_in_place_column_major_y) {
  wgt_kernel ks[WGT_MAX_KERNELS];
  int nk = runnable_kernels(ks), ran = 0;
  for (int i = 0; i < nk; i++) {
    if (!ks[i].k->run_rows) continue;
    for (int v = 0; v < 6; v++) {
      wgt_case c;
      kernel_case(&c, &ks[i], 5 + 7 * v, 150 + 29 * v, 40 + 9 * v, v);
      c.ldx_pad = 160 + 32 * v - c.n; /* ldx a multiple of 32 */
      c.x_place = 1;                  /* 64-byte aligned rows */
      c.y_order = WG_COL_MAJOR;
      c.ldy_pad = v;
      c.method = "gemm_in_place";
      int r = wgt_gemm_case(ks[i].name, 1 + v % 3, &c, wgt_seed() + (uint64_t)v);
      CHECK(r == WGT_PASS, "%s variant %d: %s", ks[i].name, v,
            r == WGT_CANNOT ? "refused" : "wrong");
      ran++;
    }
  }
  printf("    %d in-place cases\n", ran);
  if (!ran) SKIP("no kernel with an in-place tile runs here");
}
