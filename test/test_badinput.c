/* Every documented error: the status, and not one byte of output written. */
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { M = 6, K = 10, N = 7, CANARY = 0x5C };

typedef struct fixture {
  wg_context *ctx;
  wg_weights *w;
  int8_t wcodes[M * K];
  uint8_t x[K * N];
  _Alignas(16) unsigned char y[M * N * 4 + 64];
  float scale[M], bias[M];
  int32_t mult[M], shift[M];
  wg_epilogue ep;
  wg_act_format act;
  wg_run_info info;
} fixture;

static void setup(fixture *f) {
  memset(f, 0, sizeof *f);
  wgt_rng r = {7};
  wgt_fill_weights(&r, f->wcodes, sizeof f->wcodes, WG_WEIGHTS_INT, 4, WGT_RANDOM);
  wgt_fill_acts(&r, f->x, sizeof f->x, 3, WGT_RANDOM);
  wg_context_create(1, &f->ctx);
  wg_weights_pack(f->ctx, f->wcodes, M, K, K, WG_WEIGHTS_INT, 4, &f->w);
  for (int i = 0; i < M; i++) {
    f->scale[i] = 0.25f;
    f->bias[i] = 1.0f;
    f->mult[i] = 1 << 30;
    f->shift[i] = 0;
  }
  f->ep = wg_epilogue_default();
  f->act = (wg_act_format){3, 0};
  memset(f->y, CANARY, sizeof f->y);
  f->info.kernel = "untouched";
}

static void teardown(fixture *f) {
  wg_weights_destroy(f->w);
  wg_context_destroy(f->ctx);
}

static int untouched(const fixture *f) {
  for (size_t i = 0; i < sizeof f->y; i++)
    if (f->y[i] != CANARY) return 0;
  return strcmp(f->info.kernel, "untouched") == 0;
}

#define EXPECT_GEMM(f, want, ...)                                                       \
  do {                                                                                  \
    wg_status st_ = wg_gemm(__VA_ARGS__);                                               \
    CHECK(st_ == (want), "%s: got %s want %s", #__VA_ARGS__, wg_status_name(st_),       \
          wg_status_name(want));                                                        \
    CHECK(untouched(f), "%s: output written on error", #__VA_ARGS__);                   \
  } while (0)

TEST(badinput_gemm_pointers_sizes_strides) {
  fixture fx, *f = &fx;
  setup(f);
  EXPECT_GEMM(f, WG_ERR_NULL_POINTER, NULL, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  EXPECT_GEMM(f, WG_ERR_NULL_POINTER, f->ctx, NULL, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  EXPECT_GEMM(f, WG_ERR_NULL_POINTER, f->ctx, f->w, NULL, N, N, f->act, &f->ep, f->y, N, &f->info);
  EXPECT_GEMM(f, WG_ERR_NULL_POINTER, f->ctx, f->w, f->x, N, N, f->act, NULL, f->y, N, &f->info);
  EXPECT_GEMM(f, WG_ERR_NULL_POINTER, f->ctx, f->w, f->x, N, N, f->act, &f->ep, NULL, N, &f->info);
  EXPECT_GEMM(f, WG_ERR_BAD_SIZE, f->ctx, f->w, f->x, 0, N, f->act, &f->ep, f->y, N, &f->info);
  EXPECT_GEMM(f, WG_ERR_BAD_SIZE, f->ctx, f->w, f->x, -3, N, f->act, &f->ep, f->y, N, &f->info);
  EXPECT_GEMM(f, WG_ERR_BAD_STRIDE, f->ctx, f->w, f->x, N, N - 1, f->act, &f->ep, f->y, N, &f->info);
  EXPECT_GEMM(f, WG_ERR_BAD_STRIDE, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N - 1, &f->info);
  EXPECT_GEMM(f, WG_ERR_BAD_STRIDE, f->ctx, f->w, f->x, N, -1, f->act, &f->ep, f->y, N, &f->info);
  EXPECT_GEMM(f, WG_ERR_SIZE_OVERFLOW, f->ctx, f->w, f->x, N, INT64_MAX / 2, f->act, &f->ep, f->y, N, &f->info);
  EXPECT_GEMM(f, WG_ERR_SIZE_OVERFLOW, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, INT64_MAX / 3, &f->info);
  EXPECT_GEMM(f, WG_ERR_SIZE_OVERFLOW, f->ctx, f->w, f->x, INT64_MAX, INT64_MAX, f->act, &f->ep, f->y, INT64_MAX, &f->info);
  teardown(f);
}

TEST(badinput_gemm_codes_and_options) {
  fixture fx, *f = &fx;
  setup(f);
  /* An activation code beyond its declared width. */
  f->x[K * N - 1] = 8;
  EXPECT_GEMM(f, WG_ERR_BAD_CODE, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  f->x[K * N - 1] = 7;
  /* The zero point is a code of the format: 0 .. 2^bits - 1. */
  wg_act_format bad_act[] = {{0, 0}, {9, 0}, {3, -1}, {3, 256}, {3, 8}, {1, 2}, {7, 128}};
  for (int i = 0; i < 7; i++)
    EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, bad_act[i], &f->ep, f->y, N, &f->info);
  int bad_b[] = {1, 17, 31, 33, 0, -8};
  for (int i = 0; i < 6; i++) {
    f->ep = wg_epilogue_default();
    f->ep.acc_bits = bad_b[i];
    EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  }
  f->ep = wg_epilogue_default();
  f->ep.cyclic = WG_CYCLIC_SMOOTH;
  f->ep.slope = 0;
  EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  f->ep.cyclic = (wg_cyclic)9;
  EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  f->ep = wg_epilogue_default();
  f->ep.output = (wg_output_kind)42;
  EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  f->ep.relu = 2;
  f->ep.output = WG_OUTPUT_INT32;
  EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  /* Unsupported combinations: output too narrow for b, abs at b = 32. */
  f->ep = wg_epilogue_default();
  f->ep.acc_bits = 9;
  f->ep.output = WG_OUTPUT_INT8;
  EXPECT_GEMM(f, WG_ERR_UNSUPPORTED, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  f->ep.acc_bits = 8;
  f->ep.cyclic = WG_CYCLIC_ABS;
  EXPECT_GEMM(f, WG_ERR_UNSUPPORTED, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  f->ep.acc_bits = 32;
  f->ep.output = WG_OUTPUT_INT32;
  EXPECT_GEMM(f, WG_ERR_UNSUPPORTED, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  /* Float stages: missing or non-finite per-channel data, bad out_bits. */
  f->ep = wg_epilogue_default();
  f->ep.output = WG_OUTPUT_UINT8_FLOAT;
  f->ep.scale = f->scale;
  EXPECT_GEMM(f, WG_ERR_NULL_POINTER, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  f->ep.bias = f->bias;
  f->bias[M - 1] = 1.0f / 0.0f;
  EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  f->bias[M - 1] = 0.0f / 0.0f;
  EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  f->bias[M - 1] = 1.0f;
  f->ep.out_bits = 9;
  EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  /* Fixed point: multiplier below 2^30, shift out of range, zero point. */
  f->ep = wg_epilogue_default();
  f->ep.output = WG_OUTPUT_UINT8_FIXED;
  EXPECT_GEMM(f, WG_ERR_NULL_POINTER, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  f->ep.multiplier = f->mult;
  f->ep.shift = f->shift;
  f->mult[2] = 12345;
  EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  f->mult[2] = 1 << 30;
  f->shift[3] = 31;
  EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  f->shift[3] = 0;
  f->ep.out_zero_point = 256;
  EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, f->act, &f->ep, f->y, N, &f->info);
  teardown(f);
}

TEST(badinput_weights_pack) {
  wg_context *ctx;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
  int8_t w[12] = {1, -1, 0, 1, 1, 1, -1, -1, 0, 0, 1, -1};
  wg_weights *out = (wg_weights *)(uintptr_t)0x1234;
  wg_weights *const sentinel = out;
#define EXPECT_PACK(want, ...)                                                      \
  CHECK(wg_weights_pack(__VA_ARGS__) == (want) && out == sentinel, "%s -> %s", \
        #__VA_ARGS__, wg_status_name(want))
  EXPECT_PACK(WG_ERR_NULL_POINTER, NULL, w, 3, 4, 4, WG_WEIGHTS_TERNARY, 0, &out);
  EXPECT_PACK(WG_ERR_NULL_POINTER, ctx, NULL, 3, 4, 4, WG_WEIGHTS_TERNARY, 0, &out);
  CHECK(wg_weights_pack(ctx, w, 3, 4, 4, WG_WEIGHTS_TERNARY, 0, NULL) == WG_ERR_NULL_POINTER, "out");
  EXPECT_PACK(WG_ERR_BAD_SIZE, ctx, w, 0, 4, 4, WG_WEIGHTS_TERNARY, 0, &out);
  EXPECT_PACK(WG_ERR_BAD_SIZE, ctx, w, 3, -4, 4, WG_WEIGHTS_TERNARY, 0, &out);
  EXPECT_PACK(WG_ERR_BAD_STRIDE, ctx, w, 3, 4, 3, WG_WEIGHTS_TERNARY, 0, &out);
  EXPECT_PACK(WG_ERR_SIZE_OVERFLOW, ctx, w, INT64_MAX / 2, 4, INT64_MAX / 4, WG_WEIGHTS_TERNARY, 0, &out);
  EXPECT_PACK(WG_ERR_BAD_OPTION, ctx, w, 3, 4, 4, (wg_weight_format)7, 0, &out);
  EXPECT_PACK(WG_ERR_BAD_OPTION, ctx, w, 3, 4, 4, WG_WEIGHTS_INT, 1, &out);
  EXPECT_PACK(WG_ERR_BAD_OPTION, ctx, w, 3, 4, 4, WG_WEIGHTS_INT, 9, &out);
  /* Codes outside their format: 0 is not binary; 2 is not ternary; 2 is
   * not a 2-bit code; -9 is not a 4-bit code. */
  EXPECT_PACK(WG_ERR_BAD_CODE, ctx, w, 3, 4, 4, WG_WEIGHTS_BINARY, 0, &out);
  w[11] = 2;
  EXPECT_PACK(WG_ERR_BAD_CODE, ctx, w, 3, 4, 4, WG_WEIGHTS_TERNARY, 0, &out);
  EXPECT_PACK(WG_ERR_BAD_CODE, ctx, w, 3, 4, 4, WG_WEIGHTS_INT, 2, &out);
  w[11] = -9;
  EXPECT_PACK(WG_ERR_BAD_CODE, ctx, w, 3, 4, 4, WG_WEIGHTS_INT, 4, &out);
  w[11] = -8;
  CHECK(wg_weights_pack(ctx, w, 3, 4, 4, WG_WEIGHTS_INT, 4, &out) == WG_OK, "valid");
  wg_weights_destroy(out);
  wg_weights_destroy(NULL);
  wg_context_destroy(ctx);
  wg_context_destroy(NULL);
}

TEST(badinput_context_and_kernels) {
  wg_context *ctx = NULL;
  CHECK(wg_context_create(1, NULL) == WG_ERR_NULL_POINTER, "null out");
  CHECK(wg_context_create(-1, &ctx) == WG_ERR_BAD_OPTION && !ctx, "threads -1");
  CHECK(wg_context_create(100000, &ctx) == WG_ERR_BAD_OPTION && !ctx, "threads huge");
  CHECK(wg_context_create(1, &ctx) == WG_OK, "create");
  CHECK(wg_context_force_kernel(ctx, "no_such_kernel") == WG_ERR_UNKNOWN_KERNEL, "unknown");
  CHECK(strcmp(wg_context_kernel(ctx), "auto") == 0, "still auto after a failed force");
  CHECK(wg_context_force_kernel(NULL, "auto") == WG_ERR_NULL_POINTER, "null ctx");
  CHECK(wg_context_set_parallel_for(ctx, (wg_parallel_for_fn)(uintptr_t)1, NULL, 0) ==
            WG_ERR_BAD_OPTION, "parallelism 0");
  for (int i = 0; i < wg_kernel_count(); i++)
    if (!wg_kernel_available(i))
      CHECK(wg_context_force_kernel(ctx, wg_kernel_name(i)) == WG_ERR_KERNEL_UNAVAILABLE,
            "%s", wg_kernel_name(i));
  CHECK(wg_kernel_name(-1) == NULL && wg_kernel_name(wg_kernel_count()) == NULL, "range");
  CHECK(strcmp(wg_status_name(WG_ERR_THREAD), "WG_ERR_THREAD") == 0 &&
            strcmp(wg_status_name(WG_ERR_ALIASING), "WG_ERR_ALIASING") == 0 &&
            strcmp(wg_status_name(WG_ERR_MISALIGNED), "WG_ERR_MISALIGNED") == 0 &&
            strcmp(wg_status_name((wg_status)14), "WG_ERR_?") == 0 &&
            strcmp(wg_status_name((wg_status)99), "WG_ERR_?") == 0, "names");
  CHECK(WG_ERR_THREAD == 11 && WG_ERR_ALIASING == 12 && WG_ERR_MISALIGNED == 13, "pinned");
  /* A forced kernel that cannot compute a combination: UNSUPPORTED, not a
   * silent fallback.  The 8-bit portable kernel cannot serve b = 16. */
  int8_t w[4] = {1, 2, 3, 4};
  uint8_t x[2] = {1, 2};
  unsigned char y[16];
  memset(y, CANARY, sizeof y);
  wg_weights *pw;
  CHECK(wg_context_force_kernel(ctx, "acc8_int8_x_u8_4x32__c") == WG_OK, "force");
  CHECK(wg_weights_pack(ctx, w, 2, 2, 2, WG_WEIGHTS_INT, 4, &pw) == WG_OK, "pack");
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 16;
  CHECK(wg_gemm(ctx, pw, x, 1, 1, (wg_act_format){2, 0}, &ep, y, 1, NULL) == WG_ERR_UNSUPPORTED,
        "forced kernel too narrow");
  for (size_t i = 0; i < sizeof y; i++) CHECK(y[i] == CANARY, "written");
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
}

TEST(badinput_conv2d) {
  fixture fx, *f = &fx;
  setup(f);
  wg_weights *w9;
  int8_t codes[2 * 18] = {0};
  CHECK(wg_weights_pack(f->ctx, codes, 2, 18, 18, WG_WEIGHTS_TERNARY, 0, &w9) == WG_OK, "pack");
  wg_conv2d_desc good = {WG_NCHW, 1, 2, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  uint8_t x[32] = {0};
  CHECK(wg_conv2d(f->ctx, w9, &good, x, f->act, &f->ep, f->y, NULL) == WG_OK, "good");
  memset(f->y, CANARY, sizeof f->y);
#define EXPECT_CONV(want, desc)                                                         \
  do {                                                                                  \
    wg_conv2d_desc d_ = desc;                                                           \
    wg_status st_ = wg_conv2d(f->ctx, w9, &d_, x, f->act, &f->ep, f->y, &f->info);      \
    CHECK(st_ == (want), "%s: %s", #desc, wg_status_name(st_));                         \
    CHECK(untouched(f), "output written");                                              \
  } while (0)
  wg_conv2d_desc d = good;
  d.batch = 0;
  EXPECT_CONV(WG_ERR_BAD_SIZE, d);
  d = good;
  d.stride_h = 0;
  EXPECT_CONV(WG_ERR_BAD_SIZE, d);
  d = good;
  d.pad_left = -1;
  EXPECT_CONV(WG_ERR_BAD_SIZE, d);
  d = good;
  d.dilation_w = 0;
  EXPECT_CONV(WG_ERR_BAD_SIZE, d);
  d = good;
  d.pad_top = d.pad_bottom = 0;
  d.dilation_h = 3; /* window 7 rows > 4 */
  EXPECT_CONV(WG_ERR_BAD_SIZE, d);
  d = good;
  d.layout = (wg_layout)5;
  EXPECT_CONV(WG_ERR_BAD_OPTION, d);
  d = good;
  d.channels = 3; /* K = 27 does not match the weights' 18 */
  EXPECT_CONV(WG_ERR_UNSUPPORTED, d);
  d = good;
  d.width = (int64_t)1 << 40;
  EXPECT_CONV(WG_ERR_SIZE_OVERFLOW, d);
  d = good;
  d.batch = (int64_t)1 << 30;
  d.height = (int64_t)1 << 30;
  EXPECT_CONV(WG_ERR_SIZE_OVERFLOW, d);
  /* Each field below 2^31 (docs/api.md), even where nothing would overflow. */
  d = good;
  d.stride_h = (int64_t)1 << 31;
  EXPECT_CONV(WG_ERR_SIZE_OVERFLOW, d);
  d = good;
  d.dilation_w = ((int64_t)1 << 31) - 1;
  d.kernel_w = 1; /* the limit itself is fine, but K no longer matches */
  EXPECT_CONV(WG_ERR_UNSUPPORTED, d);
  x[5] = 200; /* code outside 3 bits */
  EXPECT_CONV(WG_ERR_BAD_CODE, good);
  x[5] = 0;
  /* A zero point outside the codes: padding the kernels cannot take. */
  wg_act_format keep = f->act;
  f->act.zero_point = 8;
  EXPECT_CONV(WG_ERR_BAD_OPTION, good);
  f->act = keep;
  /* y over x, and an int32 y one byte off its alignment. */
  CHECK(wg_conv2d(f->ctx, w9, &good, f->y, f->act, &f->ep, f->y + 8, &f->info) ==
            WG_ERR_ALIASING, "conv y over x");
  CHECK(wg_conv2d(f->ctx, w9, &good, x, f->act, &f->ep, f->y + 1, &f->info) ==
            WG_ERR_MISALIGNED, "conv y misaligned");
  CHECK(untouched(f), "output written");
  CHECK(wg_conv2d(f->ctx, w9, NULL, x, f->act, &f->ep, f->y, NULL) == WG_ERR_NULL_POINTER, "null d");
  d = good;
  d.stride_w = 0;
  CHECK(wg_conv2d_out_h(NULL) == 0 && wg_conv2d_out_w(&d) == 0 && wg_conv2d_out_h(&good) == 4,
        "out size");
  wg_weights_destroy(w9);
  teardown(f);
}

/* One bad activation code anywhere (first, last, inside the vector body or
 * the scalar tail, dense or strided) is found; exactly-max codes are fine. */
TEST(badinput_activation_code_anywhere) {
  wgt_rng r = {wgt_seed() ^ 0xc0de};
  wg_context *ctx;
  wg_weights *pw;
  int8_t w[3 * 300];
  memset(w, 1, sizeof w);
  CHECK(wg_context_create(1, &ctx) == WG_OK, "ctx");
  for (int64_t k = 1; k <= 300; k += (k < 40 ? 1 : 37)) {
    CHECK(wg_weights_pack(ctx, w, 3, k, k, WG_WEIGHTS_BINARY, 0, &pw) == WG_OK, "pack");
    for (int64_t n = 1; n <= 200; n += (n < 70 ? 13 : 61)) {
      int64_t ldx = n + (k % 3);
      uint8_t *x = malloc((size_t)(k * ldx));
      int32_t y[3 * 200];
      for (int bits = 1; bits <= 7; bits += 3) {
        memset(x, (1 << bits) - 1, (size_t)(k * ldx));
        int64_t at = wgt_range(&r, 0, k - 1) * ldx + wgt_range(&r, 0, n - 1);
        wg_act_format act = {bits, 0};
        wg_epilogue ep = wg_epilogue_default();
        CHECK(wg_gemm(ctx, pw, x, n, ldx, act, &ep, y, n, NULL) == WG_OK, "max codes k=%lld n=%lld",
              (long long)k, (long long)n);
        x[at] = (uint8_t)(1 << bits);
        CHECK(wg_gemm(ctx, pw, x, n, ldx, act, &ep, y, n, NULL) == WG_ERR_BAD_CODE,
              "bad code at %lld missed (k=%lld n=%lld bits=%d)", (long long)at, (long long)k,
              (long long)n, bits);
        /* A bad byte in the stride gap is not an activation: ignored. */
        if (ldx > n) {
          x[at] = 0;
          x[(k - 1) * ldx + n] = 0xFF;
          CHECK(wg_gemm(ctx, pw, x, n, ldx, act, &ep, y, n, NULL) == WG_OK, "gap byte");
        }
      }
      free(x);
    }
    wg_weights_destroy(pw);
  }
  wg_context_destroy(ctx);
}

/* The new statuses and where they sit in the order of checks (docs/api.md):
 * ... SIZE_OVERFLOW, options, MISALIGNED, ALIASING, BAD_CODE, ... */
TEST(badinput_gemm_alignment_aliasing_and_order) {
  fixture fx, *f = &fx;
  setup(f);
  unsigned char xkeep[sizeof f->x];
  memcpy(xkeep, f->x, sizeof xkeep);
  const wg_act_format act = f->act;
  /* y over x (int8 output: no alignment to meet). */
  f->ep.acc_bits = 8;
  f->ep.output = WG_OUTPUT_INT8;
  CHECK(wg_gemm(f->ctx, f->w, f->x, N, N, act, &f->ep, f->x + 3, N, &f->info) ==
            WG_ERR_ALIASING && memcmp(xkeep, f->x, sizeof xkeep) == 0 && untouched(f),
        "y over x");
  /* int16, int32 and float y off their element size. */
  static const wg_output_kind typed[] = {WG_OUTPUT_INT16, WG_OUTPUT_INT32, WG_OUTPUT_FLOAT32};
  for (int t = 0; t < 3; t++) {
    f->ep = wg_epilogue_default();
    f->ep.acc_bits = 16;
    f->ep.output = typed[t];
    f->ep.scale = f->scale;
    f->ep.bias = f->bias;
    for (int off = 1; off < (t ? 4 : 2); off++)
      EXPECT_GEMM(f, WG_ERR_MISALIGNED, f->ctx, f->w, f->x, N, N, act, &f->ep, f->y + off, N,
                  &f->info);
  }
  /* A misaligned per-row array, before its values are read. */
  f->ep = wg_epilogue_default();
  f->ep.output = WG_OUTPUT_UINT8_FLOAT;
  f->ep.scale = (const float *)(const void *)((const char *)f->scale + 2);
  f->ep.bias = f->bias;
  EXPECT_GEMM(f, WG_ERR_MISALIGNED, f->ctx, f->w, f->x, N, N, act, &f->ep, f->y, N, &f->info);
  /* Order: each pair of faults reports the earlier check. */
  f->ep = wg_epilogue_default();
  f->ep.output = WG_OUTPUT_INT32;
  /* misaligned for int32 and over x */
  unsigned char *over_x = (unsigned char *)f->x + ((uintptr_t)f->x % 4 == 3 ? 2 : 1);
  EXPECT_GEMM(f, WG_ERR_MISALIGNED, f->ctx, f->w, f->x, N, N, act, &f->ep, over_x, N, &f->info);
  EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, (wg_act_format){3, 8}, &f->ep,
              f->y + 1, N, &f->info);
  EXPECT_GEMM(f, WG_ERR_SIZE_OVERFLOW, f->ctx, f->w, f->x, N, N, act, &f->ep, f->y + 1,
              INT64_MAX / 3, &f->info);
  f->ep.output = WG_OUTPUT_INT8;
  f->ep.acc_bits = 8;
  f->x[K * N - 1] = 8; /* a bad code too: aliasing is checked first */
  memcpy(xkeep, f->x, sizeof xkeep);
  CHECK(wg_gemm(f->ctx, f->w, f->x, N, N, act, &f->ep, f->x, N, &f->info) == WG_ERR_ALIASING &&
            memcmp(xkeep, f->x, sizeof xkeep) == 0,
        "aliasing before codes");
  EXPECT_GEMM(f, WG_ERR_BAD_CODE, f->ctx, f->w, f->x, N, N, act, &f->ep, f->y, N, &f->info);
  f->x[K * N - 1] = 7;
  /* Misaligned scale and a non-finite one: alignment first. */
  f->ep = wg_epilogue_default();
  f->ep.output = WG_OUTPUT_FLOAT32;
  f->bias[0] = 1.0f / 0.0f;
  f->ep.scale = f->scale;
  f->ep.bias = (const float *)(const void *)((const char *)f->bias + 1);
  EXPECT_GEMM(f, WG_ERR_MISALIGNED, f->ctx, f->w, f->x, N, N, act, &f->ep, f->y, N, &f->info);
  f->ep.bias = f->bias;
  EXPECT_GEMM(f, WG_ERR_BAD_OPTION, f->ctx, f->w, f->x, N, N, act, &f->ep, f->y, N, &f->info);
  f->bias[0] = 1.0f;
  /* wg_run_info is an output too: over y is ALIASING (nothing written),
   * right after y's last byte it is fine. */
  f->ep = wg_epilogue_default();
  const size_t yb = (size_t)(M * N) * 4;
  wg_run_info *over = (wg_run_info *)(void *)(f->y + 8);
  wg_run_info *after = (wg_run_info *)(void *)(f->y + yb);
  EXPECT_GEMM(f, WG_ERR_ALIASING, f->ctx, f->w, f->x, N, N, act, &f->ep, f->y, N, over);
  CHECK(wg_gemm(f->ctx, f->w, f->x, N, N, act, &f->ep, f->y, N, after) == WG_OK &&
            after->kernel && after->method,
        "info right after y");
  teardown(f);
}
