/*
 * The activation matrix B (K x N) as kernels' pack_b routines see it: either
 * a plain row-major matrix or a convolution input read in place (implicit
 * im2col: B is never materialised, packing fetches runs of it directly).
 *
 *   NCHW image:  k = (ci*KH + kh)*KW + kw,   n = oh*OW + ow    (one image)
 *   NHWC batch:  k = (kh*KW + kw)*C + ci,    n = (img*OH + oh)*OW + ow
 *
 * B[k, n] is the input pixel the filter tap k sees from output position n,
 * or the zero-point code where that pixel lies in the padding.  Depth past K
 * reads as 0 (the packed weights there are zero).
 */
#ifndef WG_BSRC_H
#define WG_BSRC_H

#include <stdint.h>

#include "wrapgemm.h"

struct wg_bsrc {
  int64_t k, n;          /* logical size of B                              */
  const uint8_t *x;      /* matrix base, or this image (NCHW) / batch (NHWC) */
  int64_t ldx;           /* matrix only                                    */
  int is_conv;
  int trans;             /* matrix only: B[k, n] at x[n*ldx + k] (X stored
                            N x K, wg_gemm_ex's WG_COL_MAJOR)               */
  wg_layout layout;
  uint8_t pad;           /* the zero-point code                            */
  int64_t c, h, w, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow;
  int64_t cs;            /* NHWC: bytes from one pixel to the next (>= c:
                            a group's channels within wider pixels)      */
};

/* A plain row-major matrix: row k of B at x + k*ldx, read in place. */
static inline int wg_bsrc_plain(const struct wg_bsrc *s) { return !s->is_conv && !s->trans; }

/* B[k, n0 .. n0+len) contiguous: a pointer into the source when that run is
 * contiguous there, else the run gathered into tmp (len bytes). */
const uint8_t *wg_bsrc_row(const struct wg_bsrc *s, int64_t k, int64_t n0,
                           int64_t len, uint8_t *tmp);

/* B[k0 .. k0+len, n] contiguous, likewise (NHWC convolutions have runs of C
 * channels in place). */
const uint8_t *wg_bsrc_col(const struct wg_bsrc *s, int64_t n, int64_t k0,
                           int64_t len, uint8_t *tmp);

/* B[k0 .. k0+len, n] for the cols columns n = n0, n0+1, ..., copied to
 * dst + (n - n0) * stride (stride >= len): wg_bsrc_col's bytes for a block
 * of columns at once. */
void wg_bsrc_cols(const struct wg_bsrc *s, int64_t n0, int64_t cols, int64_t k0, int64_t len,
                  uint8_t *dst, int64_t stride);

#endif /* WG_BSRC_H */
