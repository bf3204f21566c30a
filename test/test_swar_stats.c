/* wg_swar_carry_stats against the paper's equations (3) and (4) computed
 * here in long double, on small and on huge counts. */
#include <math.h>
#include <stdlib.h>

#include "util.h"

static void stats_case(wgt_rng *r, int64_t batch, int64_t outputs, uint32_t lo,
                       uint32_t hi, uint64_t seed) {
  int64_t stride = outputs + (int64_t)(wgt_next(r) % 3);
  uint32_t *c = malloc((size_t)(batch * stride) * sizeof *c);
  uint64_t *mean = malloc((size_t)outputs * 8), *sd = malloc((size_t)outputs * 8);
  int32_t *corr = malloc((size_t)outputs * 4);
  for (int64_t i = 0; i < batch * stride; i++)
    c[i] = (uint32_t)wgt_range(r, lo, hi);
  wg_status st = wg_swar_carry_stats(c, batch, outputs, stride, mean, sd, corr);
  if (st != WG_OK) wgt_fail(__FILE__, __LINE__, "stats: %s", wg_status_name(st));
  for (int64_t i = 0; i < outputs && st == WG_OK; i++) {
    long double s = 0, d2 = 0;
    for (int64_t k = 0; k < batch; k++) s += c[k * stride + i];
    long double mu = s / (long double)batch;                      /* eq. (3) */
    for (int64_t k = 0; k < batch; k++) {
      long double d = (long double)c[k * stride + i] - mu;
      d2 += d * d;
    }
    long double sdv = sqrtl(d2 / (long double)batch);             /* eq. (4) */
    /* The mean exactly, in integers (long double is only a double on
     * armhf): round-half-up(sum / batch * 2^16) = q * 2^16 +
     * floor((2 * r * 2^16 + batch) / (2 * batch)) with sum = q * batch + r;
     * the sum of at most 300000 32-bit counts fits 51 bits. */
    uint64_t sum = 0;
    for (int64_t k = 0; k < batch; k++) sum += c[k * stride + i];
    uint64_t q = sum / (uint64_t)batch, rem = sum % (uint64_t)batch;
    uint64_t want_mean = q * 65536u + (2u * rem * 65536u + (uint64_t)batch) / (2u * (uint64_t)batch);
    /* the correction is kept modulo 2^32, all the epilogue looks at */
    uint32_t want_corr = (uint32_t)((2u * sum + (uint64_t)batch) / (2u * (uint64_t)batch));
    long double want_sd = sdv * 65536.0L;
    /* The root may differ from the exact floor by one unit of 2^-16 at a
     * boundary, and by the documented std * 2^-31 once batch * std >= 2^48;
     * the reference's own rounding stays far below that tolerance. */
    if (mean[i] != want_mean || fabsl((long double)sd[i] - want_sd) > 1.0L + want_sd * 0x1p-31L ||
        (uint32_t)corr[i] != want_corr) {
      wgt_fail(__FILE__, __LINE__,
               "seed=%llu batch=%lld output %lld: mean_q16 %llu want %llu, std_q16 %llu "
               "want %.3Lf, correction %u want %u", (unsigned long long)seed,
               (long long)batch, (long long)i, (unsigned long long)mean[i],
               (unsigned long long)want_mean, (unsigned long long)sd[i], want_sd,
               (unsigned)(uint32_t)corr[i], (unsigned)want_corr);
      break;
    }
  }
  wgt_count_check(1);
  free(c);
  free(mean);
  free(sd);
  free(corr);
}

TEST(swar_carry_stats_match_equations_3_and_4) {
  uint64_t seed = wgt_seed();
  wgt_rng r = {seed};
  stats_case(&r, 1, 5, 0, 1000, seed);          /* one item: std 0 */
  stats_case(&r, 2, 7, 383, 385, seed);         /* halves: round half up */
  stats_case(&r, 64, 33, 300, 480, seed);       /* Table 5's magnitudes */
  stats_case(&r, 1000, 3, 0, 0xFFFFFFFFu, seed); /* full 32-bit counts */
  stats_case(&r, 17, 9, 0xFFFFFF00u, 0xFFFFFFFFu, seed);
  if (!wgt_quick()) stats_case(&r, 300000, 1, 0, 0xFFFFFFFFu, seed); /* batch*std > 2^48 */
}

TEST(swar_carry_stats_constant_batch_has_zero_deviation) {
  uint32_t c[6] = {384, 384, 384, 384, 384, 384};
  uint64_t mean, sd;
  int32_t corr;
  CHECK(wg_swar_carry_stats(c, 6, 1, 1, &mean, &sd, &corr) == WG_OK, "stats");
  CHECK(mean == 384u * 65536u && sd == 0 && corr == 384, "mean %llu sd %llu corr %d",
        (unsigned long long)mean, (unsigned long long)sd, corr);
  uint32_t two[2] = {0, 1}; /* mean 1/2 rounds up, std exactly 1/2 */
  CHECK(wg_swar_carry_stats(two, 2, 1, 1, &mean, &sd, &corr) == WG_OK, "stats");
  CHECK(mean == 32768 && sd == 32768 && corr == 1, "mean %llu sd %llu corr %d",
        (unsigned long long)mean, (unsigned long long)sd, corr);
}
