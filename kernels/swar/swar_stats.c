/* Per-output carry statistics over a batch, in general-register integer
 * arithmetic: the SWAR objects must stay free of floating point (no vector
 * or FP register at all), so mean and deviation are exact fixed point,
 * computed with 128-bit intermediates built from 64-bit halves. */
#include "../core/internal.h"

typedef struct u128 {
  uint64_t hi, lo;
} u128;

static u128 u128_of(uint64_t v) { return (u128){0, v}; }

static u128 add(u128 a, u128 b) {
  u128 r = {a.hi + b.hi, a.lo + b.lo};
  r.hi += r.lo < a.lo;
  return r;
}

static u128 sub(u128 a, u128 b) { /* a >= b */
  u128 r = {a.hi - b.hi - (a.lo < b.lo), a.lo - b.lo};
  return r;
}

static int less(u128 a, u128 b) { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo); }

static u128 shl(u128 a, int s) { /* 0 < s < 64 */
  return (u128){(a.hi << s) | (a.lo >> (64 - s)), a.lo << s};
}

static u128 mul64(uint64_t a, uint64_t b) {
  uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
  uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
  return (u128){hh + (lh >> 32) + (hl >> 32) + (mid >> 32),
                (mid << 32) | (uint32_t)ll};
}

/* a * b where the product is known to be < 2^128. */
static u128 mul(u128 a, uint64_t b) {
  u128 lo = mul64(a.lo, b);
  lo.hi += a.hi * b;
  return lo;
}

/* floor(a / d), d > 0, quotient < 2^64: restoring division bit by bit. */
static uint64_t divq(u128 a, uint64_t d) {
  u128 r = u128_of(0);
  uint64_t q = 0;
  for (int bit = 127; bit >= 0; bit--) {
    r = add(shl(r, 1), u128_of(bit >= 64 ? (a.hi >> (bit - 64)) & 1 : (a.lo >> bit) & 1));
    q <<= 1;
    if (!less(r, u128_of(d))) {
      r = sub(r, u128_of(d));
      q |= 1;
    }
  }
  return q;
}

/* floor(sqrt(a)), a < 2^128: one result bit at a time from the top. */
static uint64_t isqrt(u128 a) {
  uint64_t r = 0;
  for (int bit = 63; bit >= 0; bit--) {
    uint64_t t = r | ((uint64_t)1 << bit);
    if (!less(a, mul64(t, t))) r = t;
  }
  return r;
}

wg_status wg_swar_carry_stats(const uint32_t *counts, int64_t batch,
                              int64_t outputs, int64_t batch_stride,
                              uint64_t *mean_q16, uint64_t *std_q16,
                              int32_t *correction) {
  if (!counts || (!mean_q16 && !std_q16 && !correction)) return WG_ERR_NULL_POINTER;
  if (batch < 1 || outputs < 1 || batch > ((int64_t)1 << 31)) return WG_ERR_BAD_SIZE;
  if (batch_stride < outputs) return WG_ERR_BAD_STRIDE;
  int64_t span;
  if (!wg_mul_ok(batch - 1, batch_stride, &span) || !wg_add_ok(span, outputs, &span) ||
      !wg_mul_ok(span, 4, &span) || !wg_mul_ok(outputs, 8, &span))
    return WG_ERR_SIZE_OVERFLOW;
  if (!wg_aligned(counts, _Alignof(uint32_t)) || !wg_aligned(mean_q16, _Alignof(uint64_t)) ||
      !wg_aligned(std_q16, _Alignof(uint64_t)) || !wg_aligned(correction, _Alignof(int32_t)))
    return WG_ERR_MISALIGNED;
  /* Output i is written before counts of output i + 1 are read. */
  wg_span in = wg_span_matrix(counts, batch, outputs, batch_stride, 4);
  wg_span out[3] = {wg_span_of(mean_q16, 8 * outputs), wg_span_of(std_q16, 8 * outputs),
                    wg_span_of(correction, 4 * outputs)};
  for (int i = 0; i < 3; i++) {
    if (wg_spans_overlap(out[i], in)) return WG_ERR_ALIASING;
    for (int j = 0; j < i; j++)
      if (wg_spans_overlap(out[i], out[j])) return WG_ERR_ALIASING;
  }
  uint64_t b = (uint64_t)batch;
  for (int64_t i = 0; i < outputs; i++) {
    uint64_t s = 0; /* < 2^31 * 2^32 */
    u128 s2 = u128_of(0);
    for (int64_t k = 0; k < batch; k++) {
      uint64_t c = counts[k * batch_stride + i];
      s += c;
      s2 = add(s2, mul64(c, c));
    }
    /* round half up of s/b and of 2^16 s/b: floor((2 s' + b) / 2b). */
    if (mean_q16) mean_q16[i] = divq(add(shl(u128_of(s), 17), u128_of(b)), 2 * b);
    if (correction) correction[i] = (int32_t)(uint32_t)((2 * s + b) / (2 * b));
    if (std_q16) {
      /* var = (b s2 - s^2) / b^2, so 2^16 std = sqrt((b s2 - s^2) 2^32) / b,
       * with fewer fraction bits only if that product would pass 2^128. */
      u128 x = sub(mul(s2, b), mul64(s, s));
      int frac = 16;
      while (frac > 0 && x.hi >> (128 - 64 - 2 * frac)) frac--;
      u128 xs = frac ? shl(x, 2 * frac) : x;
      std_q16[i] = (isqrt(xs) / b) << (16 - frac);
    }
  }
  return WG_OK;
}
