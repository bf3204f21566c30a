/*
 * The intrinsics of the AVX-512 folder, native or through SIMDe.
 *
 * The library build compiles the folder with -mavx512f -mavx512bw
 * -mavx512vl (and -mavx512vnni for the VNNI kernel): <immintrin.h>, the
 * instructions themselves.  The test build of mk/avx512.mk defines
 * WG_AVX512_SIMDE and no instruction-set flag: the same sources compile
 * against SIMDe (libsimde-dev), whose native aliases turn every _mm512_ /
 * _mm256_ name into its portable C version, so that the whole sweep runs
 * these kernels on CPUs without AVX-512.  That build is never shipped.
 *
 * SIMDe 0.7.4 (Debian's) lacks a few AVX-512F conversions (vcvtdq2ps,
 * vcvtps2dq, vpmovzxbd, vpmovsxbd), and its _mm512_fmadd_ps rounds twice (a*b, then
 * +c) where the instruction rounds once; the kernels call those steps by
 * the wg512_ names below, which are the instructions natively and, under
 * SIMDe, lane loops with the instruction's exact meaning: (float)i rounds
 * to nearest even as vcvtdq2ps does, a byte zero- or sign-extends as vpmovzxbd / vpmovsxbd
 * does, fmaf rounds once as vfmadd does, nearbyintf rounds half
 * to even as vcvtps2dq does under the default MXCSR mode (its inputs are
 * clamped to [0, qmax] first, so no lane is out of range).
 */
#ifndef WG_SIMD_AVX512_H
#define WG_SIMD_AVX512_H

#include <stdint.h>

#ifdef WG_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <math.h>
#include <simde/x86/avx512.h>

/* SIMDe's aliases name no mask type: a 64-lane opmask by this name. */
typedef simde__mmask64 wg512_mask64;

static inline __m512 wg512_cvtepi32_ps(__m512i v) {
  int32_t i[16];
  float f[16];
  _mm512_storeu_si512((void *)i, v);
  for (int j = 0; j < 16; j++) f[j] = (float)i[j];
  return _mm512_loadu_ps(f);
}
static inline __m512i wg512_cvtps_epi32(__m512 v) {
  float f[16];
  int32_t i[16];
  _mm512_storeu_ps(f, v);
  for (int j = 0; j < 16; j++) i[j] = (int32_t)nearbyintf(f[j]);
  return _mm512_loadu_si512((const void *)i);
}
/* Sixteen bytes zero- (u8) or sign-extended (i8) to 32-bit lanes: the
 * bytes read as T8, widened to T32. */
#define WG512_EXTEND8(name, T8, T32)                   \
  static inline __m512i name(__m128i v) {              \
    T8 b[16];                                          \
    T32 i[16];                                         \
    _mm_storeu_si128((__m128i *)(void *)b, v);         \
    for (int j = 0; j < 16; j++) i[j] = b[j];          \
    return _mm512_loadu_si512((const void *)i);        \
  }
WG512_EXTEND8(wg512_cvtepu8_epi32, uint8_t, uint32_t)
WG512_EXTEND8(wg512_cvtepi8_epi32, int8_t, int32_t)
#undef WG512_EXTEND8
static inline __m512 wg512_fmadd_ps(__m512 a, __m512 b, __m512 c) {
  float x[16], y[16], z[16];
  _mm512_storeu_ps(x, a);
  _mm512_storeu_ps(y, b);
  _mm512_storeu_ps(z, c);
  for (int j = 0; j < 16; j++) x[j] = fmaf(x[j], y[j], z[j]);
  return _mm512_loadu_ps(x);
}
#else
#include <immintrin.h>
typedef __mmask64 wg512_mask64;
#define wg512_cvtepi32_ps _mm512_cvtepi32_ps
#define wg512_cvtps_epi32 _mm512_cvtps_epi32
#define wg512_fmadd_ps _mm512_fmadd_ps
#define wg512_cvtepu8_epi32 _mm512_cvtepu8_epi32
#define wg512_cvtepi8_epi32 _mm512_cvtepi8_epi32
#endif

#endif /* WG_SIMD_AVX512_H */
