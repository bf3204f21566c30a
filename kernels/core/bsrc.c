#include "bsrc.h"

#include <string.h>

/* Input coordinate of tap t (kernel index) from output position o, or -1
 * when it falls in the padding. */
static int64_t in_coord(int64_t o, int64_t t, int64_t stride, int64_t pad,
                        int64_t dil, int64_t size) {
  int64_t i = o * stride - pad + t * dil;
  return i >= 0 && i < size ? i : -1;
}

static uint8_t conv_at(const struct wg_bsrc *s, int64_t k, int64_t n) {
  int64_t ci, th, tw, img = 0, oh, ow;
  if (s->layout == WG_NCHW) {
    tw = k % s->kw;
    th = (k / s->kw) % s->kh;
    ci = k / (s->kw * s->kh);
  } else {
    ci = k % s->c;
    tw = (k / s->c) % s->kw;
    th = k / (s->c * s->kw);
  }
  ow = n % s->ow;
  oh = (n / s->ow) % s->oh;
  img = n / (s->ow * s->oh);
  int64_t ih = in_coord(oh, th, s->sh, s->pt, s->dh, s->h);
  int64_t iw = in_coord(ow, tw, s->sw, s->pl, s->dw, s->w);
  if (ih < 0 || iw < 0) return s->pad;
  if (s->layout == WG_NCHW) return s->x[(ci * s->h + ih) * s->w + iw];
  return s->x[((img * s->h + ih) * s->w + iw) * s->cs + ci];
}

/* NCHW: a row of B is, per output row oh, a strided run of one input row. */
static void nchw_row(const struct wg_bsrc *s, int64_t k, int64_t n0,
                     int64_t len, uint8_t *dst) {
  int64_t tw = k % s->kw, th = (k / s->kw) % s->kh, ci = k / (s->kw * s->kh);
  int64_t n = n0, end = n0 + len;
  while (n < end) {
    int64_t oh = n / s->ow, ow = n % s->ow;
    int64_t run = s->ow - ow;
    if (run > end - n) run = end - n;
    int64_t ih = in_coord(oh, th, s->sh, s->pt, s->dh, s->h);
    if (ih < 0) {
      memset(dst, s->pad, (size_t)run);
    } else {
      const uint8_t *row = s->x + (ci * s->h + ih) * s->w;
      int64_t off = tw * s->dw - s->pl; /* iw = ow*sw + off */
      for (int64_t j = 0; j < run; j++) {
        int64_t iw = (ow + j) * s->sw + off;
        dst[j] = iw >= 0 && iw < s->w ? row[iw] : s->pad;
      }
    }
    dst += run;
    n += run;
  }
}

const uint8_t *wg_bsrc_row(const struct wg_bsrc *s, int64_t k, int64_t n0,
                           int64_t len, uint8_t *tmp) {
  if (k >= s->k) {
    memset(tmp, 0, (size_t)len);
    return tmp;
  }
  if (s->trans) { /* one byte of each of len rows of X */
    for (int64_t j = 0; j < len; j++) tmp[j] = s->x[(n0 + j) * s->ldx + k];
    return tmp;
  }
  if (!s->is_conv) return s->x + k * s->ldx + n0;
  if (s->layout == WG_NCHW) {
    /* In place when the run stays inside one output row, stride 1, and no
     * tap falls in the padding: the common interior case. */
    int64_t tw = k % s->kw, th = (k / s->kw) % s->kh, ci = k / (s->kw * s->kh);
    int64_t oh = n0 / s->ow, ow = n0 % s->ow;
    int64_t ih = in_coord(oh, th, s->sh, s->pt, s->dh, s->h);
    int64_t iw0 = ow - s->pl + tw * s->dw;
    if (s->sw == 1 && ow + len <= s->ow && ih >= 0 && iw0 >= 0 &&
        iw0 + len <= s->w)
      return s->x + (ci * s->h + ih) * s->w + iw0;
    nchw_row(s, k, n0, len, tmp);
    return tmp;
  }
  for (int64_t j = 0; j < len; j++) tmp[j] = conv_at(s, k, n0 + j);
  return tmp;
}

const uint8_t *wg_bsrc_col(const struct wg_bsrc *s, int64_t n, int64_t k0,
                           int64_t len, uint8_t *tmp) {
  int64_t valid = s->k - k0;
  if (valid > len) valid = len;
  if (valid < 0) valid = 0;
  if (valid < len) memset(tmp + valid, 0, (size_t)(len - valid));
  if (s->trans) { /* column n of B is row n of X */
    if (valid == len) return s->x + n * s->ldx + k0;
    if (valid > 0) memcpy(tmp, s->x + n * s->ldx + k0, (size_t)valid);
    return tmp;
  }
  if (!s->is_conv) {
    for (int64_t j = 0; j < valid; j++) tmp[j] = s->x[(k0 + j) * s->ldx + n];
    return tmp;
  }
  if (s->layout == WG_NHWC) {
    /* Runs of C channels of one input pixel are contiguous in place. */
    int64_t ow = n % s->ow, oh = (n / s->ow) % s->oh, img = n / (s->ow * s->oh);
    int64_t ci = k0 % s->c, tap = k0 / s->c;
    if (valid == len && ci + len <= s->c) {
      int64_t ih = in_coord(oh, tap / s->kw, s->sh, s->pt, s->dh, s->h);
      int64_t iw = in_coord(ow, tap % s->kw, s->sw, s->pl, s->dw, s->w);
      if (ih >= 0 && iw >= 0)
        return s->x + ((img * s->h + ih) * s->w + iw) * s->cs + ci;
    }
    int64_t j = 0;
    while (j < valid) {
      int64_t run = s->c - ci;
      if (run > valid - j) run = valid - j;
      int64_t ih = in_coord(oh, tap / s->kw, s->sh, s->pt, s->dh, s->h);
      int64_t iw = in_coord(ow, tap % s->kw, s->sw, s->pl, s->dw, s->w);
      if (ih < 0 || iw < 0)
        memset(tmp + j, s->pad, (size_t)run);
      else
        memcpy(tmp + j, s->x + ((img * s->h + ih) * s->w + iw) * s->cs + ci,
               (size_t)run);
      j += run;
      ci = 0;
      tap++;
    }
    return tmp;
  }
  for (int64_t j = 0; j < valid; j++) tmp[j] = conv_at(s, k0 + j, n);
  return tmp;
}

/* len bytes from p to d in 8-byte moves: runs are 24-48 bytes, for which
 * a call to the C library's memcpy cost more than the copy (docs/lut.md,
 * "NHWC sources"). */
static void copy_run(uint8_t *d, const uint8_t *p, int64_t len) {
  int64_t j = 0;
  for (; j + 8 <= len; j += 8) {
    uint64_t v;
    memcpy(&v, p + j, 8);
    memcpy(d + j, &v, 8);
  }
  for (; j < len; j++) d[j] = p[j];
}

void wg_bsrc_cols(const struct wg_bsrc *s, int64_t n0, int64_t cols, int64_t k0, int64_t len,
                  uint8_t *dst, int64_t stride) {
  if (!s->is_conv || s->layout != WG_NHWC) {
    for (int64_t j = 0; j < cols; j++) {
      uint8_t *run = dst + j * stride;
      const uint8_t *p = wg_bsrc_col(s, n0 + j, k0, len, run);
      if (p != run) copy_run(run, p, len);
    }
    return;
  }
  /* An NHWC convolution: depths k0 .. k0+len split into runs of channels
   * of one tap (th, tw); per column such a run is one input pixel's
   * channels in place, or padding.  The output coordinates step column by
   * column (wg_bsrc_col divides them out of n each time: six divisions per
   * run of 24-48 bytes).  Depths past K are zero. */
  int64_t valid = s->k - k0;
  if (valid > len) valid = len;
  if (valid < 0) valid = 0;
  if (valid < len)
    for (int64_t j = 0; j < cols; j++) memset(dst + j * stride + valid, 0, (size_t)(len - valid));
  for (int64_t k = k0; k < k0 + valid;) {
    int64_t ci = k % s->c, tap = k / s->c, th = tap / s->kw, tw = tap % s->kw;
    int64_t seg = s->c - ci < k0 + valid - k ? s->c - ci : k0 + valid - k;
    int64_t ow = n0 % s->ow, oh = (n0 / s->ow) % s->oh, img = n0 / (s->ow * s->oh);
    for (int64_t j = 0; j < cols; j++) {
      int64_t ih = in_coord(oh, th, s->sh, s->pt, s->dh, s->h);
      int64_t iw = in_coord(ow, tw, s->sw, s->pl, s->dw, s->w);
      uint8_t *run = dst + j * stride + (k - k0);
      if (ih < 0 || iw < 0)
        memset(run, s->pad, (size_t)seg);
      else
        copy_run(run, s->x + ((img * s->h + ih) * s->w + iw) * s->cs + ci, seg);
      if (++ow == s->ow) {
        ow = 0;
        if (++oh == s->oh) {
          oh = 0;
          img++;
        }
      }
    }
    k += seg;
  }
}
