/*
 * wg_weights_pack_u8_once: unsigned 8-bit weights with a zero point zw,
 * packed for the one kernel of one call (wg_gemmlowp_gemm packs its lhs on
 * every call, as gemmlowp does).  The result is what wg_weights_pack_ex_for
 * makes of the same desc (the same fold decision, codes, range, row sums
 * and kernel: weights_ex.c says why), made in two passes over the codes
 * instead of five:
 *
 *   1. their range [lo, hi], read only, stopping once it is [0, 255]: there
 *      is nothing to validate (every byte is a code) and the range decides
 *      the fold, the width and the kernel;
 *   2. per panel of the kernel's MR rows: the codes W - sub (sub = zw where
 *      W - zw fits int8, else 128, the zero point then left to the call)
 *      into a small MR x K block that stays in cache, its row sums, and the
 *      kernel's pack_a from that block into the panel.
 *
 * No tap-major or direct-convolution copy (a GEMM call reads neither) and
 * no M x K intermediate.  Built with -O3 (mk/gemmlowp.mk): the byte loops
 * vectorize on the baseline ISA.  Timings: docs/gemmlowp.md.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* [lo, hi] of `rows` runs of `cols` bytes, `ld` apart. */
static void byte_range(const uint8_t *w, int64_t rows, int64_t cols, int64_t ld, int *lo,
                       int *hi) {
  uint8_t mn = 255, mx = 0;
  for (int64_t i = 0; i < rows && (mn != 0 || mx != 255); i++) {
    const uint8_t *row = w + i * ld;
    uint8_t rmn = 255, rmx = 0;
    for (int64_t j = 0; j < cols; j++) {
      rmn = row[j] < rmn ? row[j] : rmn;
      rmx = row[j] > rmx ? row[j] : rmx;
    }
    mn = rmn < mn ? rmn : mn;
    mx = rmx > mx ? rmx : mx;
  }
  *lo = mn;
  *hi = mx;
}

/* sum of n bytes modulo 2^32, in runs of 257 whose sum fits 16 bits (the
 * loop then vectorizes on 16-bit lanes, half the work of 32-bit ones). */
static uint32_t byte_sum(const uint8_t *restrict p, int64_t n) {
  uint32_t s = 0;
  for (int64_t j = 0; j < n; j += 257) {
    int64_t e = n - j < 257 ? n - j : 257;
    uint16_t r = 0;
    for (int64_t t = 0; t < e; t++) r = (uint16_t)(r + p[j + t]);
    s += r;
  }
  return s;
}

/* Rows r0 .. r0+rows-1 of W (element (r, j) at w[r*rs + j*js]) as the
 * int8 codes W - sub, row after row k apart into blk, and their sums
 * modulo 2^32, sum W - k * sub, into rowsum. */
static void convert_rows(const uint8_t *w, int64_t rs, int64_t js, int64_t r0, int rows,
                         int64_t k, uint8_t sub, int8_t *restrict blk, uint32_t *s,
                         int32_t *rowsum) {
  memset(s, 0, (size_t)rows * sizeof *s);
  if (js == 1)
    for (int i = 0; i < rows; i++) {
      const uint8_t *restrict src = w + (r0 + i) * rs;
      uint8_t *restrict dst = (uint8_t *)blk + i * k;
      for (int64_t j = 0; j < k; j++) dst[j] = (uint8_t)(src[j] - sub);
      s[i] = byte_sum(src, k);
    }
  else /* column-major: the panel's rows are `rows` adjacent bytes per depth */
    for (int64_t j = 0; j < k; j++) {
      const uint8_t *src = w + r0 * rs + j * js;
      for (int i = 0; i < rows; i++) {
        ((uint8_t *)blk)[i * k + j] = (uint8_t)(src[i] - sub);
        s[i] += src[i];
      }
    }
  for (int i = 0; i < rows; i++) {
    uint32_t v = s[i] - (uint32_t)k * sub;
    memcpy(&rowsum[r0 + i], &v, sizeof v);
  }
}

static wg_status fill(const wg_kernel *kk, wg_weights *w, const uint8_t *src,
                      const wg_weights_desc *d, uint8_t sub) {
  wg_apack *ap;
  wg_status st = wg_weights_new_pack(w, kk->pack_a, kk->mr, kk->ku, kk->a_group_bytes, &ap);
  if (st != WG_OK) return st;
  int64_t m = d->m, k = d->k;
  int col = d->order == WG_COL_MAJOR;
  uint32_t *sums = malloc((size_t)kk->mr * sizeof *sums + (size_t)(kk->mr * k));
  if (!sums) return WG_ERR_NO_MEMORY;
  int8_t *blk = (int8_t *)(sums + kk->mr);
  for (int64_t r0 = 0, p = 0; r0 < m; r0 += kk->mr, p++) {
    int rows = m - r0 < kk->mr ? (int)(m - r0) : kk->mr;
    convert_rows(src, col ? 1 : d->ldw, col ? d->ldw : 1, r0, rows, k, sub, blk, sums,
                 w->rowsum);
    kk->pack_a(blk, k, rows, k, (char *)ap->data + (size_t)p * ap->panel_bytes);
  }
  free(sums);
  return WG_OK;
}

wg_status wg_weights_pack_u8_once(const wg_context *ctx, const uint8_t *src,
                                  const wg_weights_desc *d, int call_abits, int call_b,
                                  wg_weights **out) {
  int col = d->order == WG_COL_MAJOR, lo, hi, zw = d->zero_point;
  byte_range(src, col ? d->k : d->m, col ? d->m : d->k, d->ldw, &lo, &hi);
  /* W - zw fits int8: packed as those codes, no zero point left; else the
   * codes W - 128 and zero point zw - 128 (weights_ex.c). */
  int fold = lo - zw >= -128 && hi - zw <= 127, sub = fold ? zw : 128;
  wg_weights *w = calloc(1, sizeof *w);
  if (!w) return WG_ERR_NO_MEMORY;
  w->m = d->m;
  w->k = d->k;
  w->groups = 1;
  w->format = WG_WEIGHTS_INT;
  w->wmin = lo - sub;
  w->wmax = hi - sub;
  w->bits = fold ? wg_int_width(w->wmin, w->wmax) : 8;
  w->rowsum = malloc((size_t)d->m * sizeof *w->rowsum);
  /* the problem a GEMM call makes of them (plan.c), so the same choice */
  wg_epilogue e = wg_epilogue_default();
  e.acc_bits = call_b;
  wg_problem p = wg_make_problem(w, (wg_act_format){call_abits, 0}, &e);
  const wg_kernel *kk = wg_choose_kernel(ctx, w, &p);
  wg_status st = !w->rowsum                                      ? WG_ERR_NO_MEMORY
                 : !kk || !wg_kernel_serves_weights(kk, w) ? WG_ERR_UNSUPPORTED
                                                                 : fill(kk, w, src, d, (uint8_t)sub);
  if (st != WG_OK) {
    wg_weights_destroy(w);
    return st;
  }
  w->zw = fold ? 0 : zw - 128;
  *out = w;
  return WG_OK;
}
