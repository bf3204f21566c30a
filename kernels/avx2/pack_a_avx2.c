/*
 * Both layouts hold one 32-bit word per row and depth group (quads: 4
 * int8 codes; pairs16: 2 codes widened to int16), group g's words of rows
 * 0..mr-1 in a row at g * 4 * mr bytes.  A chunk of eight groups (32 or 16
 * depths) of eight rows is an 8 x 8 matrix of words: loaded row by row
 * (rows past `rows` are zero), transposed in registers, and stored group by
 * group, mr words each.  Depths past the last whole chunk go to the
 * portable packs, which lay a group out the same wherever it starts.
 */
#include "pack_a_avx2.h"

#include <immintrin.h>

#include "../portable/pack_a_groups_c.h"

/* n (0..4) words of v at p. */
__attribute__((always_inline)) static inline void store_words(uint8_t *p, __m128i v, int n) {
  if (n == 4) {
    _mm_storeu_si128((__m128i *)(void *)p, v);
    return;
  }
  if (n >= 2) {
    _mm_storel_epi64((__m128i *)(void *)p, v);
    v = _mm_srli_si128(v, 8);
    p += 8;
    n -= 2;
  }
  if (n == 1) {
    int32_t x = _mm_cvtsi128_si32(v);
    __builtin_memcpy(p, &x, 4);
  }
}

/* Row r0 + i's eight words of chunk c (zero past `rows`). */
#define WG_ROW(i)                                                                         \
  (r0 + (i) >= rows ? _mm256_setzero_si256()                                              \
   : ku == 4        ? _mm256_loadu_si256((const __m256i *)(const void *)(src + (i) * ldw)) \
                    : _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(src + (i) * ldw))))

/* Group g of the chunk: words of rows r0..r0+3 in the 128-bit half h of a,
 * r0+4..r0+7 in that of b. */
#define WG_GROUP(g, a, b, h)                                                       \
  do {                                                                             \
    uint8_t *p = out + (g) * mr * 4;                                               \
    store_words(p, h ? _mm256_extracti128_si256(a, 1) : _mm256_castsi256_si128(a), lo); \
    store_words(p + 16, h ? _mm256_extracti128_si256(b, 1) : _mm256_castsi256_si128(b), hi); \
  } while (0)

/* Whole chunks of 8 groups of `ku` depths; returns the depth they cover.
 * Inlined with constant ku and, for the kernels' MR of 6, constant mr
 * (WG_PACK_CHUNKS): the stores' sizes are then fixed.  Written out with
 * named registers: as arrays they went through the stack. */
__attribute__((always_inline)) static inline int64_t pack_chunks(const int8_t *w, int64_t ldw,
                                                                 int rows, int64_t k, int mr,
                                                                 int ku, void *dst) {
  int64_t chunks = k / (8 * ku);
  for (int r0 = 0; r0 < mr; r0 += 8) {
    int n = mr - r0 < 8 ? mr - r0 : 8, lo = n < 4 ? n : 4, hi = n - lo;
    for (int64_t c = 0; c < chunks; c++) {
      const int8_t *src = w + r0 * ldw + c * 8 * ku;
      uint8_t *out = (uint8_t *)dst + (c * 8 * mr + r0) * 4;
      __m256i x0 = WG_ROW(0), x1 = WG_ROW(1), x2 = WG_ROW(2), x3 = WG_ROW(3);
      __m256i x4 = WG_ROW(4), x5 = WG_ROW(5), x6 = WG_ROW(6), x7 = WG_ROW(7);
      /* words of groups 0,1 | 4,5 and 2,3 | 6,7 of row pairs */
      __m256i t0 = _mm256_unpacklo_epi32(x0, x1), t1 = _mm256_unpackhi_epi32(x0, x1);
      __m256i t2 = _mm256_unpacklo_epi32(x2, x3), t3 = _mm256_unpackhi_epi32(x2, x3);
      __m256i t4 = _mm256_unpacklo_epi32(x4, x5), t5 = _mm256_unpackhi_epi32(x4, x5);
      __m256i t6 = _mm256_unpacklo_epi32(x6, x7), t7 = _mm256_unpackhi_epi32(x6, x7);
      /* group j | j + 4 of rows 0-3 (a) and 4-7 (b) */
      __m256i a0 = _mm256_unpacklo_epi64(t0, t2), a1 = _mm256_unpackhi_epi64(t0, t2);
      __m256i a2 = _mm256_unpacklo_epi64(t1, t3), a3 = _mm256_unpackhi_epi64(t1, t3);
      __m256i b0 = _mm256_unpacklo_epi64(t4, t6), b1 = _mm256_unpackhi_epi64(t4, t6);
      __m256i b2 = _mm256_unpacklo_epi64(t5, t7), b3 = _mm256_unpackhi_epi64(t5, t7);
      WG_GROUP(0, a0, b0, 0);
      WG_GROUP(1, a1, b1, 0);
      WG_GROUP(2, a2, b2, 0);
      WG_GROUP(3, a3, b3, 0);
      WG_GROUP(4, a0, b0, 1);
      WG_GROUP(5, a1, b1, 1);
      WG_GROUP(6, a2, b2, 1);
      WG_GROUP(7, a3, b3, 1);
    }
  }
  return chunks * 8 * ku;
}

#define WG_PACK_CHUNKS(ku) \
  (mr == 6 ? pack_chunks(w, ldw, rows, k, 6, ku, dst) : pack_chunks(w, ldw, rows, k, mr, ku, dst))

void wg_avx2_pack_a_quads(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                          int8_t *dst) {
  int64_t k0 = WG_PACK_CHUNKS(4);
  if (k0 < k) wg_pack_a_quads(w + k0, ldw, rows, k - k0, mr, dst + k0 * mr);
}

void wg_avx2_pack_a_pairs16(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                            int16_t *dst) {
  int64_t k0 = WG_PACK_CHUNKS(2);
  if (k0 < k) wg_pack_a_pairs16(w + k0, ldw, rows, k - k0, mr, dst + k0 * mr);
}
