/* Weight quantizers: float weights to the codes and per-row scales that
 * wg_weights_pack and the epilogue's scale take (BWN, TWN, SAWB).  Sums are
 * in double so that the result does not depend on the row length's
 * rounding drift. */
#include <math.h>

#include "internal.h"

/* SAWB's regression for 4 bins (PACT/SAWB paper, eq. 7). */
#define SAWB_C1 2.587
#define SAWB_C2 1.693

static void binary_row(const float *w, int64_t k, int8_t *c, float *scale) {
  double sum = 0.0;
  for (int64_t j = 0; j < k; j++) {
    sum += fabs((double)w[j]);
    c[j] = w[j] >= 0.0f ? 1 : -1;
  }
  *scale = (float)(sum / (double)k);
}

static void ternary_row(const float *w, int64_t k, int8_t *c, float *scale) {
  double sum = 0.0;
  for (int64_t j = 0; j < k; j++) sum += fabs((double)w[j]);
  double delta = 0.7 * sum / (double)k, kept = 0.0;
  int64_t nkept = 0;
  for (int64_t j = 0; j < k; j++) {
    double a = fabs((double)w[j]);
    c[j] = a > delta ? (w[j] > 0.0f ? 1 : -1) : 0;
    if (a > delta) {
      kept += a;
      nkept++;
    }
  }
  *scale = nkept ? (float)(kept / (double)nkept) : 0.0f;
}

/* Nearest of the odd levels {-3, -1, 1, 3} to u (weights in units of
 * alpha/3); a tie (u an even integer) goes to the larger code. */
static int8_t sawb_code(double u) {
  double c = 2.0 * floor(u / 2.0) + 1.0;
  return (int8_t)(c < -3.0 ? -3 : c > 3.0 ? 3 : c);
}

wg_status wg_quantize_weights(const float *w, int64_t m, int64_t k,
                              int64_t ldw, wg_quantizer quantizer,
                              int8_t *codes, int64_t ldc, float *scale) {
  if (!w || !codes || !scale) return WG_ERR_NULL_POINTER;
  if (m < 1 || k < 1) return WG_ERR_BAD_SIZE;
  if (ldw < k || ldc < k) return WG_ERR_BAD_STRIDE;
  int64_t a, b;
  if (!wg_mul_ok(m, ldw, &a) || !wg_mul_ok(m, ldc, &b))
    return WG_ERR_SIZE_OVERFLOW;
  if (quantizer != WG_QUANT_BINARY && quantizer != WG_QUANT_TERNARY &&
      quantizer != WG_QUANT_SAWB2)
    return WG_ERR_BAD_OPTION;
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < k; j++)
      if (!isfinite(w[i * ldw + j])) return WG_ERR_BAD_OPTION;

  if (quantizer == WG_QUANT_SAWB2) {
    double s1 = 0.0, s2 = 0.0;
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < k; j++) {
        double v = w[i * ldw + j];
        s1 += fabs(v);
        s2 += v * v;
      }
    double cnt = (double)m * (double)k;
    /* sqrt(E[w^2]) >= E|w| and c1 > c2, so alpha > 0 unless all are 0. */
    double alpha = SAWB_C1 * sqrt(s2 / cnt) - SAWB_C2 * (s1 / cnt);
    double unit = alpha / 3.0;
    for (int64_t i = 0; i < m; i++) {
      for (int64_t j = 0; j < k; j++)
        codes[i * ldc + j] =
            unit > 0.0 ? sawb_code((double)w[i * ldw + j] / unit) : 1;
      scale[i] = unit > 0.0 ? (float)unit : 0.0f;
    }
    return WG_OK;
  }
  for (int64_t i = 0; i < m; i++) {
    if (quantizer == WG_QUANT_BINARY)
      binary_row(w + i * ldw, k, codes + i * ldc, &scale[i]);
    else
      ternary_row(w + i * ldw, k, codes + i * ldc, &scale[i]);
  }
  return WG_OK;
}
