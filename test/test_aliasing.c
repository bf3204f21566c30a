/* Outputs that overlap an input (or another output): WG_ERR_ALIASING with
 * nothing written; adjacent ranges are fine and exact.  Every operand lies
 * in one arena at chosen offsets; a byte range is [first byte, last byte]
 * computed from sizes and strides (docs/api.md, Aliasing), so each case is
 * placed one byte inside and exactly at the edge of the other range. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "util.h"

enum { ARENA = 8192, MAXREG = 5 };

/* An operand in the arena: bytes 0 means absent (a NULL pointer). */
typedef struct region {
  size_t off, bytes;
  int out;
} region;

typedef wg_status (*call_fn)(const void *env, unsigned char *const *p);

/* Runs fn on the operands at their arena offsets.  On an error status the
 * arena must be unchanged; on WG_OK every output region must hold what the
 * same call writes with each operand in a buffer of its own, and every
 * other byte of the arena must be unchanged. */
static int arena_case(const char *what, const unsigned char *snap, const region *reg, int nreg,
                      call_fn fn, const void *env, wg_status want) {
  unsigned char *arena = aligned_alloc(64, ARENA), *p[MAXREG], *sep[MAXREG] = {0};
  int ok = 1;
  memcpy(arena, snap, ARENA);
  for (int i = 0; i < nreg; i++) p[i] = reg[i].bytes ? arena + reg[i].off : NULL;
  wg_status st = fn(env, p);
  if (st != want) {
    wgt_fail(__FILE__, __LINE__, "%s: %s, want %s", what, wg_status_name(st),
             wg_status_name(want));
    ok = 0;
  } else if (st != WG_OK) {
    if (memcmp(arena, snap, ARENA) != 0) {
      wgt_fail(__FILE__, __LINE__, "%s: %s but the arena changed", what, wg_status_name(st));
      ok = 0;
    }
  } else {
    for (int i = 0; i < nreg; i++)
      if (reg[i].bytes) {
        sep[i] = aligned_alloc(64, (reg[i].bytes + 63) & ~(size_t)63);
        memcpy(sep[i], snap + reg[i].off, reg[i].bytes);
      }
    wg_status st2 = fn(env, sep);
    unsigned char *covered = calloc(ARENA, 1);
    for (int i = 0; i < nreg && ok; i++) {
      if (!reg[i].out || !reg[i].bytes) continue;
      memset(covered + reg[i].off, 1, reg[i].bytes);
      if (st2 != WG_OK || memcmp(arena + reg[i].off, sep[i], reg[i].bytes) != 0) {
        wgt_fail(__FILE__, __LINE__, "%s: output %d differs from separate buffers (%s)", what,
                 i, wg_status_name(st2));
        ok = 0;
      }
    }
    for (size_t b = 0; b < ARENA && ok; b++)
      if (!covered[b] && arena[b] != snap[b]) {
        wgt_fail(__FILE__, __LINE__, "%s: byte %zu outside the outputs changed", what, b);
        ok = 0;
      }
    free(covered);
  }
  for (int i = 0; i < nreg; i++) free(sep[i]);
  free(arena);
  wgt_count_check(1);
  return ok;
}

/* Bytes 0 and 1: valid activation codes of any width, valid ternary
 * weights, finite floats. */
static void arena_fill(unsigned char *snap, uint64_t seed) {
  wgt_rng r = {seed};
  for (size_t i = 0; i < ARENA; i++) snap[i] = (unsigned char)(wgt_next(&r) & 1);
}

/* ---- wg_gemm ---------------------------------------------------------- */
enum { GM = 5, GK = 6, GN = 7 };
typedef struct gemm_env {
  wg_context *ctx;
  wg_weights *w;
  int64_t ldx, ldy;
  wg_epilogue ep;
  int arrays; /* regions 2 and 3 are the epilogue's two per-row arrays */
} gemm_env;

static wg_status gemm_call(const void *v, unsigned char *const *p) {
  const gemm_env *e = v;
  wg_epilogue ep = e->ep;
  if (e->arrays && ep.output == WG_OUTPUT_UINT8_FIXED) {
    ep.multiplier = (const int32_t *)(const void *)p[2];
    ep.shift = (const int32_t *)(const void *)p[3];
  } else if (e->arrays) {
    ep.scale = (const float *)(const void *)p[2];
    ep.bias = (const float *)(const void *)p[3];
  }
  return wg_gemm(e->ctx, e->w, p[0], GN, e->ldx, (wg_act_format){3, 1}, &ep, p[1], e->ldy,
                 NULL);
}

static int64_t gemm_xbytes(const gemm_env *e) { return (GK - 1) * e->ldx + GN; }
static int64_t gemm_ybytes(const gemm_env *e) {
  return ((GM - 1) * e->ldy + GN) * (int64_t)wg_output_size(e->ep.output);
}

/* x placed around y = arena + 2048: overlapping by one byte at either end
 * (ALIASING), touching it (OK), equal, and inside. */
static int edges(const char *name, const unsigned char *snap, call_fn fn, const void *env,
                 size_t xb, size_t yb, region *reg, int nreg, int xi, int yi) {
  const size_t Y = 2048;
  struct {
    const char *what;
    size_t x;
    wg_status want;
  } c[] = {
      {"x == y", Y, WG_ERR_ALIASING},
      {"x's last byte is y's first", Y - xb + 1, WG_ERR_ALIASING},
      {"x ends just before y", Y - xb, WG_OK},
      {"x's first byte is y's last", Y + yb - 1, WG_ERR_ALIASING},
      {"x starts just after y", Y + yb, WG_OK},
      {"x starts inside y", Y + 1, WG_ERR_ALIASING},
      {"y starts inside x", Y - 1, WG_ERR_ALIASING},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    char what[160];
    snprintf(what, sizeof what, "%s: %s (x %zu bytes, y %zu bytes)", name, c[i].what, xb, yb);
    reg[xi] = (region){c[i].x, xb, 0};
    reg[yi] = (region){Y, yb, 1};
    if (!arena_case(what, snap, reg, nreg, fn, env, c[i].want)) return 0;
  }
  return 1;
}

static int gemm_env_make(gemm_env *e, wg_weight_format wf) {
  int8_t w[GM * GK];
  for (int i = 0; i < GM * GK; i++) w[i] = (int8_t)(i % 3 - 1);
  memset(e, 0, sizeof *e);
  return wg_context_create(1, &e->ctx) == WG_OK &&
         wg_weights_pack(e->ctx, w, GM, GK, GK, wf, 2, &e->w) == WG_OK;
}

static void gemm_env_free(gemm_env *e) {
  wg_weights_destroy(e->w);
  wg_context_destroy(e->ctx);
}

TEST(aliasing_gemm_ranges_exact_partial_adjacent) {
  unsigned char *snap = malloc(ARENA);
  arena_fill(snap, wgt_seed());
  gemm_env e;
  CHECK(gemm_env_make(&e, WG_WEIGHTS_TERNARY), "setup");
  static const wg_output_kind outs[] = {WG_OUTPUT_INT8, WG_OUTPUT_INT16, WG_OUTPUT_INT32};
  static const int64_t lds[][2] = {{GN, GN}, {GN + 3, GN + 2}, {GN + 1, GN + 5}};
  for (int o = 0; o < 3; o++)
    for (int l = 0; l < 3; l++) {
      e.ep = wg_epilogue_default();
      e.ep.acc_bits = 8;
      e.ep.output = outs[o];
      e.ldx = lds[l][0];
      e.ldy = lds[l][1];
      region reg[2];
      char name[64];
      snprintf(name, sizeof name, "gemm out=%d ldx=%lld ldy=%lld", (int)outs[o],
               (long long)e.ldx, (long long)e.ldy);
      CHECK(edges(name, snap, gemm_call, &e, (size_t)gemm_xbytes(&e), (size_t)gemm_ybytes(&e),
                  reg, 2, 0, 1),
            "%s", name);
    }
  /* The ranges are compared whole: y inside x's stride gap, sharing no
   * byte with a row of x, is still ALIASING (and one past x's last row is
   * not: the range ends at (K-1)*ldx + n, not K*ldx). */
  e.ep = wg_epilogue_default();
  e.ep.acc_bits = 8;
  e.ep.output = WG_OUTPUT_INT8;
  e.ldx = 300;
  e.ldy = GN;
  region reg[2] = {{1000, (size_t)gemm_xbytes(&e), 0}, {1000 + GN, (size_t)gemm_ybytes(&e), 1}};
  CHECK(arena_case("y in x's stride gap", snap, reg, 2, gemm_call, &e, WG_ERR_ALIASING),
        "gap");
  reg[1].off = 1000 + (size_t)gemm_xbytes(&e);
  CHECK(arena_case("y after x's last row", snap, reg, 2, gemm_call, &e, WG_OK), "last row");
  gemm_env_free(&e);
  free(snap);
}

/* The per-row arrays the output stage reads are inputs too. */
TEST(aliasing_gemm_epilogue_arrays) {
  unsigned char *snap = malloc(ARENA);
  gemm_env e;
  CHECK(gemm_env_make(&e, WG_WEIGHTS_TERNARY), "setup");
  e.ldx = e.ldy = GN;
  e.arrays = 1;
  for (int fixed = 0; fixed < 2; fixed++) {
    e.ep = wg_epilogue_default();
    e.ep.acc_bits = 8;
    e.ep.output = fixed ? WG_OUTPUT_UINT8_FIXED : WG_OUTPUT_FLOAT32;
    arena_fill(snap, wgt_seed() + (uint64_t)fixed);
    /* scale/bias: bytes 0/1 are finite floats; multiplier 0 and shift 0
     * are valid fixed-point rows. */
    const size_t A = 4096, B = 4096 + 512, yb = (size_t)gemm_ybytes(&e), ab = GM * 4;
    memset(snap + A, 0, ab);
    memset(snap + B, 0, ab);
    /* byte edges for uint8 y; whole elements for float y, which must stay
     * aligned */
    const size_t g = fixed ? 1 : 4;
    for (int arr = 0; arr < 2; arr++) {
      size_t at = arr ? B : A;
      struct {
        const char *what;
        size_t y;
        wg_status want;
      } c[] = {
          {"y == array", at, WG_ERR_ALIASING},
          {"y's last element over the array's first", at - yb + g, WG_ERR_ALIASING},
          {"y ends just before the array", at - yb, WG_OK},
          {"y's first element over the array's last", at + ab - g, WG_ERR_ALIASING},
          {"y starts just after the array", at + ab, WG_OK},
      };
      for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        region reg[4] = {{0, (size_t)gemm_xbytes(&e), 0}, {c[i].y, yb, 1}, {A, ab, 0},
                         {B, ab, 0}};
        char what[160];
        snprintf(what, sizeof what, "%s array %d: %s", fixed ? "fixed" : "float", arr,
                 c[i].what);
        CHECK(arena_case(what, snap, reg, 4, gemm_call, &e, c[i].want), "%s", what);
      }
    }
  }
  gemm_env_free(&e);
  free(snap);
}

/* y inside the packed weights' storage: the wg_weights object, its row
 * sums, every pack.  Nothing of it may change. */
static int weights_unchanged(const wg_weights *w, const unsigned char *copy) {
  return memcmp(w, copy, sizeof *w) == 0;
}

TEST(aliasing_gemm_weights_storage) {
  gemm_env e;
  CHECK(gemm_env_make(&e, WG_WEIGHTS_TERNARY), "setup");
  wg_weights *w = e.w;
  uint8_t x[GK * GN] = {0};
  wg_epilogue ep = wg_epilogue_default();
  ep.output = WG_OUTPUT_INT8;
  ep.acc_bits = 8;
  unsigned char copy[sizeof *w];
  memcpy(copy, w, sizeof *w);
  const size_t yb = (GM - 1) * GN + GN;
  int32_t rs[GM];
  memcpy(rs, w->rowsum, sizeof rs);
  unsigned char *targets[] = {(unsigned char *)w, (unsigned char *)w + sizeof *w - 1,
                              (unsigned char *)w - yb + 1, (unsigned char *)w->rowsum,
                              (unsigned char *)w->rowsum + sizeof rs - 1,
                              (unsigned char *)w->packs[0].data,
                              (unsigned char *)w->packs[0].data - yb + 1,
                              (unsigned char *)w->packs[w->npacks - 1].data + 3};
  for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
    wg_status st = wg_gemm(e.ctx, w, x, GN, GN, (wg_act_format){1, 0}, &ep, targets[i], GN, NULL);
    CHECK(st == WG_ERR_ALIASING, "target %zu: %s", i, wg_status_name(st));
    CHECK(weights_unchanged(w, copy) && memcmp(rs, w->rowsum, sizeof rs) == 0,
          "target %zu: weights changed", i);
    wgt_count_check(1);
  }
  gemm_env_free(&e);
}

/* The tap-major panels an NCHW direct convolution adds to the weights are
 * their storage too, from the call that made them on. */
TEST(aliasing_conv_tap_major_panels) {
  enum { M = 8, C = 4 };
  int8_t wc[M * C * 9];
  for (int i = 0; i < M * C * 9; i++) wc[i] = (int8_t)(i % 3 - 1);
  wg_context *ctx;
  wg_weights *w;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "ctx");
  CHECK(wg_weights_pack(ctx, wc, M, C * 9, C * 9, WG_WEIGHTS_TERNARY, 0, &w) == WG_OK, "pack");
  wg_conv2d_desc d = {WG_NCHW, 1, C, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  uint8_t x[C * 36] = {0}, y[M * 36];
  wg_epilogue ep = wg_epilogue_default();
  ep.output = WG_OUTPUT_INT8;
  ep.acc_bits = 8;
  wg_run_info info;
  CHECK(wg_conv2d(ctx, w, &d, x, (wg_act_format){2, 0}, &ep, y, &info) == WG_OK, "conv");
  if (w->ntap == 0) {
    wg_weights_destroy(w);
    wg_context_destroy(ctx);
    SKIP("no direct NCHW convolution here (ran %s, %s)", info.kernel, info.method);
  }
  unsigned char *tap = w->tap[0].pack.data;
  unsigned char keep[64];
  memcpy(keep, tap, sizeof keep);
  wg_status st = wg_conv2d(ctx, w, &d, x, (wg_act_format){2, 0}, &ep, tap + 1, &info);
  CHECK(st == WG_ERR_ALIASING && memcmp(keep, tap, sizeof keep) == 0, "tap panels: %s",
        wg_status_name(st));
  wgt_count_check(1);
  wg_weights_destroy(w);
  wg_context_destroy(ctx);
}

/* ---- wg_conv2d, both layouts ----------------------------------------- */
typedef struct conv_env {
  wg_context *ctx;
  wg_weights *w;
  wg_conv2d_desc d;
  wg_epilogue ep;
} conv_env;

static wg_status conv_call(const void *v, unsigned char *const *p) {
  const conv_env *e = v;
  return wg_conv2d(e->ctx, e->w, &e->d, p[0], (wg_act_format){2, 1}, &e->ep, p[1], NULL);
}

TEST(aliasing_conv2d_both_layouts) {
  enum { M = 6, C = 4 };
  unsigned char *snap = malloc(ARENA);
  arena_fill(snap, wgt_seed() ^ 0xc0);
  int8_t wc[M * C * 9];
  for (int i = 0; i < M * C * 9; i++) wc[i] = (int8_t)((i * 7) % 3 - 1);
  conv_env e;
  CHECK(wg_context_create(1, &e.ctx) == WG_OK, "ctx");
  CHECK(wg_weights_pack(e.ctx, wc, M, C * 9, C * 9, WG_WEIGHTS_TERNARY, 0, &e.w) == WG_OK,
        "pack");
  static const wg_output_kind outs[] = {WG_OUTPUT_INT8, WG_OUTPUT_INT32};
  for (int lay = 0; lay < 2; lay++)
    for (int o = 0; o < 2; o++)
      for (int direct = 0; direct < 2; direct++) {
        e.d = (wg_conv2d_desc){(wg_layout)lay, 2, C, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
        e.ep = wg_epilogue_default();
        e.ep.acc_bits = 8;
        e.ep.output = outs[o];
        CHECK(wg_context_set_direct_conv(e.ctx, direct) == WG_OK, "direct");
        size_t xb = 2 * C * 5 * 4;
        size_t yb = (size_t)(2 * M * wg_conv2d_out_h(&e.d) * wg_conv2d_out_w(&e.d)) *
                    wg_output_size(outs[o]);
        region reg[2];
        char name[80];
        snprintf(name, sizeof name, "conv %s out=%d direct=%d", lay ? "NHWC" : "NCHW",
                 (int)outs[o], direct);
        CHECK(edges(name, snap, conv_call, &e, xb, yb, reg, 2, 0, 1), "%s", name);
      }
  wg_weights_destroy(e.w);
  wg_context_destroy(e.ctx);
  free(snap);
}

/* ---- SWAR entry points ------------------------------------------------ */
enum { SM = 3, SK = 9, SN = 5 };
typedef struct swar_env {
  wg_weights *w;
  wg_epilogue ep;
} swar_env;

/* Regions: 0 x, 1 y (int32), 2 carries, 3 lane carries, 4 correction. */
static wg_status swar_call(const void *v, unsigned char *const *p) {
  const swar_env *e = v;
  wg_swar_options o = wg_swar_options_default();
  o.mode = WG_SWAR_CARRY;
  o.carries = (uint32_t *)(void *)p[2];
  o.ld_carries = SN;
  o.lane_carries = (uint32_t *)(void *)p[3];
  o.ld_lane_carries = SN;
  o.carry_correction = (const int32_t *)(const void *)p[4];
  o.ld_correction = SN;
  return wg_swar_gemm(e->w, p[0], SN, SN, (wg_act_format){1, 1}, &e->ep, &o, p[1], SN);
}

TEST(aliasing_swar_gemm_outputs_and_inputs) {
  unsigned char *snap = malloc(ARENA);
  arena_fill(snap, wgt_seed() ^ 0x5a);
  int8_t wc[SM * SK];
  for (int i = 0; i < SM * SK; i++) wc[i] = (int8_t)(i % 3 - 1);
  wg_context *ctx;
  swar_env e;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "ctx");
  CHECK(wg_weights_pack(ctx, wc, SM, SK, SK, WG_WEIGHTS_TERNARY, 0, &e.w) == WG_OK, "pack");
  e.ep = wg_epilogue_default();
  e.ep.acc_bits = 8;
  const size_t xb = SK * SN, ob = SM * SN * 4;
  /* x at 0, y at 1024, carries at 2048, lane carries at 3072, correction
   * at 4096 unless a case moves one. */
  struct {
    const char *what;
    int moved;
    size_t at;
    wg_status want;
  } c[] = {
      {"no overlap", -1, 0, WG_OK},
      {"y == x", 1, 0, WG_ERR_ALIASING},
      {"y right after x", 1, xb + (4 - xb % 4) % 4, WG_OK},
      {"y's first byte is x's last", 1, xb - 1, WG_ERR_ALIASING},
      {"carries over x", 2, 4, WG_ERR_ALIASING},
      {"carries' last word over y's first", 2, 1024 - ob + 4, WG_ERR_ALIASING},
      {"carries right before y", 2, 1024 - ob, WG_OK},
      {"lane carries == carries", 3, 2048, WG_ERR_ALIASING},
      {"lane carries right after carries", 3, 2048 + ob, WG_OK},
      {"correction under y", 4, 1024 + 8, WG_ERR_ALIASING},
      {"correction under lane carries", 4, 3072 + ob - 4, WG_ERR_ALIASING},
      {"correction right after lane carries", 4, 3072 + ob, WG_OK},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    region reg[5] = {{0, xb, 0}, {1024, ob, 1}, {2048, ob, 1}, {3072, ob, 1}, {4096, ob, 0}};
    if (c[i].moved >= 0) reg[c[i].moved].off = c[i].at;
    char what[120];
    snprintf(what, sizeof what, "wg_swar_gemm: %s", c[i].what);
    CHECK(arena_case(what, snap, reg, 5, swar_call, &e, c[i].want), "%s", what);
  }
  /* y inside the weights' storage. */
  uint8_t x[SK * SN] = {0};
  wg_swar_options o = wg_swar_options_default();
  wg_status st = wg_swar_gemm(e.w, x, SN, SN, (wg_act_format){1, 0}, &e.ep, &o, e.w->rowsum, SN);
  CHECK(st == WG_ERR_ALIASING, "y over the row sums: %s", wg_status_name(st));
  wg_weights_destroy(e.w);
  wg_context_destroy(ctx);
  free(snap);
}

static wg_status naive_call(const void *v, unsigned char *const *p) {
  const wg_epilogue *ep = v;
  return wg_swar_naive_gemm((const int8_t *)(const void *)p[0], SM, SK, SK, p[1], SN, SN,
                            (wg_act_format){1, 0}, ep, p[2], SN);
}

TEST(aliasing_swar_naive) {
  unsigned char *snap = malloc(ARENA);
  arena_fill(snap, wgt_seed() ^ 0x17); /* bytes 0/1: ternary weights too */
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 7;
  ep.output = WG_OUTPUT_INT16;
  const size_t wb = SM * SK, xb = SK * SN, yb = SM * SN * 2;
  struct {
    const char *what;
    size_t w, x, y;
    wg_status want;
  } c[] = {
      {"apart", 0, 100, 200, WG_OK},
      {"y == w", 0, 100, 0, WG_ERR_ALIASING},
      {"y's first byte is w's last", 0, 100, wb - 1, WG_ERR_ALIASING}, /* wb - 1 even */
      {"y right after w", 0, 100, (wb + 1) & ~(size_t)1, WG_OK},
      {"y's last byte is x's first", 0, 200 + yb - 1, 200, WG_ERR_ALIASING},
      {"x right after y", 0, 200 + yb, 200, WG_OK},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    region reg[3] = {{c[i].w, wb, 0}, {c[i].x, xb, 0}, {c[i].y, yb, 1}};
    char what[120];
    snprintf(what, sizeof what, "wg_swar_naive_gemm: %s", c[i].what);
    CHECK(arena_case(what, snap, reg, 3, naive_call, &ep, c[i].want), "%s", what);
  }
  free(snap);
}

enum { TB = 3, TO = 4 };
static wg_status stats_call(const void *v, unsigned char *const *p) {
  (void)v;
  return wg_swar_carry_stats((const uint32_t *)(const void *)p[0], TB, TO, TO,
                             (uint64_t *)(void *)p[1], (uint64_t *)(void *)p[2],
                             (int32_t *)(void *)p[3]);
}

TEST(aliasing_swar_carry_stats) {
  unsigned char *snap = malloc(ARENA);
  arena_fill(snap, wgt_seed() ^ 0x99);
  const size_t cb = TB * TO * 4, qb = TO * 8, rb = TO * 4;
  struct {
    const char *what;
    size_t counts, mean, sd, corr;
    wg_status want;
  } c[] = {
      {"apart", 0, 128, 256, 384, WG_OK},
      {"mean == counts", 0, 0, 256, 384, WG_ERR_ALIASING},
      {"mean right after the counts", 0, cb, 256, 384, WG_OK},
      {"mean over the counts' last word", 0, cb - 8, 256, 384, WG_ERR_ALIASING},
      {"std over the mean's first word", 0, 128, 128 - qb + 8, 384, WG_ERR_ALIASING},
      {"std right before the mean", 0, 128, 128 - qb, 384, WG_OK},
      {"correction right after std", 0, 128, 256, 256 + qb, WG_OK},
      {"correction over std's last word", 0, 128, 256, 256 + qb - 4, WG_ERR_ALIASING},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    region reg[4] = {{c[i].counts, cb, 0}, {c[i].mean, qb, 1}, {c[i].sd, qb, 1},
                     {c[i].corr, rb, 1}};
    char what[120];
    snprintf(what, sizeof what, "wg_swar_carry_stats: %s", c[i].what);
    CHECK(arena_case(what, snap, reg, 4, stats_call, NULL, c[i].want), "%s", what);
  }
  free(snap);
}
