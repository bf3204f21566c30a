#include "eligible_avx2.h"

/* _mm256_sign_epi8(x, w) is x, -x or 0 for w = +1, -1, 0, wrapping modulo
 * 2^8 (also for the byte 0x80: -(-128) wraps to -128, congruent to +128),
 * and _mm256_add_epi8 wraps: nothing saturates, for every activation code
 * 0..255.  Only weights in {-1, 0, +1} are products by sign. */
int wg_avx2_eligible_sign8(const wg_problem *p) {
  return p->wformat == WG_WEIGHTS_TERNARY || p->wformat == WG_WEIGHTS_BINARY;
}

/* _mm256_maddubs_epi16 saturates x0*w0 + x1*w1 to int16, with x unsigned
 * activation codes and w signed weights.  With x <= 2^abits - 1:
 *   abits <= 7:          |x0*w0 + x1*w1| <= 2 * 127 * 128 = 32512 <= 32767;
 *   w in [-64, 63]:      |x0*w0 + x1*w1| <= 2 * 255 * 64  = 32640 <= 32767
 * (and -32640 >= -32768), so the pair sum is exact.  Everything after it
 * (_mm256_add_epi16, _mm256_madd_epi16 by ones, _mm256_add_epi32) wraps.
 * 8-bit activations against weights outside [-64, 63] could saturate and
 * go to the madd16 kernel. */
int wg_avx2_eligible_maddubs(const wg_problem *p) {
  return p->abits <= 7 || (p->wmin >= -64 && p->wmax <= 63);
}
