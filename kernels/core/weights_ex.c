/*
 * wg_weights_pack_ex: weights in either order, signed or unsigned codes,
 * with a zero point zw.  The codes become signed int8 codes c and a zero
 * point zc with c - zc = W - zw (unsigned codes of `bits` bits move down
 * by 2^(bits-1), zw with them), and then:
 *
 *   - where every c - zc fits int8, the weights are packed as the codes
 *     c - zc with no zero point left (an INT format as wide as they need).
 *     The calls on them are then those of symmetric weights: every method
 *     (in-place GEMM, direct convolution), no per-call work, and eligibility
 *     by their actual range;
 *   - else (8-bit codes whose zero point lies away from the middle, e.g.
 *     gemmlowp's uint8 weights with a zero point of 10) c is packed and zc
 *     kept (wg_weights.zw): each call adds -zc * sum_k (X - zx) per column
 *     (colsum.c), exact modulo 2^32 like every other term.
 */
#include <stdlib.h>

#include "internal.h"

/* The format's codes as given: [lo, hi], and whether 0 is one. */
static int given_range(const wg_weights_desc *d, int *lo, int *hi) {
  switch (d->format) {
    case WG_WEIGHTS_INT:
      if (d->bits < 2 || d->bits > 8) return 0;
      *lo = d->is_unsigned ? 0 : -(1 << (d->bits - 1));
      *hi = d->is_unsigned ? (1 << d->bits) - 1 : (1 << (d->bits - 1)) - 1;
      return 1;
    case WG_WEIGHTS_TERNARY:
    case WG_WEIGHTS_BINARY:
      if (d->is_unsigned) return 0;
      *lo = -1;
      *hi = 1;
      return 1;
  }
  return 0;
}

/* Pointers, sizes, strides, byte counts, options, in the documented order. */
static wg_status check_desc(const wg_context *ctx, const void *w, const wg_weights_desc *d,
                            wg_weights **out, int *lo, int *hi) {
  if (!ctx || !w || !d || !out) return WG_ERR_NULL_POINTER;
  if (!wg_aligned(d, _Alignof(wg_weights_desc))) return WG_ERR_MISALIGNED;
  if (d->m < 1 || d->k < 1) return WG_ERR_BAD_SIZE;
  int col = d->order == WG_COL_MAJOR;
  int64_t rows = col ? d->k : d->m, cols = col ? d->m : d->k, span;
  if (d->ldw < cols) return WG_ERR_BAD_STRIDE;
  if (!wg_mul_ok(rows - 1, d->ldw, &span) || !wg_add_ok(span, cols, &span) ||
      !wg_mul_ok(d->m, d->k, &span) || !wg_mul_ok(d->m, 4, &span))
    return WG_ERR_SIZE_OVERFLOW;
  if (d->order != WG_ROW_MAJOR && d->order != WG_COL_MAJOR) return WG_ERR_BAD_OPTION;
  if ((d->is_unsigned != 0 && d->is_unsigned != 1) || !given_range(d, lo, hi))
    return WG_ERR_BAD_OPTION;
  int symmetric = d->format != WG_WEIGHTS_INT;
  if (symmetric ? d->zero_point != 0 : d->zero_point < *lo || d->zero_point > *hi)
    return WG_ERR_BAD_OPTION;
  return WG_OK;
}

/* The smallest INT width (2..8) holding [lo, hi] (also weights_once.c). */
int wg_int_width(int lo, int hi) {
  int b = 2;
  while (b < 8 && (lo < -(1 << (b - 1)) || hi > (1 << (b - 1)) - 1)) b++;
  return b;
}

wg_status wg_weights_pack_ex_for(const wg_context *ctx, const void *w, const wg_weights_desc *d,
                                 int call_abits, int call_b, wg_weights **out) {
  int lo, hi;
  wg_status st = check_desc(ctx, w, d, out, &lo, &hi);
  if (st != WG_OK) return st;
  int64_t m = d->m, k = d->k;
  int col = d->order == WG_COL_MAJOR;
  int shift = d->is_unsigned ? 1 << (d->bits - 1) : 0;
  int8_t *c = malloc((size_t)(m * k));
  if (!c) return WG_ERR_NO_MEMORY;
  /* c = W - shift, row-major, the codes checked on the way: a row of W is
   * a run of bytes `step` apart, read as int8 or uint8, without a branch
   * per code (so that the loop vectorizes where step is 1). */
  int cmin = 127, cmax = -128, bad = 0;
  int64_t step = col ? d->ldw : 1;
  for (int64_t i = 0; i < m; i++) {
    const uint8_t *row = (const uint8_t *)w + (col ? i : i * d->ldw);
    int8_t *dst = c + i * k;
    int rmin = 255, rmax = -128, zero = 0;
    if (d->is_unsigned)
      for (int64_t j = 0; j < k; j++) {
        int v = row[j * step];
        rmin = v < rmin ? v : rmin;
        rmax = v > rmax ? v : rmax;
        dst[j] = (int8_t)(v - shift);
      }
    else
      for (int64_t j = 0; j < k; j++) {
        int v = (int8_t)row[j * step];
        rmin = v < rmin ? v : rmin;
        rmax = v > rmax ? v : rmax;
        zero |= v == 0;
        dst[j] = (int8_t)v;
      }
    bad |= rmin < lo || rmax > hi || (d->format == WG_WEIGHTS_BINARY && zero);
    cmin = rmin - shift < cmin ? rmin - shift : cmin;
    cmax = rmax - shift > cmax ? rmax - shift : cmax;
  }
  int zc = d->zero_point - shift;
  int fold = cmin - zc >= -128 && cmax - zc <= 127;
  if (fold && zc)
    for (int64_t i = 0; i < m * k; i++) c[i] = (int8_t)(c[i] - zc);
  wg_weight_format f = d->format;
  int bits = f != WG_WEIGHTS_INT ? d->bits : fold ? wg_int_width(cmin - zc, cmax - zc) : 8;
  wg_weights *pw = NULL;
  if (!bad) st = wg_weights_pack_for(ctx, c, 1, m, k, k, f, bits, call_abits, call_b, &pw);
  free(c);
  if (bad) return WG_ERR_BAD_CODE;
  if (st != WG_OK) return st;
  pw->zw = fold ? 0 : zc;
  *out = pw;
  return WG_OK;
}

wg_status wg_weights_pack_ex(const wg_context *ctx, const void *w, const wg_weights_desc *d,
                             wg_weights **out) {
  return wg_weights_pack_ex_for(ctx, w, d, 0, 0, out);
}
