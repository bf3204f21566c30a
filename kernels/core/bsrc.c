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

void wg_bsrc_nchw_piece(const struct wg_bsrc *s, const uint8_t *chan, int64_t oh, int64_t ow0,
                        int64_t run, int64_t th, int64_t tw, uint8_t *dst) {
  int64_t ih = oh * s->sh - s->pt + th * s->dh;
  if (ih < 0 || ih >= s->h) {
    memset(dst, s->pad, (size_t)run);
    return;
  }
  const uint8_t *in = chan + ih * s->w;
  int64_t off = tw * s->dw - s->pl; /* iw = ow * sw + off */
  /* Pixels j with 0 <= (ow0 + j) * sw + off < w form one range [lo, hi). */
  int64_t first = ow0 * s->sw + off, lo, hi;
  if (s->sw == 1) { /* the common case, without divisions */
    lo = first >= 0 ? 0 : -first;
    hi = first >= s->w ? 0 : s->w - first;
  } else {
    lo = first >= 0 ? 0 : (-first + s->sw - 1) / s->sw;
    hi = first >= s->w ? 0 : (s->w - first + s->sw - 1) / s->sw;
  }
  if (lo > run) lo = run;
  if (hi > run) hi = run;
  if (hi < lo) hi = lo;
  for (int64_t j = 0; j < lo; j++) dst[j] = s->pad; /* a pixel or two */
  if (s->sw == 1) {
    memcpy(dst + lo, in + first + lo, (size_t)(hi - lo));
  } else {
    for (int64_t j = lo; j < hi; j++) dst[j] = in[first + j * s->sw];
  }
  for (int64_t j = hi; j < run; j++) dst[j] = s->pad;
}

/* NCHW: a row of B is, per output row oh, a strided run of one input row. */
static void nchw_row(const struct wg_bsrc *s, int64_t k, int64_t n0, int64_t len, uint8_t *dst) {
  int64_t tw = k % s->kw, th = (k / s->kw) % s->kh, ci = k / (s->kw * s->kh);
  const uint8_t *chan = s->x + ci * s->h * s->w;
  int64_t n = n0, end = n0 + len;
  while (n < end) {
    int64_t oh = n / s->ow, ow = n % s->ow;
    int64_t run = s->ow - ow;
    if (run > end - n) run = end - n;
    wg_bsrc_nchw_piece(s, chan, oh, ow, run, th, tw, dst);
    dst += run;
    n += run;
  }
}

/* When output rows are as wide as input rows (stride 1 with "same"
 * padding, the ResNet case) the in-image rows of a shifted image are one
 * contiguous run of the channel shifted by off = tw*dw - pl: one copy, then
 * the |off| pixels per row that came from a neighbouring row (or from
 * outside the channel, never read) are set to the zero-point code.  Else
 * row by row. */
void wg_bsrc_shifted_rows(const struct wg_bsrc *s, const uint8_t *chan, int64_t tw, int64_t j0,
                          int64_t nrows, uint8_t *q) {
  int64_t w = s->w, off = tw * s->dw - s->pl;
  if (s->sw != 1 || s->ow != w || off <= -w || off >= w) {
    for (int64_t j = 0; j < nrows; j++)
      wg_bsrc_nchw_piece(s, chan, j0 + j, 0, s->ow, 0, tw, q + j * s->ow);
    return;
  }
  int64_t a = s->pt - j0, b = s->pt - j0 + s->h; /* rows inside the image */
  if (a < 0) a = 0;
  if (b > nrows) b = nrows;
  if (b <= a) {
    memset(q, s->pad, (size_t)(nrows * w));
    return;
  }
  memset(q, s->pad, (size_t)(a * w));
  memset(q + b * w, s->pad, (size_t)((nrows - b) * w));
  /* q[a*w + i] = chan[(a + j0 - pt)*w + off + i], clipped to the channel. */
  int64_t from = (a + j0 - s->pt) * w + off, n = (b - a) * w, skip = 0;
  if (from < 0) skip = -from;
  if (from + n > s->h * w) n = s->h * w - from;
  memcpy(q + a * w + skip, chan + from + skip, (size_t)(n - skip));
  int64_t lo = off < 0 ? -off : 0, hi = off > 0 ? w - off : w;
  for (int64_t j = a; j < b; j++) {
    uint8_t *row = q + j * w;
    for (int64_t i = 0; i < lo; i++) row[i] = s->pad;
    for (int64_t i = hi; i < w; i++) row[i] = s->pad;
  }
}

int wg_bsrc_images_apply(const struct wg_bsrc *s) {
  return s->is_conv && s->sh == 1 && (s->layout == WG_NHWC || s->kh * s->kw >= 2);
}

static int64_t image_rows(const struct wg_bsrc *s) { return s->oh + (s->kh - 1) * s->dh; }
static int64_t channels(const struct wg_bsrc *s) { return s->k / (s->kh * s->kw); }

size_t wg_bsrc_images_bytes(const struct wg_bsrc *s) {
  size_t imgs = (size_t)channels(s) * (size_t)(s->kw * image_rows(s) * s->ow);
  return s->layout == WG_NHWC ? imgs + (size_t)channels(s) * (size_t)(s->h * s->w) : imgs;
}

/* NHWC images are built WG_BSRC_NHWC_UNIT channels at a time: their planes
 * come from one pass over the pixels, 8 bytes of each, where a pass per
 * channel read every line of the image once per channel (15% of a
 * 64x56x56 convolution's samples, AMD EPYC Zen 5). */
#define WG_BSRC_NHWC_UNIT 8

static int64_t unit_of(const struct wg_bsrc *s) {
  return s->layout == WG_NHWC ? WG_BSRC_NHWC_UNIT : 1;
}

size_t wg_bsrc_images_units(const struct wg_bsrc *s) {
  return (size_t)((channels(s) + unit_of(s) - 1) / unit_of(s));
}

/* The 8 x 8 bytes r[i] (byte j of r[i] at bits 8j) transposed in place:
 * byte j of r[i] becomes byte i of r[j].  Three rounds of swapping the
 * off-diagonal blocks of 1, 2 and 4 bytes between words 1, 2 and 4 apart:
 * 24 masked exchanges for 64 bytes, where byte stores would take 64 (the
 * gather's store port bound, 12.7% of a 64x56x56 NHWC convolution's
 * samples, AMD EPYC Zen 5). */
#define WG_SWAP_BLOCKS(a, b, mask, bits)              \
  do {                                                \
    uint64_t t_ = (((a) >> (bits)) ^ (b)) & (mask);   \
    (b) ^= t_;                                        \
    (a) ^= t_ << (bits);                              \
  } while (0)
static inline void transpose8x8(uint64_t r[8]) {
  uint64_t r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4], r5 = r[5], r6 = r[6],
           r7 = r[7];
  const uint64_t m8 = 0x00FF00FF00FF00FFull, m16 = 0x0000FFFF0000FFFFull,
                 m32 = 0x00000000FFFFFFFFull;
  WG_SWAP_BLOCKS(r0, r1, m8, 8);
  WG_SWAP_BLOCKS(r2, r3, m8, 8);
  WG_SWAP_BLOCKS(r4, r5, m8, 8);
  WG_SWAP_BLOCKS(r6, r7, m8, 8);
  WG_SWAP_BLOCKS(r0, r2, m16, 16);
  WG_SWAP_BLOCKS(r1, r3, m16, 16);
  WG_SWAP_BLOCKS(r4, r6, m16, 16);
  WG_SWAP_BLOCKS(r5, r7, m16, 16);
  WG_SWAP_BLOCKS(r0, r4, m32, 32);
  WG_SWAP_BLOCKS(r1, r5, m32, 32);
  WG_SWAP_BLOCKS(r2, r6, m32, 32);
  WG_SWAP_BLOCKS(r3, r7, m32, 32);
  r[0] = r0, r[1] = r1, r[2] = r2, r[3] = r3, r[4] = r4, r[5] = r5, r[6] = r6, r[7] = r7;
}
#undef WG_SWAP_BLOCKS

/* 8 bytes as a word with byte j at bits 8j, and back, on either byte
 * order (the s390x lane is big-endian). */
static inline uint64_t load_le64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}
static inline void store_le64(uint8_t *p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  memcpy(p, &v, 8);
}

/* Channels [c0, c1) of an NHWC image (c1 - c0 <= 8) as planes of h x w
 * codes, the first at p: 8 x 8 blocks of 8 pixels' 8 channels. */
static void gather_planes(const struct wg_bsrc *s, int64_t c0, int64_t c1, uint8_t *p) {
  const int64_t hw = s->h * s->w, nc = c1 - c0;
  const uint8_t *x = s->x + c0;
  int64_t i = 0;
  if (nc == 8)
    for (; i + 8 <= hw; i += 8) {
      uint64_t r[8];
      for (int q = 0; q < 8; q++) r[q] = load_le64(x + (i + q) * s->cs);
      transpose8x8(r);
      for (int j = 0; j < 8; j++) store_le64(p + j * hw + i, r[j]);
    }
  for (; i < hw; i++)
    for (int64_t j = 0; j < nc; j++) p[j * hw + i] = x[i * s->cs + j];
}

/* Whether unit u's images are built, building them first if no task has
 * claimed them; 0 while another task builds them. */
static int unit_ready(const struct wg_bsrc *s, int64_t u) {
  _Atomic uint64_t *state = s->imgs_state + u;
  uint64_t busy = 2 * s->imgs_id, done = busy + 1;
  uint64_t v = atomic_load_explicit(state, memory_order_acquire);
  if (v == done) return 1;
  /* Words left by earlier calls hold other ids: not built for this one.
   * A task does not wait for another's build (docs/performance.md,
   * "Shifted images"). */
  if (v == busy || !atomic_compare_exchange_strong_explicit(state, &v, busy, memory_order_relaxed,
                                                            memory_order_relaxed))
    return 0;
  int64_t rows = image_rows(s), unit = unit_of(s), c0 = u * unit;
  int64_t c1 = c0 + unit < channels(s) ? c0 + unit : channels(s);
  size_t per = (size_t)(s->kw * rows * s->ow);
  uint8_t *planes = s->imgs + (size_t)channels(s) * per; /* NHWC */
  if (s->layout == WG_NHWC) gather_planes(s, c0, c1, planes + c0 * s->h * s->w);
  for (int64_t c = c0; c < c1; c++) {
    const uint8_t *chan = (s->layout == WG_NHWC ? planes : s->x) + c * s->h * s->w;
    uint8_t *qc = s->imgs + (size_t)c * per;
    for (int64_t t = 0; t < s->kw; t++)
      wg_bsrc_shifted_rows(s, chan, t, 0, rows, qc + t * rows * s->ow);
  }
  atomic_store_explicit(state, done, memory_order_release);
  return 1;
}

const uint8_t *wg_bsrc_image_row(const struct wg_bsrc *s, int64_t ci, int64_t th, int64_t tw,
                                 int64_t n0) {
  if (!s->imgs || !unit_ready(s, ci / unit_of(s))) return NULL;
  int64_t rows = image_rows(s);
  return s->imgs + (size_t)ci * (size_t)(s->kw * rows * s->ow) + (tw * rows + th * s->dh) * s->ow +
         n0;
}

int wg_bsrc_images_ready(const struct wg_bsrc *s, int64_t k0, int64_t len) {
  if (!s->imgs) return 0;
  int64_t end = k0 + len < s->k ? k0 + len : s->k, c = channels(s), unit = unit_of(s);
  if (end <= k0) return 1;
  /* The channels of rows [k0, end): a range of ci, in NHWC order wrapping
   * round the channels tap by tap. */
  int64_t first, last;
  if (s->layout == WG_NHWC) {
    first = k0 % c;
    last = end - k0 >= c ? first + c - 1 : first + (end - k0) - 1;
  } else {
    first = k0 / (s->kh * s->kw);
    last = (end - 1) / (s->kh * s->kw);
  }
  int ready = 1;
  for (int64_t ci = first; ci <= last; ci += unit - (ci % c) % unit)
    ready &= unit_ready(s, (ci % c) / unit);
  return ready;
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
    /* Else the call's shifted images where there are: a run across output
     * rows, or into the padding, without assembly.  The input stays the
     * interior runs' source (a SWAR lookup-table kernel's 8-column panels
     * ran 1.2x slower from the images: docs/performance.md, "Shifted
     * images"). */
    const uint8_t *img = wg_bsrc_image_row(s, ci, th, tw, n0);
    if (img) return img;
    nchw_row(s, k, n0, len, tmp);
    return tmp;
  }
  /* NHWC: k = (th*kw + tw)*c + ci */
  int64_t ci = k % s->c, tap = k / s->c, th = tap / s->kw, tw = tap % s->kw;
  if (s->imgs) {
    const uint8_t *img = wg_bsrc_image_row(s, ci, th, tw, n0);
    if (img) return img;
  }
  /* Byte by byte from the pixels, the output coordinates stepped. */
  int64_t ow = n0 % s->ow, oh = (n0 / s->ow) % s->oh, img = n0 / (s->ow * s->oh);
  for (int64_t j = 0; j < len; j++) {
    int64_t ih = in_coord(oh, th, s->sh, s->pt, s->dh, s->h);
    int64_t iw = in_coord(ow, tw, s->sw, s->pl, s->dw, s->w);
    tmp[j] = ih < 0 || iw < 0 ? s->pad : s->x[((img * s->h + ih) * s->w + iw) * s->cs + ci];
    if (++ow == s->ow) {
      ow = 0;
      if (++oh == s->oh) {
        oh = 0;
        img++;
      }
    }
  }
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
