/* The AVX-512 kernels' packing routines (layouts: pack_avx512.h). */
#include "pack_avx512.h"

#include <string.h>

#include "../core/bsrc.h"
#include "../portable/pack_a_groups_c.h"
#include "simd_avx512.h"

/* NHWC convolutions have each column's channels contiguous in place: their
 * panels are gathered column by column (wg_bsrc_col); plain matrices and
 * NCHW convolutions row by row (wg_bsrc_row). */
static int by_columns(const wg_bsrc *s) { return s->is_conv && s->layout == WG_NHWC; }

/* One VNNI group from four rows of 32 columns: bytes then 16-bit pairs
 * interleave within 128-bit lanes (columns 0-3 | 16-19 and so on), and the
 * lane permutes put the columns in order, 8 per 32 bytes. */
static inline void quads32(const uint8_t *const r[4], uint8_t *dst) {
  __m256i a0 = _mm256_loadu_si256((const __m256i *)(const void *)r[0]);
  __m256i a1 = _mm256_loadu_si256((const __m256i *)(const void *)r[1]);
  __m256i a2 = _mm256_loadu_si256((const __m256i *)(const void *)r[2]);
  __m256i a3 = _mm256_loadu_si256((const __m256i *)(const void *)r[3]);
  __m256i l01 = _mm256_unpacklo_epi8(a0, a1), h01 = _mm256_unpackhi_epi8(a0, a1);
  __m256i l23 = _mm256_unpacklo_epi8(a2, a3), h23 = _mm256_unpackhi_epi8(a2, a3);
  __m256i q0 = _mm256_unpacklo_epi16(l01, l23); /* columns 0-3 | 16-19 */
  __m256i q1 = _mm256_unpackhi_epi16(l01, l23); /* 4-7 | 20-23 */
  __m256i q2 = _mm256_unpacklo_epi16(h01, h23); /* 8-11 | 24-27 */
  __m256i q3 = _mm256_unpackhi_epi16(h01, h23); /* 12-15 | 28-31 */
  __m256i *d = (__m256i *)(void *)dst;
  _mm256_storeu_si256(d, _mm256_permute2x128_si256(q0, q1, 0x20));
  _mm256_storeu_si256(d + 1, _mm256_permute2x128_si256(q2, q3, 0x20));
  _mm256_storeu_si256(d + 2, _mm256_permute2x128_si256(q0, q1, 0x31));
  _mm256_storeu_si256(d + 3, _mm256_permute2x128_si256(q2, q3, 0x31));
}

void wg_avx512_pack_b_quads32(const wg_bsrc *s, int64_t k0, int64_t kgroups, int64_t n0,
                              int cols, uint8_t *dst) {
  enum { NR = WG_AVX512_QUAD_NR };
  if (by_columns(s)) {
    uint8_t tmp[WG_AVX512_QUAD_MAX_KC];
    memset(dst, 0, (size_t)(kgroups * 4 * NR));
    for (int j = 0; j < cols; j++) {
      const uint8_t *col = wg_bsrc_col(s, n0 + j, k0, 4 * kgroups, tmp);
      for (int64_t g = 0; g < kgroups; g++) memcpy(dst + g * 4 * NR + 4 * j, col + 4 * g, 4);
    }
    return;
  }
  uint8_t buf[4][NR], tail[4][NR];
  for (int64_t g = 0; g < kgroups; g++) {
    const uint8_t *r[4];
    for (int q = 0; q < 4; q++) {
      r[q] = wg_bsrc_row(s, k0 + 4 * g + q, n0, cols, buf[q]);
      if (cols < NR) { /* the last panel: columns past N are zeros */
        memset(tail[q], 0, NR);
        memcpy(tail[q], r[q], (size_t)cols);
        r[q] = tail[q];
      }
    }
    quads32(r, dst + g * 4 * NR);
  }
}

void wg_avx512_pack_a_masks(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                            uint64_t *dst) {
  int64_t groups = (k + WG_AVX512_RUN - 1) / WG_AVX512_RUN;
  for (int64_t g = 0; g < groups; g++, dst += 2 * mr)
    for (int i = 0; i < mr; i++) {
      uint64_t plus = 0, minus = 0;
      for (int q = 0; q < WG_AVX512_RUN && i < rows; q++) {
        int64_t kk = g * WG_AVX512_RUN + q;
        int v = kk < k ? w[i * ldw + kk] : 0;
        plus |= (uint64_t)(v == 1) << q;
        minus |= (uint64_t)(v == -1) << q;
      }
      dst[2 * i] = plus;
      dst[2 * i + 1] = minus;
    }
}

void wg_avx512_pack_b_runs64(const wg_bsrc *s, int64_t k0, int64_t kgroups, int64_t n0,
                             int cols, int nr, uint8_t *dst) {
  const int64_t run = WG_AVX512_RUN, group = run * nr;
  memset(dst, 0, (size_t)(kgroups * group));
  if (by_columns(s)) {
    uint8_t tmp[WG_AVX512_RUN_MAX_KC];
    for (int j = 0; j < cols; j++) {
      const uint8_t *col = wg_bsrc_col(s, n0 + j, k0, run * kgroups, tmp);
      for (int64_t g = 0; g < kgroups; g++) memcpy(dst + g * group + j * run, col + g * run, run);
    }
    return;
  }
  uint8_t buf[WG_AVX512_RUN];
  for (int64_t g = 0; g < kgroups; g++)
    for (int q = 0; q < run; q++) {
      const uint8_t *r = wg_bsrc_row(s, k0 + g * run + q, n0, cols, buf);
      for (int j = 0; j < cols; j++) dst[g * group + j * run + q] = r[j];
    }
}

void wg_avx512_pack_w_quads32(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  wg_pack_a_quads(w, ldw, rows, k, WG_AVX512_QUAD_NR, dst);
}

/* dst[j*dstride + i] = x[i*xstride + j]: 16 x 16 blocks through a stack
 * tile, so that both sides are walked in rows.  Not tuned: NCHW is the
 * direct path's secondary layout here (docs/avx512.md). */
static void transpose_bytes(const uint8_t *x, int64_t xstride, int64_t rows, int64_t cols,
                            uint8_t *dst, int64_t dstride) {
  for (int64_t i0 = 0; i0 < rows; i0 += 16)
    for (int64_t j0 = 0; j0 < cols; j0 += 16) {
      int64_t ni = rows - i0 < 16 ? rows - i0 : 16, nj = cols - j0 < 16 ? cols - j0 : 16;
      uint8_t t[16][16];
      for (int64_t i = 0; i < ni; i++)
        for (int64_t j = 0; j < nj; j++) t[j][i] = x[(i0 + i) * xstride + j0 + j];
      for (int64_t j = 0; j < nj; j++) memcpy(dst + (j0 + j) * dstride + i0, t[j], (size_t)ni);
    }
}

void wg_avx512_channels_to_pixels(const uint8_t *x, int64_t cstride, int64_t c, int64_t len,
                                  uint8_t *dst) {
  transpose_bytes(x, cstride, c, len, dst, c);
}

void wg_avx512_pixels_to_channels(const uint8_t *x, int64_t pstride, int64_t len, int64_t c,
                                  uint8_t *dst, int64_t dstride) {
  transpose_bytes(x, pstride, len, c, dst, dstride);
}
