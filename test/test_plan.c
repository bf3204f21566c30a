/* wg_plan_gemm and wg_plan_conv2d (plan.c): the plan names the kernel and
 * method the call then reports in wg_run_info, for every kernel forced and
 * the automatic choice, random shapes, strides, X alignments, formats,
 * epilogues and layouts, with the direct and in-place switches on and off;
 * the statuses of plan and call agree too.  Bad input returns its
 * documented status and leaves *out untouched. */
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "kernels.h"
#include "util.h"

static int starts(const char *s, const char *prefix) {
  return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A plan filled with a byte pattern in place (a struct assignment need
 * not copy padding): untouched means every byte still has it. */
static void poison(wg_plan *p) { memset(p, 0x5A, sizeof *p); }
static int untouched(const wg_plan *p) {
  const unsigned char *b = (const unsigned char *)p;
  for (size_t i = 0; i < sizeof *p; i++)
    if (b[i] != 0x5A) return 0;
  return 1;
}

/* Methods seen over a test, so that it cannot pass without reaching the
 * in-place and direct paths where a kernel of this CPU has them. */
typedef struct seen {
  long gemm, in_place, im2col, direct, unsupported, ok;
} seen;

static void count(seen *s, wg_status st, const char *method) {
  if (st == WG_ERR_UNSUPPORTED) s->unsupported++;
  if (st != WG_OK) return;
  s->ok++;
  if (!strcmp(method, "gemm")) s->gemm++;
  if (!strcmp(method, "gemm_in_place")) s->in_place++;
  if (!strcmp(method, "implicit_im2col")) s->im2col++;
  if (!strcmp(method, "direct")) s->direct++;
}

/* Does a kernel this CPU runs have the in-place tile / direct convolution? */
static int cpu_has(int direct) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int n = wgt_kernels(0, NULL, list, WGT_MAX_KERNELS);
  for (int i = 0; i < n; i++)
    if (list[i].runnable && (direct ? list[i].k->direct != NULL : list[i].k->run_rows != NULL))
      return 1;
  return 0;
}

/* A random epilogue (some of them UNSUPPORTED: output narrower than b). */
static wg_epilogue random_epilogue(wgt_rng *r, const wgt_epi_data *d) {
  static const int bs[] = {2, 5, 8, 10, 12, 16, 32};
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = bs[wgt_range(r, 0, 6)];
  ep.output = (wg_output_kind)wgt_range(r, 0, WG_OUTPUT_FLOAT32);
  ep.cyclic = ep.acc_bits <= 16 ? (wg_cyclic)wgt_range(r, 0, 2) : WG_CYCLIC_NONE;
  ep.slope = (int)wgt_range(r, 1, 3);
  ep.relu = (int)wgt_range(r, 0, 1);
  ep.out_bits = (int)wgt_range(r, 1, 8);
  ep.out_zero_point = 0;
  wgt_epi_attach(&ep, d);
  return ep;
}

static void random_format(wgt_rng *r, wg_weight_format *wf, int *wbits) {
  int f = (int)wgt_range(r, 0, 3);
  *wf = f == 0 ? WG_WEIGHTS_TERNARY : f == 1 ? WG_WEIGHTS_BINARY : WG_WEIGHTS_INT;
  *wbits = *wf == WG_WEIGHTS_INT ? (int)wgt_range(r, 2, 8) : 0;
}

static wg_weights *pack(wg_context *ctx, wgt_rng *r, int64_t m, int64_t k, wg_weight_format wf,
                        int wbits) {
  int8_t *w = malloc((size_t)(m * k));
  wgt_fill_weights(r, w, (size_t)(m * k), wf, wbits, WGT_RANDOM);
  wg_weights *pw = NULL;
  wg_status st = wg_weights_pack(ctx, w, m, k, k, wf, wbits, &pw);
  free(w);
  return st == WG_OK ? pw : NULL;
}

/* The context settings of one call: kernel index (-1: automatic) and the
 * two switches. */
static int set(wg_context *ctx, int kernel, int in_place, int direct) {
  if (wg_context_force_kernel(ctx, kernel < 0 ? NULL : wg_kernel_name(kernel)) != WG_OK)
    return 0;
  return wg_context_set_gemm_in_place(ctx, in_place) == WG_OK &&
         wg_context_set_direct_conv(ctx, direct) == WG_OK;
}

static size_t out_size(wg_output_kind k) {
  return k == WG_OUTPUT_INT16 ? 2 : k == WG_OUTPUT_INT32 || k == WG_OUTPUT_FLOAT32 ? 4 : 1;
}

TEST(plan_gemm_agrees_with_run_info) {
  static const int64_t ks[] = {1, 5, 37, 64, 576, 4608, 4609};
  static const int64_t ns[] = {1, 63, 64, 65, 130, 200};
  wgt_rng r = {wgt_seed() ^ 0x91a7ull};
  wg_context *ctx = NULL;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
  int iters = wgt_quick() ? 60 : 400;
  seen s = {0};
  for (int it = 0; it < iters && !wgt_failed(); it++) {
    wg_weight_format wf;
    int wbits;
    random_format(&r, &wf, &wbits);
    int64_t m = wgt_range(&r, 1, 13), k = ks[wgt_range(&r, 0, 6)], n = ns[wgt_range(&r, 0, 5)];
    int64_t r32 = (n + 31) / 32 * 32;
    int64_t ldxs[] = {n, r32, r32 + 32, r32 + 64, 4096, n + 1};
    int64_t ldx = ldxs[wgt_range(&r, 0, 5)], ldy = n + wgt_range(&r, 0, 2);
    int off = (int)wgt_range(&r, 0, 2) * 16 + (int)wgt_range(&r, 0, 1);
    /* One case in three where the in-place tile may run (ternary weights,
     * ldx a multiple of 32, two tiles of columns), X at any alignment. */
    if (wgt_range(&r, 0, 2) == 0) {
      wf = WG_WEIGHTS_TERNARY;
      k = ks[wgt_range(&r, 0, 4)];
      n = wgt_range(&r, 64, 200);
      ldx = (n + 31) / 32 * 32 + 32 * wgt_range(&r, 0, 1);
      ldy = n;
      off = (int)wgt_range(&r, 0, 63);
    }
    wg_act_format act = {(int)wgt_range(&r, 1, 8), 0};
    act.zero_point = (int)wgt_range(&r, 0, (1 << act.bits) - 1);
    wgt_epi_data d;
    wgt_epi_data_make(&d, &r, m);
    wg_epilogue ep = random_epilogue(&r, &d);
    wg_weights *w = pack(ctx, &r, m, k, wf, wbits);
    size_t xbytes = (size_t)((k - 1) * ldx + n) + 64 + (size_t)off;
    uint8_t *xbuf = malloc(xbytes);
    memset(xbuf, 0, xbytes); /* code 0: within every format */
    uint8_t *x = wgt_place(xbuf, off);
    void *y = malloc((size_t)((m - 1) * ldy + n) * 4);
    for (int kern = -1; kern < wg_kernel_count() && w && !wgt_failed(); kern++) {
      if (kern >= 0 && !wg_kernel_available(kern)) continue;
      int in_place = (int)wgt_range(&r, 0, 3) != 0;
      CHECK(set(ctx, kern, in_place, 1), "settings");
      wg_plan plan;
      poison(&plan);
      wg_run_info info = {0};
      wg_status ps = wg_plan_gemm(ctx, w, x, n, ldx, act, &ep, ldy, &plan);
      wg_status rs = wg_gemm(ctx, w, x, n, ldx, act, &ep, y, ldy, &info);
      const char *what = kern < 0 ? "auto" : wg_kernel_name(kern);
      CHECK(ps == rs, "%s: plan %s, run %s (m=%lld k=%lld n=%lld b=%d out=%d)", what,
            wg_status_name(ps), wg_status_name(rs), (long long)m, (long long)k, (long long)n,
            ep.acc_bits, (int)ep.output);
      count(&s, rs, info.method);
      if (ps != WG_OK) {
        CHECK(untouched(&plan), "%s: *out written on %s", what, wg_status_name(ps));
        continue;
      }
      CHECK(!strcmp(plan.kernel, info.kernel) && !strcmp(plan.method, info.method),
            "%s: plan %s/%s, ran %s/%s (k=%lld n=%lld ldx=%lld off=%d in_place=%d)", what,
            plan.kernel, plan.method, info.kernel, info.method, (long long)k, (long long)n,
            (long long)ldx, off, in_place);
      CHECK(!strcmp(wg_kernel_name(plan.kernel_index), plan.kernel), "%s: index", what);
      CHECK(kern < 0 || plan.kernel_index == kern, "%s: forced index", what);
      CHECK(starts(plan.kernel_reason, kern < 0 ? "the first kernel" : "forced"),
            "%s: kernel reason '%s'", what, plan.kernel_reason);
      CHECK(starts(plan.method_reason, plan.method) &&
                plan.method_reason[strlen(plan.method)] == ':',
            "%s: method reason '%s' for %s", what, plan.method_reason, plan.method);
      CHECK(in_place || strcmp(plan.method, "gemm_in_place") != 0, "%s: in place while off",
            what);
    }
    free(y);
    free(xbuf);
    wg_weights_destroy(w);
    wgt_epi_data_free(&d);
  }
  wg_context_destroy(ctx);
  printf("    %ld calls agreed: %ld gemm, %ld gemm_in_place; %ld UNSUPPORTED\n", s.ok, s.gemm,
         s.in_place, s.unsupported);
  CHECK(s.gemm > 0 && s.unsupported > 0, "every outcome reached");
  CHECK(!cpu_has(0) || s.in_place > 0, "no in-place GEMM reached");
}

TEST(plan_conv2d_agrees_with_run_info) {
  static const int64_t cs[] = {1, 3, 4, 8, 16};
  wgt_rng r = {wgt_seed() ^ 0xc0full};
  wg_context *ctx = NULL;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
  int iters = wgt_quick() ? 60 : 400;
  seen s = {0};
  for (int it = 0; it < iters && !wgt_failed(); it++) {
    wg_conv2d_desc d = {0};
    d.layout = wgt_range(&r, 0, 1) ? WG_NHWC : WG_NCHW;
    d.batch = wgt_range(&r, 1, 2);
    d.channels = cs[wgt_range(&r, 0, 4)];
    d.height = wgt_range(&r, 1, 9);
    d.width = wgt_range(&r, 1, 9);
    d.kernel_h = wgt_range(&r, 1, 3);
    d.kernel_w = wgt_range(&r, 1, 3);
    d.stride_h = d.stride_w = wgt_range(&r, 1, 2);
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = wgt_range(&r, 0, 1);
    d.dilation_h = d.dilation_w = wgt_range(&r, 1, 2);
    wg_weight_format wf;
    int wbits;
    random_format(&r, &wf, &wbits);
    int64_t m = wgt_range(&r, 1, 20), k = d.channels * d.kernel_h * d.kernel_w;
    wg_act_format act = {(int)wgt_range(&r, 1, 8), 0};
    wgt_epi_data ed;
    wgt_epi_data_make(&ed, &r, m);
    wg_epilogue ep = random_epilogue(&r, &ed);
    /* The direct kernels finish int8 and float-requantized uint8: more of
     * those, so that the direct path is reached often. */
    if (wgt_range(&r, 0, 1)) {
      ep.output = wgt_range(&r, 0, 1) ? WG_OUTPUT_INT8 : WG_OUTPUT_UINT8_FLOAT;
      ep.acc_bits = 8;
    }
    wg_weights *w = pack(ctx, &r, m, k, wf, wbits);
    int64_t oh = wg_conv2d_out_h(&d), ow = wg_conv2d_out_w(&d);
    size_t xbytes = (size_t)(d.batch * d.channels * d.height * d.width);
    uint8_t *x = calloc(xbytes, 1);
    void *y = malloc((size_t)(d.batch * m * (oh > 0 ? oh : 1) * (ow > 0 ? ow : 1)) *
                     out_size(ep.output));
    for (int kern = -1; kern < wg_kernel_count() && w && !wgt_failed(); kern++) {
      if (kern >= 0 && !wg_kernel_available(kern)) continue;
      int direct = (int)wgt_range(&r, 0, 3) != 0;
      CHECK(set(ctx, kern, 1, direct), "settings");
      wg_plan plan;
      poison(&plan);
      wg_run_info info = {0};
      wg_status ps = wg_plan_conv2d(ctx, w, &d, act, &ep, &plan);
      wg_status rs = wg_conv2d(ctx, w, &d, x, act, &ep, y, &info);
      const char *what = kern < 0 ? "auto" : wg_kernel_name(kern);
      CHECK(ps == rs, "%s: plan %s, run %s", what, wg_status_name(ps), wg_status_name(rs));
      count(&s, rs, info.method);
      if (ps != WG_OK) {
        CHECK(untouched(&plan), "%s: *out written on %s", what, wg_status_name(ps));
        continue;
      }
      CHECK(!strcmp(plan.kernel, info.kernel) && !strcmp(plan.method, info.method),
            "%s: plan %s/%s, ran %s/%s (%s C=%lld out=%d b=%d direct=%d)", what, plan.kernel,
            plan.method, info.kernel, info.method, d.layout == WG_NHWC ? "NHWC" : "NCHW",
            (long long)d.channels, (int)ep.output, ep.acc_bits, direct);
      CHECK(starts(plan.method_reason, plan.method) &&
                plan.method_reason[strlen(plan.method)] == ':',
            "%s: method reason '%s'", what, plan.method_reason);
      CHECK(direct || strcmp(plan.method, "direct") != 0, "%s: direct while off", what);
    }
    free(y);
    free(x);
    wg_weights_destroy(w);
    wgt_epi_data_free(&ed);
  }
  wg_context_destroy(ctx);
  printf("    %ld calls agreed: %ld implicit_im2col, %ld direct; %ld UNSUPPORTED\n", s.ok,
         s.im2col, s.direct, s.unsupported);
  CHECK(s.im2col > 0, "im2col reached");
  CHECK(!cpu_has(1) || s.direct > 0, "no direct convolution reached");
}

/* Each fault alone on a valid call: the documented status, *out untouched,
 * and (where the call has the argument) the same status as the call. */
TEST(plan_bad_input) {
  wg_context *ctx = NULL;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
  wgt_rng r = {7};
  const int64_t m = 4, k = 9, n = 8;
  wg_weights *w = pack(ctx, &r, m, k, WG_WEIGHTS_TERNARY, 0);
  CHECK(w != NULL, "pack");
  wgt_epi_data d;
  wgt_epi_data_make(&d, &r, m);
  wg_epilogue ep = wg_epilogue_default(), bad = ep;
  wgt_epi_attach(&ep, &d);
  uint8_t x[(9 - 1) * 8 + 8] = {0};
  int32_t y[4 * 8];
  wg_act_format act = {8, 0};
  _Alignas(wg_plan) unsigned char raw[sizeof(wg_plan) + 1];
  wg_plan plan;
#define PLAN_IS(want, call)                                                             \
  do {                                                                                  \
    poison(&plan);                                                                  \
    wg_status got_ = (call);                                                            \
    CHECK(got_ == (want), "%s: %s, want %s", #call, wg_status_name(got_),               \
          wg_status_name(want));                                                        \
    CHECK(untouched(&plan), "%s: *out written", #call);                                 \
  } while (0)
  PLAN_IS(WG_ERR_NULL_POINTER, wg_plan_gemm(NULL, w, x, n, n, act, &ep, n, &plan));
  PLAN_IS(WG_ERR_NULL_POINTER, wg_plan_gemm(ctx, NULL, x, n, n, act, &ep, n, &plan));
  PLAN_IS(WG_ERR_NULL_POINTER, wg_plan_gemm(ctx, w, NULL, n, n, act, &ep, n, &plan));
  PLAN_IS(WG_ERR_NULL_POINTER, wg_plan_gemm(ctx, w, x, n, n, act, NULL, n, &plan));
  CHECK(wg_plan_gemm(ctx, w, x, n, n, act, &ep, n, NULL) == WG_ERR_NULL_POINTER, "out NULL");
  CHECK(wg_plan_gemm(ctx, w, x, n, n, act, &ep, n, (wg_plan *)(raw + 1)) == WG_ERR_MISALIGNED,
        "out misaligned");
  PLAN_IS(WG_ERR_BAD_SIZE, wg_plan_gemm(ctx, w, x, 0, n, act, &ep, n, &plan));
  PLAN_IS(WG_ERR_BAD_STRIDE, wg_plan_gemm(ctx, w, x, n, n - 1, act, &ep, n, &plan));
  PLAN_IS(WG_ERR_BAD_STRIDE, wg_plan_gemm(ctx, w, x, n, n, act, &ep, n - 1, &plan));
  PLAN_IS(WG_ERR_SIZE_OVERFLOW, wg_plan_gemm(ctx, w, x, n, INT64_MAX / 2, act, &ep, n, &plan));
  PLAN_IS(WG_ERR_BAD_OPTION,
          wg_plan_gemm(ctx, w, x, n, n, (wg_act_format){9, 0}, &ep, n, &plan));
  PLAN_IS(WG_ERR_BAD_OPTION,
          wg_plan_gemm(ctx, w, x, n, n, (wg_act_format){2, 4}, &ep, n, &plan));
  bad.acc_bits = 17;
  PLAN_IS(WG_ERR_BAD_OPTION, wg_plan_gemm(ctx, w, x, n, n, act, &bad, n, &plan));
  bad = ep;
  bad.output = WG_OUTPUT_INT8;
  bad.acc_bits = 16; /* int8 cannot hold b = 16 */
  PLAN_IS(WG_ERR_UNSUPPORTED, wg_plan_gemm(ctx, w, x, n, n, act, &bad, n, &plan));
  CHECK(wg_gemm(ctx, w, x, n, n, act, &bad, y, n, NULL) == WG_ERR_UNSUPPORTED, "run agrees");
  bad = ep;
  bad.output = WG_OUTPUT_FLOAT32;
  bad.scale = (const float *)((const char *)d.scale + 1);
  PLAN_IS(WG_ERR_MISALIGNED, wg_plan_gemm(ctx, w, x, n, n, act, &bad, n, &plan));
  bad.scale = NULL;
  PLAN_IS(WG_ERR_NULL_POINTER, wg_plan_gemm(ctx, w, x, n, n, act, &bad, n, &plan));
  /* out over ep's per-row scale array (M floats = 16 bytes, plan is larger):
   * the array is inside a buffer that holds a whole plan. */
  _Alignas(wg_plan) float arr[sizeof(wg_plan) / sizeof(float) + 1] = {0};
  bad = ep;
  bad.output = WG_OUTPUT_FLOAT32;
  bad.scale = arr;
  CHECK(wg_plan_gemm(ctx, w, x, n, n, act, &bad, n, (wg_plan *)arr) == WG_ERR_ALIASING,
        "out over scale");
  /* A forced kernel that cannot compute b = 32 (8-bit lanes): UNSUPPORTED. */
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = wgt_kernels(0, NULL, list, WGT_MAX_KERNELS);
  for (int i = 0; i < nk; i++) {
    if (!list[i].runnable || list[i].maxb >= 32) continue;
    CHECK(wg_context_force_kernel(ctx, list[i].name) == WG_OK, "force");
    PLAN_IS(WG_ERR_UNSUPPORTED, wg_plan_gemm(ctx, w, x, n, n, act, &ep, n, &plan));
    CHECK(wg_gemm(ctx, w, x, n, n, act, &ep, y, n, NULL) == WG_ERR_UNSUPPORTED, "run agrees");
    CHECK(wg_context_force_kernel(ctx, NULL) == WG_OK, "auto");
    break;
  }
  poison(&plan);
  CHECK(wg_plan_gemm(ctx, w, x, n, n, act, &ep, n, &plan) == WG_OK && !untouched(&plan) &&
            plan.kernel && plan.method && plan.kernel_reason && plan.method_reason,
        "a valid GEMM plan");

  /* conv2d: a 3x3 conv of 1 channel matches K = 9. */
  wg_conv2d_desc cd = {WG_NCHW, 1, 1, 5, 5, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1}, bd = cd;
  PLAN_IS(WG_ERR_NULL_POINTER, wg_plan_conv2d(NULL, w, &cd, act, &ep, &plan));
  PLAN_IS(WG_ERR_NULL_POINTER, wg_plan_conv2d(ctx, NULL, &cd, act, &ep, &plan));
  PLAN_IS(WG_ERR_NULL_POINTER, wg_plan_conv2d(ctx, w, NULL, act, &ep, &plan));
  PLAN_IS(WG_ERR_NULL_POINTER, wg_plan_conv2d(ctx, w, &cd, act, NULL, &plan));
  CHECK(wg_plan_conv2d(ctx, w, &cd, act, &ep, NULL) == WG_ERR_NULL_POINTER, "out NULL");
  CHECK(wg_plan_conv2d(ctx, w, &cd, act, &ep, (wg_plan *)(raw + 1)) == WG_ERR_MISALIGNED,
        "out misaligned");
  bd.layout = (wg_layout)7;
  PLAN_IS(WG_ERR_BAD_OPTION, wg_plan_conv2d(ctx, w, &bd, act, &ep, &plan));
  bd = cd;
  bd.height = 2; /* a 3-tall window does not fit */
  PLAN_IS(WG_ERR_BAD_SIZE, wg_plan_conv2d(ctx, w, &bd, act, &ep, &plan));
  bd = cd;
  bd.width = (int64_t)1 << 31;
  PLAN_IS(WG_ERR_SIZE_OVERFLOW, wg_plan_conv2d(ctx, w, &bd, act, &ep, &plan));
  bd = cd;
  bd.kernel_w = 1; /* K = 3, the weights have 9 */
  PLAN_IS(WG_ERR_UNSUPPORTED, wg_plan_conv2d(ctx, w, &bd, act, &ep, &plan));
  PLAN_IS(WG_ERR_BAD_OPTION,
          wg_plan_conv2d(ctx, w, &cd, (wg_act_format){0, 0}, &ep, &plan));
  bad = ep;
  bad.acc_bits = 1;
  PLAN_IS(WG_ERR_BAD_OPTION, wg_plan_conv2d(ctx, w, &cd, act, &bad, &plan));
  bad = ep;
  bad.output = WG_OUTPUT_FLOAT32;
  bad.scale = arr;
  CHECK(wg_plan_conv2d(ctx, w, &cd, act, &bad, (wg_plan *)arr) == WG_ERR_ALIASING,
        "conv out over scale");
  poison(&plan);
  CHECK(wg_plan_conv2d(ctx, w, &cd, act, &ep, &plan) == WG_OK && !untouched(&plan) &&
            plan.kernel && plan.method && plan.kernel_reason && plan.method_reason,
        "a valid conv plan");
#undef PLAN_IS
  wgt_epi_data_free(&d);
  wg_weights_destroy(w);
  wg_context_destroy(ctx);
}
