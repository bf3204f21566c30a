/* The SWAR API's argument checks: every bad input returns its documented
 * status and writes nothing (canary bytes around and inside every output). */
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CAN 0x5A

enum { BM = 3, BN = 5, BK = 9, PAD = 16 };

typedef struct bad_env {
  int8_t w[BM * BK], wint[BM * BK];
  uint8_t x[BK * BN];
  wg_weights *tern, *wide; /* ternary codes; INT codes reaching -4..3 */
  wg_epilogue ep;
  _Alignas(16) unsigned char y[PAD + BM * BN * 4 + PAD];
  uint32_t cnt[PAD + BM * BN + PAD], lane[PAD + BM * BN + PAD];
  int32_t corr[BM * BN + 1];
} bad_env;

static int env_make(bad_env *e) {
  memset(e, 0, sizeof *e);
  for (int i = 0; i < BM * BK; i++) {
    e->w[i] = (int8_t)(i % 3 - 1);
    e->wint[i] = (int8_t)(i % 8 - 4);
  }
  for (int i = 0; i < BK * BN; i++) e->x[i] = (uint8_t)(i % 16);
  e->ep = wg_epilogue_default();
  e->ep.acc_bits = 7;
  e->ep.output = WG_OUTPUT_INT32;
  wg_context *ctx;
  if (wg_context_create(1, &ctx) != WG_OK) return 0;
  int ok = wg_weights_pack(ctx, e->w, BM, BK, BK, WG_WEIGHTS_TERNARY, 2, &e->tern) == WG_OK &&
           wg_weights_pack(ctx, e->wint, BM, BK, BK, WG_WEIGHTS_INT, 3, &e->wide) == WG_OK;
  wg_context_destroy(ctx);
  return ok;
}

static void env_arm(bad_env *e) {
  memset(e->y, CAN, sizeof e->y);
  memset(e->cnt, CAN, sizeof e->cnt);
  memset(e->lane, CAN, sizeof e->lane);
}

static int env_untouched(const bad_env *e) {
  const unsigned char *p[3] = {e->y, (const unsigned char *)e->cnt,
                               (const unsigned char *)e->lane};
  size_t n[3] = {sizeof e->y, sizeof e->cnt, sizeof e->lane};
  for (int a = 0; a < 3; a++)
    for (size_t i = 0; i < n[a]; i++)
      if (p[a][i] != CAN) return 0;
  return 1;
}

/* One call of wg_swar_gemm: a valid carry-mode call with up to two of its
 * arguments changed. */
enum {
  F_NONE, F_NULL_W, F_NULL_X, F_NULL_EP, F_NULL_OPT, F_NULL_Y, F_WIDE, F_N, F_LDX,
  F_LDY, F_ACT_BITS, F_ACT_ZP, F_ACC, F_OUT, F_REG, F_MODE, F_COUNTS, F_LD_COUNTS,
  F_CORR, F_LD_CORR,
  F_Y_OFF,      /* y this many bytes further                            */
  F_CNT_OFF,    /* carries this many bytes further                      */
  F_CORR_OFF,   /* the correction this many bytes further               */
  F_Y_AT_X,     /* y at byte value - 1 of x                             */
  F_CNT_AT_Y,   /* carries where y is                                   */
  F_CORR_AT_Y,  /* the correction where y is                            */
  F_LAST = F_CORR_AT_Y
};
typedef struct gemm_change {
  int field;
  int64_t value;
} gemm_change;
typedef struct gemm_row {
  const char *what;
  wg_status want;
  gemm_change c[3];
} gemm_row;

static const gemm_row gemm_rows[] = {
    {"w NULL", WG_ERR_NULL_POINTER, {{F_NULL_W, 1}}},
    {"x NULL", WG_ERR_NULL_POINTER, {{F_NULL_X, 1}}},
    {"ep NULL", WG_ERR_NULL_POINTER, {{F_NULL_EP, 1}}},
    {"opt NULL", WG_ERR_NULL_POINTER, {{F_NULL_OPT, 1}}},
    {"y NULL", WG_ERR_NULL_POINTER, {{F_NULL_Y, 1}}},
    {"n = 0", WG_ERR_BAD_SIZE, {{F_N, 0}}},
    {"n < 0", WG_ERR_BAD_SIZE, {{F_N, -3}}},
    {"ldx < n", WG_ERR_BAD_STRIDE, {{F_LDX, BN - 1}}},
    {"ldy < n", WG_ERR_BAD_STRIDE, {{F_LDY, BN - 1}}},
    {"ld_carries < n", WG_ERR_BAD_STRIDE, {{F_COUNTS, 1}, {F_LD_COUNTS, BN - 1}}},
    {"ld_correction < n", WG_ERR_BAD_STRIDE, {{F_CORR, 1}, {F_LD_CORR, 2}}},
    {"ldx overflows", WG_ERR_SIZE_OVERFLOW, {{F_LDX, INT64_MAX / 2}}},
    {"ld_carries overflows", WG_ERR_SIZE_OVERFLOW,
     {{F_COUNTS, 1}, {F_LD_COUNTS, INT64_MAX / 2}}},
    {"act bits 0", WG_ERR_BAD_OPTION, {{F_ACT_BITS, 0}}},
    {"act bits 9", WG_ERR_BAD_OPTION, {{F_ACT_BITS, 9}}},
    {"zero point 256", WG_ERR_BAD_OPTION, {{F_ACT_ZP, 256}}},
    {"acc bits 1", WG_ERR_BAD_OPTION, {{F_ACC, 1}}},
    {"output kind 99", WG_ERR_BAD_OPTION, {{F_OUT, 99}}},
    {"reg bits 16", WG_ERR_BAD_OPTION, {{F_REG, 16}}},
    {"reg bits 128", WG_ERR_BAD_OPTION, {{F_REG, 128}}},
    {"mode 3", WG_ERR_BAD_OPTION, {{F_MODE, 3}}},
    {"mode -1", WG_ERR_BAD_OPTION, {{F_MODE, -1}}},
    {"activation code >= 2^bits", WG_ERR_BAD_CODE, {{F_ACT_BITS, 3}}},
    {"acc bits 9", WG_ERR_UNSUPPORTED, {{F_ACC, 9}, {F_COUNTS, 1}}},
    {"acc bits 32", WG_ERR_UNSUPPORTED, {{F_ACC, 32}}},
    {"buffer with b = 8", WG_ERR_UNSUPPORTED, {{F_MODE, WG_SWAR_BUFFER}, {F_ACC, 8}}},
    {"buffer with 8-bit codes", WG_ERR_UNSUPPORTED,
     {{F_MODE, WG_SWAR_BUFFER}, {F_ACT_BITS, 8}}},
    {"counts in exact mode", WG_ERR_UNSUPPORTED, {{F_MODE, WG_SWAR_EXACT}, {F_COUNTS, 1}}},
    {"correction in buffer mode", WG_ERR_UNSUPPORTED,
     {{F_MODE, WG_SWAR_BUFFER}, {F_CORR, 1}}},
    {"weights beyond -1..1", WG_ERR_UNSUPPORTED, {{F_WIDE, 1}}},
    /* The zero point is a code of the format (4 bits here). */
    {"zero point 2^bits", WG_ERR_BAD_OPTION, {{F_ACT_ZP, 16}}},
    {"zero point 2 with 1-bit codes (and bad codes)", WG_ERR_BAD_OPTION,
     {{F_ACT_BITS, 1}, {F_ACT_ZP, 2}}},
    {"zero point 2^bits in buffer mode", WG_ERR_BAD_OPTION,
     {{F_MODE, WG_SWAR_BUFFER}, {F_ACT_ZP, 16}}},
    /* Typed arrays off their element size. */
    {"int32 y misaligned", WG_ERR_MISALIGNED, {{F_Y_OFF, 2}}},
    {"int16 y misaligned", WG_ERR_MISALIGNED, {{F_Y_OFF, 1}, {F_OUT, WG_OUTPUT_INT16}}},
    {"carries misaligned", WG_ERR_MISALIGNED, {{F_COUNTS, 1}, {F_CNT_OFF, 1}}},
    {"correction misaligned", WG_ERR_MISALIGNED, {{F_CORR, 1}, {F_CORR_OFF, 2}}},
    /* Outputs over inputs or over each other. */
    {"y over x", WG_ERR_ALIASING, {{F_Y_AT_X, 1}, {F_OUT, WG_OUTPUT_INT8}}},
    {"carries over y", WG_ERR_ALIASING, {{F_COUNTS, 1}, {F_CNT_AT_Y, 1}}},
    {"correction under y", WG_ERR_ALIASING, {{F_CORR, 1}, {F_CORR_AT_Y, 1}}},
    /* Order: options, alignment, aliasing, codes, unsupported. */
    {"misaligned int32 y over x", WG_ERR_MISALIGNED, {{F_Y_AT_X, 2}}},
    {"bad zero point, misaligned y", WG_ERR_BAD_OPTION, {{F_ACT_ZP, 16}, {F_Y_OFF, 2}}},
    {"y over x and bad codes", WG_ERR_ALIASING,
     {{F_Y_AT_X, 1}, {F_OUT, WG_OUTPUT_INT8}, {F_ACT_BITS, 3}}},
    {"counts in exact mode over y", WG_ERR_ALIASING,
     {{F_MODE, WG_SWAR_EXACT}, {F_COUNTS, 1}, {F_CNT_AT_Y, 1}}},
    {"ld_carries < n, ldx overflows", WG_ERR_BAD_STRIDE,
     {{F_COUNTS, 1}, {F_LD_COUNTS, BN - 1}, {F_LDX, INT64_MAX / 2}}},
    {"ld_correction < n before a misaligned y", WG_ERR_BAD_STRIDE,
     {{F_CORR, 1}, {F_LD_CORR, 2}, {F_Y_OFF, 2}}},
};

TEST(swar_api_bad_inputs_write_nothing) {
  bad_env *e = malloc(sizeof *e);
  CHECK(e && env_make(e), "setup");
  for (size_t r = 0; r < sizeof gemm_rows / sizeof gemm_rows[0]; r++) {
    const gemm_row *g = &gemm_rows[r];
    int64_t v[F_LAST + 1] = {0};
    v[F_N] = v[F_LDX] = v[F_LDY] = v[F_LD_COUNTS] = v[F_LD_CORR] = BN;
    v[F_ACT_BITS] = 4;
    v[F_ACC] = 7;
    v[F_OUT] = WG_OUTPUT_INT32;
    v[F_REG] = 64;
    v[F_MODE] = WG_SWAR_CARRY;
    for (int c = 0; c < 3; c++)
      if (g->c[c].field != F_NONE) v[g->c[c].field] = g->c[c].value;
    unsigned char *y = v[F_Y_AT_X] ? (unsigned char *)e->x + v[F_Y_AT_X] - 1
                                   : e->y + PAD + v[F_Y_OFF];
    wg_swar_options o = wg_swar_options_default();
    o.reg_bits = (int)v[F_REG];
    o.mode = (wg_swar_mode)v[F_MODE];
    if (v[F_COUNTS]) {
      o.carries = v[F_CNT_AT_Y] ? (uint32_t *)(void *)y
                                : (uint32_t *)(void *)((unsigned char *)(e->cnt + PAD) +
                                                       v[F_CNT_OFF]);
      o.ld_carries = v[F_LD_COUNTS];
      o.lane_carries = e->lane + PAD;
      o.ld_lane_carries = BN;
    }
    if (v[F_CORR]) {
      o.carry_correction = v[F_CORR_AT_Y] ? (const int32_t *)(const void *)y
                                          : (const int32_t *)(const void *)((unsigned char *)
                                                                                e->corr +
                                                                            v[F_CORR_OFF]);
      o.ld_correction = v[F_LD_CORR];
    }
    wg_epilogue ep = e->ep;
    ep.acc_bits = (int)v[F_ACC];
    ep.output = (wg_output_kind)v[F_OUT];
    wg_act_format act = {(int)v[F_ACT_BITS], (int)v[F_ACT_ZP]};
    env_arm(e);
    uint8_t xkeep[BK * BN];
    memcpy(xkeep, e->x, sizeof xkeep);
    wg_status st = wg_swar_gemm(v[F_NULL_W] ? NULL : v[F_WIDE] ? e->wide : e->tern,
                                v[F_NULL_X] ? NULL : e->x, v[F_N], v[F_LDX], act,
                                v[F_NULL_EP] ? NULL : &ep, v[F_NULL_OPT] ? NULL : &o,
                                v[F_NULL_Y] ? NULL : y, v[F_LDY]);
    CHECK(memcmp(xkeep, e->x, sizeof xkeep) == 0, "wg_swar_gemm %s: wrote to x", g->what);
    CHECK(st == g->want, "wg_swar_gemm %s: %s, want %s", g->what, wg_status_name(st),
          wg_status_name(g->want));
    CHECK(env_untouched(e), "wg_swar_gemm %s: wrote to an output", g->what);
    wgt_count_check(1);
  }
  /* The same arguments without a fault succeed, and write only inside. */
  wg_swar_options o = wg_swar_options_default();
  o.mode = WG_SWAR_CARRY;
  o.carries = e->cnt + PAD;
  o.ld_carries = BN;
  wg_act_format act = {4, 0};
  env_arm(e);
  CHECK(wg_swar_gemm(e->tern, e->x, BN, BN, act, &e->ep, &o, e->y + PAD, BN) == WG_OK,
        "control call failed");
  CHECK(!env_untouched(e), "control call wrote nothing");
  CHECK(e->y[PAD - 1] == CAN && e->y[PAD + BM * BN * 4] == CAN &&
            e->cnt[PAD - 1] == 0x5A5A5A5Au && e->cnt[PAD + BM * BN] == 0x5A5A5A5Au,
        "control call wrote outside its outputs");
  wg_weights_destroy(e->tern);
  wg_weights_destroy(e->wide);
  free(e);
}

TEST(swar_naive_bad_inputs_write_nothing) {
  bad_env *e = malloc(sizeof *e);
  CHECK(e && env_make(e), "setup");
  wg_act_format act = {4, 0}, bad_act = {9, 0}, small_act = {3, 0};
  wg_epilogue b8 = e->ep, b16 = e->ep, i8 = e->ep;
  b8.acc_bits = 8;
  b16.output = WG_OUTPUT_INT16;
  i8.output = WG_OUTPUT_INT8;
  wg_act_format zx16 = {4, 16};
  struct {
    const char *what;
    wg_status want;
    const int8_t *w;
    int64_t m, k, ldw, n, ldx, ldy;
    wg_act_format act;
    const wg_epilogue *ep;
    int y; /* 0: the output buffer; 1: one byte into it; 2: x; 3: w */
  } rows[] = {
      {"w NULL", WG_ERR_NULL_POINTER, NULL, BM, BK, BK, BN, BN, BN, act, &e->ep, 0},
      {"ep NULL", WG_ERR_NULL_POINTER, e->w, BM, BK, BK, BN, BN, BN, act, NULL, 0},
      {"m = 0", WG_ERR_BAD_SIZE, e->w, 0, BK, BK, BN, BN, BN, act, &e->ep, 0},
      {"k < 0", WG_ERR_BAD_SIZE, e->w, BM, -1, BK, BN, BN, BN, act, &e->ep, 0},
      {"ldw < k", WG_ERR_BAD_STRIDE, e->w, BM, BK, BK - 1, BN, BN, BN, act, &e->ep, 0},
      {"ldy < n", WG_ERR_BAD_STRIDE, e->w, BM, BK, BK, BN, BN, 1, act, &e->ep, 0},
      {"ldw overflows", WG_ERR_SIZE_OVERFLOW, e->w, BM, BK, INT64_MAX / 2, BN, BN, BN,
       act, &e->ep, 0},
      {"act bits 9", WG_ERR_BAD_OPTION, e->w, BM, BK, BK, BN, BN, BN, bad_act, &e->ep, 0},
      {"weight code 2", WG_ERR_BAD_CODE, e->wint, BM, BK, BK, BN, BN, BN, act, &e->ep, 0},
      {"activation code", WG_ERR_BAD_CODE, e->w, BM, BK, BK, BN, BN, BN, small_act,
       &e->ep, 0},
      {"acc bits 8", WG_ERR_UNSUPPORTED, e->w, BM, BK, BK, BN, BN, BN, act, &b8, 0},
      {"zero point 2^bits", WG_ERR_BAD_OPTION, e->w, BM, BK, BK, BN, BN, BN, zx16, &e->ep, 0},
      {"int16 y misaligned", WG_ERR_MISALIGNED, e->w, BM, BK, BK, BN, BN, BN, act, &b16, 1},
      {"y over x", WG_ERR_ALIASING, e->w, BM, BK, BK, BN, BN, BN, act, &i8, 2},
      {"y over w", WG_ERR_ALIASING, e->w, BM, BK, BK, BN, BN, BN, act, &i8, 3},
      {"y over x and bad codes", WG_ERR_ALIASING, e->w, BM, BK, BK, BN, BN, BN, small_act,
       &i8, 2},
  };
  for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
    env_arm(e);
    int8_t wkeep[BM * BK];
    uint8_t xkeep[BK * BN];
    memcpy(wkeep, e->w, sizeof wkeep);
    memcpy(xkeep, e->x, sizeof xkeep);
    void *y = rows[r].y == 2   ? (void *)e->x
              : rows[r].y == 3 ? (void *)e->w
                               : (void *)(e->y + PAD + rows[r].y);
    wg_status st = wg_swar_naive_gemm(rows[r].w, rows[r].m, rows[r].k, rows[r].ldw, e->x,
                                      rows[r].n, rows[r].ldx, rows[r].act, rows[r].ep, y,
                                      rows[r].ldy);
    CHECK(memcmp(wkeep, e->w, sizeof wkeep) == 0 && memcmp(xkeep, e->x, sizeof xkeep) == 0,
          "naive %s: wrote to an input", rows[r].what);
    CHECK(st == rows[r].want, "naive %s: %s, want %s", rows[r].what, wg_status_name(st),
          wg_status_name(rows[r].want));
    CHECK(env_untouched(e), "naive %s: wrote to the output", rows[r].what);
    wgt_count_check(1);
  }
  wg_weights_destroy(e->tern);
  wg_weights_destroy(e->wide);
  free(e);
}

TEST(swar_stats_bad_inputs_write_nothing) {
  _Alignas(8) uint32_t counts[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  uint64_t mean[4], sd[4];
  int32_t corr[4];
  struct {
    const char *what;
    wg_status want;
    const uint32_t *c;
    int64_t batch, outputs, stride;
    int outs; /* bit 0 mean, 1 std, 2 correction */
    int odd;  /* 1: mean over the counts; 2: std over the mean; 3: mean misaligned;
                 4: counts misaligned */
  } rows[] = {
      {"counts NULL", WG_ERR_NULL_POINTER, NULL, 3, 4, 4, 7, 0},
      {"no output", WG_ERR_NULL_POINTER, counts, 3, 4, 4, 0, 0},
      {"batch 0", WG_ERR_BAD_SIZE, counts, 0, 4, 4, 7, 0},
      {"batch > 2^31", WG_ERR_BAD_SIZE, counts, ((int64_t)1 << 31) + 1, 4, 4, 7, 0},
      {"outputs 0", WG_ERR_BAD_SIZE, counts, 3, 0, 4, 7, 0},
      {"stride < outputs", WG_ERR_BAD_STRIDE, counts, 3, 4, 3, 7, 0},
      {"stride overflows", WG_ERR_SIZE_OVERFLOW, counts, 3, 4, INT64_MAX / 2, 7, 0},
      {"mean over the counts", WG_ERR_ALIASING, counts, 3, 4, 4, 7, 1},
      {"std over the mean", WG_ERR_ALIASING, counts, 3, 4, 4, 3, 2},
      {"mean misaligned", WG_ERR_MISALIGNED, counts, 3, 4, 4, 1, 3},
      {"counts misaligned", WG_ERR_MISALIGNED, counts, 2, 4, 4, 4, 4},
      {"stride overflows, mean over the counts", WG_ERR_SIZE_OVERFLOW, counts, 3, 4,
       INT64_MAX / 2, 7, 1},
  };
  for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
    memset(mean, CAN, sizeof mean);
    memset(sd, CAN, sizeof sd);
    memset(corr, CAN, sizeof corr);
    uint32_t ckeep[12];
    memcpy(ckeep, counts, sizeof ckeep);
    _Alignas(8) unsigned char spare[40];
    int odd = rows[r].odd;
    uint64_t *mp = odd == 1 ? (uint64_t *)(void *)counts
                   : odd == 3 ? (uint64_t *)(void *)(spare + 4)
                              : mean;
    uint64_t *sp = odd == 2 ? mean + 1 : sd;
    const uint32_t *cp = odd == 4 ? (const uint32_t *)(const void *)((const char *)counts + 2)
                                  : rows[r].c;
    wg_status st = wg_swar_carry_stats(cp, rows[r].batch, rows[r].outputs, rows[r].stride,
                                       rows[r].outs & 1 ? mp : NULL,
                                       rows[r].outs & 2 ? sp : NULL,
                                       rows[r].outs & 4 ? corr : NULL);
    CHECK(memcmp(ckeep, counts, sizeof ckeep) == 0, "stats %s: wrote to the counts",
          rows[r].what);
    CHECK(st == rows[r].want, "stats %s: %s, want %s", rows[r].what, wg_status_name(st),
          wg_status_name(rows[r].want));
    for (int i = 0; i < 4; i++)
      CHECK(mean[i] == 0x5A5A5A5A5A5A5A5Aull && sd[i] == 0x5A5A5A5A5A5A5A5Aull &&
                corr[i] == 0x5A5A5A5A,
            "stats %s: wrote output %d", rows[r].what, i);
    wgt_count_check(1);
  }
}
