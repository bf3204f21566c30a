/* Every SWAR path on fixed inputs with outputs written out here, not taken
 * from the reference: a packing bug that a comparison could share (the
 * lanes of a register read in memory order, which reversed the columns of
 * every 4-column group on big-endian s390x) shows up as a wrong number.
 * The carry mode's outputs and lane-carry counts also pin the lane order
 * inside a register (depth k0 + l in bits [8l, 8l+8)): carries leave the
 * top lane, so reversing the lanes changes them. */
#include <string.h>

#include "kernels.h"
#include "util.h"

/* Case A, by hand: M = 1, K = 8, N = 4, every weight +1, every code 1
 * except row 0, which is 5, 7, 9, 11: column sums 12 14 16 18.  No lane
 * reaches 256, so every mode and width gives the same. */
enum { AM = 1, AK = 8, AN = 4 };
static const int32_t a_want[AN] = {12, 14, 16, 18};

/* Case B: M = 3 (a full and a partial 2-row tile), K = 16 (two groups of
 * either width), N = 5 (a full 4-column group, packed by the transposing
 * path, and a 1-column tail), weights -1/+1 so one matrix serves ternary
 * and binary layouts, 7-bit codes x = (37k + 11j^2 + 5j + 90) mod 128.
 * z = sum_k w*x is
 *   { 42, 106, 386, 242, 314}, {0, 0, -128, -256, 0},
 *   {1016, 1016, 984, 1048, 1080};
 * the tables below are wrap_8(z), wrap_7(z) and, for the carry mode,
 * wrap_8 of the sum of the bytes of the registers added with plain
 * additions (products packed as w*x mod 2^8 into lane k mod L), worked
 * out from these definitions outside the library. */
enum { BM = 3, BK = 16, BN = 5 };
static const int8_t b_w[BM][BK] = {
    {1, -1, 1, 1, -1, 1, 1, -1, 1, 1, -1, 1, -1, -1, 1, 1},
    {-1, -1, 1, -1, 1, 1, -1, 1, -1, 1, 1, 1, 1, -1, -1, -1},
    {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}};
static const int32_t b_exact[BM][BN] = {
    {42, 106, -126, -14, 58}, {0, 0, -128, 0, 0}, {-8, -8, -40, 24, 56}};
static const int32_t b_buffer[BM][BN] = {
    {42, -22, 2, -14, 58}, {0, 0, 0, 0, 0}, {-8, -8, -40, 24, 56}};
static const int32_t b_carry32[BM][BN] = {
    {45, 110, -122, -10, 62}, {4, 5, -123, 3, 5}, {-7, -6, -39, 25, 58}};
static const uint32_t b_lanes32[BM][BN] = {
    {3, 4, 4, 4, 4}, {4, 5, 5, 3, 5}, {1, 2, 1, 1, 2}};
static const int32_t b_carry64[BM][BN] = {
    {43, 108, -123, -13, 61}, {3, 3, -125, 3, 4}, {-8, -8, -40, 24, 56}};
static const uint32_t b_lanes64[BM][BN] = {
    {1, 2, 3, 1, 3}, {3, 3, 3, 3, 4}, {0, 0, 0, 0, 0}};

typedef struct fixed_case {
  const char *name;
  int64_t m, k, n;
  int8_t w[BM * BK];
  uint8_t x[BK * BN];
} fixed_case;

static void make_a(fixed_case *c) {
  memset(c, 0, sizeof *c);
  c->name = "A (M=1 K=8 N=4)";
  c->m = AM;
  c->k = AK;
  c->n = AN;
  memset(c->w, 1, AM * AK);
  memset(c->x, 1, AK * AN);
  for (int j = 0; j < AN; j++) c->x[j] = (uint8_t)(5 + 2 * j);
}

static void make_b(fixed_case *c) {
  memset(c, 0, sizeof *c);
  c->name = "B (M=3 K=16 N=5)";
  c->m = BM;
  c->k = BK;
  c->n = BN;
  memcpy(c->w, b_w, sizeof b_w);
  for (int k = 0; k < BK; k++)
    for (int j = 0; j < BN; j++)
      c->x[k * BN + j] = (uint8_t)((37 * k + 11 * j * j + 5 * j + 90) % 128);
}

/* Expected output (i, j): mode 0 exact (b = 8), 1 buffer (b = 7), 2 carry
 * (b = 8) at reg_bits; *lanes gets the expected lane-carry count. */
static int32_t want_of(const fixed_case *c, int mode, int reg_bits, int64_t i,
                       int64_t j, uint32_t *lanes) {
  *lanes = 0;
  if (c->m == AM && c->k == AK) return a_want[j];
  if (mode == 0) return b_exact[i][j];
  if (mode == 1) return b_buffer[i][j];
  *lanes = reg_bits == 32 ? b_lanes32[i][j] : b_lanes64[i][j];
  return reg_bits == 32 ? b_carry32[i][j] : b_carry64[i][j];
}

static wg_weights *pack(const fixed_case *c, wg_weight_format wf) {
  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  if (wg_context_create(1, &ctx) != WG_OK) return NULL;
  if (wg_weights_pack(ctx, c->w, c->m, c->k, c->k, wf, 0, &pw) != WG_OK) pw = NULL;
  wg_context_destroy(ctx);
  return pw;
}

static wg_epilogue epilogue(int b) {
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = b;
  ep.output = WG_OUTPUT_INT32;
  return ep;
}

/* Compares y (and, in carry mode, the lane-carry counts) with the table. */
static void compare(const fixed_case *c, const char *path, int mode, int reg_bits,
                    const int32_t *y, const uint32_t *lanes) {
  for (int64_t i = 0; i < c->m; i++)
    for (int64_t j = 0; j < c->n; j++) {
      uint32_t wl;
      int32_t want = want_of(c, mode, reg_bits, i, j, &wl);
      CHECK(y[i * c->n + j] == want, "%s, case %s: y[%lld,%lld] = %d, want %d", path,
            c->name, (long long)i, (long long)j, (int)y[i * c->n + j], (int)want);
      if (lanes)
        CHECK(lanes[i * c->n + j] == wl,
              "%s, case %s: lane carries [%lld,%lld] = %u, want %u", path, c->name,
              (long long)i, (long long)j, (unsigned)lanes[i * c->n + j], (unsigned)wl);
    }
  wgt_count_check(1);
}

/* The table's SWAR kernels, forced by name through wg_gemm: binary ones
 * take binary weights only, buffer-bit lanes are 7 bits wide. */
TEST(swar_exact_values_table_kernels) {
  wgt_kernel kernels[WGT_MAX_KERNELS];
  int nk = wgt_kernels(0, "swar", kernels, WGT_MAX_KERNELS);
  CHECK(nk > 0, "no SWAR kernel in the table");
  fixed_case cs[2];
  make_a(&cs[0]);
  make_b(&cs[1]);
  for (int ki = 0; ki < nk; ki++)
    for (int ci = 0; ci < 2; ci++) {
      const fixed_case *c = &cs[ci];
      const char *name = kernels[ki].name;
      int binary = kernels[ki].wf == WG_WEIGHTS_BINARY, buffer = kernels[ki].maxb == 7;
      int32_t y[BM * BN];
      wg_context *ctx = NULL;
      wg_weights *pw = NULL;
      wg_run_info info = {0};
      wg_epilogue ep = epilogue(buffer ? 7 : 8);
      wg_act_format act = {7, 0};
      wg_status st = wg_context_create(1, &ctx);
      if (st == WG_OK) st = wg_context_force_kernel(ctx, name);
      if (st == WG_OK)
        st = wg_weights_pack(ctx, c->w, c->m, c->k, c->k,
                             binary ? WG_WEIGHTS_BINARY : WG_WEIGHTS_TERNARY,
                             0, &pw);
      if (st == WG_OK) st = wg_gemm(ctx, pw, c->x, c->n, c->n, act, &ep, y, c->n, &info);
      wg_weights_destroy(pw);
      wg_context_destroy(ctx);
      CHECK(st == WG_OK, "%s, case %s: %s", name, c->name, wg_status_name(st));
      CHECK(info.kernel && strcmp(info.kernel, name) == 0, "%s: ran %s instead", name,
            info.kernel ? info.kernel : "(null)");
      compare(c, name, buffer, 0, y, NULL);
      if (wgt_failed()) return;
    }
}

/* wg_swar_gemm: both layouts, both widths, all three modes (the carry
 * mode with its lane-carry counts); and the naive baseline. */
TEST(swar_exact_values_api_every_mode_and_naive) {
  fixed_case cs[2];
  make_a(&cs[0]);
  make_b(&cs[1]);
  for (int ci = 0; ci < 2; ci++) {
    const fixed_case *c = &cs[ci];
    wg_act_format act = {7, 0};
    for (int binary = 0; binary <= 1; binary++) {
      wg_weights *pw = pack(c, binary ? WG_WEIGHTS_BINARY : WG_WEIGHTS_TERNARY);
      CHECK(pw, "pack, case %s", c->name);
      for (int reg = 32; reg <= 64; reg += 32)
        for (int mode = WG_SWAR_EXACT; mode <= WG_SWAR_CARRY; mode++) {
          int32_t y[BM * BN];
          uint32_t lanes[BM * BN];
          wg_epilogue ep = epilogue(mode == WG_SWAR_BUFFER ? 7 : 8);
          wg_swar_options o = wg_swar_options_default();
          o.reg_bits = reg;
          o.mode = (wg_swar_mode)mode;
          if (mode == WG_SWAR_CARRY) {
            o.lane_carries = lanes;
            o.ld_lane_carries = c->n;
          }
          wg_status st = wg_swar_gemm(pw, c->x, c->n, c->n, act, &ep, &o, y, c->n);
          char path[80];
          snprintf(path, sizeof path, "wg_swar_gemm %s reg=%d mode=%d",
                   binary ? "binary" : "ternary", reg, mode);
          if (st != WG_OK) wg_weights_destroy(pw);
          CHECK(st == WG_OK, "%s, case %s: %s", path, c->name, wg_status_name(st));
          compare(c, path, mode, reg, y, mode == WG_SWAR_CARRY ? lanes : NULL);
          if (wgt_failed()) {
            wg_weights_destroy(pw);
            return;
          }
        }
      wg_weights_destroy(pw);
    }
    int32_t y[BM * BN];
    wg_epilogue ep = epilogue(7);
    wg_status st = wg_swar_naive_gemm(c->w, c->m, c->k, c->k, c->x, c->n, c->n, act,
                                      &ep, y, c->n);
    CHECK(st == WG_OK, "naive, case %s: %s", c->name, wg_status_name(st));
    compare(c, "wg_swar_naive_gemm", 1, 0, y, NULL);
    if (wgt_failed()) return;
  }
}
