/*
 * Bad input to wg_gemm_ex, wg_plan_gemm_ex and wg_weights_pack_ex: each
 * fault returns its documented status (the first in the documented order)
 * and nothing is written; and the plans of the new layouts and zero points
 * name what the call runs.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CAN 0x5C
enum { M = 5, K = 9, N = 7 };

typedef struct fixture {
  wg_context *ctx;
  wg_weights *w;
  uint8_t x[N * (K + 3)];           /* X as N x K (ldx K + 3) or K x N */
  _Alignas(8) int32_t y[(N + 2) * (M + 4) + 8];
} fixture;

static int setup(fixture *f) {
  int8_t codes[M * K];
  for (int i = 0; i < M * K; i++) codes[i] = (int8_t)(i % 7 - 3);
  memset(f->x, 1, sizeof f->x);
  memset(f->y, CAN, sizeof f->y);
  return wg_context_create(2, &f->ctx) == WG_OK &&
         wg_weights_pack(f->ctx, codes, M, K, K, WG_WEIGHTS_INT, 4, &f->w) == WG_OK;
}

static void teardown(fixture *f) {
  wg_weights_destroy(f->w);
  wg_context_destroy(f->ctx);
}

static int untouched(const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    if (b[i] != CAN) return 0;
  return 1;
}

TEST(gemm_ex_bad_input_nothing_written) {
  fixture f;
  CHECK(setup(&f), "set-up");
  wg_epilogue ep = wg_epilogue_default();
  wg_act_format act = {4, 2};
  const wg_gemm_desc good = {N, WG_COL_MAJOR, K + 3, WG_COL_MAJOR, M + 4};
  struct {
    const char *what;
    wg_gemm_desc d;
    int fault; /* 0: d only; 1 NULL x; 2 NULL d; 3 misaligned d; 4 misaligned y; 5 y over x;
                  6 a bad code; 7 NULL ctx */
    wg_status want;
  } cases[] = {
      {"n = 0", {0, WG_COL_MAJOR, K + 3, WG_COL_MAJOR, M + 4}, 0, WG_ERR_BAD_SIZE},
      {"ldx < K (X column-major)", {N, WG_COL_MAJOR, K - 1, WG_COL_MAJOR, M + 4}, 0,
       WG_ERR_BAD_STRIDE},
      {"ldx < n (X row-major)", {N, WG_ROW_MAJOR, N - 1, WG_COL_MAJOR, M + 4}, 0,
       WG_ERR_BAD_STRIDE},
      {"ldy < M (Y column-major)", {N, WG_COL_MAJOR, K + 3, WG_COL_MAJOR, M - 1}, 0,
       WG_ERR_BAD_STRIDE},
      {"ldy < n (Y row-major)", {N, WG_COL_MAJOR, K + 3, WG_ROW_MAJOR, N - 1}, 0,
       WG_ERR_BAD_STRIDE},
      {"ldx overflows", {N, WG_COL_MAJOR, INT64_MAX / 2, WG_COL_MAJOR, M + 4}, 0,
       WG_ERR_SIZE_OVERFLOW},
      {"ldy overflows", {N, WG_COL_MAJOR, K + 3, WG_COL_MAJOR, INT64_MAX / 4}, 0,
       WG_ERR_SIZE_OVERFLOW},
      {"x_order 2", {N, (wg_order)2, K + 3, WG_COL_MAJOR, M + 4}, 0, WG_ERR_BAD_OPTION},
      {"y_order -1", {N, WG_COL_MAJOR, K + 3, (wg_order)-1, M + 4}, 0, WG_ERR_BAD_OPTION},
      {"NULL x", good, 1, WG_ERR_NULL_POINTER},
      {"NULL d", good, 2, WG_ERR_NULL_POINTER},
      {"NULL ctx", good, 7, WG_ERR_NULL_POINTER},
      {"misaligned d", good, 3, WG_ERR_MISALIGNED},
      {"misaligned int32 y", good, 4, WG_ERR_MISALIGNED},
      {"y overlapping x", good, 5, WG_ERR_ALIASING},
      {"a code >= 2^bits in X (N x K)", good, 6, WG_ERR_BAD_CODE},
  };
  _Alignas(16) unsigned char dbuf[sizeof(wg_gemm_desc) + 8];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wg_gemm_desc *d = (wg_gemm_desc *)(void *)dbuf;
    if (cases[i].fault == 3) d = (wg_gemm_desc *)(void *)(dbuf + 4);
    memcpy(d, &cases[i].d, sizeof *d);
    void *y = cases[i].fault == 4 ? (char *)f.y + 2 : (void *)f.y;
    const uint8_t *x = cases[i].fault == 1 ? NULL : f.x;
    if (cases[i].fault == 5) { /* int8 outputs over X's bytes */
      ep.output = WG_OUTPUT_INT8;
      ep.acc_bits = 8;
      y = f.x + 4;
    }
    if (cases[i].fault == 6) f.x[(N - 1) * (K + 3) + K - 1] = 16;
    uint8_t xcopy[sizeof f.x];
    memcpy(xcopy, f.x, sizeof f.x);
    wg_run_info info;
    memset(&info, CAN, sizeof info);
    wg_status st = wg_gemm_ex(cases[i].fault == 7 ? NULL : f.ctx, f.w,
                              cases[i].fault == 2 ? NULL : d, x, act, &ep, y, &info);
    CHECK(st == cases[i].want, "%s: %s, want %s", cases[i].what, wg_status_name(st),
          wg_status_name(cases[i].want));
    CHECK(untouched(f.y, sizeof f.y) && untouched(&info, sizeof info) &&
              memcmp(xcopy, f.x, sizeof f.x) == 0,
          "%s: something was written", cases[i].what);
    wg_plan plan;
    memset(&plan, CAN, sizeof plan);
    if (cases[i].fault == 0 || cases[i].fault == 2 || cases[i].fault == 3) {
      st = wg_plan_gemm_ex(f.ctx, f.w, cases[i].fault == 2 ? NULL : d, f.x, act, &ep, &plan);
      CHECK(st == cases[i].want, "plan, %s: %s, want %s", cases[i].what, wg_status_name(st),
            wg_status_name(cases[i].want));
      CHECK(untouched(&plan, sizeof plan), "plan, %s: plan written", cases[i].what);
    }
    ep = wg_epilogue_default();
    memset(f.x, 1, sizeof f.x);
    wgt_count_check(1);
  }
  /* the same call, good, writes */
  wg_run_info info;
  CHECK(wg_gemm_ex(f.ctx, f.w, &good, f.x, act, &ep, f.y, &info) == WG_OK, "good call");
  CHECK(!untouched(f.y, sizeof f.y), "good call wrote nothing");
  teardown(&f);
}

TEST(weights_pack_ex_bad_input_nothing_written) {
  wg_context *ctx;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "ctx");
  uint8_t codes[4 * 6];
  for (int i = 0; i < 24; i++) codes[i] = (uint8_t)(i % 16);
  const wg_weights_desc u4 = {4, 6, WG_ROW_MAJOR, 6, WG_WEIGHTS_INT, 4, 1, 8};
  struct {
    const char *what;
    wg_weights_desc d;
    int fault; /* 1 NULL w, 2 NULL d, 3 misaligned d, 4 NULL out, 5 a code 16, 6 code 0 */
    wg_status want;
  } cases[] = {
      {"m = 0", {0, 6, WG_ROW_MAJOR, 6, WG_WEIGHTS_INT, 4, 1, 8}, 0, WG_ERR_BAD_SIZE},
      {"k = -1", {4, -1, WG_ROW_MAJOR, 6, WG_WEIGHTS_INT, 4, 1, 8}, 0, WG_ERR_BAD_SIZE},
      {"ldw < k (row-major)", {4, 6, WG_ROW_MAJOR, 5, WG_WEIGHTS_INT, 4, 1, 8}, 0,
       WG_ERR_BAD_STRIDE},
      {"ldw < m (column-major)", {4, 6, WG_COL_MAJOR, 3, WG_WEIGHTS_INT, 4, 1, 8}, 0,
       WG_ERR_BAD_STRIDE},
      {"ldw overflows", {4, 6, WG_ROW_MAJOR, INT64_MAX / 2, WG_WEIGHTS_INT, 4, 1, 8}, 0,
       WG_ERR_SIZE_OVERFLOW},
      {"order 2", {4, 6, (wg_order)2, 6, WG_WEIGHTS_INT, 4, 1, 8}, 0, WG_ERR_BAD_OPTION},
      {"format 3", {4, 6, WG_ROW_MAJOR, 6, (wg_weight_format)3, 4, 1, 8}, 0, WG_ERR_BAD_OPTION},
      {"bits 9", {4, 6, WG_ROW_MAJOR, 6, WG_WEIGHTS_INT, 9, 1, 8}, 0, WG_ERR_BAD_OPTION},
      {"is_unsigned 2", {4, 6, WG_ROW_MAJOR, 6, WG_WEIGHTS_INT, 4, 2, 8}, 0, WG_ERR_BAD_OPTION},
      {"unsigned ternary", {4, 6, WG_ROW_MAJOR, 6, WG_WEIGHTS_TERNARY, 4, 1, 0}, 0,
       WG_ERR_BAD_OPTION},
      {"unsigned zw 16 (4 bits)", {4, 6, WG_ROW_MAJOR, 6, WG_WEIGHTS_INT, 4, 1, 16}, 0,
       WG_ERR_BAD_OPTION},
      {"unsigned zw -1", {4, 6, WG_ROW_MAJOR, 6, WG_WEIGHTS_INT, 4, 1, -1}, 0,
       WG_ERR_BAD_OPTION},
      {"signed zw 16 (5 bits)", {4, 6, WG_ROW_MAJOR, 6, WG_WEIGHTS_INT, 5, 0, 16}, 0,
       WG_ERR_BAD_OPTION},
      {"ternary zw 1", {4, 6, WG_ROW_MAJOR, 6, WG_WEIGHTS_TERNARY, 0, 0, 1}, 0,
       WG_ERR_BAD_OPTION},
      {"binary zw -1", {4, 6, WG_ROW_MAJOR, 6, WG_WEIGHTS_BINARY, 0, 0, -1}, 0,
       WG_ERR_BAD_OPTION},
      {"NULL w", u4, 1, WG_ERR_NULL_POINTER},
      {"NULL d", u4, 2, WG_ERR_NULL_POINTER},
      {"misaligned d", u4, 3, WG_ERR_MISALIGNED},
      {"NULL out", u4, 4, WG_ERR_NULL_POINTER},
      {"unsigned 4-bit code 16", u4, 5, WG_ERR_BAD_CODE},
      {"signed 3-bit code 4", {4, 6, WG_ROW_MAJOR, 6, WG_WEIGHTS_INT, 3, 0, 0}, 0,
       WG_ERR_BAD_CODE},
      {"binary code 0", {4, 6, WG_ROW_MAJOR, 6, WG_WEIGHTS_BINARY, 0, 0, 0}, 6,
       WG_ERR_BAD_CODE},
  };
  _Alignas(16) unsigned char dbuf[sizeof(wg_weights_desc) + 8];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t w[24];
    memcpy(w, codes, sizeof w);
    if (cases[i].fault == 5) w[23] = 16;
    if (cases[i].fault == 6) { /* codes -1/+1 but one 0 */
      for (int j = 0; j < 24; j++) w[j] = j % 2 ? 1 : 0xFF;
      w[7] = 0;
    }
    wg_weights_desc *d = (wg_weights_desc *)(void *)(dbuf + (cases[i].fault == 3 ? 4 : 0));
    memcpy(d, &cases[i].d, sizeof *d);
    wg_weights *out = (wg_weights *)(uintptr_t)0x1234;
    wg_status st = wg_weights_pack_ex(ctx, cases[i].fault == 1 ? NULL : w,
                                      cases[i].fault == 2 ? NULL : d,
                                      cases[i].fault == 4 ? NULL : &out);
    CHECK(st == cases[i].want, "%s: %s, want %s", cases[i].what, wg_status_name(st),
          wg_status_name(cases[i].want));
    CHECK(out == (wg_weights *)(uintptr_t)0x1234, "%s: *out written", cases[i].what);
    wgt_count_check(1);
  }
  wg_weights *ok;
  CHECK(wg_weights_pack_ex(ctx, codes, &u4, &ok) == WG_OK, "good pack");
  CHECK(wg_weights_rows(ok) == 4 && wg_weights_depth(ok) == 6, "shape");
  wg_weights_destroy(ok);
  wg_context_destroy(ctx);
}

/* Column-major weights are the row-major ones transposed: the same bits. */
TEST(weights_pack_ex_column_major_same_result) {
  enum { m = 13, k = 29, n = 21 };
  wgt_rng r = {wgt_seed() ^ 0x51};
  uint8_t wr[m * k], wc[k * (m + 3)], x[k * n];
  for (int i = 0; i < m; i++)
    for (int j = 0; j < k; j++) wc[j * (m + 3) + i] = wr[i * k + j] = (uint8_t)wgt_next(&r);
  for (int i = 0; i < k * n; i++) x[i] = (uint8_t)wgt_next(&r);
  wg_context *ctx;
  wg_weights *a, *b;
  const wg_weights_desc dr = {m, k, WG_ROW_MAJOR, k, WG_WEIGHTS_INT, 8, 1, 37};
  const wg_weights_desc dc = {m, k, WG_COL_MAJOR, m + 3, WG_WEIGHTS_INT, 8, 1, 37};
  CHECK(wg_context_create(1, &ctx) == WG_OK && wg_weights_pack_ex(ctx, wr, &dr, &a) == WG_OK &&
            wg_weights_pack_ex(ctx, wc, &dc, &b) == WG_OK,
        "set-up");
  int32_t ya[m * n], yb[m * n];
  wg_epilogue ep = wg_epilogue_default();
  wg_act_format act = {8, 200};
  CHECK(wg_gemm(ctx, a, x, n, n, act, &ep, ya, n, NULL) == WG_OK &&
            wg_gemm(ctx, b, x, n, n, act, &ep, yb, n, NULL) == WG_OK,
        "gemm");
  for (int i = 0; i < m * n; i++) {
    int64_t z = 0;
    for (int j = 0; j < k; j++)
      z += ((int64_t)wr[(i / n) * k + j] - 37) * ((int64_t)x[j * n + i % n] - 200);
    CHECK(ya[i] == (int32_t)z && yb[i] == ya[i], "y[%d]: row-major %d column-major %d exact %lld",
          i, ya[i], yb[i], (long long)z);
  }
  wg_weights_destroy(a);
  wg_weights_destroy(b);
  wg_context_destroy(ctx);
}

/* The plan of each layout and zero point names the method the call ran:
 * X column-major or zero-point weights left to the call never run in
 * place (the in-place tile reads B's rows; the column terms need the
 * packed path). */
TEST(plan_gemm_ex_agrees_with_run) {
  enum { m = 12, k = 64, n = 200 };
  wg_context *ctx;
  CHECK(wg_context_create(2, &ctx) == WG_OK, "ctx");
  int8_t tern[m * k];
  uint8_t u8[m * k];
  for (int i = 0; i < m * k; i++) {
    tern[i] = (int8_t)(i % 3 - 1);
    u8[i] = (uint8_t)(i * 37);
  }
  uint8_t *xbuf = malloc(n * (k + 64) + 128), *x = wgt_place(xbuf, 0);
  memset(xbuf, 3, n * (k + 64) + 128);
  int32_t *y = malloc(sizeof(int32_t) * m * (n + 64));
  const wg_weights_desc dt = {m, k, WG_ROW_MAJOR, k, WG_WEIGHTS_TERNARY, 0, 0, 0};
  const wg_weights_desc dz = {m, k, WG_ROW_MAJOR, k, WG_WEIGHTS_INT, 8, 1, 5};
  for (int wi = 0; wi < 2; wi++) {
    wg_weights *w;
    CHECK(wg_weights_pack_ex(ctx, wi ? (const void *)u8 : tern, wi ? &dz : &dt, &w) == WG_OK,
          "pack");
    for (int o = 0; o < 4; o++) {
      wg_gemm_desc d = {n, o & 1 ? WG_COL_MAJOR : WG_ROW_MAJOR, o & 1 ? k : 256,
                        o & 2 ? WG_COL_MAJOR : WG_ROW_MAJOR, o & 2 ? m : n};
      wg_epilogue ep = wg_epilogue_default();
      ep.acc_bits = 8;
      wg_act_format act = {4, 1};
      wg_plan plan;
      wg_run_info info;
      CHECK(wg_plan_gemm_ex(ctx, w, &d, x, act, &ep, &plan) == WG_OK, "plan");
      CHECK(wg_gemm_ex(ctx, w, &d, x, act, &ep, y, &info) == WG_OK, "gemm");
      CHECK(strcmp(plan.kernel, info.kernel) == 0 && strcmp(plan.method, info.method) == 0,
            "weights %d order %d: plan %s/%s, ran %s/%s", wi, o, plan.kernel, plan.method,
            info.kernel, info.method);
      if (o & 1 || wi)
        CHECK(strcmp(info.method, "gemm") == 0, "weights %d order %d ran %s", wi, o,
              info.method);
      wgt_count_check(1);
    }
    wg_weights_destroy(w);
  }
  free(xbuf);
  free(y);
  wg_context_destroy(ctx);
}
