/* The naive baseline of Table 8.  The Makefile builds this file with the
 * library's SWAR flags (no auto-vectorisation, general registers only on
 * x86-64 and aarch64), so it is the scalar loop the paper compares the
 * bit-packed kernels against. */
#include "naive_loop.h"

void wgb_naive_lower(const uint8_t *x, int c, int h, int w, uint8_t *xt) {
  const int64_t k = (int64_t)9 * c;
  for (int oh = 0; oh < h; oh++)
    for (int ow = 0; ow < w; ow++) {
      uint8_t *dst = xt + ((int64_t)oh * w + ow) * k;
      for (int ci = 0; ci < c; ci++)
        for (int kh = 0; kh < 3; kh++)
          for (int kw = 0; kw < 3; kw++) {
            const int ih = oh + kh - 1, iw = ow + kw - 1;
            const int in = ih >= 0 && ih < h && iw >= 0 && iw < w;
            *dst++ = in ? x[((int64_t)ci * h + ih) * w + iw] : 0;
          }
    }
}

void wgb_naive_gemm_acc8(const int8_t *wt, const uint8_t *xt, int64_t mm,
                         int64_t n, int64_t k, int8_t *y) {
  for (int64_t m = 0; m < mm; m++)
    for (int64_t p = 0; p < n; p++) {
      const int8_t *wr = wt + m * k;
      const uint8_t *xr = xt + p * k;
      /* Unsigned 8-bit arithmetic wraps modulo 2^8 by definition. */
      uint8_t acc = 0;
      for (int64_t j = 0; j < k; j++)
        acc = (uint8_t)(acc + (uint8_t)((uint8_t)wr[j] * xr[j]));
      y[m * n + p] = (int8_t)acc;
    }
}
