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

#endif
