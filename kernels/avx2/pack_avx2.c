/* Packing routines of the AVX2 kernels (layouts drawn in pack_avx2.h). */
#include "pack_avx2.h"

#include <immintrin.h>
#include <string.h>

#include "../core/bsrc.h"

#define WG_AVX2_MAX_NR 32

void wg_avx2_pack_a_quads(const int8_t *w, int64_t ldw, int rows, int64_t k,
                          int mr, int8_t *dst) {
  int64_t groups = (k + 3) / 4;
  memset(dst, 0, (size_t)(groups * 4 * mr));
  for (int i = 0; i < rows; i++)
    for (int64_t kk = 0; kk < k; kk++)
      dst[(kk / 4) * 4 * mr + i * 4 + kk % 4] = w[i * ldw + kk];
}

void wg_avx2_pack_a_pairs16(const int8_t *w, int64_t ldw, int rows, int64_t k,
                            int mr, int16_t *dst) {
  int64_t groups = (k + 1) / 2;
  memset(dst, 0, (size_t)(groups * 2 * mr) * sizeof *dst);
  for (int i = 0; i < rows; i++)
    for (int64_t kk = 0; kk < k; kk++)
      dst[(kk / 2) * 2 * mr + i * 2 + kk % 2] = w[i * ldw + kk];
}

/* Row k of B over the panel's columns, nr bytes readable: in place for a
 * full panel of a plain matrix (the matrix case of wg_bsrc_row, without a
 * call per row), else through wg_bsrc_row, zero-padded to nr columns. */
static const uint8_t *brow(const wg_bsrc *s, int64_t k, int64_t n0, int cols,
                           int nr, uint8_t *tmp) {
  if (!s->is_conv && k < s->k && cols == nr) return s->x + k * s->ldx + n0;
  const uint8_t *p = wg_bsrc_row(s, k, n0, cols, tmp);
  if (cols == nr) return p;
  if (p != tmp) memcpy(tmp, p, (size_t)cols);
  memset(tmp + cols, 0, (size_t)(nr - cols));
  return tmp;
}

/* Column runs B[k0 .. k0+depth, n0+j] for every panel column (zero past
 * cols), for sources whose columns are contiguous (NHWC convolutions). */
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

static int columns_contiguous(const wg_bsrc *s) {
  return s->is_conv && s->layout == WG_NHWC;
}

/* Four rows of 16 columns into 16 column quads (64 bytes). */
static inline void quads16(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                           const uint8_t *r3, uint8_t *dst) {
  __m128i a0 = _mm_loadu_si128((const __m128i *)r0);
  __m128i a1 = _mm_loadu_si128((const __m128i *)r1);
  __m128i a2 = _mm_loadu_si128((const __m128i *)r2);
  __m128i a3 = _mm_loadu_si128((const __m128i *)r3);
  __m128i l01 = _mm_unpacklo_epi8(a0, a1), h01 = _mm_unpackhi_epi8(a0, a1);
  __m128i l23 = _mm_unpacklo_epi8(a2, a3), h23 = _mm_unpackhi_epi8(a2, a3);
  _mm_storeu_si128((__m128i *)dst, _mm_unpacklo_epi16(l01, l23));
  _mm_storeu_si128((__m128i *)(dst + 16), _mm_unpackhi_epi16(l01, l23));
  _mm_storeu_si128((__m128i *)(dst + 32), _mm_unpacklo_epi16(h01, h23));
  _mm_storeu_si128((__m128i *)(dst + 48), _mm_unpackhi_epi16(h01, h23));
}

/* Four rows of 8 columns into 8 column quads (32 bytes). */
static inline void quads8(const uint8_t *r0, const uint8_t *r1, const uint8_t *r2,
                          const uint8_t *r3, uint8_t *dst) {
  __m128i l01 = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)r0),
                                  _mm_loadl_epi64((const __m128i *)r1));
  __m128i l23 = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)r2),
                                  _mm_loadl_epi64((const __m128i *)r3));
  _mm_storeu_si128((__m128i *)dst, _mm_unpacklo_epi16(l01, l23));
  _mm_storeu_si128((__m128i *)(dst + 16), _mm_unpackhi_epi16(l01, l23));
}

void wg_avx2_pack_b_quads(const wg_bsrc *s, int64_t k0, int64_t kgroups,
                          int64_t n0, int cols, int nr, uint8_t *dst) {
  if (columns_contiguous(s)) {
    uint8_t buf[WG_AVX2_MAX_NR * WG_AVX2_MAX_KC];
    const uint8_t *col[WG_AVX2_MAX_NR];
    bcols(s, k0, kgroups * 4, n0, cols, nr, buf, col);
    for (int64_t g = 0; g < kgroups; g++, dst += 4 * nr)
      for (int j = 0; j < nr; j++) memcpy(dst + 4 * j, col[j] + 4 * g, 4);
    return;
  }
  uint8_t tmp[4][WG_AVX2_MAX_NR];
  for (int64_t g = 0; g < kgroups; g++, dst += 4 * nr) {
    const uint8_t *r[4];
    for (int q = 0; q < 4; q++) r[q] = brow(s, k0 + 4 * g + q, n0, cols, nr, tmp[q]);
    int c = 0;
    for (; c + 16 <= nr; c += 16) quads16(r[0] + c, r[1] + c, r[2] + c, r[3] + c, dst + 4 * c);
    for (; c < nr; c += 8) quads8(r[0] + c, r[1] + c, r[2] + c, r[3] + c, dst + 4 * c);
  }
}

void wg_avx2_pack_b_pairs16(const wg_bsrc *s, int64_t k0, int64_t kgroups,
                            int64_t n0, int cols, int nr, uint16_t *dst) {
  if (columns_contiguous(s)) {
    uint8_t buf[WG_AVX2_MAX_NR * WG_AVX2_MAX_KC];
    const uint8_t *col[WG_AVX2_MAX_NR];
    bcols(s, k0, kgroups * 2, n0, cols, nr, buf, col);
    for (int64_t g = 0; g < kgroups; g++, dst += 2 * nr)
      for (int j = 0; j < nr; j++) {
        dst[2 * j] = col[j][2 * g];
        dst[2 * j + 1] = col[j][2 * g + 1];
      }
    return;
  }
  uint8_t tmp[2][WG_AVX2_MAX_NR];
  for (int64_t g = 0; g < kgroups; g++, dst += 2 * nr) {
    const uint8_t *r0 = brow(s, k0 + 2 * g, n0, cols, nr, tmp[0]);
    const uint8_t *r1 = brow(s, k0 + 2 * g + 1, n0, cols, nr, tmp[1]);
    for (int c = 0; c < nr; c += 8) {
      __m128i p = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(r0 + c)),
                                    _mm_loadl_epi64((const __m128i *)(r1 + c)));
      _mm256_storeu_si256((__m256i *)(dst + 2 * c), _mm256_cvtepu8_epi16(p));
    }
  }
}
