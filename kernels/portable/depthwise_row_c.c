/* One output row of a depthwise convolution (kernel.h, wg_dwrow): sums
 * modulo 2^32 of code products, then the scalar epilogue (wg_epi_store).  NHWC runs along the channels of a
 * pixel, which are contiguous in the input, the weights (tap-major) and
 * the sums, so the inner loop is a plain multiply-add over arrays that a
 * compiler vectorises; NCHW runs along an input row of one channel. */
#include "depthwise_row_c.h"

#include <string.h>

/* c(i) * x(i) with both widened: |w| <= 128 and x <= 255 fit int32, and
 * the sum is kept modulo 2^32 in unsigned arithmetic. */
static inline uint32_t prod(int8_t w, uint8_t x) { return (uint32_t)((int32_t)w * (int32_t)x); }

static void nhwc_row(const wg_dwrow *t) {
  const wg_bsrc *s = t->src;
  const int64_t m = t->m, mult = t->mult, c = m / mult;
  for (int64_t ow = 0; ow < s->ow; ow++) {
    uint32_t *acc = t->acc + ow * m;
    memset(acc, 0, (size_t)m * sizeof *acc);
    for (int64_t u = 0; u < s->kh; u++) {
      int64_t ih = t->oh * s->sh - s->pt + u * s->dh;
      for (int64_t v = 0; v < s->kw; v++) {
        int64_t iw = ow * s->sw - s->pl + v * s->dw;
        const int8_t *w = t->w + (u * s->kw + v) * m;
        if (ih < 0 || ih >= s->h || iw < 0 || iw >= s->w) {
          for (int64_t i = 0; i < m; i++) acc[i] += prod(w[i], s->pad);
          continue;
        }
        const uint8_t *px = s->x + (ih * s->w + iw) * s->cs;
        if (mult == 1) {
          for (int64_t i = 0; i < m; i++) acc[i] += prod(w[i], px[i]);
        } else {
          for (int64_t ci = 0; ci < c; ci++)
            for (int64_t j = 0; j < mult; j++)
              acc[ci * mult + j] += prod(w[ci * mult + j], px[ci]);
        }
      }
    }
  }
}

static void nchw_row(const wg_dwrow *t) {
  const wg_bsrc *s = t->src;
  const uint8_t *plane = s->x + (t->ch / t->mult) * s->h * s->w;
  memset(t->acc, 0, (size_t)s->ow * sizeof *t->acc);
  for (int64_t u = 0; u < s->kh; u++) {
    int64_t ih = t->oh * s->sh - s->pt + u * s->dh;
    for (int64_t v = 0; v < s->kw; v++) {
      int8_t w = t->w[(u * s->kw + v) * t->m + t->ch];
      int64_t off = v * s->dw - s->pl; /* iw = ow*sw + off */
      const uint8_t *row = ih >= 0 && ih < s->h ? plane + ih * s->w : NULL;
      for (int64_t ow = 0; ow < s->ow; ow++) {
        int64_t iw = ow * s->sw + off;
        t->acc[ow] += prod(w, row && iw >= 0 && iw < s->w ? row[iw] : s->pad);
      }
    }
  }
}

void wg_depthwise_row_c(const wg_dwrow *t) {
  const wg_bsrc *s = t->src;
  const size_t es = wg_output_size(t->epi->output);
  if (s->layout == WG_NHWC) {
    nhwc_row(t);
    for (int64_t ow = 0; ow < s->ow; ow++)
      for (int64_t i = 0; i < t->m; i++)
        wg_epi_store(t->epi, i, t->acc[ow * t->m + i],
                     (char *)t->y + (size_t)(ow * t->ys_n + i * t->ys_m) * es);
  } else {
    nchw_row(t);
    for (int64_t ow = 0; ow < s->ow; ow++)
      wg_epi_store(t->epi, t->ch, t->acc[ow], (char *)t->y + (size_t)(ow * t->ys_n) * es);
  }
}
