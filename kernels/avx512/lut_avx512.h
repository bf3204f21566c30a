/*
 * The run of an AVX-512 lookup-table kernel with an 8 x 128 tile
 * (table-row add, docs/lut.md): per depth group one qword of A holds the
 * eight rows' row indices, each scaled so that index * 8 is the byte
 * offset of the row's first 64 columns in the group's table; columns
 * 64-127 lie `half` bytes further, and consecutive groups' tables are `gb`
 * bytes apart.  acc8_ternary_x_u8_8x128_lut3__avx512bw (27 rows: half =
 * 1728) and acc8_binary_x_u8_8x128_lut4__avx512bw (16 rows: half = 1024)
 * use it; the AVX2 kernels' counterpart is kernels/avx2/lut_avx2.h.
 *
 * Sums between depth blocks are parked as bytes (8 x 128) in the first
 * 1 KiB of t->partial, the kernels' own format (kernel.h: the driver seeds
 * partial sums only for INT weights with a zero point, which these kernels
 * do not take).  The finish widens the bytes and runs the folder's
 * epilogue.
 */
#ifndef WG_LUT_AVX512_H
#define WG_LUT_AVX512_H

#include <stdint.h>
#include <string.h>

#include "../core/kernel.h"
#include "epilogue_avx512.h"
#include "simd_avx512.h"

/* *lo, *hi = the low two bytes of *q, and *q >>= 16: movzbl from %al and
 * %ah and one shift, which GCC 12 does not emit from the C (a copy, a
 * shift and a mask per byte).  The loop of 128 columns, objdump: per group
 * 16 vpaddb zmm with the row as memory operand and 25 general-register
 * instructions (a qword load, 8 movzbl, 4 shifts, 8 lea for the second
 * half's displacement, the loop's 4), where the C decode took 35. */
static inline void wg512_lut_decode2(uint64_t *q, uint64_t *lo, uint64_t *hi) {
  __asm__("movzbl %b2, %k0\n\tmovzbl %h2, %k1\n\tshrq $16, %2" : "=r"(*lo), "=R"(*hi), "+Q"(*q));
}

/* The accumulators c<row><half> are named variables (an array of them was
 * copied every iteration in the folder's other kernels, docs/avx512.md).
 * Per group one qword holds the eight rows' scaled indices; row i's is
 * byte i (x86 is little-endian): two rows' from %al and %ah (movzbl),
 * then a 16-bit shift, as the AVX2 kernels' assembly decodes them. */
#define WG_L5_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define WG_L5_PAIRS(X) X(0, 1) X(2, 3) X(4, 5) X(6, 7)
#define WG_L5_DECL(i) __m512i c##i##0, c##i##1;
#define WG_L5_LOAD(i)                                                         \
  c##i##0 = first ? zero : _mm512_loadu_si512((const void *)(park + 128 * (i)));     \
  c##i##1 = first || halves < 2 ? zero                                         \
                                : _mm512_loadu_si512((const void *)(park + 128 * (i) + 64));
#define WG_L5_ADD(i, idx)                                                     \
  {                                                                           \
    const uint8_t *row = tab + (size_t)(idx) * 8;                             \
    c##i##0 = _mm512_add_epi8(c##i##0, _mm512_loadu_si512((const void *)row)); \
    if (halves == 2)                                                          \
      c##i##1 = _mm512_add_epi8(c##i##1, _mm512_loadu_si512((const void *)(row + half))); \
  }
/* Rows i and j from the low two bytes of q, then the next two down. */
#define WG_L5_PAIR(i, j)                                                      \
  {                                                                           \
    uint64_t lo, hi;                                                          \
    wg512_lut_decode2(&q, &lo, &hi);                                          \
    WG_L5_ADD(i, lo)                                                          \
    WG_L5_ADD(j, hi)                                                          \
  }
#define WG_L5_STORE(i)                                                        \
  _mm512_storeu_si512((void *)(out + 128 * (i)), c##i##0);                    \
  _mm512_storeu_si512((void *)(out + 128 * (i) + 64), c##i##1);

/* The row adds of one depth block over `halves` 64-column halves (halves,
 * gb and half are constants where it is inlined, so that each loop holds
 * only its adds): sums from park (or zero where first), into out. */
static inline __attribute__((always_inline)) void wg512_lut_adds(const wg_tile *t, int halves,
                                                                 size_t gb, size_t half,
                                                                 uint8_t *out) {
  const uint8_t *park = (const uint8_t *)t->partial;
  const uint8_t *tab = t->b, *a = t->a;
  const int first = t->first;
  const __m512i zero = _mm512_setzero_si512();
  WG_L5_ROWS(WG_L5_DECL)
  WG_L5_ROWS(WG_L5_LOAD)
  /* Each group's qword is loaded one iteration ahead (past the last, 8
   * bytes of the weights' 64-byte slack, kernel.h): loaded at its use, the
   * first add of every group waited on load -> decode -> row load (9.6% of
   * the run's samples on that add, perf on AMD EPYC Zen 5; docs/lut.md). */
  uint64_t qn;
  memcpy(&qn, a, 8);
  for (int64_t g = t->kgroups; g > 0; g--, tab += gb) {
    uint64_t q = qn;
    a += 8;
    memcpy(&qn, a, 8);
    WG_L5_PAIRS(WG_L5_PAIR)
  }
  WG_L5_ROWS(WG_L5_STORE)
}
#undef WG_L5_ROWS
#undef WG_L5_DECL
#undef WG_L5_LOAD
#undef WG_L5_ADD
#undef WG_L5_PAIR
#undef WG_L5_PAIRS
#undef WG_L5_STORE

/* int8 outputs, and uint8 ones requantized through float, activate in the
 * byte lanes, the AVX2 byte finish's steps (wg_avx2_rows_act,
 * epilogue_avx2.h, whose comment has why each is exact for b <= 8) in zmm:
 * v = z - (zx*rowsum[m] mod 2^8); wrap_b sign-extends the low b bits; abs
 * is vpabsb; smooth with slope k is sign(a) * min(|a|, k*(h - |a|)) (the
 * 32-bit epilogue's form), the sign applied by a masked negation (no
 * vpsignb in zmm).  In unsigned bytes |a| <= h <= 128, and for k = 2 the
 * product 2*(h - |a|) wraps only at a = 0 (to 0, the right minimum), so
 * slopes 1 and 2 (the paper's) are exact here.  The float requantization
 * then takes 16 activations at a time sign-extended to 32-bit lanes
 * (wg512_store16, the same instructions as the 32-bit finish); abs is left
 * to that finish, whose |a| = 128 at b = 8 has no int8 form.  Widening the
 * sums to 32-bit lanes for the folder's finish took 10% of a binary
 * 64x3136x576 GEMM (perf, AMD EPYC Zen 5; docs/lut.md). */
static inline int wg512_lut_bytes_ok(const wg_tile *t) {
  return wg_epi_in_bytes(t->epi) && (t->ys_n == 1 || t->ys_m == 1);
}

/* Row i's 64 byte sums from column j, activated. */
static inline __m512i wg512_lut_act_bytes(const wg_tile *t, const uint8_t *sums, int i, int j) {
  const wg_epi *e = t->epi;
  const __m512i sb = _mm512_set1_epi8((char)(1u << (e->b - 1)));
  const __m512i d = _mm512_set1_epi8((char)(e->zx * (uint32_t)e->rowsum[t->m0 + i]));
  __m512i v = _mm512_sub_epi8(_mm512_loadu_si512((const void *)(sums + 128 * i + j)), d);
  if (e->b < 8) {
    const __m512i mask = _mm512_set1_epi8((char)((1u << e->b) - 1));
    v = _mm512_sub_epi8(_mm512_xor_si512(_mm512_and_si512(v, mask), sb), sb);
  }
  if (e->cyclic == WG_CYCLIC_ABS) {
    v = _mm512_abs_epi8(v);
  } else if (e->cyclic == WG_CYCLIC_SMOOTH) {
    __m512i mag = _mm512_abs_epi8(v), rest = _mm512_sub_epi8(sb, mag);
    if (e->slope == 2) rest = _mm512_add_epi8(rest, rest);
    __m512i r = _mm512_min_epu8(mag, rest);
    v = _mm512_mask_sub_epi8(r, _mm512_movepi8_mask(v), _mm512_setzero_si512(), r);
  }
  return v;
}

/* Row i's 64 outputs from column j as bytes: the activations (int8), or
 * their float requantization (uint8 codes). */
static inline __m512i wg512_lut_out_bytes(const wg_tile *t, const wg512_epi *c,
                                          const uint8_t *sums, int i, int j) {
  __m512i v = wg512_lut_act_bytes(t, sums, i, j);
  if (t->epi->output != WG_OUTPUT_UINT8_FLOAT) return v;
  _Alignas(64) uint8_t q[64];
  for (int g = 0; g < 4; g++) {
    __m128i a = g == 0   ? _mm512_castsi512_si128(v)
                : g == 1 ? _mm512_extracti32x4_epi32(v, 1)
                : g == 2 ? _mm512_extracti32x4_epi32(v, 2)
                         : _mm512_extracti32x4_epi32(v, 3);
    wg512_store16(c, t->m0 + i, wg512_cvtepi8_epi32(a), (char *)q + 16 * g);
  }
  return _mm512_load_si512((const void *)q);
}

/* Pixel-major (NHWC) output, a pixel's channels contiguous (ys_m = 1): the
 * rows' activated bytes staged, then stored 8 bytes a pixel
 * (wg512_store_pixels8). */
static inline void wg512_lut_finish_pixels(const wg_tile *t, const wg512_epi *c,
                                           const uint8_t *sums) {
  _Alignas(64) uint8_t stage[8][128];
  for (int i = 0; i < t->rows; i++)
    for (int j = 0; j < t->cols; j += 64)
      _mm512_store_si512((void *)&stage[i][j], wg512_lut_out_bytes(t, c, sums, i, j));
  wg512_store_pixels8(&stage[0][0], 128, t->rows, t->cols, (char *)t->y, t->ys_n);
}

static inline void wg512_lut_finish_bytes(const wg_tile *t, const uint8_t *sums) {
  wg512_epi c;
  wg512_epi_init(&c, t->epi);
  if (t->ys_n != 1) {
    wg512_lut_finish_pixels(t, &c, sums);
    return;
  }
  for (int i = 0; i < t->rows; i++) {
    int8_t *y = (int8_t *)t->y + (size_t)(i * t->ys_m);
    for (int j = 0; j < t->cols; j += 64) {
      __m512i v = wg512_lut_out_bytes(t, &c, sums, i, j);
      int n = t->cols - j < 64 ? t->cols - j : 64;
      if (n == 64) {
        _mm512_storeu_si512((void *)(y + j), v);
      } else { /* a ragged panel: through a buffer (SIMDe has no masked byte store) */
        _Alignas(64) int8_t part[64];
        _mm512_store_si512((void *)part, v);
        memcpy(y + j, part, (size_t)n);
      }
    }
  }
}

/* Tile t of an 8 x 128 kernel whose group tables are GB bytes apart, the
 * second column half HALF bytes after the first: the row adds over the
 * depth block, then the sums parked (not last) or finished. */
static inline __attribute__((always_inline)) void wg512_lut_run_8x128(const wg_tile *t, size_t gb,
                                                                      size_t half) {
  _Alignas(64) uint8_t sums[8 * 128];
  uint8_t *out = t->last ? sums : (uint8_t *)t->partial;
  /* This panel's weights of the next depth block, into L2 (the AVX2
   * kernels' reason: consecutive tiles read weights a panel apart).  Past
   * the last block this reads into the next panel or the 64 bytes of slack
   * behind the last (kernel.h). */
  _mm_prefetch((const char *)t->a + 8 * t->kgroups, _MM_HINT_T1);
  if (t->cols <= 64)
    wg512_lut_adds(t, 1, gb, half, out);
  else
    wg512_lut_adds(t, 2, gb, half, out);
  if (!t->last) return;
  if (wg512_lut_bytes_ok(t)) {
    wg512_lut_finish_bytes(t, sums);
    return;
  }
  /* The byte sums (congruent to z modulo 2^8) widened to the uint32 tile
   * of the folder's epilogue; the parked bytes are already in them, so it
   * must not add t->partial again (first). */
  _Alignas(64) uint32_t acc[8][128];
  for (int i = 0; i < t->rows; i++)
    for (int j = 0; j < t->cols; j += 16)
      _mm512_store_si512((void *)&acc[i][j],
                         wg512_cvtepu8_epi32(_mm_load_si128(
                             (const __m128i *)(const void *)(sums + 128 * i + j))));
  wg_tile u = *t;
  u.first = 1;
  wg512_finish_tile(&u, &acc[0][0], 128, 128);
}
#define WG_LUT5_RUN_8X128(t, GB, HALF) wg512_lut_run_8x128(t, GB, HALF)

#endif /* WG_LUT_AVX512_H */
