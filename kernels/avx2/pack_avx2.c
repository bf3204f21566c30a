/* Packing routines of the AVX2 kernels (layouts drawn in pack_avx2.h). */
#include "pack_avx2.h"

#include <immintrin.h>
#include <string.h>

#include "../core/bsrc.h"

/*
 * Row sources.  A block of panels is packed one depth group at a time:
 * the group's KU rows of B over the block's columns are fetched once and
 * then interleaved panel by panel, so that finding a row (source offsets,
 * the im2col index arithmetic) is paid once per block row, not once per
 * 16-column panel, where it would cost more than the panel's
 * multiply-accumulates.
 *
 *   plain matrix     row k is x + k*ldx + n0, in place;
 *   NCHW conv        row k = (ci, th, tw) is, per output row, one run of
 *                    input row ih = oh*sh - pt + th*dh (strided by sw),
 *                    with the zero-point code where it leaves the image:
 *                    assembled run by run into a buffer (walk_nchw).  With
 *                    sh = 1 the rows of the kh taps th of one (ci, tw) are
 *                    the same padded rows shifted by th*dh output rows, so
 *                    per channel the kw "shifted images" q[tw] (rows of
 *                    OW pixels) are assembled once and every row of the
 *                    channel is a pointer into one (rowsrc_shifted): kh
 *                    times less assembly, 3x for 3x3 filters (kept in
 *                    L1: these kernels take no call-wide images,
 *                    kernel.h nchw_images);
 *   anything else    wg_bsrc_row.
 * NHWC convolutions are read by columns instead (wg_bsrc_col: channel runs
 * are contiguous there), panel by panel.  Every path yields exactly what
 * wg_bsrc_row / wg_bsrc_col return.
 */
#define WG_AVX2_MAX_KW 8
#define WG_AVX2_QBYTES 2048
typedef struct rowsrc {
  const wg_bsrc *s;
  int64_t k, n0, cols;
  int64_t ci, th, tw;  /* filter tap of row k (NCHW)       */
  int64_t oh, ow;      /* output pixel of column n0 (NCHW) */
  /* Shifted images of two channels (the KU rows of a group span at most
   * two when a channel has >= 4 taps), by channel parity. */
  int shifted;
  int64_t nrows, qci[2];
  uint8_t q[2][WG_AVX2_MAX_KW][WG_AVX2_QBYTES];
} rowsrc;

static void rowsrc_init(rowsrc *r, const wg_bsrc *s, int64_t k0, int64_t n0,
                        int64_t cols) {
  r->s = s;
  r->k = k0;
  r->n0 = n0;
  r->cols = cols;
  r->shifted = 0;
  if (s->is_conv && s->layout == WG_NCHW) {
    r->tw = k0 % s->kw;
    r->th = (k0 / s->kw) % s->kh;
    r->ci = k0 / (s->kw * s->kh);
    r->oh = n0 / s->ow;
    r->ow = n0 % s->ow;
    /* Output rows the block touches, plus the taps' vertical reach. */
    r->nrows = (n0 + cols - 1) / s->ow - r->oh + 1 + (s->kh - 1) * s->dh;
    r->shifted = s->sh == 1 && s->kh * s->kw >= 4 && s->kw <= WG_AVX2_MAX_KW &&
                 r->nrows * s->ow <= WG_AVX2_QBYTES;
    r->qci[0] = r->qci[1] = -1;
  } else if (s->is_conv && s->imgs) { /* NHWC: k = (th*kw + tw)*c + ci */
    r->ci = k0 % s->c;
    r->tw = k0 / s->c % s->kw;
    r->th = k0 / s->c / s->kw;
  }
}

static const uint8_t *walk_nchw(const rowsrc *r, uint8_t *buf) {
  const wg_bsrc *s = r->s;
  const uint8_t *chan = s->x + r->ci * s->h * s->w;
  int64_t oh = r->oh, ow = r->ow, done = 0;
  while (done < r->cols) {
    int64_t run = s->ow - ow;
    if (run > r->cols - done) run = r->cols - done;
    wg_bsrc_nchw_piece(s, chan, oh, ow, run, r->th, r->tw, buf + done);
    done += run;
    ow = 0;
    oh++;
  }
  return buf;
}

/* Row (ci, th, tw) as a pointer into the channel's shifted image q[tw]
 * (wg_bsrc_shifted_rows): row j of q[tw] holds the padded input row
 * ih = oh + j - pt seen by tap column tw, oh the block's first output row,
 * so tap row th starts th*dh rows further down. */
static const uint8_t *rowsrc_shifted(rowsrc *r) {
  const wg_bsrc *s = r->s;
  int set = (int)(r->ci & 1);
  if (r->qci[set] != r->ci) {
    for (int64_t tw = 0; tw < s->kw; tw++)
      wg_bsrc_shifted_rows(s, s->x + r->ci * s->h * s->w, tw, r->oh, r->nrows, r->q[set][tw]);
    r->qci[set] = r->ci;
  }
  return r->q[set][r->tw] + r->th * s->dh * s->ow + r->ow;
}

/* Row r->k over the block's columns (r->cols bytes readable), then on to
 * k+1.  buf holds r->cols bytes. */
static const uint8_t *rowsrc_next(rowsrc *r, uint8_t *buf) {
  const wg_bsrc *s = r->s;
  const uint8_t *p;
  if (r->k >= s->k) {
    memset(buf, 0, (size_t)r->cols);
    p = buf;
  } else if (wg_bsrc_plain(s)) {
    p = s->x + r->k * s->ldx + r->n0;
  } else if (s->is_conv && s->layout == WG_NCHW) {
    p = r->shifted ? rowsrc_shifted(r) : walk_nchw(r, buf);
    if (++r->tw == s->kw) {
      r->tw = 0;
      if (++r->th == s->kh) {
        r->th = 0;
        r->ci++;
      }
    }
  } else if (s->is_conv && s->imgs) {
    /* NHWC through the call's shifted images (bsrc.h): the tap stepped
     * here, not divided out of k per row. */
    p = wg_bsrc_image_row(s, r->ci, r->th, r->tw, r->n0);
    if (!p) p = wg_bsrc_row(s, r->k, r->n0, r->cols, buf);
    if (++r->ci == s->c) {
      r->ci = 0;
      if (++r->tw == s->kw) {
        r->tw = 0;
        r->th++;
      }
    }
  } else {
    p = wg_bsrc_row(s, r->k, r->n0, r->cols, buf);
  }
  r->k++;
  return p;
}

/* Column runs B[k0 .. k0+depth, n0+j] for one panel (zero past cols). */
static void bcols(const wg_bsrc *s, int64_t k0, int64_t depth, int64_t n0,
                  int cols, int nr, uint8_t *buf, const uint8_t **col) {
  for (int j = 0; j < nr; j++) {
    uint8_t *tmp = buf + (size_t)j * (size_t)depth;
    if (j < cols) {
      col[j] = wg_bsrc_col(s, n0 + j, k0, depth, tmp);
    } else {
      memset(tmp, 0, (size_t)depth);
      col[j] = tmp;
    }
  }
}

/* NHWC convolutions, and X stored N x K (wg_gemm_ex), whose columns of B
 * are runs in place. */
static int by_columns(const wg_bsrc *s) {
  return s->trans || (s->is_conv && s->layout == WG_NHWC);
}

/* Four rows of 16 columns into 16 column quads (64 bytes). */
static inline void quads16(const uint8_t *const r[4], int64_t c, uint8_t *dst) {
  __m128i a0 = _mm_loadu_si128((const __m128i *)(r[0] + c));
  __m128i a1 = _mm_loadu_si128((const __m128i *)(r[1] + c));
  __m128i a2 = _mm_loadu_si128((const __m128i *)(r[2] + c));
  __m128i a3 = _mm_loadu_si128((const __m128i *)(r[3] + c));
  __m128i l01 = _mm_unpacklo_epi8(a0, a1), h01 = _mm_unpackhi_epi8(a0, a1);
  __m128i l23 = _mm_unpacklo_epi8(a2, a3), h23 = _mm_unpackhi_epi8(a2, a3);
  _mm_storeu_si128((__m128i *)dst, _mm_unpacklo_epi16(l01, l23));
  _mm_storeu_si128((__m128i *)(dst + 16), _mm_unpackhi_epi16(l01, l23));
  _mm_storeu_si128((__m128i *)(dst + 32), _mm_unpacklo_epi16(h01, h23));
  _mm_storeu_si128((__m128i *)(dst + 48), _mm_unpackhi_epi16(h01, h23));
}

/* Two rows of 16 columns into 16 zero-extended 16-bit pairs (64 bytes). */
static inline void pairs16(const uint8_t *const r[2], int64_t c, uint16_t *dst) {
  __m128i a0 = _mm_loadu_si128((const __m128i *)(r[0] + c));
  __m128i a1 = _mm_loadu_si128((const __m128i *)(r[1] + c));
  _mm256_storeu_si256((__m256i *)dst, _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(a0, a1)));
  _mm256_storeu_si256((__m256i *)(dst + 16), _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(a0, a1)));
}

/* The last, partial panel's columns of ku rows, zero-padded to 16. */
static void tail_rows(const uint8_t **r, int ku, int64_t from, int64_t cols,
                      uint8_t tail[][WG_AVX2_NR]) {
  for (int q = 0; q < ku; q++) {
    memset(tail[q], 0, WG_AVX2_NR);
    memcpy(tail[q], r[q] + from, (size_t)(cols - from));
    r[q] = tail[q];
  }
}

/* NHWC panels are gathered column by column through a stack buffer of 16
 * column runs; a deep block goes through it this many depths at a time
 * (18 KiB of stack, not 16 x kc). */
#define WG_AVX2_COL_DEPTH 1152

/* `groups` depth groups of one panel from its columns' runs col[0..15]
 * (each readable for 4*groups bytes) to dst, which then points past them:
 * at full width 4 columns x 4 groups at a time (a 4 x 4 transpose of
 * dwords), in a dense last panel cw columns per group (pack_avx2.h). */
static uint8_t *quads_from_columns(const uint8_t *const col[WG_AVX2_NR], int cw,
                                   int64_t groups, uint8_t *dst) {
  const int nr = WG_AVX2_NR;
  int64_t g = 0;
  if (cw == nr)
    for (; g + 4 <= groups; g += 4, dst += 16 * nr)
      for (int j = 0; j < nr; j += 4) {
        __m128i c0 = _mm_loadu_si128((const __m128i *)(col[j] + 4 * g));
        __m128i c1 = _mm_loadu_si128((const __m128i *)(col[j + 1] + 4 * g));
        __m128i c2 = _mm_loadu_si128((const __m128i *)(col[j + 2] + 4 * g));
        __m128i c3 = _mm_loadu_si128((const __m128i *)(col[j + 3] + 4 * g));
        __m128i l01 = _mm_unpacklo_epi32(c0, c1), h01 = _mm_unpackhi_epi32(c0, c1);
        __m128i l23 = _mm_unpacklo_epi32(c2, c3), h23 = _mm_unpackhi_epi32(c2, c3);
        _mm_storeu_si128((__m128i *)(dst + 4 * j), _mm_unpacklo_epi64(l01, l23));
        _mm_storeu_si128((__m128i *)(dst + 4 * nr + 4 * j), _mm_unpackhi_epi64(l01, l23));
        _mm_storeu_si128((__m128i *)(dst + 8 * nr + 4 * j), _mm_unpacklo_epi64(h01, h23));
        _mm_storeu_si128((__m128i *)(dst + 12 * nr + 4 * j), _mm_unpackhi_epi64(h01, h23));
      }
  for (; g < groups; g++, dst += 4 * cw)
    for (int j = 0; j < cw; j++) memcpy(dst + 4 * j, col[j] + 4 * g, 4);
  return dst;
}

/* The same for 16-bit pairs: each column's two bytes of a group widened. */
static uint8_t *pairs_from_columns(const uint8_t *const col[WG_AVX2_NR], int cw,
                                   int64_t groups, uint8_t *dst) {
  uint16_t *d = (uint16_t *)(void *)dst;
  for (int64_t g = 0; g < groups; g++, d += 2 * cw)
    for (int j = 0; j < cw; j++) {
      d[2 * j] = col[j][2 * g];
      d[2 * j + 1] = col[j][2 * g + 1];
    }
  return (uint8_t *)d;
}

/* One NHWC panel of either layout (ku = 4: quads, 2: pairs), by columns:
 * runs gathered by wg_bsrc_col, WG_AVX2_COL_DEPTH depths at a time. */
static void panel_by_columns(const wg_bsrc *s, int ku, int64_t k0, int64_t kgroups,
                             int64_t n0, int cols, uint8_t *dst) {
  const int nr = WG_AVX2_NR;
  const int64_t step = WG_AVX2_COL_DEPTH / ku;
  uint8_t buf[WG_AVX2_NR * WG_AVX2_COL_DEPTH];
  const uint8_t *col[WG_AVX2_NR];
  int cw = wg_avx2_tail_width(cols);
  for (int64_t g0 = 0; g0 < kgroups; g0 += step) {
    int64_t gn = kgroups - g0 < step ? kgroups - g0 : step;
    bcols(s, k0 + ku * g0, gn * ku, n0, cols, nr, buf, col);
    dst = ku == 4 ? quads_from_columns(col, cw, gn, dst) : pairs_from_columns(col, cw, gn, dst);
  }
}

/* One NHWC panel read in place, for C a multiple of 4 (groups then never
 * straddle two taps, and K = KH*KW*C has no depth past it to pad): per run
 * of one tap's channels, each column's run is a pointer into its input
 * pixel (or into a run of zero-point codes in the padding, or zeros past
 * the panel's columns), and the quads are transposed straight from there.
 * panel_by_columns copies every column's runs into a buffer first
 * (wg_bsrc_col): 23% of a 64x56x56 NHWC conv2d went to that packing. */
#define WG_AVX2_NHWC_RUN 1024
static const uint8_t nhwc_zeros[WG_AVX2_NHWC_RUN];
/* pad: WG_AVX2_NHWC_RUN zero-point codes, filled once per block. */
static void quads_nhwc_in_place(const wg_bsrc *s, int64_t k0, int64_t kgroups, int64_t n0,
                                int cols, const uint8_t *pad, uint8_t *dst) {
  const uint8_t *zero = nhwc_zeros;
  int64_t img[WG_AVX2_NR], oh[WG_AVX2_NR], ow[WG_AVX2_NR];
  for (int j = 0; j < cols; j++) {
    int64_t n = n0 + j;
    ow[j] = n % s->ow;
    oh[j] = (n / s->ow) % s->oh;
    img[j] = n / (s->ow * s->oh);
  }
  int cw = wg_avx2_tail_width(cols);
  for (int64_t k = k0, kend = k0 + 4 * kgroups; k < kend;) {
    int64_t tap = k / s->c, ci = k % s->c, th = tap / s->kw, tw = tap % s->kw;
    int64_t run = s->c - ci;
    if (run > kend - k) run = kend - k;
    if (run > WG_AVX2_NHWC_RUN) run = WG_AVX2_NHWC_RUN;
    const uint8_t *col[WG_AVX2_NR];
    for (int j = 0; j < WG_AVX2_NR; j++) {
      if (j >= cols) {
        col[j] = zero;
        continue;
      }
      int64_t ih = oh[j] * s->sh - s->pt + th * s->dh, iw = ow[j] * s->sw - s->pl + tw * s->dw;
      col[j] = ih >= 0 && ih < s->h && iw >= 0 && iw < s->w
                   ? s->x + ((img[j] * s->h + ih) * s->w + iw) * s->cs + ci
                   : pad;
    }
    dst = quads_from_columns(col, cw, run / 4, dst);
    k += run;
  }
}

/* One group of 16 columns from the group's KU rows: quads of 4 byte rows,
 * or pairs of 2 rows widened to 16 bits; 64 bytes either way. */
static inline void group16(const uint8_t *const r[4], int ku, int64_t c, uint8_t *dst) {
  if (ku == 4)
    quads16(r, c, dst);
  else
    pairs16(r, c, (uint16_t *)(void *)dst);
}

/* Row sources (plain matrices, NCHW convolutions) into a block of panels.
 * Both layouts hold 64 bytes per group and panel, and 4 bytes per column
 * and group in a dense last panel. */
static void pack_b_rows(const wg_bsrc *s, int ku, int64_t k0, int64_t kgroups, int64_t n0,
                        int64_t cols, uint8_t *dst) {
  const int64_t nr = WG_AVX2_NR, panel = kgroups * 4 * nr;
  int64_t full = cols / nr;
  int cw = wg_avx2_tail_width(cols - full * nr);
  uint8_t buf[4][WG_AVX2_MAX_NC], tail[4][WG_AVX2_NR];
  rowsrc src;
  rowsrc_init(&src, s, k0, n0, cols);
  for (int64_t g = 0; g < kgroups; g++) {
    const uint8_t *r[4];
    for (int q = 0; q < ku; q++) r[q] = rowsrc_next(&src, buf[q]);
    uint8_t *d = dst + g * 4 * nr;
    for (int64_t p = 0; p < full; p++) group16(r, ku, p * nr, d + p * panel);
    if (full * nr < cols) {
      tail_rows(r, ku, full * nr, cols, tail);
      if (cw == nr) {
        group16(r, ku, 0, d + full * panel);
      } else { /* dense (pack_avx2.h) */
        _Alignas(32) uint8_t q[4 * WG_AVX2_NR];
        group16(r, ku, 0, q);
        memcpy(dst + full * panel + g * 4 * cw, q, (size_t)(4 * cw));
      }
    }
  }
}

void wg_avx2_rows_apply(const wg_bsrc *s, int64_t k0, int64_t steps, int per, int64_t n0,
                        int64_t cols, wg_avx2_rows_fn use, void *arg) {
  uint8_t buf[4][WG_AVX2_MAX_NC];
  rowsrc src;
  rowsrc_init(&src, s, k0, n0, cols);
  for (int64_t i = 0; i < steps; i++) {
    const uint8_t *r[4];
    for (int q = 0; q < per; q++) r[q] = rowsrc_next(&src, buf[q]);
    use(r, i, arg);
  }
}

void wg_avx2_prefetch_rows(const wg_bsrc *s, int64_t k, int64_t kend, int64_t n0, int64_t cols) {
  for (; k < kend && k < s->k; k++) {
    const char *row = (const char *)(s->x + k * s->ldx + n0);
    for (int64_t j = 0; j < cols; j += 64) _mm_prefetch(row + j, _MM_HINT_T0);
    _mm_prefetch(row + cols - 1, _MM_HINT_T0);
  }
}

void wg_avx2_pack_b_quads(const wg_bsrc *s, int64_t k0, int64_t kgroups,
                          int64_t n0, int64_t cols, uint8_t *dst) {
  const int64_t nr = WG_AVX2_NR, panel = kgroups * 4 * nr;
  if (!by_columns(s)) {
    pack_b_rows(s, 4, k0, kgroups, n0, cols, dst);
    return;
  }
  uint8_t pad[WG_AVX2_NHWC_RUN];
  int in_place = s->is_conv && s->c % 4 == 0;
  if (in_place) memset(pad, s->pad, sizeof pad);
  for (int64_t p = 0; p * nr < cols; p++) {
    int pc = (int)(cols - p * nr < nr ? cols - p * nr : nr);
    if (in_place)
      quads_nhwc_in_place(s, k0, kgroups, n0 + p * nr, pc, pad, dst + p * panel);
    else
      panel_by_columns(s, 4, k0, kgroups, n0 + p * nr, pc, dst + p * panel);
  }
}

void wg_avx2_pack_b_pairs16(const wg_bsrc *s, int64_t k0, int64_t kgroups,
                            int64_t n0, int64_t cols, uint16_t *dst) {
  const int64_t nr = WG_AVX2_NR, panel = kgroups * 2 * nr;
  if (!by_columns(s)) {
    pack_b_rows(s, 2, k0, kgroups, n0, cols, (uint8_t *)dst);
    return;
  }
  for (int64_t p = 0; p * nr < cols; p++)
    panel_by_columns(s, 2, k0, kgroups, n0 + p * nr,
                     (int)(cols - p * nr < nr ? cols - p * nr : nr), (uint8_t *)(dst + p * panel));
}

void wg_avx2_pack_w_quads16(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  wg_pack_a_quads(w, ldw, rows, k, WG_AVX2_NR, dst);
}

/* Columns 4q .. 4q+3 of sixteen rows: q_j holds each column's four bytes of
 * rows 4j .. 4j+3; dword and qword unpacks gather a column's 16, stored
 * c bytes apart. */
static inline void four_columns(__m128i q0, __m128i q1, __m128i q2, __m128i q3, uint8_t *dst,
                               int64_t c) {
  __m128i g0 = _mm_unpacklo_epi32(q0, q1), g1 = _mm_unpackhi_epi32(q0, q1);
  __m128i h0 = _mm_unpacklo_epi32(q2, q3), h1 = _mm_unpackhi_epi32(q2, q3);
  _mm_storeu_si128((__m128i *)dst, _mm_unpacklo_epi64(g0, h0));
  _mm_storeu_si128((__m128i *)(dst + c), _mm_unpackhi_epi64(g0, h0));
  _mm_storeu_si128((__m128i *)(dst + 2 * c), _mm_unpacklo_epi64(g1, h1));
  _mm_storeu_si128((__m128i *)(dst + 3 * c), _mm_unpackhi_epi64(g1, h1));
}

/* dst[j*dstride + i] = x[i*xstride + j] for i < rows, j < cols: 16 x 16
 * bytes at a time, transposed in registers by byte, word, dword and qword
 * unpacks (64 shuffles per 256 bytes, about 0.13 cycles per byte against
 * 1-2 for a byte loop); the edges byte by byte. */
static void transpose_bytes(const uint8_t *x, int64_t xstride, int64_t rows, int64_t cols,
                            uint8_t *dst, int64_t dstride) {
  int64_t r16 = rows / 16 * 16, c16 = cols / 16 * 16;
  for (int64_t i0 = 0; i0 < r16; i0 += 16)
    for (int64_t j0 = 0; j0 < c16; j0 += 16) {
      __m128i a[8], b[8], q[4][4];
      const uint8_t *row = x + i0 * xstride + j0;
      /* Unrolled, so that the 16 registers stay registers (the loops had
       * kept a[] and b[] on the stack). */
#pragma GCC unroll 8
      for (int i = 0; i < 8; i++, row += 2 * xstride) {
        __m128i r0 = _mm_loadu_si128((const __m128i *)row);
        __m128i r1 = _mm_loadu_si128((const __m128i *)(row + xstride));
        a[i] = _mm_unpacklo_epi8(r0, r1); /* columns 0-7: (row 2i, row 2i+1) words */
        b[i] = _mm_unpackhi_epi8(r0, r1); /* columns 8-15 */
      }
#pragma GCC unroll 4
      for (int j = 0; j < 4; j++) {
        q[0][j] = _mm_unpacklo_epi16(a[2 * j], a[2 * j + 1]); /* columns 0-3 */
        q[1][j] = _mm_unpackhi_epi16(a[2 * j], a[2 * j + 1]); /* columns 4-7 */
        q[2][j] = _mm_unpacklo_epi16(b[2 * j], b[2 * j + 1]); /* columns 8-11 */
        q[3][j] = _mm_unpackhi_epi16(b[2 * j], b[2 * j + 1]); /* columns 12-15 */
      }
#pragma GCC unroll 4
      for (int g = 0; g < 4; g++)
        four_columns(q[g][0], q[g][1], q[g][2], q[g][3], dst + (j0 + 4 * g) * dstride + i0,
                    dstride);
    }
  /* The edges: the last cols % 16 columns of the full rows, then the last
   * rows % 16 rows whole (one loop over every row, mostly empty, had cost
   * a quarter of the transposes: callgrind). */
  if (c16 < cols)
    for (int64_t i = 0; i < r16; i++)
      for (int64_t j = c16; j < cols; j++) dst[j * dstride + i] = x[i * xstride + j];
  for (int64_t i = r16; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) dst[j * dstride + i] = x[i * xstride + j];
}

void wg_avx2_channels_to_pixels(const uint8_t *x, int64_t cstride, int64_t c, int64_t len,
                                uint8_t *dst) {
  transpose_bytes(x, cstride, c, len, dst, c);
}

void wg_avx2_pixels_to_channels(const uint8_t *x, int64_t pstride, int64_t len, int64_t c,
                                uint8_t *dst, int64_t dstride) {
  transpose_bytes(x, pstride, len, c, dst, dstride);
}
