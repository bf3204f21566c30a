/*
 * The column term of weights with a zero point (wg_weights_pack_ex, codes
 * not packed as W - zw because that did not fit int8):
 *
 *   sum_k (W - zw)(X - zx) = sum_k W X - zx * rowsum(W) - zw * sum_k (X - zx)
 *
 * The kernels compute the first sum, the epilogue subtracts the second
 * (as for every call with a zero point zx), and the driver starts each
 * output tile from the third, per column, as if it were the partial sum
 * of an earlier depth block (driver.c): every kernel adds a parked
 * partial sum exactly, modulo its lane width, so no kernel changes.  Sums
 * modulo 2^32 are all wrap_b needs.  Padding of a convolution reads zx,
 * so it adds nothing here, as in the contract.
 */
#include "internal.h"

/* Columns (or depths) summed per pass: a stack buffer of one run. */
#define WG_COLSUM_RUN 512

/* B's rows are runs in place (plain matrices, NCHW images), its columns
 * are (X stored N x K, NHWC batches). */
static int by_rows(const wg_bsrc *s) {
  return !s->trans && !(s->is_conv && s->layout == WG_NHWC);
}

void wg_zw_column_terms(const wg_bsrc *s, int32_t zw, uint32_t zx, int64_t n0, int64_t len,
                        uint32_t *out) {
  uint8_t tmp[WG_COLSUM_RUN];
  if (by_rows(s)) {
    for (int64_t j0 = 0; j0 < len; j0 += WG_COLSUM_RUN) {
      int64_t cols = len - j0 < WG_COLSUM_RUN ? len - j0 : WG_COLSUM_RUN;
      uint32_t *sum = out + j0;
      for (int64_t j = 0; j < cols; j++) sum[j] = 0;
      for (int64_t k = 0; k < s->k; k++) {
        const uint8_t *row = wg_bsrc_row(s, k, n0 + j0, cols, tmp);
        for (int64_t j = 0; j < cols; j++) sum[j] += row[j];
      }
    }
  } else {
    for (int64_t j = 0; j < len; j++) {
      uint32_t sum = 0;
      for (int64_t k0 = 0; k0 < s->k; k0 += WG_COLSUM_RUN) {
        int64_t depth = s->k - k0 < WG_COLSUM_RUN ? s->k - k0 : WG_COLSUM_RUN;
        const uint8_t *col = wg_bsrc_col(s, n0 + j, k0, depth, tmp);
        for (int64_t i = 0; i < depth; i++) sum += col[i];
      }
      out[j] = sum;
    }
  }
  uint32_t kzx = (uint32_t)s->k * zx, nzw = 0u - (uint32_t)zw;
  for (int64_t j = 0; j < len; j++) out[j] = nzw * (out[j] - kzx);
}
