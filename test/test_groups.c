/* Grouped and depthwise wg_conv2d_ex (wg_conv2d_options.groups) and output
 * slices (out_channels, out_channel_offset) against the reference
 * (wg_ref_conv2d): every kernel forced and automatic, both layouts, the
 * depthwise path and grouped implicit im2col (direct switched off), odd
 * sizes, stride, padding, dilation, threads, extreme codes.  The output
 * tensor around the slice is filled with a canary the call must leave as
 * it is, and the plan must name what ran.  Then bad input (a status,
 * nothing written) and aliasing against slice ranges. */
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "core/reference.h"
#include "util.h"

#define CANARY 0x5A

typedef struct gcase {
  wg_conv2d_desc d;
  wg_conv2d_options o;
  int64_t m;
  wg_weight_format wf;
  int wbits, abits, zx, data, threads, direct;
  wg_epilogue ep;
} gcase;

static int64_t out_elems(const wg_conv2d_desc *d, const wg_conv2d_options *o, int64_t m) {
  int64_t t = o->out_channels ? o->out_channels : m;
  return d->batch * t * wg_conv2d_out_h(d) * wg_conv2d_out_w(d);
}

static const wg_kernel *kernel_named(const char *name) {
  for (int i = 0; i < wg_kernel_table_size; i++)
    if (strcmp(wg_kernels[i]->name, name) == 0) return wg_kernels[i];
  return NULL;
}

/* The method a grouped call must run with kernel k. */
static const char *expected_method(const gcase *c, const wg_kernel *k) {
  int64_t g = c->o.groups > 1 ? c->o.groups : 1;
  if (g == 1) return NULL; /* the ungrouped rules: test_plan.c */
  int taps = (int)(c->d.kernel_h * c->d.kernel_w);
  return g == c->d.channels && c->direct && k->depthwise_row && taps <= 64 ? "depthwise"
                                                                         : "implicit_im2col";
}

/* WGT_PASS, WGT_FAIL, or WGT_CANNOT (the kernel cannot run this); the
 * method that ran into *ran. */
static int group_case(const char *kname, const gcase *c, uint64_t seed, const char **ran) {
  wgt_rng r = {seed};
  const wg_conv2d_desc *d = &c->d;
  const wg_conv2d_options *o = &c->o;
  int64_t g = o->groups > 1 ? o->groups : 1;
  int64_t k = d->channels / g * d->kernel_h * d->kernel_w;
  size_t es = wg_output_size(c->ep.output);
  size_t xn = (size_t)(d->batch * d->channels * d->height * d->width);
  size_t yb = (size_t)out_elems(d, o, c->m) * es;
  int8_t *w = malloc((size_t)(c->m * k));
  uint8_t *x = malloc(xn);
  unsigned char *y = malloc(yb + 64), *want = malloc(yb + 64);
  wgt_fill_weights(&r, w, (size_t)(c->m * k), c->wf, c->wbits, c->data);
  wgt_fill_acts(&r, x, xn, c->abits, c->data);
  wgt_epi_data ed;
  wgt_epi_data_make(&ed, &r, c->m);
  wg_epilogue ep = c->ep;
  wgt_epi_attach(&ep, &ed);
  memset(y, CANARY, yb + 64);
  memset(want, CANARY, yb + 64);
  wg_ref_conv2d(d, o, w, c->m, x, c->zx, &ep, want);

  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  wg_run_info info = {0};
  wg_plan plan = {0};
  wg_act_format act = {c->abits, c->zx};
  int res = WGT_PASS;
  wg_status st = wg_context_create(c->threads, &ctx);
  if (st == WG_OK && kname) st = wg_context_force_kernel(ctx, kname);
  if (st == WG_OK) st = wg_context_set_direct_conv(ctx, c->direct);
  if (st == WG_OK) st = wg_weights_pack_grouped(ctx, w, g, c->m, k, k, c->wf, c->wbits, &pw);
  if (st == WG_OK) st = wg_plan_conv2d_ex(ctx, pw, d, o, act, &ep, &plan);
  if (st == WG_OK) st = wg_conv2d_ex(ctx, pw, d, o, x, act, &ep, y, &info);
  char what[320];
  snprintf(what, sizeof what,
           "kernel=%s %s C=%lld H=%lld W=%lld M=%lld G=%lld k=%lldx%lld s=%lld p=%lld d=%lld "
           "batch=%lld T=%lld o=%lld threads=%d direct=%d out=%d b=%d seed=%llu",
           kname ? kname : "auto", d->layout == WG_NCHW ? "NCHW" : "NHWC",
           (long long)d->channels, (long long)d->height, (long long)d->width, (long long)c->m,
           (long long)g, (long long)d->kernel_h, (long long)d->kernel_w, (long long)d->stride_h,
           (long long)d->pad_top, (long long)d->dilation_h, (long long)d->batch,
           (long long)o->out_channels, (long long)o->out_channel_offset, c->threads, c->direct,
           (int)c->ep.output, c->ep.acc_bits, (unsigned long long)seed);
  if (st == WG_ERR_UNSUPPORTED || st == WG_ERR_KERNEL_UNAVAILABLE) {
    res = WGT_CANNOT;
    for (size_t i = 0; i < yb + 64 && res != WGT_FAIL; i++)
      if (y[i] != CANARY) {
        wgt_fail(__FILE__, __LINE__, "%s: wrote byte %zu on UNSUPPORTED", what, i);
        res = WGT_FAIL;
      }
  } else if (st != WG_OK) {
    wgt_fail(__FILE__, __LINE__, "%s: %s", what, wg_status_name(st));
    res = WGT_FAIL;
  } else {
    const char *want_method = expected_method(c, kernel_named(info.kernel));
    if (strcmp(plan.kernel, info.kernel) != 0 || strcmp(plan.method, info.method) != 0) {
      wgt_fail(__FILE__, __LINE__, "%s: plan %s/%s, ran %s/%s", what, plan.kernel, plan.method,
               info.kernel, info.method);
      res = WGT_FAIL;
    } else if (want_method && strcmp(info.method, want_method) != 0) {
      wgt_fail(__FILE__, __LINE__, "%s: ran %s, expected %s", what, info.method, want_method);
      res = WGT_FAIL;
    }
    /* every byte: the slice against the reference, the rest and the guard
     * against the canary */
    for (size_t i = 0; i < yb + 64 && res == WGT_PASS; i++)
      if (y[i] != want[i]) {
        wgt_fail(__FILE__, __LINE__, "%s: byte %zu of %zu is 0x%02x, want 0x%02x (ran %s)", what,
                 i, yb, y[i], want[i], info.method);
        res = WGT_FAIL;
      }
    *ran = info.method;
    wgt_count_check(1);
  }
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  wgt_epi_data_free(&ed);
  free(w);
  free(x);
  free(y);
  free(want);
  return res;
}

/* The operands and epilogue of a case: weight format, activation bits
 * from abits_lo to 8, b, cyclic activation, output stage. */
typedef struct stage {
  wg_weight_format wf;
  int wbits, abits_lo, b;
  wg_cyclic cyc;
  int slope;
  wg_output_kind out;
} stage;
static const stage stages[] = {
    {WG_WEIGHTS_TERNARY, 2, 2, 8, WG_CYCLIC_SMOOTH, 2, WG_OUTPUT_INT8},
    {WG_WEIGHTS_TERNARY, 2, 1, 6, WG_CYCLIC_SMOOTH, 1, WG_OUTPUT_UINT8_FLOAT},
    {WG_WEIGHTS_INT, 8, 8, 32, WG_CYCLIC_NONE, 1, WG_OUTPUT_INT32},
    {WG_WEIGHTS_INT, 6, 4, 16, WG_CYCLIC_SMOOTH, 3, WG_OUTPUT_FLOAT32},
    {WG_WEIGHTS_INT, 4, 3, 12, WG_CYCLIC_ABS, 1, WG_OUTPUT_UINT8_FIXED},
    {WG_WEIGHTS_INT, 8, 8, 16, WG_CYCLIC_SMOOTH, 3, WG_OUTPUT_INT16},
    {WG_WEIGHTS_INT, 8, 8, 32, WG_CYCLIC_SMOOTH, 2, WG_OUTPUT_INT32},
};
#define NSTAGES ((int)(sizeof stages / sizeof stages[0]))

static void stage_epilogue(const stage *st, wg_epilogue *ep) {
  *ep = wg_epilogue_default();
  ep->acc_bits = st->b;
  ep->cyclic = st->cyc;
  ep->slope = st->slope;
  ep->output = st->out;
  ep->relu = st->out == WG_OUTPUT_FLOAT32;
  ep->out_bits = st->out == WG_OUTPUT_UINT8_FLOAT ? 4 : 7;
  ep->out_zero_point = 3;
}

/* A random grouped case: groups from {1, 2, C} (or a divisor between),
 * multiplier 1 or 2, odd sizes, stride, padding, dilation, a slice half
 * the time. */
static int random_case(wgt_rng *r, int which_groups, gcase *c) {
  static const int64_t cs[] = {1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 32, 7};
  wg_conv2d_desc *d = &c->d;
  memset(c, 0, sizeof *c);
  d->layout = (wg_layout)wgt_range(r, 0, 1);
  d->batch = wgt_range(r, 1, 2);
  d->channels = cs[wgt_range(r, 0, 11)];
  d->height = wgt_range(r, 1, 11);
  d->width = wgt_range(r, 1, 11);
  static const int64_t ks[] = {1, 2, 3, 3, 3, 5};
  d->kernel_h = ks[wgt_range(r, 0, 5)];
  d->kernel_w = wgt_range(r, 0, 3) ? d->kernel_h : ks[wgt_range(r, 0, 5)];
  d->stride_h = d->stride_w = wgt_range(r, 1, 2);
  if (wgt_range(r, 0, 3) == 0) d->stride_w = 3 - d->stride_h;
  d->dilation_h = d->dilation_w = wgt_range(r, 0, 3) ? 1 : 2;
  int64_t p = wgt_range(r, 0, 2);
  d->pad_top = d->pad_left = p;
  d->pad_bottom = d->pad_right = wgt_range(r, 0, 1) ? p : wgt_range(r, 0, 2);
  int64_t C = d->channels, g = 1;
  if (which_groups == 1 && C % 2 == 0) g = 2;
  if (which_groups == 2) g = C;
  if (which_groups == 3) { /* a divisor strictly between, where there is one */
    for (int64_t q = 3; q < C; q++)
      if (C % q == 0) g = q;
  }
  c->o.groups = g == 1 && wgt_range(r, 0, 1) ? 0 : g; /* 0 and 1 both mean ungrouped */
  c->m = C * wgt_range(r, 1, 2);
  if (g > 1 && c->m % g != 0) return 0;
  if (wgt_range(r, 0, 1)) {
    c->o.out_channels = c->m + wgt_range(r, 1, 5);
    c->o.out_channel_offset = wgt_range(r, 0, c->o.out_channels - c->m);
  }
  c->threads = (int)wgt_range(r, 1, 3);
  c->direct = (int)wgt_range(r, 0, 3) != 0;
  c->data = (int)wgt_range(r, 0, 2);
  const stage *st = &stages[wgt_range(r, 0, NSTAGES - 1)];
  c->wf = st->wf;
  c->wbits = st->wbits;
  c->abits = (int)wgt_range(r, st->abits_lo, 8);
  if (c->wf == WG_WEIGHTS_TERNARY && wgt_range(r, 0, 1)) c->wf = WG_WEIGHTS_BINARY;
  stage_epilogue(st, &c->ep);
  c->zx = wgt_range(r, 0, 2) ? 0 : (int)wgt_range(r, 0, (1 << c->abits) - 1);
  if (c->data != WGT_RANDOM) c->zx = c->data == WGT_EXTREME ? 0 : (1 << c->abits) - 1;
  return wg_conv2d_out_h(d) > 0 && wg_conv2d_out_w(d) > 0;
}

/* Every kernel forced and automatic choice over random grouped cases. */
TEST(groups_every_kernel_against_reference) {
  int cases = wgt_quick() ? 40 : 160;
  long ran = 0, depthwise = 0, grouped = 0, direct_slices = 0;
  int kernels_ran[256] = {0};
  uint64_t seed = wgt_seed();
  for (int i = 0; i < cases; i++) {
    wgt_rng r = {seed * 31 + (uint64_t)i};
    gcase c;
    /* depthwise (which 2) twice as often: its rows have the most paths */
    if (!random_case(&r, i % 5 == 4 ? 2 : i % 4, &c)) continue;
    for (int ki = -1; ki < wg_kernel_count(); ki++) {
      if (ki >= 0 && !wg_kernel_available(ki)) continue;
      const char *ran_method = NULL;
      int res = group_case(ki < 0 ? NULL : wg_kernel_name(ki), &c, seed + (uint64_t)i,
                           &ran_method);
      CHECK(res != WGT_FAIL, "case %d", i);
      CHECK(ki >= 0 || res == WGT_PASS, "automatic choice rejected case %d", i);
      if (res != WGT_PASS) continue;
      ran++;
      if (ki >= 0 && ki < 256) kernels_ran[ki] = 1;
      depthwise += strcmp(ran_method, "depthwise") == 0;
      grouped += c.o.groups > 1 && strcmp(ran_method, "implicit_im2col") == 0;
      direct_slices += c.o.out_channels > 0 && strcmp(ran_method, "direct") == 0;
    }
  }
  int nk = 0;
  for (int ki = 0; ki < wg_kernel_count() && ki < 256; ki++) nk += kernels_ran[ki];
  printf("    %ld runs (%ld depthwise, %ld grouped implicit im2col, %ld direct into a slice), "
         "%d kernels forced\n", ran, depthwise, grouped, direct_slices, nk);
  CHECK(depthwise > 0 && grouped > 0, "a path never ran");
}

/* MobileNet-like depthwise shapes (3x3, stride 1 and 2, channels around
 * the vector widths, 17 for a tail; 24 channels of a 5x5 and 40 of a 1x2
 * filter for the AVX2 rows' other tap counts, odd and even, and their
 * 16- and 8-channel blocks) through every output stage, both
 * layouts, multipliers 1 and 2, at the codes' extremes and random, on 1
 * and 2 threads: the depthwise rows' vector epilogue lane by lane. */
TEST(groups_depthwise_every_output_stage) {
  static const int64_t shapes[][5] = {{32, 14, 1, 3, 3}, {48, 9, 2, 3, 3}, {64, 7, 1, 3, 3},
                                      {17, 8, 2, 3, 3},  {8, 5, 1, 3, 3},  {24, 7, 1, 5, 5},
                                      {40, 6, 2, 1, 2}};
  long n = 0, dw = 0;
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    for (size_t e = 0; e < (size_t)NSTAGES; e++)
      for (int lay = 0; lay < 2; lay++) {
        int data = (int)((s + e + (size_t)lay) % 3);
        gcase c;
        memset(&c, 0, sizeof c);
        c.d = (wg_conv2d_desc){(wg_layout)lay, 1 + (int64_t)(e % 2), shapes[s][0], shapes[s][1],
                               shapes[s][1], shapes[s][3], shapes[s][4], shapes[s][2],
                               shapes[s][2], 1, 1, 1, 1, 1, 1};
        c.o.groups = shapes[s][0];
        c.m = shapes[s][0] * (1 + (int64_t)((s + e) % 3 == 2));
        c.wf = stages[e].wf;
        c.wbits = stages[e].wbits;
        c.abits = 8;
        c.zx = data == 1 ? 255 : data == 0 ? 0 : 37;
        c.data = data;
        c.threads = 1 + (int)(s % 2);
        c.direct = 1;
        stage_epilogue(&stages[e], &c.ep);
        c.ep.relu = (int)(s % 2);
        const char *ran = NULL;
        CHECK(group_case(NULL, &c, wgt_seed() + 7 * s + e, &ran) == WGT_PASS, "shape %zu stage %zu",
              s, e);
        n++;
        dw += strcmp(ran, "depthwise") == 0;
      }
  printf("    %ld depthwise layers, %ld through the depthwise rows\n", n, dw);
}

/* The ungrouped direct convolution writes into a slice too (NHWC: the
 * pixel stride; NCHW: the image stride), both layouts, 1 and 3 threads,
 * with the automatic kernel where it has a direct convolution. */
TEST(groups_direct_conv_into_slices) {
  long n = 0, direct = 0;
  for (int lay = 0; lay < 2; lay++)
    for (int v = 0; v < 4; v++) {
      gcase c;
      memset(&c, 0, sizeof c);
      c.d = (wg_conv2d_desc){(wg_layout)lay, 1 + v % 2, 8 + 8 * (v / 2), 9, 7, 3, 3, 1, 1,
                             1, 1, 1, 1, 1, 1};
      c.m = 8 + v; /* below every lookup-table kernel's auto_min_m for ternary weights */
      c.o.out_channels = c.m + 3 + v;
      c.o.out_channel_offset = 1 + v;
      c.wf = WG_WEIGHTS_TERNARY;
      c.abits = 8;
      c.zx = v;
      c.data = v % 3;
      c.threads = 1 + 2 * (v % 2);
      c.direct = 1;
      stage_epilogue(&stages[v % 2], &c.ep); /* int8, or uint8 through float */
      const char *ran = NULL;
      CHECK(group_case(NULL, &c, wgt_seed() + (uint64_t)(10 * lay + v), &ran) == WGT_PASS,
            "layout %d variant %d", lay, v);
      n++;
      direct += strcmp(ran, "direct") == 0;
    }
  printf("    %ld slices, %ld through the direct convolution\n", n, direct);
  /* where the AVX2 ternary kernel runs, automatic choice takes a kernel
   * with a direct convolution (it, or the VNNI kernel; M < 16: not a
   * lookup-table kernel) */
  for (int i = 0; i < wg_kernel_count(); i++)
    if (strcmp(wg_kernel_name(i), "acc8_ternary_x_u8_6x16__avx2") == 0 && wg_kernel_available(i))
      CHECK(direct == n, "the direct convolution ran %ld of %ld times", direct, n);
}

/* Bad options and weights: the documented status, y and the plan
 * untouched. */
TEST(groups_bad_input_writes_nothing) {
  wg_context *ctx;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
  int8_t w[8 * 9];
  for (int i = 0; i < 8 * 9; i++) w[i] = (int8_t)(i % 3 - 1);
  wg_weights *wg4 = NULL, *wg1 = NULL, *bad = NULL;
  /* 8 output channels, groups 4: K = (4/4)*3*3 = 9 for C = 4 */
  CHECK(wg_weights_pack_grouped(ctx, w, 4, 8, 9, 9, WG_WEIGHTS_TERNARY, 0, &wg4) == WG_OK, "4");
  CHECK(wg_weights_groups(wg4) == 4 && wg_weights_rows(wg4) == 8, "groups");
  CHECK(wg_weights_pack(ctx, w, 8, 9, 9, WG_WEIGHTS_TERNARY, 0, &wg1) == WG_OK, "1");
  CHECK(wg_weights_groups(wg1) == 1 && wg_weights_groups(NULL) == 0, "groups of 1");
  CHECK(wg_weights_pack_grouped(ctx, w, 3, 8, 9, 9, WG_WEIGHTS_TERNARY, 0, &bad) ==
            WG_ERR_BAD_SIZE, "M %% G");
  CHECK(wg_weights_pack_grouped(ctx, w, 0, 8, 9, 9, WG_WEIGHTS_TERNARY, 0, &bad) ==
            WG_ERR_BAD_SIZE, "G = 0");
  CHECK(bad == NULL, "bad weights returned");
  const wg_conv2d_desc d4 = {WG_NHWC, 1, 4, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  const wg_conv2d_options g4 = {4, 0, 0};
  uint8_t x[6 * 5 * 5] = {0};
  _Alignas(64) unsigned char y[4096];
  wg_epilogue ep = wg_epilogue_default();
  wg_act_format act = {2, 0};
  wg_plan plan, untouched;
  memset(&untouched, 0x77, sizeof untouched);
  struct {
    const char *what;
    wg_conv2d_desc d;
    wg_conv2d_options o;
    const wg_weights *w;
    wg_status want;
  } bads[] = {
      {"C not a multiple of G", d4, g4, wg4, WG_ERR_BAD_SIZE},
      {"negative groups", d4, {-1, 0, 0}, wg4, WG_ERR_BAD_SIZE},
      {"negative out_channels", d4, {4, -1, 0}, wg4, WG_ERR_BAD_SIZE},
      {"negative offset", d4, {4, 0, -2}, wg4, WG_ERR_BAD_SIZE},
      {"T < M", d4, {4, 7, 0}, wg4, WG_ERR_BAD_STRIDE},
      {"T < o + M", d4, {4, 10, 3}, wg4, WG_ERR_BAD_STRIDE},
      {"offset without T", d4, {4, 0, 1}, wg4, WG_ERR_BAD_STRIDE},
      {"groups >= 2^31", d4, {(int64_t)1 << 31, 0, 0}, wg4, WG_ERR_SIZE_OVERFLOW},
      {"out_channels >= 2^31", d4, {4, (int64_t)1 << 31, 0}, wg4, WG_ERR_SIZE_OVERFLOW},
      {"weights of another G", d4, g4, wg1, WG_ERR_UNSUPPORTED},
      {"G = 2: K and G mismatch", d4, {2, 0, 0}, wg4, WG_ERR_UNSUPPORTED},
      {"grouped weights, no options", d4, {0, 0, 0}, wg4, WG_ERR_UNSUPPORTED},
  };
  bads[0].d.channels = 6;
  for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
    memset(y, CANARY, sizeof y);
    wg_status st = wg_conv2d_ex(ctx, bads[i].w, &bads[i].d, &bads[i].o, x, act, &ep, y, NULL);
    CHECK(st == bads[i].want, "%s: %s, want %s", bads[i].what, wg_status_name(st),
          wg_status_name(bads[i].want));
    for (size_t j = 0; j < sizeof y; j++) CHECK(y[j] == CANARY, "%s: wrote y", bads[i].what);
    plan = untouched;
    st = wg_plan_conv2d_ex(ctx, bads[i].w, &bads[i].d, &bads[i].o, act, &ep, &plan);
    CHECK(st == bads[i].want, "plan %s: %s", bads[i].what, wg_status_name(st));
    CHECK(memcmp(&plan, &untouched, sizeof plan) == 0, "plan %s: written", bads[i].what);
  }
  /* wg_conv2d is wg_conv2d_ex without options: grouped weights rejected */
  memset(y, CANARY, sizeof y);
  CHECK(wg_conv2d(ctx, wg4, &d4, x, act, &ep, y, NULL) == WG_ERR_UNSUPPORTED, "conv2d");
  /* misaligned options, before a field is read */
  _Alignas(16) unsigned char ob[sizeof(wg_conv2d_options) + 8];
  memcpy(ob + 4, &g4, sizeof g4);
  CHECK(wg_conv2d_ex(ctx, wg4, &d4, (const wg_conv2d_options *)(void *)(ob + 4), x, act, &ep, y,
                     NULL) == WG_ERR_MISALIGNED, "misaligned options");
  /* grouped weights are wg_conv2d_ex's only */
  wg_status st = wg_gemm(ctx, wg4, x, 4, 4, act, &ep, y, 4, NULL);
  CHECK(st == WG_ERR_UNSUPPORTED, "gemm on grouped weights: %s", wg_status_name(st));
  plan = untouched;
  CHECK(wg_plan_gemm(ctx, wg4, x, 4, 4, act, &ep, 4, &plan) == WG_ERR_UNSUPPORTED, "plan_gemm");
  CHECK(memcmp(&plan, &untouched, sizeof plan) == 0, "plan_gemm wrote");
  wg_swar_options so = wg_swar_options_default();
  wg_epilogue ep8 = ep;
  ep8.acc_bits = 8;
  st = wg_swar_gemm(wg4, x, 4, 4, act, &ep8, &so, y, 4);
  CHECK(st == WG_ERR_UNSUPPORTED, "swar on grouped weights: %s", wg_status_name(st));
  for (size_t j = 0; j < sizeof y; j++) CHECK(y[j] == CANARY, "a call wrote y");
  /* and the good call runs */
  CHECK(wg_conv2d_ex(ctx, wg4, &d4, &g4, x, act, &ep, y, NULL) == WG_OK, "good call");
  wg_weights_destroy(wg4);
  wg_weights_destroy(wg1);
  wg_context_destroy(ctx);
}

/* The aliasing check compares the bytes a call may write, the slice's
 * range with its stride gaps, not the whole output tensor: an input
 * before or after that range is accepted (and read unchanged), one inside
 * it, gaps included, is ALIASING with nothing written. */
TEST(groups_slice_aliasing_ranges) {
  wg_context *ctx;
  CHECK(wg_context_create(2, &ctx) == WG_OK, "context");
  enum { C = 2, H = 3, W = 3, M = 4 };
  const int64_t xbytes = C * H * W; /* batch 1 */
  int8_t w[M * C * 9];
  for (int i = 0; i < M * C * 9; i++) w[i] = (int8_t)(i % 3 - 1);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 8;
  ep.output = WG_OUTPUT_INT8;
  wg_act_format act = {3, 1};
  for (int lay = 0; lay < 2; lay++) {
    wg_weights *pw;
    CHECK(wg_weights_pack(ctx, w, M, C * 9, C * 9, WG_WEIGHTS_TERNARY, 0, &pw) == WG_OK, "pack");
    /* room for x in front of the slice and (NHWC) in each pixel's gap
     * after it; NCHW with one image has no gap */
    wg_conv2d_desc d = {(wg_layout)lay, 1, C, H, W, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
    int64_t pix = H * W, o = lay == WG_NHWC ? xbytes : (xbytes + pix - 1) / pix;
    wg_conv2d_options opt = {0, o + M + (lay == WG_NHWC ? xbytes : 0), o};
    int64_t at = lay == WG_NHWC ? o : o * pix; /* first byte it may write */
    int64_t end = lay == WG_NHWC ? (pix - 1) * opt.out_channels + o + M : (o + M) * pix;
    size_t total = (size_t)(opt.out_channels * pix) + (size_t)xbytes + 64;
    unsigned char *buf = malloc(total), *want = malloc(total);
    uint8_t xs[C * H * W];
    for (int i = 0; i < xbytes; i++) xs[i] = (uint8_t)(i % 8);
    /* x before the range, over its first byte, in a gap inside it (NHWC:
     * pixel 0's bytes after its slice), over its last byte, just after */
    struct {
      int64_t off;
      wg_status want;
    } places[] = {{0, WG_OK},
                  {at - xbytes + 1, WG_ERR_ALIASING},
                  {lay == WG_NHWC ? o + M : at + 1, WG_ERR_ALIASING},
                  {end - 1, WG_ERR_ALIASING},
                  {end, WG_OK}};
    for (size_t p = 0; p < sizeof places / sizeof places[0]; p++) {
      memset(buf, CANARY, total);
      uint8_t *x = buf + places[p].off;
      memcpy(x, xs, (size_t)xbytes);
      memcpy(want, buf, total);
      wg_status st = wg_conv2d_ex(ctx, pw, &d, &opt, x, act, &ep, buf, NULL);
      CHECK(st == places[p].want, "layout %d place %zu (x at %lld, range [%lld, %lld)): %s", lay,
            p, (long long)places[p].off, (long long)at, (long long)end, wg_status_name(st));
      if (st != WG_OK) {
        CHECK(memcmp(buf, want, total) == 0, "layout %d place %zu: wrote on ALIASING", lay, p);
        continue;
      }
      /* the result from a copy of x, and x itself left as it was */
      wg_ref_conv2d(&d, &opt, w, M, xs, act.zero_point, &ep, want);
      CHECK(memcmp(x, xs, (size_t)xbytes) == 0, "layout %d place %zu: x changed", lay, p);
      CHECK(memcmp(buf, want, total) == 0, "layout %d place %zu: output differs", lay, p);
      wgt_count_check(1);
    }
    free(buf);
    free(want);
    wg_weights_destroy(pw);
  }
  wg_context_destroy(ctx);
}
