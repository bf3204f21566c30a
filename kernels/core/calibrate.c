/* Calibration for low-bit accumulators: overflow statistics, the
 * accumulator width that cannot overflow, and the activation step search of
 * the WrapNet paper's section 3.2.  Plain scalar code: these run once per
 * layer on sample data, never in inference. */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

/* Bits a signed integer needs: the smallest w with -2^(w-1) <= v < 2^(w-1),
 * i.e. one more than the significant bits of v (v >= 0) or of ~v (v < 0).
 * Halving steps keep it branch-light: it runs once per sample sum. */
static int signed_width(int64_t v) {
  uint64_t u = v < 0 ? ~(uint64_t)v : (uint64_t)v;
  int w = 1;
  for (int s = 32; s > 0; s >>= 1)
    if (u >> s) {
      u >>= s;
      w += s;
    }
  return w + (u != 0);
}

wg_status wg_overflow_stats_compute(const int32_t *z, int64_t count,
                                    int acc_bits, wg_overflow_stats *out) {
  if (!z || !out) return WG_ERR_NULL_POINTER;
  if (count < 1) return WG_ERR_BAD_SIZE;
  if (acc_bits < 2 || acc_bits > 32) return WG_ERR_BAD_OPTION;
  wg_overflow_stats s = {0};
  s.count = count;
  for (int64_t i = 0; i < count; i++) {
    int64_t v = z[i];
    int64_t mag = v < 0 ? -v : v;
    if (mag > s.max_abs) s.max_abs = mag;
    s.width[signed_width(v)]++;
  }
  for (int w = acc_bits + 1; w <= 32; w++) s.overflows += s.width[w];
  s.rate = (double)s.overflows / (double)count;
  *out = s;
  return WG_OK;
}

wg_status wg_acc_bits_needed(wg_weight_format format, int weight_bits,
                             int act_bits, int64_t k, int *acc_bits) {
  if (!acc_bits) return WG_ERR_NULL_POINTER;
  if (k < 1) return WG_ERR_BAD_SIZE;
  /* 2^40 * 255 * 128 < 2^63: the extreme sums below stay in int64. */
  if (k > ((int64_t)1 << 40)) return WG_ERR_SIZE_OVERFLOW;
  if (act_bits < 1 || act_bits > 8) return WG_ERR_BAD_OPTION;
  int64_t wlo, whi;
  switch (format) {
    case WG_WEIGHTS_INT:
      if (weight_bits < 2 || weight_bits > 8) return WG_ERR_BAD_OPTION;
      wlo = -((int64_t)1 << (weight_bits - 1));
      whi = ((int64_t)1 << (weight_bits - 1)) - 1;
      break;
    case WG_WEIGHTS_TERNARY:
    case WG_WEIGHTS_BINARY:
      wlo = -1;
      whi = 1;
      break;
    default:
      return WG_ERR_BAD_OPTION;
  }
  /* Activations are unsigned, so the extremes are every weight at one end
   * of its range times the largest code. */
  int64_t xmax = ((int64_t)1 << act_bits) - 1;
  int wl = signed_width(k * wlo * xmax), wh = signed_width(k * whi * xmax);
  *acc_bits = wl > wh ? wl : wh;
  return WG_OK;
}

/* The grid point j: computed in double and rounded once to float, so that
 * the Python calibration (scripts/wrapnet) can reproduce it. */
static float grid_step(float clip, int j, int per_octave) {
  return (float)((double)clip * exp2(-(double)j / per_octave));
}

/* Fewest bits (1..8) whose largest code reaches clip; 9 if none does. */
static int bits_for(float step, float clip) {
  for (int ba = 1; ba <= 8; ba++)
    if ((double)((1 << ba) - 1) * step >= clip) return ba;
  return 9;
}

/* Overflow count of W * Q at b bits, Q the codes of x at this step. */
static int64_t count_overflows(const int8_t *w, int64_t m, int64_t k,
                               int64_t ldw, const float *x, int64_t n,
                               int64_t ldx, float step, int ba, int b,
                               uint8_t *q, int64_t *z) {
  int qmax = (1 << ba) - 1;
  for (int64_t i = 0; i < k; i++)
    for (int64_t j = 0; j < n; j++) {
      float v = x[i * ldx + j] / step;
      /* round half to even, then clamp (the library's requantization) */
      q[i * n + j] = !(v > 0.0f) ? 0 : v >= (float)qmax ? (uint8_t)qmax
                                                       : (uint8_t)nearbyintf(v);
    }
  int64_t lo = -((int64_t)1 << (b - 1)), hi = ((int64_t)1 << (b - 1)) - 1;
  int64_t over = 0;
  for (int64_t r = 0; r < m; r++) {
    for (int64_t j = 0; j < n; j++) z[j] = 0;
    for (int64_t i = 0; i < k; i++) {
      int64_t wv = w[r * ldw + i];
      if (wv == 0) continue;
      const uint8_t *qi = q + i * n;
      for (int64_t j = 0; j < n; j++) z[j] += wv * qi[j];
    }
    for (int64_t j = 0; j < n; j++) over += (z[j] < lo || z[j] > hi);
  }
  return over;
}

wg_status wg_calib_find_step(const int8_t *w, int64_t m, int64_t k,
                             int64_t ldw, const float *x, int64_t n,
                             int64_t ldx, float clip, int acc_bits,
                             double target_rate, int steps_per_octave,
                             wg_step_choice *out) {
  if (!w || !x || !out) return WG_ERR_NULL_POINTER;
  if (m < 1 || k < 1 || n < 1) return WG_ERR_BAD_SIZE;
  if (ldw < k || ldx < n) return WG_ERR_BAD_STRIDE;
  int64_t wall, xall, outs, qbytes, zbytes;
  if (!wg_mul_ok(m, ldw, &wall) || !wg_mul_ok(k, ldx, &xall) ||
      !wg_mul_ok(m, n, &outs) || !wg_mul_ok(k, n, &qbytes) ||
      !wg_mul_ok(n, (int64_t)sizeof(int64_t), &zbytes))
    return WG_ERR_SIZE_OVERFLOW;
  if (!(clip > 0.0f) || !isfinite(clip)) return WG_ERR_BAD_OPTION;
  if (acc_bits < 2 || acc_bits > 31) return WG_ERR_BAD_OPTION;
  if (!(target_rate >= 0.0 && target_rate <= 1.0)) return WG_ERR_BAD_OPTION;
  if (steps_per_octave < 1 || steps_per_octave > 64) return WG_ERR_BAD_OPTION;
  for (int64_t i = 0; i < k; i++)
    for (int64_t j = 0; j < n; j++)
      if (!isfinite(x[i * ldx + j])) return WG_ERR_BAD_OPTION;

  uint8_t *q = malloc((size_t)qbytes);
  int64_t *z = malloc((size_t)zbytes);
  if (!q || !z) {
    free(q);
    free(z);
    return WG_ERR_NO_MEMORY;
  }
  /* The rule (wrapgemm.h; the paper's section 3.2, and scripts/wrapnet/
   * calib.py): start at the finest grid step and coarsen while the rate is
   * over the target; the first step at or under it wins, step_0 if none.
   * A coarser step with a higher rate does not veto a finer one: the rate
   * need not fall monotonically as the step grows. */
  int last = 0;
  while (last < 8 * 64) {  /* 8 bits at most: j < 8 * steps_per_octave */
    float s = grid_step(clip, last + 1, steps_per_octave);
    if (bits_for(s, clip) > 8 || !(s > 0.0f)) break;
    last++;
  }
  double total = (double)m * (double)n;
  wg_step_choice best = {0};
  for (int j = last; j >= 0; j--) {
    float step = grid_step(clip, j, steps_per_octave);
    int ba = bits_for(step, clip);
    int64_t over = count_overflows(w, m, k, ldw, x, n, ldx, step, ba,
                                   acc_bits, q, z);
    best.step = step;
    best.act_bits = ba;
    best.index = j;
    best.rate = (double)over / total;
    if (best.rate <= target_rate) break;
  }
  free(q);
  free(z);
  *out = best;
  return WG_OK;
}
