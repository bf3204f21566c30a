/* The paper's Table 8 baseline (section 4.5): a for-loop GEMM with no
 * packing, one product at a time, in the buffer-bit arithmetic of section
 * 3.3.  Compiled like the SWAR kernels, so the ratio between them measures
 * packing alone. */
#include <stdlib.h>
#include <string.h>

#include "../core/internal.h"
#include "swar.h"

wg_status wg_swar_naive_gemm(const int8_t *w, int64_t m, int64_t k, int64_t ldw,
                             const uint8_t *x, int64_t n, int64_t ldx,
                             wg_act_format act, const wg_epilogue *ep, void *y,
                             int64_t ldy) {
  if (!w || !x || !ep || !y) return WG_ERR_NULL_POINTER;
  if (!wg_aligned(ep, _Alignof(wg_epilogue))) return WG_ERR_MISALIGNED; /* before ep->output */
  if (m < 1 || k < 1 || n < 1) return WG_ERR_BAD_SIZE;
  if (ldw < k || ldx < n || ldy < n) return WG_ERR_BAD_STRIDE;
  int64_t span;
  size_t es = wg_output_size(ep->output);
  if (!wg_mul_ok(m - 1, ldw, &span) || !wg_add_ok(span, k, &span) ||
      !wg_mul_ok(k - 1, ldx, &span) || !wg_add_ok(span, n, &span) ||
      !wg_mul_ok(m - 1, ldy, &span) || !wg_add_ok(span, n, &span) ||
      !wg_mul_ok(span, (int64_t)(es ? es : 1), &span) || !wg_mul_ok(m, 4, &span))
    return WG_ERR_SIZE_OVERFLOW;
  wg_status st = wg_check_act(act);
  if (st == WG_OK) st = wg_check_epilogue(ep, m);
  if (st != WG_OK) return st;
  if (!wg_aligned(y, es)) return WG_ERR_MISALIGNED;
  wg_span ys = wg_span_matrix(y, m, n, ldy, (int64_t)es);
  if (wg_spans_overlap(ys, wg_span_matrix(w, m, k, ldw, 1)) ||
      wg_spans_overlap(ys, wg_span_matrix(x, k, n, ldx, 1)) ||
      wg_overlaps_operands(ys, NULL, ep, m))
    return WG_ERR_ALIASING;
  for (int64_t i = 0; i < m; i++)
    for (int64_t kk = 0; kk < k; kk++)
      if (w[i * ldw + kk] < -1 || w[i * ldw + kk] > 1) return WG_ERR_BAD_CODE;
  if (!wg_codes_fit(x, k, n, ldx, (uint8_t)((1 << act.bits) - 1)))
    return WG_ERR_BAD_CODE;
  if (ep->acc_bits > WG_SWAR_BUFFER_LANE_BITS) return WG_ERR_UNSUPPORTED;

  /* The epilogue's zero-point correction needs the row sums of W. */
  int32_t *rowsum = malloc((size_t)m * sizeof *rowsum);
  uint8_t *acc = malloc((size_t)n); /* one 8-bit accumulator per column */
  if (!rowsum || !acc) {
    free(rowsum);
    free(acc);
    return WG_ERR_NO_MEMORY;
  }
  for (int64_t i = 0; i < m; i++) {
    uint32_t s = 0;
    for (int64_t kk = 0; kk < k; kk++) s += (uint32_t)(int32_t)w[i * ldw + kk];
    memcpy(&rowsum[i], &s, sizeof s);
  }
  wg_weights shape;
  memset(&shape, 0, sizeof shape);
  shape.rowsum = rowsum;
  wg_epi e = wg_resolve_epilogue(ep, &shape, act);

  /* Loops m, k, n: innermost over n, every access is contiguous, so the
   * baseline pays for its arithmetic, not for cache misses a strided
   * column walk of X would add. */
  for (int64_t i = 0; i < m; i++) {
    memset(acc, 0, (size_t)n);
    for (int64_t kk = 0; kk < k; kk++) {
      int8_t wv = w[i * ldw + kk];
      uint8_t neg = (uint8_t)-(wv < 0), nonzero = (uint8_t)-(wv != 0);
      const uint8_t *xrow = x + kk * ldx;
      for (int64_t j = 0; j < n; j++) {
        uint8_t p = (uint8_t)(((xrow[j] ^ neg) - neg) & nonzero); /* w*x mod 2^8 */
        acc[j] = (uint8_t)((acc[j] + p) & 0x7F); /* clear the buffer bit */
      }
    }
    for (int64_t j = 0; j < n; j++)
      wg_epi_store(&e, i, acc[j], (char *)y + (size_t)(i * ldy + j) * es);
  }
  free(acc);
  free(rowsum);
  return WG_OK;
}
