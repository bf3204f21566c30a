/*
 * wg_gemmlowp_gemm: gemmlowp's GemmWithOutputPipeline<uint8_t, ...> on the
 * library's kernels (docs/gemmlowp.md).  gemmlowp ADDS its offsets, so
 * lhs_offset = -zw and rhs_offset = -zx: lhs becomes unsigned 8-bit
 * weights with zero point zw (wg_weights_pack_ex, packed per call), rhs
 * the activations (8 bits, zero point zx), and acc = wrap_32 of the exact
 * sum, which is what gemmlowp's int32 arithmetic gives.
 *
 * The uint8 output stage runs fused in the kernels' epilogue where it is
 * the library's WG_OUTPUT_UINT8_FIXED (multiplier in [2^30, 2^31), a right
 * shift of 1..31, so that the offset's addition cannot leave int32, an
 * offset 0..255 and a clamp that one of its bounds forms); else the int32
 * sums go to a scratch matrix and through gemmlowp's stages here, bit for
 * bit (arith.h has gemmlowp's SaturatingRoundingDoublingHighMul and
 * RoundingDivideByPOT).
 */
#include <stdlib.h>
#include <string.h>

#include "arith.h"
#include "internal.h"

wg_gemmlowp_desc wg_gemmlowp_desc_default(int64_t m, int64_t n, int64_t k) {
  wg_gemmlowp_desc d;
  memset(&d, 0, sizeof d);
  d.m = m;
  d.n = n;
  d.k = k;
  d.lhs_order = d.rhs_order = d.result_order = WG_ROW_MAJOR;
  d.ld_lhs = k;
  d.ld_rhs = n;
  d.ld_result = n;
  d.output = WG_GEMMLOWP_UINT8;
  d.result_fixedpoint_multiplier = 1 << 30;
  d.clamp_max = 255;
  return d;
}

static int order_ok(wg_order o) { return o == WG_ROW_MAJOR || o == WG_COL_MAJOR; }

/* Rows x cols storage of an R x C operand in order o (columns: ld's bound). */
static void storage(wg_order o, int64_t r, int64_t c, int64_t *rows, int64_t *cols) {
  *rows = o == WG_COL_MAJOR ? c : r;
  *cols = o == WG_COL_MAJOR ? r : c;
}

static int stride_ok(wg_order o, int64_t r, int64_t c, int64_t ld) {
  int64_t rows, cols;
  storage(o, r, c, &rows, &cols);
  return ld >= cols;
}

static int extent_ok(wg_order o, int64_t r, int64_t c, int64_t ld, int64_t es, wg_span *s,
                     const void *p) {
  int64_t rows, cols, span;
  storage(o, r, c, &rows, &cols);
  if (!wg_mul_ok(rows - 1, ld, &span) || !wg_add_ok(span, cols, &span) ||
      !wg_mul_ok(span, es, &span))
    return 0;
  *s = wg_span_of(p, span);
  return 1;
}

static size_t result_size(const wg_gemmlowp_desc *d) {
  return d->output == WG_GEMMLOWP_INT32 ? 4 : 1;
}

/* In the documented order; *rs, *ls, *xs: the byte ranges of result, lhs
 * and rhs. */
static wg_status check(const wg_gemmlowp_desc *d, const uint8_t *lhs, const uint8_t *rhs,
                       const void *result, const wg_run_info *info) {
  if (!d || !lhs || !rhs || !result) return WG_ERR_NULL_POINTER;
  if (!wg_aligned(d, _Alignof(wg_gemmlowp_desc)) || !wg_aligned(info, _Alignof(wg_run_info)))
    return WG_ERR_MISALIGNED;
  if (d->m < 1 || d->n < 1 || d->k < 1) return WG_ERR_BAD_SIZE;
  if (!stride_ok(d->lhs_order, d->m, d->k, d->ld_lhs) ||
      !stride_ok(d->rhs_order, d->k, d->n, d->ld_rhs) ||
      !stride_ok(d->result_order, d->m, d->n, d->ld_result))
    return WG_ERR_BAD_STRIDE;
  wg_span ls, xs, rs;
  if (!extent_ok(d->lhs_order, d->m, d->k, d->ld_lhs, 1, &ls, lhs) ||
      !extent_ok(d->rhs_order, d->k, d->n, d->ld_rhs, 1, &xs, rhs) ||
      !extent_ok(d->result_order, d->m, d->n, d->ld_result, (int64_t)result_size(d), &rs,
                 result))
    return WG_ERR_SIZE_OVERFLOW;
  if (!order_ok(d->lhs_order) || !order_ok(d->rhs_order) || !order_ok(d->result_order) ||
      (d->output != WG_GEMMLOWP_UINT8 && d->output != WG_GEMMLOWP_INT32) ||
      d->lhs_offset < -255 || d->lhs_offset > 0 || d->rhs_offset < -255 || d->rhs_offset > 0)
    return WG_ERR_BAD_OPTION;
  if (d->output == WG_GEMMLOWP_UINT8 &&
      (d->result_shift < 0 || d->result_shift > 31 || d->clamp_min > d->clamp_max))
    return WG_ERR_BAD_OPTION;
  if (!wg_aligned(result, result_size(d))) return WG_ERR_MISALIGNED;
  wg_span is = wg_span_of(info, (int64_t)sizeof *info);
  if (wg_spans_overlap(rs, ls) || wg_spans_overlap(rs, xs) || wg_spans_overlap(is, rs) ||
      wg_spans_overlap(is, ls) || wg_spans_overlap(is, xs))
    return WG_ERR_ALIASING;
  return WG_OK;
}

/* gemmlowp's quantize-down, clamp and saturating cast of one sum. */
static uint8_t stage(const wg_gemmlowp_desc *d, int32_t acc) {
  int32_t v = wg_rdivpot(wg_srdhm(acc, d->result_fixedpoint_multiplier), d->result_shift);
  v = (int32_t)((uint32_t)v + (uint32_t)d->result_offset_after_shift); /* int32 Add wraps */
  if (v < d->clamp_min) v = d->clamp_min;
  if (v > d->clamp_max) v = d->clamp_max;
  return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* The fused form of the uint8 stages, where there is one: out_bits and
 * relu of a WG_OUTPUT_UINT8_FIXED epilogue with zero point = offset. */
static int fusable(const wg_gemmlowp_desc *d, int *out_bits, int *relu) {
  int32_t off = d->result_offset_after_shift;
  int32_t lo = d->clamp_min > 0 ? d->clamp_min : 0, hi = d->clamp_max < 255 ? d->clamp_max : 255;
  if (d->result_fixedpoint_multiplier < (1 << 30) || d->result_shift < 1 || off < 0 ||
      off > 255 || lo > hi || (lo != 0 && lo != off))
    return 0;
  for (int b = 1; b <= 8; b++)
    if (hi == (1 << b) - 1 && off <= hi) {
      *out_bits = b;
      *relu = lo != 0;
      return 1;
    }
  return 0;
}

/* The call on packed lhs: fused, int32, or int32 into scratch and the
 * stages here. */
static wg_status run(wg_context *ctx, const wg_gemmlowp_desc *d, const wg_weights *w,
                     const uint8_t *rhs, void *result, wg_run_info *info) {
  wg_act_format act = {8, -d->rhs_offset};
  wg_gemm_desc g = {d->n, d->rhs_order, d->ld_rhs, d->result_order, d->ld_result};
  wg_epilogue ep = wg_epilogue_default();
  int bits, relu;
  if (d->output == WG_GEMMLOWP_INT32) return wg_gemm_ex(ctx, w, &g, rhs, act, &ep, result, info);
  if (fusable(d, &bits, &relu)) {
    int32_t *rows = malloc((size_t)d->m * 2 * sizeof *rows);
    if (!rows) return WG_ERR_NO_MEMORY;
    for (int64_t i = 0; i < d->m; i++) {
      rows[i] = d->result_fixedpoint_multiplier;
      rows[d->m + i] = -d->result_shift;
    }
    ep.output = WG_OUTPUT_UINT8_FIXED;
    ep.out_bits = bits;
    ep.relu = relu;
    ep.out_zero_point = d->result_offset_after_shift;
    ep.multiplier = rows;
    ep.shift = rows + d->m;
    wg_status st = wg_gemm_ex(ctx, w, &g, rhs, act, &ep, result, info);
    free(rows);
    return st;
  }
  int32_t *acc = malloc((size_t)(d->m * d->n) * sizeof *acc);
  if (!acc) return WG_ERR_NO_MEMORY;
  g.y_order = WG_ROW_MAJOR;
  g.ldy = d->n;
  wg_status st = wg_gemm_ex(ctx, w, &g, rhs, act, &ep, acc, info);
  if (st == WG_OK) {
    uint8_t *q = result;
    int col = d->result_order == WG_COL_MAJOR;
    for (int64_t i = 0; i < d->m; i++)
      for (int64_t j = 0; j < d->n; j++)
        q[col ? j * d->ld_result + i : i * d->ld_result + j] = stage(d, acc[i * d->n + j]);
  }
  free(acc);
  return st;
}

wg_status wg_gemmlowp_gemm(wg_context *ctx, const wg_gemmlowp_desc *d, const uint8_t *lhs,
                           const uint8_t *rhs, void *result, wg_run_info *info) {
  if (!ctx) return WG_ERR_NULL_POINTER;
  wg_status st = check(d, lhs, rhs, result, info);
  if (st != WG_OK) return st;
  wg_weights_desc wd = {d->m, d->k, d->lhs_order, d->ld_lhs, WG_WEIGHTS_INT, 8, 1,
                        -d->lhs_offset};
  wg_weights *w;
  /* for this call's kernel only: 8-bit activations, b = 32; what
   * wg_weights_pack_ex makes of wd, in two passes (weights_once.c) */
  st = wg_weights_pack_u8_once(ctx, lhs, &wd, 8, 32, &w);
  if (st != WG_OK) return st;
  st = run(ctx, d, w, rhs, result, info);
  wg_weights_destroy(w);
  return st;
}
