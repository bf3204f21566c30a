/* The contract's primitives (kernels/core/arith.h) against their definitions,
 * exhaustively where the domain is small. */
#include <math.h>
#include <string.h>

#include "core/arith.h"
#include "core/reference.h"
#include "harness.h"

TEST(arith_wrap_matches_definition) {
  /* Every b, every z in a window around several multiples of 2^b. */
  for (int b = 2; b <= 16; b++) {
    int64_t mod = (int64_t)1 << b;
    for (int64_t base = -3 * mod; base <= 3 * mod; base += mod)
      for (int64_t z = base - mod; z <= base + mod; z++) {
        int64_t want = wg_ref_wrap(z, b);
        int32_t got = wg_wrap((uint32_t)z, b);
        CHECK(want >= -(mod / 2) && want < mod / 2, "ref out of range b=%d", b);
        CHECK((want - z) % mod == 0, "ref not congruent b=%d z=%lld", b, (long long)z);
        CHECK(got == want, "b=%d z=%lld want %lld got %d", b, (long long)z,
              (long long)want, got);
      }
  }
  const int64_t edge[] = {0, 1, -1, INT32_MAX, INT32_MIN, (int64_t)INT32_MAX + 1,
                          (int64_t)INT32_MIN - 1, (int64_t)1 << 40, -((int64_t)1 << 40) - 3};
  for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
    CHECK(wg_wrap((uint32_t)edge[i], 32) == wg_ref_wrap(edge[i], 32), "b=32 z=%lld",
          (long long)edge[i]);
  wgt_count_check(1);
}

/* The smooth activation from the paper's picture: identity near zero, then
 * the line from (k*h/(k+1), k*h/(k+1)) back to (h, 0), odd-symmetric. */
TEST(arith_cyclic_smooth_shape) {
  for (int b = 2; b <= 16; b++)
    for (int k = 1; k <= 9; k++) {
      int32_t h = 1 << (b - 1);
      int32_t prev = 0;
      for (int32_t a = -h; a < h; a++) {
        int32_t c = wg_cyclic_apply(a, b, WG_CYCLIC_SMOOTH, k);
        int64_t want;
        if ((int64_t)(k + 1) * (a < 0 ? -a : a) <= (int64_t)k * h)
          want = a;
        else if (a > 0)
          want = (int64_t)k * h - (int64_t)k * a;
        else
          want = -(int64_t)k * h - (int64_t)k * a;
        CHECK(c == want, "b=%d k=%d a=%d: %d != %lld", b, k, a, c, (long long)want);
        CHECK(c > -h && c < h, "b=%d k=%d a=%d: |c| >= h", b, k, a);
        /* Continuity across the wrap point: c(-h) = 0 = lim c(h). */
        if (a == -h) CHECK(c == 0, "c(-h) = %d", c);
        /* Jumps between neighbours are at most k (the steepest slope). */
        if (a > -h) CHECK(c - prev <= k && prev - c <= k, "jump at a=%d", a);
        prev = c;
      }
    }
  for (int32_t a = -32768; a < 32768; a++)
    CHECK(wg_cyclic_apply(a, 16, WG_CYCLIC_ABS, 1) == (a < 0 ? -a : a) &&
              wg_cyclic_apply(a, 16, WG_CYCLIC_NONE, 1) == a,
          "abs/none a=%d", a);
  /* b = 32: the int64 arithmetic near the extremes. */
  CHECK(wg_cyclic_apply(INT32_MIN, 32, WG_CYCLIC_SMOOTH, 65536) == 0, "b=32 -h");
  CHECK(wg_cyclic_apply(INT32_MAX, 32, WG_CYCLIC_SMOOTH, 2) == 2, "b=32 h-1, k=2");
  wgt_count_check(1);
}

TEST(arith_quantize_round_half_even) {
  CHECK(wg_quantize_u8(0.5f, 255) == 0, "0.5");
  CHECK(wg_quantize_u8(1.5f, 255) == 2, "1.5");
  CHECK(wg_quantize_u8(2.5f, 255) == 2, "2.5");
  CHECK(wg_quantize_u8(2.5000002f, 255) == 3, "2.5+ulp");
  CHECK(wg_quantize_u8(-0.4f, 255) == 0, "negative");
  CHECK(wg_quantize_u8(14.5f, 15) == 14, "14.5 -> 14");
  CHECK(wg_quantize_u8(15.5f, 15) == 15, "clamp");
  CHECK(wg_quantize_u8(INFINITY, 15) == 15, "+inf");
  CHECK(wg_quantize_u8(-INFINITY, 15) == 0, "-inf");
  /* Every half-integer in range rounds to the even neighbour. */
  for (int i = 0; i < 255; i++) {
    float y = (float)i + 0.5f;
    int want = (i % 2 == 0) ? i : i + 1;
    CHECK(wg_quantize_u8(y, 255) == want, "%d.5", i);
  }
  /* fmaf rounds once: c*s+t where the separate product would round. */
  float s = 1.0f + 0x1p-23f, t = -1.0f;
  CHECK(wg_affine(1 << 23, s, t, 0) == fmaf(8388608.0f, s, t), "fma");
  CHECK(wg_affine(-5, 1.0f, 0.0f, 1) == 0.0f, "relu");
  wgt_count_check(1);
}

/* The fixed-point stage against int64 arithmetic on its definition. */
TEST(arith_fixed_point_stage) {
  wgt_rng r = {wgt_seed() ^ 0x51ed};
  CHECK(wg_srdhm(INT32_MIN, INT32_MIN) == INT32_MAX, "srdhm overflow");
  CHECK(wg_rdivpot(5, 1) == 3 && wg_rdivpot(-5, 1) == -3 && wg_rdivpot(4, 1) == 2 &&
            wg_rdivpot(-4, 1) == -2 && wg_rdivpot(-6, 2) == -2 && wg_rdivpot(7, 0) == 7,
        "rdivpot halves away from zero");
  /* The ties themselves: +-2^30 / 2^31 = +-0.5, 3 * 2^30 / 2^31 = 1.5. */
  CHECK(wg_srdhm(1 << 15, 1 << 15) == 1 && wg_srdhm(1 << 15, -(1 << 15)) == 0 &&
            wg_srdhm(3 << 15, -(1 << 15)) == -1 && wg_srdhm(3 << 15, 1 << 15) == 2 &&
            wg_srdhm(1948712960, -1174880256) == -1066133557,
        "srdhm ties as gemmlowp's");
  for (int i = 0; i < 200000; i++) {
    int32_t a = (int32_t)wgt_next(&r), b = (int32_t)wgt_next(&r);
    int e = (int)wgt_range(&r, 0, 31);
    /* srdhm: round(a*b/2^31) as gemmlowp's SaturatingRoundingDoublingHighMul
     * (docs/semantics.md): a positive tie goes up, a negative tie toward zero
     * (its nudge is 1 - 2^30, then a truncating division), in integers by
     * sign and magnitude.  The oracle had rounded negative ties away from
     * zero: a pair with |a*b| mod 2^31 = 2^30 (about one run in 10^4) failed. */
    int64_t ab = (int64_t)a * b;
    int neg = ab < 0;
    uint64_t mag = neg ? (uint64_t)0 - (uint64_t)ab : (uint64_t)ab;
    uint64_t q = (mag + ((uint64_t)1 << 30) - (uint64_t)neg) >> 31;
    int64_t want = neg ? -(int64_t)q : (int64_t)q;
    if (a == INT32_MIN && b == INT32_MIN) want = INT32_MAX;
    CHECK(wg_srdhm(a, b) == want, "srdhm %d %d", a, b);
    /* rdivpot: nearest, ties away from zero. */
    int64_t d = (int64_t)1 << e, v = a;
    int64_t m2 = v < 0 ? -v : v;
    int64_t qq = (m2 + d / 2) / d;
    if (e == 0) qq = m2;
    int64_t want2 = v < 0 ? -qq : qq;
    CHECK(wg_rdivpot(a, e) == want2, "rdivpot %d %d", a, e);
  }
  wgt_count_check(1);
}
