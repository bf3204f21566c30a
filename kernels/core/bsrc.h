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

#include <stdatomic.h>
#include <stddef.h>
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
  /* Convolutions with sh = 1: the call's shifted images (driver.c), or
   * NULL.  Per input channel ci, kw images of R = oh + (kh-1)*dh rows of
   * ow codes: row j of image tw is input row j - pt as tap column tw sees
   * it (strided by sw, the zero-point code in the padding), so that row
   * (ci, th, tw) of B is the run from row th*dh of image tw on: contiguous
   * across output rows.  NHWC: one image of the batch (the driver then
   * runs one GEMM per image), and after the images the channels' planes
   * (h x w codes each), gathered from the pixels to build them.  Built on
   * first use, a unit of channels at a time (wg_bsrc_images_units), by
   * whichever task needs it first; imgs_state[u] is 2*imgs_id while unit u
   * is being built, 2*imgs_id + 1 once built (other values: not yet). */
  uint8_t *imgs;
  _Atomic uint64_t *imgs_state;
  uint64_t imgs_id;
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

/* Pixels ow0 .. ow0+run-1 of output row oh, NCHW tap (th, tw), from input
 * channel chan (h x w codes): wg_bsrc_row's bytes for one output row. */
void wg_bsrc_nchw_piece(const struct wg_bsrc *s, const uint8_t *chan, int64_t oh, int64_t ow0,
                        int64_t run, int64_t th, int64_t tw, uint8_t *dst);

/* Rows [j0, j0 + nrows) of the shifted image for tap column tw (row j:
 * input row j - pt as that column sees it, ow codes each) of the input
 * channel whose h x w codes are at chan, to q (row j0 first).  Needs
 * sh = 1. */
void wg_bsrc_shifted_rows(const struct wg_bsrc *s, const uint8_t *chan, int64_t tw, int64_t j0,
                          int64_t nrows, uint8_t *q);

/* Whether a source can be served by shifted images (a convolution with
 * sh = 1; NCHW ones with more than one tap, since a 1 x 1 filter's rows
 * lie in place), and their bytes for one image (NHWC: with the planes). */
int wg_bsrc_images_apply(const struct wg_bsrc *s);
size_t wg_bsrc_images_bytes(const struct wg_bsrc *s);
/* The state words of one image's shifted images: channels are built one
 * at a time (NCHW) or eight at a time (NHWC, whose planes come from one
 * pass over the pixels). */
size_t wg_bsrc_images_units(const struct wg_bsrc *s);

/* Row (ci, th, tw) of B from column n0 on as a pointer into the call's
 * shifted images, building channel ci's first if no task has; NULL where
 * there are none or another task is building them (the caller assembles
 * the row itself). */
const uint8_t *wg_bsrc_image_row(const struct wg_bsrc *s, int64_t ci, int64_t th, int64_t tw,
                                 int64_t n0);

/* Whether the images of every channel that rows [k0, k0 + len) of B read
 * are built, building those no task has claimed: 0 where there are none or
 * another task is building one.  A pack that reads a whole depth block
 * from the images asks first, and reads the block its own way otherwise
 * (pixel runs of an NHWC source), rather than row by row. */
int wg_bsrc_images_ready(const struct wg_bsrc *s, int64_t k0, int64_t len);

#endif /* WG_BSRC_H */
