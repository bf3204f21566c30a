/* The activation codes check at load bandwidth (the AVX2 service of
 * core/isa.h): OR every byte into four registers (128 bytes a step along a
 * row) and test the forbidden bits once at the end, not once per row,
 * which on narrow strided regions (a row of 64 bytes is two loads) had
 * cost more than the loads. */
#include <immintrin.h>

#include "core/isa.h"

typedef struct acc {
  __m256i a0, a1, a2, a3;
  uint8_t tail;
} acc;

static inline void or_row(acc *s, const uint8_t *p, int64_t n) {
  int64_t i = 0;
  for (; i + 128 <= n; i += 128) {
    s->a0 = _mm256_or_si256(s->a0, _mm256_loadu_si256((const __m256i *)(p + i)));
    s->a1 = _mm256_or_si256(s->a1, _mm256_loadu_si256((const __m256i *)(p + i + 32)));
    s->a2 = _mm256_or_si256(s->a2, _mm256_loadu_si256((const __m256i *)(p + i + 64)));
    s->a3 = _mm256_or_si256(s->a3, _mm256_loadu_si256((const __m256i *)(p + i + 96)));
  }
  for (; i + 64 <= n; i += 64) {
    s->a0 = _mm256_or_si256(s->a0, _mm256_loadu_si256((const __m256i *)(p + i)));
    s->a1 = _mm256_or_si256(s->a1, _mm256_loadu_si256((const __m256i *)(p + i + 32)));
  }
  for (; i + 32 <= n; i += 32)
    s->a2 = _mm256_or_si256(s->a2, _mm256_loadu_si256((const __m256i *)(p + i)));
  for (; i < n; i++) s->tail |= p[i];
}

static int codes_fit(const uint8_t *x, int64_t r, int64_t c, int64_t ld, uint8_t over) {
  acc s = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
           _mm256_setzero_si256(), 0};
  if (ld == c) {
    or_row(&s, x, r * c);
  } else {
    for (int64_t i = 0; i < r; i++) or_row(&s, x + i * ld, c);
  }
  __m256i all = _mm256_or_si256(_mm256_or_si256(s.a0, s.a1), _mm256_or_si256(s.a2, s.a3));
  all = _mm256_or_si256(all, _mm256_set1_epi8((char)s.tail));
  return _mm256_testz_si256(all, _mm256_set1_epi8((char)over));
}

const wg_service wg_service_avx2 = {"avx2", WG_CPU_AVX2, codes_fit};
