/*
 * The reference oracle: the contract of docs/semantics.md written out
 * literally, with exact int64 sums.  Slow on purpose; tests hold every
 * kernel to it bit for bit.
 */
#ifndef WG_REFERENCE_H
#define WG_REFERENCE_H

#include <stdint.h>

#include "wrapgemm.h"

/* wrap_b of an exact sum, from the definition ((z + h) mod 2^b) - h. */
int64_t wg_ref_wrap(int64_t z, int b);

/* The whole epilogue of output row m for the exact sum z, into y (element
 * type per ep->output). */
void wg_ref_output(const wg_epilogue *ep, int64_t m, int64_t z, void *y);

/* Y(m,n) at y + (m*ys_m + n*ys_n) elements, for W (M x K, row stride ldw)
 * and X (K x N, row stride ldx) with activation zero point zx. */
void wg_ref_gemm(const int8_t *w, int64_t ldw, int64_t m, int64_t k,
                 const uint8_t *x, int64_t ldx, int64_t n, int zx,
                 const wg_epilogue *ep, void *y, int64_t ys_m, int64_t ys_n);

/* wg_conv2d from its definition (docs/semantics.md, Convolution): for
 * output channel mo of group g = mo / (M/G), pixel (i, j) of image b,
 *   z = sum over ci < C/G, u < KH, v < KW of
 *       W[mo, tap] * (X[b, g*C/G + ci, i*sh - pt + u*dh, j*sw - pl + v*dw] - zx)
 * with X = zx outside the image, W row mo of the M x K codes (row stride
 * K = C/G*KH*KW) at tap (ci*KH + u)*KW + v (NCHW) or (u*KW + v)*C/G + ci
 * (NHWC); y(b, out_channel_offset + mo, i, j) of a tensor of
 * out_channels (M when 0) channels in d->layout gets wg_ref_output of z.
 * G and the slice come from opt (NULL: none). */
void wg_ref_conv2d(const wg_conv2d_desc *d, const wg_conv2d_options *opt, const int8_t *w,
                   int64_t m, const uint8_t *x, int zx, const wg_epilogue *ep, void *y);

/* The whole contract: W(m,k) at w[m*ws_m + k*ws_k] (uint8_t codes when
 * w_unsigned, else int8_t) with weight zero point zw, X(k,n) at
 * x[k*xs_k + n*xs_n] with zero point zx: z = sum (W - zw)(X - zx). */
void wg_ref_gemm_ex(const void *w, int w_unsigned, int64_t ws_m, int64_t ws_k, int zw,
                    int64_t m, int64_t k, const uint8_t *x, int64_t xs_k, int64_t xs_n,
                    int64_t n, int zx, const wg_epilogue *ep, void *y, int64_t ys_m,
                    int64_t ys_n);

#endif
