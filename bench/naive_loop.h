/* Table 8's baseline: the paper's naive for-loop convolution with 8-bit
 * accumulators, one multiply-accumulate per step, no vector instructions. */
#ifndef WGBENCH_NAIVE_LOOP_H
#define WGBENCH_NAIVE_LOOP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Lowers NCHW x (c x h x w; 3x3, stride 1, pad 1 with code 0) pixel-major:
 * row n of xt (h*w rows of 9c bytes) is output pixel n's receptive field in
 * OIHW filter order, so the inner loop below reads both operands in order. */
void wgb_naive_lower(const uint8_t *x, int c, int h, int w, uint8_t *xt);

/* y[m*n + p] = wrap_8(sum_k wt[m*k + j] * xt[p*k + j]) for m < mm, p < n. */
void wgb_naive_gemm_acc8(const int8_t *wt, const uint8_t *xt, int64_t mm,
                         int64_t n, int64_t k, int8_t *y);

#ifdef __cplusplus
}
#endif

#endif
