/*
 * The numerical contract's primitives (docs/semantics.md), as small static
 * inline functions.  The reference oracle and every kernel's scalar path use
 * exactly these; ISA kernels that vectorise a step are tested against them.
 *
 * static inline on purpose: an AVX2 translation unit that includes this file
 * gets its own private copy, so no AVX2-compiled body can be picked by the
 * linker for a generic caller (see docs/adding-a-kernel.md).
 */
#ifndef WG_ARITH_H
#define WG_ARITH_H

#include <math.h>
#include <stdint.h>

#include "wrapgemm.h"

/* wrap_b(v) for b in 2..32, v taken mod 2^32: the unique integer in
 * [-2^(b-1), 2^(b-1)) congruent to v mod 2^b.  Unsigned arithmetic keeps the
 * modular steps defined; the final conversion is exact (value in range). */
static inline int32_t wg_wrap(uint32_t v, int b) {
  if (b >= 32) return v <= (uint32_t)INT32_MAX ? (int32_t)v : -(int32_t)~v - 1;
  uint32_t h = 1u << (b - 1);
  uint32_t u = (v + h) & ((h << 1) - 1u); /* 0 .. 2^b - 1 */
  return (int32_t)u - (int32_t)h;
}

/* The cyclic activation c(a) of a wrapped accumulator a in [-h, h).
 * |c| < h for smooth (so c fits wherever a does); abs returns up to h, which
 * is why the API limits abs to b <= 16.  Slope k is at most 65536, so every
 * product below fits comfortably in int64. */
static inline int32_t wg_cyclic_apply(int32_t a, int b, wg_cyclic mode, int k) {
  if (mode == WG_CYCLIC_ABS) return a < 0 ? -a : a;
  if (mode != WG_CYCLIC_SMOOTH) return a;
  int64_t h = (int64_t)1 << (b - 1);
  int64_t m = a, kk = k;
  int64_t mag = m < 0 ? -m : m;
  if ((kk + 1) * mag <= kk * h) return a;
  return (int32_t)(m > 0 ? kk * h - kk * m : -kk * h - kk * m);
}

/* Round half to even, then clamp to [0, qmax].  Clamping first is
 * equivalent (the bounds are integers) and keeps the conversion in range;
 * a NaN cannot reach here because scale and bias are checked finite and
 * fmaf of finite values only overflows to +-inf. */
static inline uint8_t wg_quantize_u8(float y, int qmax) {
  if (!(y > 0.0f)) return 0;
  if (y >= (float)qmax) return (uint8_t)qmax;
  return (uint8_t)(int)nearbyintf(y); /* default rounding mode: half to even */
}

/* The float output stage: one fused rounding, then optional ReLU. */
static inline float wg_affine(int32_t c, float scale, float bias, int relu) {
  float y = fmaf((float)c, scale, bias);
  if (relu && y < 0.0f) y = 0.0f;
  return y;
}

static inline int32_t wg_sat32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* gemmlowp's SaturatingRoundingDoublingHighMul: round(a*b / 2^31), halves
 * away from zero, saturating the single overflow case a = b = INT32_MIN. */
static inline int32_t wg_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * b;
  int64_t nudge = ab >= 0 ? ((int64_t)1 << 30) : 1 - ((int64_t)1 << 30);
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31)); /* truncating division */
}

/* gemmlowp's RoundingDivideByPOT: x / 2^e rounded to nearest, halves away
 * from zero; e in 0..31.  Floor division written out so that no right shift
 * of a negative value is involved. */
static inline int32_t wg_rdivpot(int32_t x, int e) {
  int64_t d = (int64_t)1 << e;
  int64_t v = x;
  int64_t q = v >= 0 ? v / d : -((-v + d - 1) / d); /* floor(v / d) */
  int64_t rem = v - q * d;                          /* 0 .. d-1 */
  int64_t threshold = ((d - 1) >> 1) + (v < 0 ? 1 : 0);
  return (int32_t)(q + (rem > threshold ? 1 : 0));
}

/* The TFLite/gemmlowp fixed-point requantization to a uint8 code. */
static inline uint8_t wg_requant_fixed(int32_t c, int32_t qbias, int32_t mult,
                                       int32_t shift, int zp, int relu,
                                       int qmax) {
  int32_t v = wg_sat32((int64_t)c + qbias);
  if (shift > 0) v = wg_sat32((int64_t)v * ((int64_t)1 << shift));
  v = wg_srdhm(v, mult);
  if (shift < 0) v = wg_rdivpot(v, -shift);
  int64_t q = (int64_t)v + zp;
  int64_t lo = relu ? zp : 0;
  if (q < lo) q = lo;
  if (q > qmax) q = qmax;
  return (uint8_t)q;
}

#endif /* WG_ARITH_H */
