/* Activation-code validation at load bandwidth: OR 128 bytes per step into
 * four registers, test the forbidden bits once per row. */
#include <immintrin.h>

#include "core/internal.h"

static int row_ok(const uint8_t *p, int64_t n, __m256i over) {
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 128 <= n; i += 128) {
    a0 = _mm256_or_si256(a0, _mm256_loadu_si256((const __m256i *)(p + i)));
    a1 = _mm256_or_si256(a1, _mm256_loadu_si256((const __m256i *)(p + i + 32)));
    a2 = _mm256_or_si256(a2, _mm256_loadu_si256((const __m256i *)(p + i + 64)));
    a3 = _mm256_or_si256(a3, _mm256_loadu_si256((const __m256i *)(p + i + 96)));
  }
  for (; i + 32 <= n; i += 32)
    a0 = _mm256_or_si256(a0, _mm256_loadu_si256((const __m256i *)(p + i)));
  __m256i acc = _mm256_or_si256(_mm256_or_si256(a0, a1), _mm256_or_si256(a2, a3));
  uint8_t tail = 0;
  for (; i < n; i++) tail |= p[i];
  acc = _mm256_or_si256(acc, _mm256_set1_epi8((char)tail));
  return _mm256_testz_si256(acc, over);
}

int wg_codes_fit_avx2(const uint8_t *x, int64_t r, int64_t c, int64_t ld,
                      uint8_t over) {
  __m256i o = _mm256_set1_epi8((char)over);
  if (ld == c) return row_ok(x, r * c, o);
  for (int64_t i = 0; i < r; i++)
    if (!row_ok(x + i * ld, c, o)) return 0;
  return 1;
}
