/* Calibration and weight quantization API (kernels/core/calibrate.c,
 * quantize.c) against brute force. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "wrapgemm.h"

/* Overflow statistics: every field recomputed by the definition. */
TEST(calib_overflow_stats_brute) {
  wgt_rng r = {wgt_seed() ^ 0x51};
  enum { N = 3000 };
  static int32_t z[N];
  for (int rep = 0; rep < 20; rep++) {
    int span = (int)wgt_range(&r, 1, 30);
    for (int i = 0; i < N; i++) {
      int64_t lim = (int64_t)1 << span;
      z[i] = (int32_t)wgt_range(&r, -lim, lim - 1);
    }
    if (rep == 0) z[0] = INT32_MIN, z[1] = INT32_MAX, z[2] = 0, z[3] = -1;
    for (int b = 2; b <= 32; b++) {
      wg_overflow_stats s;
      CHECK(wg_overflow_stats_compute(z, N, b, &s) == WG_OK, "status b=%d", b);
      int64_t over = 0, mx = 0, hist[33] = {0};
      for (int i = 0; i < N; i++) {
        int64_t v = z[i];
        int64_t lo = -((int64_t)1 << (b - 1)), hi = ((int64_t)1 << (b - 1)) - 1;
        over += v < lo || v > hi;
        if (llabs(v) > mx) mx = llabs(v);
        for (int w = 1; w <= 32; w++)
          if (v >= -((int64_t)1 << (w - 1)) && v < ((int64_t)1 << (w - 1))) {
            hist[w]++;
            break;
          }
      }
      CHECK(s.count == N && s.overflows == over && s.max_abs == mx,
            "rep %d b %d: count %lld overflows %lld (want %lld) max %lld (want %lld)",
            rep, b, (long long)s.count, (long long)s.overflows, (long long)over,
            (long long)s.max_abs, (long long)mx);
      CHECK(s.rate == (double)over / N, "rate b=%d", b);
      CHECK(memcmp(s.width, hist, sizeof hist) == 0, "width histogram b=%d", b);
      wgt_count_check(3);
    }
  }
}

TEST(calib_overflow_stats_args) {
  int32_t z[2] = {0, 0};
  wg_overflow_stats s;
  memset(&s, 0x5a, sizeof s);
  wg_overflow_stats keep = s;
  CHECK(wg_overflow_stats_compute(NULL, 2, 8, &s) == WG_ERR_NULL_POINTER, "null z");
  CHECK(wg_overflow_stats_compute(z, 2, 8, NULL) == WG_ERR_NULL_POINTER, "null out");
  CHECK(wg_overflow_stats_compute(z, 0, 8, &s) == WG_ERR_BAD_SIZE, "count 0");
  CHECK(wg_overflow_stats_compute(z, 2, 1, &s) == WG_ERR_BAD_OPTION, "b 1");
  CHECK(wg_overflow_stats_compute(z, 2, 33, &s) == WG_ERR_BAD_OPTION, "b 33");
  CHECK(memcmp(&s, &keep, sizeof s) == 0, "output written on error");
}

/* The no-overflow width: brute force over every code vector for small k,
 * and the closed form's worked example (PANN's Table 6 question). */
TEST(calib_acc_bits_needed_brute) {
  for (int fmt = 0; fmt < 3; fmt++)
    for (int wb = 2; wb <= (fmt == 0 ? 4 : 2); wb++)
      for (int ba = 1; ba <= 3; ba++)
        for (int k = 1; k <= 3; k++) {
          int wlo = fmt == 0 ? -(1 << (wb - 1)) : -1;
          int whi = fmt == 0 ? (1 << (wb - 1)) - 1 : 1;
          int nw = whi - wlo + 1, na = 1 << ba;
          int64_t lo = 0, hi = 0;
          long total = 1;
          for (int i = 0; i < k; i++) total *= (long)nw * na;
          for (long idx = 0; idx < total; idx++) {
            long t = idx;
            int64_t zz = 0;
            for (int i = 0; i < k; i++) {
              int w = wlo + (int)(t % nw);
              t /= nw;
              int x = (int)(t % na);
              t /= na;
              if (fmt == WG_WEIGHTS_BINARY && w == 0) w = 1;
              zz += (int64_t)w * x;
            }
            if (zz < lo) lo = zz;
            if (zz > hi) hi = zz;
          }
          int want = 2;
          while (lo < -((int64_t)1 << (want - 1)) || hi >= ((int64_t)1 << (want - 1)))
            want++;
          int got = 0;
          CHECK(wg_acc_bits_needed((wg_weight_format)fmt, wb, ba, k, &got) == WG_OK,
                "status");
          /* a 1-bit result is impossible to ask for; 2 is the API minimum */
          CHECK(got == want || (want == 2 && got < 2),
                "format %d wbits %d abits %d k %d: got %d want %d", fmt, wb, ba, k,
                got, want);
          wgt_count_check(1);
        }
  int b = 0;
  CHECK(wg_acc_bits_needed(WG_WEIGHTS_INT, 2, 2, 3 * 3 * 512, &b) == WG_OK && b == 16,
        "2-bit weights and activations at k=4608: %d bits, want 16", b);
  CHECK(wg_acc_bits_needed(WG_WEIGHTS_BINARY, 0, 8, 1, &b) == WG_OK && b == 9,
        "binary x 8-bit at k=1: %d", b);
  CHECK(wg_acc_bits_needed(WG_WEIGHTS_INT, 8, 8, (int64_t)1 << 40, &b) == WG_OK &&
            b == 56,
        "k=2^40 int8 x u8: %d", b);
  CHECK(wg_acc_bits_needed(WG_WEIGHTS_INT, 2, 2, 0, &b) == WG_ERR_BAD_SIZE, "k 0");
  CHECK(wg_acc_bits_needed(WG_WEIGHTS_INT, 2, 2, ((int64_t)1 << 40) + 1, &b) ==
            WG_ERR_SIZE_OVERFLOW, "k huge");
  CHECK(wg_acc_bits_needed(WG_WEIGHTS_INT, 9, 2, 4, &b) == WG_ERR_BAD_OPTION, "wbits 9");
  CHECK(wg_acc_bits_needed(WG_WEIGHTS_INT, 2, 0, 4, &b) == WG_ERR_BAD_OPTION, "abits 0");
  CHECK(wg_acc_bits_needed((wg_weight_format)7, 2, 2, 4, &b) == WG_ERR_BAD_OPTION, "format");
  CHECK(wg_acc_bits_needed(WG_WEIGHTS_INT, 2, 2, 4, NULL) == WG_ERR_NULL_POINTER, "null");
}

/* Overflow rate of one grid step, written out naively. */
static double naive_rate(const int8_t *w, int m, int k, const float *x, int n,
                         float step, int ba, int b) {
  int qmax = (1 << ba) - 1;
  long over = 0;
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      long z = 0;
      for (int t = 0; t < k; t++) {
        float v = x[t * n + j] / step;
        long q = v <= 0.0f ? 0 : v >= (float)qmax ? qmax : (long)nearbyintf(v);
        z += (long)w[i * k + t] * q;
      }
      over += z < -(1L << (b - 1)) || z >= (1L << (b - 1));
    }
  return (double)over / ((double)m * n);
}

/* The header's rule by brute force: every grid step's rate, then the
 * finest step at or under the target (step 0 if none is); -1 for an empty
 * grid.  rates[] (64 * 8 entries at most) receives every step's rate. */
static int naive_find_step(const int8_t *w, int m, int k, const float *x,
                           int n, float clip, int b, double target, int g,
                           double *rates, int *steps) {
  int want_j = -1;
  *steps = 0;
  for (int j = 0;; j++) {
    float step = (float)((double)clip * exp2(-(double)j / g));
    int ba = 1;
    while (ba <= 8 && (double)((1 << ba) - 1) * step < clip) ba++;
    if (ba > 8) break;
    rates[j] = naive_rate(w, m, k, x, n, step, ba, b);
    *steps = j + 1;
    if (rates[j] <= target) want_j = j;
  }
  return want_j < 0 && *steps ? 0 : want_j;
}

/* The step search obeys its definition on random data. */
TEST(calib_find_step_brute) {
  wgt_rng r = {wgt_seed() ^ 0x77};
  static double rates[64 * 8];
  for (int rep = 0; rep < 12; rep++) {
    int m = (int)wgt_range(&r, 1, 6), k = (int)wgt_range(&r, 4, 60),
        n = (int)wgt_range(&r, 1, 30);
    int b = (int)wgt_range(&r, 5, 10), g = (int)wgt_range(&r, 1, 8);
    double target = (double)wgt_range(&r, 0, 30) / 100.0;
    int8_t *w = malloc((size_t)m * k);
    float *x = malloc((size_t)k * n * sizeof *x);
    for (int i = 0; i < m * k; i++) w[i] = (int8_t)wgt_range(&r, -1, 1);
    for (int i = 0; i < k * n; i++)
      x[i] = wgt_range(&r, 0, 3) ? (float)wgt_range(&r, 0, 100000) / 10000.0f : 0.0f;
    float clip = 8.0f;
    wg_step_choice c;
    wg_status st = wg_calib_find_step(w, m, k, k, x, n, n, clip, b, target, g, &c);
    CHECK(st == WG_OK, "status %s", wg_status_name(st));
    int steps;
    int want_j = naive_find_step(w, m, k, x, n, clip, b, target, g, rates, &steps);
    CHECK(want_j >= 0 && c.index == want_j && c.rate == rates[want_j],
          "rep %d m %d k %d n %d b %d g %d target %.2f: j %d rate %g, want j %d rate %g",
          rep, m, k, n, b, g, target, c.index, c.rate, want_j,
          want_j >= 0 ? rates[want_j] : -1.0);
    CHECK(c.step == (float)((double)clip * exp2(-(double)want_j / g)), "step");
    CHECK((double)((1 << c.act_bits) - 1) * c.step >= clip &&
              (c.act_bits == 1 || (double)((1 << (c.act_bits - 1)) - 1) * c.step < clip),
          "bits %d for step %g", c.act_bits, (double)c.step);
    free(w);
    free(x);
    wgt_count_check(4);
  }
}

/* The rule's edge cases on a hand-made overflow curve that is not
 * monotone.  clip 8, one step per octave: steps 8, 4, 2, 1, 0.5, ... with
 * 1, 2, 3, 4, 5, ... bits.  One output, w = (-1, 1, -1, 1, -1), b = 2
 * (range -2..1): the codes of x at the steps 8, 4, 2, 1, 0.5 are
 *   0 1 0 1 0  -> z = 2 (over)      0 1 1 1 1  -> z = 0
 *   0 3 1 2 2  -> z = 2 (over)      1 5 3 4 4  -> z = 1
 *   2 11 6 8 7 -> z = 4 (over), and every finer step overflows too.
 * So the rates are 1, 0, 1, 0, 1, 1, 1, 1.  The header's rule (the finest
 * step at or under p) picks step 1 (j 3); the two former rules picked
 * step 8 (calibrate.c stopped at the first step over p) and step 4
 * (wrapnet.py skipped the check at j 0). */
TEST(calib_find_step_rule) {
  const int8_t w[5] = {-1, 1, -1, 1, -1};
  const float x[5] = {0.75f, 5.375f, 2.875f, 4.25f, 3.625f};
  static double rates[64 * 8];
  int steps;
  naive_find_step(w, 1, 5, x, 1, 8.0f, 2, 0.0, 1, rates, &steps);
  const double curve[8] = {1, 0, 1, 0, 1, 1, 1, 1};
  CHECK(steps == 8, "grid of %d steps", steps);
  for (int j = 0; j < 8; j++) CHECK(rates[j] == curve[j], "rate %d: %g", j, rates[j]);
  struct {
    double target;
    int b, j;
    float step;
    int bits;
    double rate;
  } cases[] = {
      {0.0, 2, 3, 1.0f, 4, 0.0},      /* non-monotone: the finest under p */
      {0.5, 2, 3, 1.0f, 4, 0.0},
      {1.0, 2, 7, 0.0625f, 8, 1.0},   /* everything meets p: the finest   */
      {0.0, 16, 7, 0.0625f, 8, 0.0},  /* nothing overflows                */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wg_step_choice c;
    CHECK(wg_calib_find_step(w, 1, 5, 5, x, 1, 1, 8.0f, cases[i].b,
                             cases[i].target, 1, &c) == WG_OK, "case %zu", i);
    CHECK(c.index == cases[i].j && c.step == cases[i].step &&
              c.act_bits == cases[i].bits && c.rate == cases[i].rate,
          "case %zu: j %d step %g bits %d rate %g, want j %d", i, c.index,
          (double)c.step, c.act_bits, c.rate, cases[i].j);
  }
  /* Nothing meets p: step 0, with its rate.  Two sums of 1 + 1 = 2 at
   * b = 2 overflow at every step. */
  const int8_t w1[2] = {1, 1};
  const float x1[2] = {8.0f, 8.0f};
  wg_step_choice c;
  CHECK(wg_calib_find_step(w1, 1, 2, 2, x1, 1, 1, 8.0f, 2, 0.0, 8, &c) == WG_OK, "all over");
  CHECK(c.index == 0 && c.step == 8.0f && c.act_bits == 1 && c.rate == 1.0,
        "all over: j %d step %g bits %d rate %g", c.index, (double)c.step, c.act_bits, c.rate);
}

TEST(calib_find_step_args) {
  int8_t w[4] = {1, 1, 1, 1};
  float x[4] = {1, 2, 3, 4};
  wg_step_choice c, keep;
  memset(&c, 0x33, sizeof c);
  keep = c;
  CHECK(wg_calib_find_step(NULL, 2, 2, 2, x, 2, 2, 4, 8, .05, 8, &c) == WG_ERR_NULL_POINTER, "w");
  CHECK(wg_calib_find_step(w, 0, 2, 2, x, 2, 2, 4, 8, .05, 8, &c) == WG_ERR_BAD_SIZE, "m");
  CHECK(wg_calib_find_step(w, 2, 2, 1, x, 2, 2, 4, 8, .05, 8, &c) == WG_ERR_BAD_STRIDE, "ldw");
  CHECK(wg_calib_find_step(w, 2, 2, 2, x, 2, 1, 4, 8, .05, 8, &c) == WG_ERR_BAD_STRIDE, "ldx");
  CHECK(wg_calib_find_step(w, 2, 2, 2, x, 2, 2, 0, 8, .05, 8, &c) == WG_ERR_BAD_OPTION, "clip");
  CHECK(wg_calib_find_step(w, 2, 2, 2, x, 2, 2, 4, 32, .05, 8, &c) == WG_ERR_BAD_OPTION, "b");
  CHECK(wg_calib_find_step(w, 2, 2, 2, x, 2, 2, 4, 8, 1.5, 8, &c) == WG_ERR_BAD_OPTION, "rate");
  CHECK(wg_calib_find_step(w, 2, 2, 2, x, 2, 2, 4, 8, .05, 0, &c) == WG_ERR_BAD_OPTION, "grid");
  x[3] = NAN;
  CHECK(wg_calib_find_step(w, 2, 2, 2, x, 2, 2, 4, 8, .05, 8, &c) == WG_ERR_BAD_OPTION, "nan");
  CHECK(memcmp(&c, &keep, sizeof c) == 0, "output written on error");
}

/* Quantizers: each definition checked element by element; SAWB's nearest
 * level against all four levels. */
TEST(calib_quantize_weights_brute) {
  wgt_rng r = {wgt_seed() ^ 0x99};
  for (int rep = 0; rep < 30; rep++) {
    int m = (int)wgt_range(&r, 1, 5), k = (int)wgt_range(&r, 1, 40), ld = k + (int)wgt_range(&r, 0, 3);
    float *w = malloc((size_t)m * ld * sizeof *w);
    int8_t *c = malloc((size_t)m * ld);
    float sc[5];
    for (int i = 0; i < m * ld; i++)
      w[i] = (float)wgt_range(&r, -1000, 1000) / 997.0f;
    if (rep == 0) w[0] = 0.0f;
    for (int q = 0; q < 3; q++) {
      CHECK(wg_quantize_weights(w, m, k, ld, (wg_quantizer)q, c, ld, sc) == WG_OK, "status");
      double s1 = 0, s2 = 0;
      for (int i = 0; i < m; i++)
        for (int j = 0; j < k; j++) s1 += fabs(w[i * ld + j]), s2 += (double)w[i * ld + j] * w[i * ld + j];
      double alpha = 2.587 * sqrt(s2 / (m * k)) - 1.693 * (s1 / (m * k));
      for (int i = 0; i < m; i++) {
        double rs = 0, kept = 0;
        int nk = 0;
        for (int j = 0; j < k; j++) rs += fabs(w[i * ld + j]);
        for (int j = 0; j < k; j++) {
          float v = w[i * ld + j];
          int code = c[i * ld + j];
          if (q == WG_QUANT_BINARY) {
            CHECK(code == (v >= 0 ? 1 : -1), "binary %g -> %d", (double)v, code);
          } else if (q == WG_QUANT_TERNARY) {
            int want = fabs(v) > 0.7 * rs / k ? (v > 0 ? 1 : -1) : 0;
            CHECK(code == want, "ternary %g -> %d want %d", (double)v, code, want);
            if (want) kept += fabs(v), nk++;
          } else {
            double unit = alpha / 3, best = 1e300;
            /* All-zero weights have alpha = 0: every code is 1, scale 0. */
            int want = 1;
            const int lv[4] = {-3, -1, 1, 3};
            for (int t = 0; t < 4 && unit > 0; t++) {
              double d = fabs(v / unit - lv[t]);
              if (d <= best) best = d, want = lv[t]; /* tie: the larger code */
            }
            CHECK(code == want, "sawb %g (unit %g) -> %d want %d", (double)v, unit, code, want);
          }
        }
        float want_s = q == WG_QUANT_BINARY ? (float)(rs / k)
                       : q == WG_QUANT_TERNARY ? (nk ? (float)(kept / nk) : 0.0f)
                                               : (float)(alpha / 3);
        CHECK(sc[i] == want_s, "quantizer %d row %d scale %g want %g", q, i,
              (double)sc[i], (double)want_s);
      }
      wgt_count_check(m * k);
    }
    free(w);
    free(c);
  }
  float z[4] = {0, 0, 0, 0}, s[2];
  int8_t cz[4];
  CHECK(wg_quantize_weights(z, 2, 2, 2, WG_QUANT_SAWB2, cz, 2, s) == WG_OK &&
            cz[0] == 1 && cz[3] == 1 && s[0] == 0.0f && s[1] == 0.0f,
        "all-zero SAWB");
  CHECK(wg_quantize_weights(z, 2, 2, 2, WG_QUANT_TERNARY, cz, 2, s) == WG_OK &&
            cz[0] == 0 && s[0] == 0.0f,
        "all-zero ternary");
  CHECK(wg_quantize_weights(z, 2, 2, 2, (wg_quantizer)3, cz, 2, s) == WG_ERR_BAD_OPTION, "q");
  CHECK(wg_quantize_weights(z, 2, 2, 1, WG_QUANT_BINARY, cz, 2, s) == WG_ERR_BAD_STRIDE, "ldw");
  CHECK(wg_quantize_weights(z, 2, 2, 2, WG_QUANT_BINARY, cz, 1, s) == WG_ERR_BAD_STRIDE, "ldc");
  CHECK(wg_quantize_weights(z, 0, 2, 2, WG_QUANT_BINARY, cz, 2, s) == WG_ERR_BAD_SIZE, "m");
  CHECK(wg_quantize_weights(NULL, 2, 2, 2, WG_QUANT_BINARY, cz, 2, s) == WG_ERR_NULL_POINTER, "w");
  z[1] = INFINITY;
  CHECK(wg_quantize_weights(z, 2, 2, 2, WG_QUANT_BINARY, cz, 2, s) == WG_ERR_BAD_OPTION, "inf");
}
