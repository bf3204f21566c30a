/*
 * The epilogue of every AVX2 kernel, applied to eight outputs of one row
 * (columns j0 .. j0+7 of the tile) while they are still in a register.
 * Included only by kernels/avx2/ files (static inline: each AVX2 object has
 * its own private copy, nothing AVX2 can leak into generic code).
 *
 * Each step is the vector form of one arith.h primitive and gives the same
 * bits:
 *   v = z - zx*rowsum[m]                 exact modulo 2^32
 *   a = wrap_b(v)                        shift left then arithmetic right by
 *                                        32-b: sign-extends the low b bits
 *   c = cyclic(a)                        smooth: see wg_avx2_act
 *   y = fmadd(float(c), s, t)            _mm256_fmadd_ps rounds once, as fmaf;
 *                                        cvtepi32_ps rounds to nearest even,
 *                                        as (float)c
 *   relu: max(+0, y)                     keeps y = -0.0f as the scalar
 *                                        `y < 0 ? 0 : y` does
 *   q = packus(cvtps(min(y, qmax)))      clamping is exact (integer
 *                                        bounds); cvtps rounds half to even
 *                                        under the default MXCSR mode, as
 *                                        nearbyintf does; the unsigned-
 *                                        saturating pack is the clamp at 0
 * The fixed-point requantization and smooth cyclic at b = 32 are rare and
 * need 64-bit intermediates: they finish the vector's lanes with the scalar
 * primitives, still without leaving the kernel.
 */
#ifndef WG_EPILOGUE_AVX2_H
#define WG_EPILOGUE_AVX2_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "../core/arith.h"
#include "../core/kernel.h"
#include "../core/scatter.h"

/* Per-tile constants, derived once from the tile's epilogue. */
typedef struct wg_avx2_epi {
  const wg_epi *e;
  __m128i wrap_shift;   /* 32 - b (0 for b = 32) */
  __m256i zx;
  __m256i slope, h;     /* smooth at b <= 16 */
  __m256 qmax;          /* float requantization's upper clamp */
  int vec_cyclic;       /* cyclic computable in 32-bit lanes */
  size_t es;
} wg_avx2_epi;

static inline void wg_avx2_epi_init(wg_avx2_epi *c, const wg_epi *e) {
  c->e = e;
  c->wrap_shift = _mm_cvtsi32_si128(e->b >= 32 ? 0 : 32 - e->b);
  c->zx = _mm256_set1_epi32((int32_t)e->zx);
  c->slope = _mm256_set1_epi32(e->slope);
  c->h = _mm256_set1_epi32(e->b >= 32 ? 0 : 1 << (e->b - 1));
  c->qmax = _mm256_set1_ps((float)e->qmax);
  c->vec_cyclic = e->cyclic != WG_CYCLIC_SMOOTH || e->b <= 16;
  c->es = e->output == WG_OUTPUT_INT16 ? 2
          : e->output == WG_OUTPUT_INT32 || e->output == WG_OUTPUT_FLOAT32 ? 4
                                                                          : 1;
}

/* The activation in 32-bit lanes, by mode.  The byte tiles fix the mode
 * once per tile and inline this with it as a constant (a switch on the
 * cyclic mode, the slope test and the clamp's broadcast per vector had cost
 * about 20 instructions per vector, 245 per fused tile, callgrind). */
enum { WG_AVX2_ACT_NONE, WG_AVX2_ACT_ABS, WG_AVX2_ACT_SMOOTH1, WG_AVX2_ACT_SMOOTHK };

static inline int wg_avx2_act_mode(const wg_epi *e) {
  switch (e->cyclic) {
    case WG_CYCLIC_NONE: return WG_AVX2_ACT_NONE;
    case WG_CYCLIC_ABS: return WG_AVX2_ACT_ABS;
    case WG_CYCLIC_SMOOTH: break;
  }
  return e->slope == 1 ? WG_AVX2_ACT_SMOOTH1 : WG_AVX2_ACT_SMOOTHK;
}

/* smooth (b <= 16): the contract's test (k+1)|a| <= k*h is
 * |a| <= k*(h - |a|), and beyond it |c| = k*(h - |a|) < |a|, so
 * |c| = min(|a|, k*(h - |a|)) and c takes a's sign (k*h - k*a for a > 0,
 * -k*h - k*a for a < 0; a = 0 gives 0, a = -h gives 0, as the contract).
 * With |a| <= h <= 2^15 and k <= 65536 the product is at most 2^31 (reached
 * only at a = 0, whose sign zeroes it anyway), so the unsigned minimum is
 * exact.  Four operations for the paper's k = 1, five otherwise, where the
 * test-and-blend form took seven and nine (docs/avx2.md). */
static inline __attribute__((always_inline)) __m256i wg_avx2_act(const wg_avx2_epi *c,
                                                                 __m256i a, int mode) {
  if (mode == WG_AVX2_ACT_ABS) return _mm256_abs_epi32(a);
  if (mode == WG_AVX2_ACT_NONE) return a;
  __m256i mag = _mm256_abs_epi32(a), d = _mm256_sub_epi32(c->h, mag);
  if (mode == WG_AVX2_ACT_SMOOTHK) d = _mm256_mullo_epi32(c->slope, d);
  return _mm256_sign_epi32(_mm256_min_epu32(mag, d), a);
}

/* a = wrap_b(v) for eight lanes. */
static inline __m256i wg_avx2_wrap(const wg_avx2_epi *c, __m256i v) {
  return _mm256_sra_epi32(_mm256_sll_epi32(v, c->wrap_shift), c->wrap_shift);
}

/* c = cyclic(wrap_b(v)) for eight lanes, v already zero-point corrected. */
static inline __m256i wg_avx2_wrap_cyclic(const wg_avx2_epi *c, __m256i v) {
  const wg_epi *e = c->e;
  __m256i a = wg_avx2_wrap(c, v);
  if (c->vec_cyclic) return wg_avx2_act(c, a, wg_avx2_act_mode(e));
  int32_t l[8]; /* smooth at b > 16 needs 64-bit intermediates */
  _mm256_storeu_si256((__m256i *)l, a);
  for (int j = 0; j < 8; j++) l[j] = wg_cyclic_apply(l[j], e->b, e->cyclic, e->slope);
  return _mm256_loadu_si256((const __m256i *)l);
}

/* zx * rowsum[m]: what the zero-point correction subtracts from row m. */
static inline __m256i wg_avx2_zero_point(const wg_avx2_epi *c, int64_t m) {
  return _mm256_mullo_epi32(c->zx, _mm256_set1_epi32(c->e->rowsum[m]));
}

/* c = cyclic(wrap_b(z - zx*rowsum[m])) for eight lanes. */
static inline __m256i wg_avx2_activate(const wg_avx2_epi *c, int64_t m, __m256i z) {
  if (c->e->zx) z = _mm256_sub_epi32(z, wg_avx2_zero_point(c, m));
  return wg_avx2_wrap_cyclic(c, z);
}

static inline __m256 wg_avx2_affine(const wg_epi *e, int64_t m, __m256i c) {
  __m256 y = _mm256_fmadd_ps(_mm256_cvtepi32_ps(c), _mm256_set1_ps(e->scale[m]),
                             _mm256_set1_ps(e->bias[m]));
  return e->relu ? _mm256_max_ps(_mm256_setzero_ps(), y) : y;
}

/* Eight uint8 codes of the float requantization, as int32 lanes at most
 * qmax that become [0, qmax] in an unsigned-saturating pack.  The lower
 * clamp (and ReLU) is left to that pack, which every caller applies next:
 * a y below 0 converts to a negative integer (or to INT_MIN out of range)
 * and saturates to 0, as clamp(round(y), 0, qmax) and max(y, 0) do.  The
 * upper clamp stays before the conversion, which would turn a y beyond
 * 2^31 into INT_MIN. */
static inline __m256i wg_avx2_requant_codes(const wg_avx2_epi *c, __m256i v, __m256 scale,
                                             __m256 bias) {
  __m256 y = _mm256_fmadd_ps(_mm256_cvtepi32_ps(v), scale, bias);
  return _mm256_cvtps_epi32(_mm256_min_ps(y, c->qmax));
}

static inline __m128i wg_avx2_requant8(const wg_avx2_epi *c, int64_t m, __m256i v) {
  __m256i q = wg_avx2_requant_codes(c, v, _mm256_set1_ps(c->e->scale[m]),
                                    _mm256_set1_ps(c->e->bias[m]));
  __m128i w = _mm_packus_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
  return _mm_packus_epi16(w, w);
}

/* Eight int8 values (they fit: checked at the API), in the low 8 bytes. */
static inline __m128i wg_avx2_int8(__m256i v) {
  __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  return _mm_packs_epi16(w, w);
}

/* Finishes lanes j0 .. j0+7 of tile row i: parks them in t->partial, or adds
 * the parked sums and stores min(8, cols - j0) outputs.  z holds sums
 * congruent to the exact ones modulo 2^lane_bits; nr is the kernel's NR. */
static inline void wg_avx2_finish8(const wg_tile *t, const wg_avx2_epi *c, int nr,
                                   int i, int j0, __m256i z) {
  if (t->partial) {
    __m256i *p = (__m256i *)(t->partial + i * nr + j0);
    if (!t->first) z = _mm256_add_epi32(z, _mm256_loadu_si256(p));
    if (!t->last) {
      _mm256_storeu_si256(p, z);
      return;
    }
  }
  int n = t->cols - j0;
  if (n <= 0 || i >= t->rows) return;
  if (n > 8) n = 8;
  const wg_epi *e = c->e;
  int64_t m = t->m0 + i;
  __m256i v = wg_avx2_activate(c, m, z);
  char *dst = (char *)t->y + (size_t)(i * t->ys_m + j0 * t->ys_n) * c->es;
  int full = n == 8 && t->ys_n == 1;
  _Alignas(32) char buf[32];
  switch (e->output) {
    case WG_OUTPUT_INT8: {
      __m128i w = wg_avx2_int8(v);
      if (full) { _mm_storel_epi64((__m128i *)dst, w); return; }
      _mm_storel_epi64((__m128i *)buf, w);
      break;
    }
    case WG_OUTPUT_INT16: {
      __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
      if (full) { _mm_storeu_si128((__m128i *)dst, w); return; }
      _mm_store_si128((__m128i *)buf, w);
      break;
    }
    case WG_OUTPUT_INT32:
      if (full) { _mm256_storeu_si256((__m256i *)dst, v); return; }
      _mm256_store_si256((__m256i *)buf, v);
      break;
    case WG_OUTPUT_UINT8_FLOAT: {
      __m128i w = wg_avx2_requant8(c, m, v);
      if (full) { _mm_storel_epi64((__m128i *)dst, w); return; }
      _mm_storel_epi64((__m128i *)buf, w);
      break;
    }
    case WG_OUTPUT_UINT8_FIXED: {
      int32_t l[8];
      _mm256_storeu_si256((__m256i *)l, v);
      for (int j = 0; j < n; j++)
        buf[j] = (char)wg_requant_fixed(l[j], e->qbias ? e->qbias[m] : 0, e->mult[m],
                                        e->shift[m], e->out_zp, e->relu, e->qmax);
      break;
    }
    case WG_OUTPUT_FLOAT32: {
      __m256 y = wg_avx2_affine(e, m, v);
      if (full) { _mm256_storeu_ps((float *)dst, y); return; }
      _mm256_store_ps((float *)buf, y);
      break;
    }
  }
  wg_scatter(dst, buf, n, c->es, t->ys_n);
}

/* Six rows of 16 bytes (w[0..5]) stored pixel-major: column j's six bytes
 * are contiguous at y + j*ys_n (NHWC output: channels innermost).  An
 * 8 x 16 byte transpose (rows 6 and 7 zero) by unpacks, then one 4-byte and
 * one 2-byte store per column, instead of 96 single-byte stores. */
static inline void wg_avx2_store6_pixel_major(const __m128i w[6], char *y, int64_t ys_n) {
  __m128i z = _mm_setzero_si128();
  __m128i t0 = _mm_unpacklo_epi8(w[0], w[1]), t1 = _mm_unpackhi_epi8(w[0], w[1]);
  __m128i t2 = _mm_unpacklo_epi8(w[2], w[3]), t3 = _mm_unpackhi_epi8(w[2], w[3]);
  __m128i t4 = _mm_unpacklo_epi8(w[4], w[5]), t5 = _mm_unpackhi_epi8(w[4], w[5]);
  __m128i u[8] = {_mm_unpacklo_epi16(t0, t2), _mm_unpackhi_epi16(t0, t2),
                  _mm_unpacklo_epi16(t1, t3), _mm_unpackhi_epi16(t1, t3),
                  _mm_unpacklo_epi16(t4, z),  _mm_unpackhi_epi16(t4, z),
                  _mm_unpacklo_epi16(t5, z),  _mm_unpackhi_epi16(t5, z)};
  for (int q = 0; q < 4; q++) { /* columns 4q .. 4q+3, one per 8-byte half */
    __m128i lo = _mm_unpacklo_epi32(u[q], u[q + 4]), hi = _mm_unpackhi_epi32(u[q], u[q + 4]);
    __m128i half[4] = {lo, _mm_unpackhi_epi64(lo, lo), hi, _mm_unpackhi_epi64(hi, hi)};
    for (int c = 0; c < 4; c++) {
      uint64_t six = (uint64_t)_mm_cvtsi128_si64(half[c]); /* bytes 6-7: rows 6, 7 */
      memcpy(y + (size_t)((4 * q + c) * ys_n), &six, 6);
    }
  }
}

/* Sixteen outputs of a row as codes in [-128, 127] (int8) or [0, qmax]
 * (requantized uint8) in two registers: the packs interleave the two
 * registers' 128-bit lanes, so rows go through in pairs and one vpermd per
 * pair restores the column order, row i in the low lane, row i+1 high. */
static inline __m256i wg_avx2_pack_row_pair(__m256i a0, __m256i a1, __m256i b0, __m256i b1,
                                            int unsigned_bytes) {
  __m256i pa = _mm256_packs_epi32(a0, a1), pb = _mm256_packs_epi32(b0, b1);
  __m256i q = unsigned_bytes ? _mm256_packus_epi16(pa, pb) : _mm256_packs_epi16(pa, pb);
  return _mm256_permutevar8x32_epi32(q, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* The common case, tested once per tile: a 16-column tile on its last
 * depth block with byte output (int8, or requantized uint8 through float),
 * a cyclic mode computable in 32-bit lanes, stored row-major (any number of
 * rows: the last row panel of M = 64 has 4) or pixel-major (6 rows).  Its
 * conditions are tested once per tile, where the per-vector path tests
 * each one per eight outputs (330 instructions per tile outside the loop
 * before, 170 now, callgrind). */
static inline int wg_avx2_bytes_tile_ok(const wg_tile *t, int mr) {
  const wg_epi *e = t->epi;
  return !t->partial && mr == 6 && t->cols == 16 &&
         (t->ys_n == 1 || (t->ys_m == 1 && t->rows == 6)) &&
         (e->output == WG_OUTPUT_INT8 || e->output == WG_OUTPUT_UINT8_FLOAT) &&
         (e->cyclic != WG_CYCLIC_SMOOTH || e->b <= 16);
}

/* Eight sums to byte codes: zero-point correction d, wrap, the activation
 * `mode` (a constant where inlined), and with `requant` the float
 * requantization by scale and bias (per lane). */
static inline __attribute__((always_inline)) __m256i wg_avx2_bytes_vec(const wg_avx2_epi *c,
                                                                       __m256i v, __m256i d,
                                                                       int mode, int requant,
                                                                       __m256 scale,
                                                                       __m256 bias) {
  __m256i a = wg_avx2_act(c, wg_avx2_wrap(c, _mm256_sub_epi32(v, d)), mode);
  return requant ? wg_avx2_requant_codes(c, a, scale, bias) : a;
}

static inline __attribute__((always_inline)) void wg_avx2_bytes_row(const wg_avx2_epi *c,
                                                                    int64_t m, int mode,
                                                                    int requant, __m256i v[2]) {
  /* The zero-point product once per row, not per register. */
  __m256i d = c->e->zx ? wg_avx2_zero_point(c, m) : _mm256_setzero_si256();
  __m256 sc = requant ? _mm256_set1_ps(c->e->scale[m]) : _mm256_setzero_ps();
  __m256 bi = requant ? _mm256_set1_ps(c->e->bias[m]) : _mm256_setzero_ps();
#pragma GCC unroll 2
  for (int j = 0; j < 2; j++) v[j] = wg_avx2_bytes_vec(c, v[j], d, mode, requant, sc, bi);
}

/* Instantiates body(mode, requant) for the eight combinations, with the two
 * as constants. */
#define WG_AVX2_BYTES_DISPATCH(mode, requant, body)                          \
  switch ((mode) * 2 + (requant)) {                                          \
    case 0: body(WG_AVX2_ACT_NONE, 0); break;                                \
    case 1: body(WG_AVX2_ACT_NONE, 1); break;                                \
    case 2: body(WG_AVX2_ACT_ABS, 0); break;                                 \
    case 3: body(WG_AVX2_ACT_ABS, 1); break;                                 \
    case 4: body(WG_AVX2_ACT_SMOOTH1, 0); break;                             \
    case 5: body(WG_AVX2_ACT_SMOOTH1, 1); break;                             \
    case 6: body(WG_AVX2_ACT_SMOOTHK, 0); break;                             \
    default: body(WG_AVX2_ACT_SMOOTHK, 1); break;                            \
  }

static inline __attribute__((always_inline)) void wg_avx2_bytes_tile_k(
    const wg_tile *t, const wg_avx2_epi *c, __m256i (*s)[2], int mode, int requant) {
  __m128i w[6];
  /* Unrolled, so that the sums stay in the registers the loop left them in
   * (a rolled loop indexes them through the stack: 400 instructions per
   * tile instead of about 150). */
#pragma GCC unroll 3
  for (int p = 0; p < 3; p++) {
    __m256i r0[2] = {s[2 * p][0], s[2 * p][1]}, r1[2] = {s[2 * p + 1][0], s[2 * p + 1][1]};
    if (2 * p < t->rows) wg_avx2_bytes_row(c, t->m0 + 2 * p, mode, requant, r0);
    if (2 * p + 1 < t->rows) wg_avx2_bytes_row(c, t->m0 + 2 * p + 1, mode, requant, r1);
    __m256i rows = wg_avx2_pack_row_pair(r0[0], r0[1], r1[0], r1[1], requant);
    w[2 * p] = _mm256_castsi256_si128(rows);
    w[2 * p + 1] = _mm256_extracti128_si256(rows, 1);
  }
  if (t->ys_n == 1) {
    char *y = (char *)t->y;
#pragma GCC unroll 6
    for (int i = 0; i < 6; i++)
      if (i < t->rows) _mm_storeu_si128((__m128i *)(y + (size_t)(i * t->ys_m)), w[i]);
  } else {
    wg_avx2_store6_pixel_major(w, (char *)t->y, t->ys_n);
  }
}

static inline __attribute__((always_inline)) void wg_avx2_bytes_tile(const wg_tile *t,
                                                                     __m256i (*s)[2]) {
  const wg_epi *e = t->epi;
  wg_avx2_epi c;
  wg_avx2_epi_init(&c, e);
#define WG_AVX2_BYTES_TILE(mode, requant) wg_avx2_bytes_tile_k(t, &c, s, mode, requant)
  WG_AVX2_BYTES_DISPATCH(wg_avx2_act_mode(e), e->output == WG_OUTPUT_UINT8_FLOAT,
                         WG_AVX2_BYTES_TILE)
#undef WG_AVX2_BYTES_TILE
}

/* Every other tile (edges, partial sums, other outputs): eight outputs at a
 * time through wg_avx2_finish8. */
static __attribute__((noinline)) void wg_avx2_finish_general(const wg_tile *t, int mr,
                                                             __m256i (*s)[2]) {
  wg_avx2_epi c;
  wg_avx2_epi_init(&c, t->epi);
  for (int i = 0; i < mr; i++)
    for (int v = 0; v < 2; v++) wg_avx2_finish8(t, &c, 16, i, 8 * v, s[i][v]);
}

/* A whole MR x 16 tile, sums in s[i][0..1] (columns 0-7 and 8-15). */
static inline __attribute__((always_inline)) void wg_avx2_finish_tile(const wg_tile *t, int mr,
                                                                      __m256i (*s)[2]) {
  if (wg_avx2_bytes_tile_ok(t, mr))
    wg_avx2_bytes_tile(t, s);
  else
    wg_avx2_finish_general(t, mr, s);
}

/* The activation of an in-place tile, computed in its byte lanes: the sums
 * there are z modulo 2^8, and for b <= 8 every step of the contract is
 * exact in bytes.  v = z - (zx*rowsum[m] mod 2^8) (vpsubb); wrap_b
 * sign-extends the low b bits ((v & (2^b-1)) ^ 2^(b-1), minus 2^(b-1));
 * abs is vpabsb (|a| = 128 only at b = 8, read as unsigned by the float
 * stage; int8 output of abs needs b < 8, checked at the API); smooth with
 * slope k in {1, 2} is sign(a) * min(|a|, k*(h - |a|)) (vpabsb, vpsubb,
 * [vpaddb,] vpminub, vpsignb; |a| <= h <= 128 read as unsigned bytes,
 * a = -128 included; 2*(h - |a|) wraps only at a = 0, to 0, the right
 * minimum).  Converting
 * 64 columns to 32-bit lanes for the general finish first had cost 7% of a
 * 64x3136x576 call (perf). */
static inline int wg_avx2_rows_bytes_ok(const wg_rtile *t) {
  return wg_epi_in_bytes(t->epi) && t->ys_n == 1;
}

static inline __m256i wg_avx2_rows_act(const wg_epi *e, __m256i v, __m256i d, __m256i mask,
                                       __m256i sb) {
  v = _mm256_sub_epi8(v, d);
  if (e->b < 8) v = _mm256_sub_epi8(_mm256_xor_si256(_mm256_and_si256(v, mask), sb), sb);
  if (e->cyclic == WG_CYCLIC_ABS) return _mm256_abs_epi8(v);
  if (e->cyclic == WG_CYCLIC_SMOOTH) {
    __m256i mag = _mm256_abs_epi8(v), rest = _mm256_sub_epi8(sb, mag);
    if (e->slope == 2) rest = _mm256_add_epi8(rest, rest);
    return _mm256_sign_epi8(_mm256_min_epu8(mag, rest), v);
  }
  return v;
}

/* 32 activations (int8 lanes) to 32 uint8 codes of the float requantization
 * of row m: four groups of eight through wg_avx2_requant_codes, then the
 * packs, whose 128-bit lanes interleave dwords 0 4 1 5 2 6 3 7 (vpermd). */
static inline __m256i wg_avx2_rows_requant32(const wg_avx2_epi *c, __m256i a, __m256 scale,
                                              __m256 bias) {
  __m128i lo = _mm256_castsi256_si128(a), hi = _mm256_extracti128_si256(a, 1);
  __m256i q0 = wg_avx2_requant_codes(c, _mm256_cvtepi8_epi32(lo), scale, bias);
  __m256i q1 = wg_avx2_requant_codes(c, _mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8)), scale, bias);
  __m256i q2 = wg_avx2_requant_codes(c, _mm256_cvtepi8_epi32(hi), scale, bias);
  __m256i q3 = wg_avx2_requant_codes(c, _mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8)), scale, bias);
  __m256i p = _mm256_packus_epi16(_mm256_packs_epi32(q0, q1), _mm256_packs_epi32(q2, q3));
  return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* 32 outputs of row m as bytes from their sums s (wg_epi_in_bytes): the
 * activations (int8), or their float requantization (uint8 codes); mask
 * and sb are 2^b - 1 and 2^(b-1) in every byte. */
static inline __m256i wg_avx2_row_out32(const wg_avx2_epi *ce, int64_t m, __m256i s, __m256i mask,
                                        __m256i sb) {
  const wg_epi *e = ce->e;
  __m256i a = wg_avx2_rows_act(e, s, _mm256_set1_epi8((char)(e->zx * (uint32_t)e->rowsum[m])),
                               mask, sb);
  if (e->output != WG_OUTPUT_UINT8_FLOAT) return a;
  return wg_avx2_rows_requant32(ce, a, _mm256_set1_ps(e->scale[m]), _mm256_set1_ps(e->bias[m]));
}

static inline void wg_avx2_rows_bytes(const wg_rtile *t, __m256i (*c)[2]) {
  const wg_epi *e = t->epi;
  wg_avx2_epi ce;
  wg_avx2_epi_init(&ce, e);
  __m256i mask = _mm256_set1_epi8((char)((1u << e->b) - 1));
  __m256i sb = _mm256_set1_epi8((char)(1u << (e->b - 1)));
  for (int i = 0; i < t->rows; i++) {
    char *y = (char *)t->y + (size_t)(i * t->ys_m);
    for (int h = 0; h < 2; h++)
      _mm256_storeu_si256((__m256i *)(y + 32 * h),
                          wg_avx2_row_out32(&ce, t->m0 + i, c[i][h], mask, sb));
  }
}

/* Up to six rows of 64 byte sums (kernel.h wg_rtile gives the rows, y and
 * strides; the first `cols` columns are stored): row i's column sums are the
 * bytes of c[i][0] (columns 0-31) and c[i][1] (32-63), congruent modulo
 * 2^8.  With all 64 columns, int8 and float-requantized uint8 outputs
 * activate in the bytes (above); the others are sign-extended to 32-bit
 * lanes, sixteen columns at a time, and go through the same finish as a
 * 6 x 16 GEMM tile (one loop, so the finish is inlined once).  The in-place
 * GEMM and the lookup-table kernel (lanes = columns) finish here. */
static inline void wg_avx2_finish_bytes64(const wg_rtile *t, int cols, __m256i (*c)[2]) {
  if (cols == 64 && wg_avx2_rows_bytes_ok(t)) {
    wg_avx2_rows_bytes(t, c);
    return;
  }
  size_t es = wg_output_size(t->epi->output);
  for (int q = 0; q < 4 && 16 * q < cols; q++) {
    __m256i s[6][2];
    for (int i = 0; i < 6; i++) {
      __m128i x = q & 1 ? _mm256_extracti128_si256(c[i][q >> 1], 1)
                        : _mm256_castsi256_si128(c[i][q >> 1]);
      s[i][0] = _mm256_cvtepi8_epi32(x);
      s[i][1] = _mm256_cvtepi8_epi32(_mm_srli_si128(x, 8));
    }
    wg_tile tile = {
        .first = 1,
        .last = 1,
        .epi = t->epi,
        .m0 = t->m0,
        .rows = t->rows,
        .cols = cols - 16 * q < 16 ? cols - 16 * q : 16,
        .y = (char *)t->y + (size_t)(16 * q * t->ys_n) * es,
        .ys_m = t->ys_m,
        .ys_n = t->ys_n,
    };
    wg_avx2_finish_tile(&tile, 6, s);
  }
}

/* An in-place GEMM tile: all 64 columns. */
static inline void wg_avx2_finish_rows(const wg_rtile *t, __m256i (*c)[2]) {
  wg_avx2_finish_bytes64(t, 64, c);
}

/* The byte outputs a direct-convolution tile finishes (wg_direct.epi_ok):
 * int8, or uint8 requantized through float, with a cyclic mode computable
 * in 32-bit lanes. */
static inline int wg_avx2_direct_epi_ok(const wg_epi *e) {
  return (e->output == WG_OUTPUT_INT8 || e->output == WG_OUTPUT_UINT8_FLOAT) &&
         (e->cyclic != WG_CYCLIC_SMOOTH || e->b <= 16);
}

/* A direct-convolution tile (kernel.h wg_dtile): sums s[i][0..1] are pixel
 * i's channels oc0..oc0+7 and oc0+8..oc0+15, so the per-channel data
 * (zero-point correction, scale, bias) are vectors loaded once per tile
 * rather than broadcast per row; each pixel's 16 channels are one store
 * (NHWC output, or the pixel-major scratch of NCHW output). */
static inline __attribute__((always_inline)) void wg_avx2_finish_direct_k(
    const wg_dtile *t, const wg_avx2_epi *c, __m256i (*s)[2], int mode, int requant) {
  const wg_epi *e = t->epi;
  const int32_t *rowsum = e->rowsum + t->oc0;
  const float *scale = requant ? e->scale + t->oc0 : NULL;
  const float *bias = requant ? e->bias + t->oc0 : NULL;
  /* The last channel panel of M % 16 != 0: its data end early, so the
   * loads read a zero-filled copy (lanes past M are never stored). */
  _Alignas(32) int32_t rs_tail[16];
  _Alignas(32) float sc_tail[16], bi_tail[16];
  if (t->ocs < 16) {
    memset(rs_tail, 0, sizeof rs_tail);
    memcpy(rs_tail, rowsum, (size_t)t->ocs * sizeof *rowsum);
    rowsum = rs_tail;
    if (requant) {
      memset(sc_tail, 0, sizeof sc_tail);
      memset(bi_tail, 0, sizeof bi_tail);
      memcpy(sc_tail, scale, (size_t)t->ocs * sizeof *scale);
      memcpy(bi_tail, bias, (size_t)t->ocs * sizeof *bias);
      scale = sc_tail;
      bias = bi_tail;
    }
  }
  __m256i d[2];
  __m256 sc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()}, bi[2] = {sc[0], sc[1]};
  for (int j = 0; j < 2; j++) {
    d[j] = e->zx ? _mm256_mullo_epi32(c->zx, _mm256_loadu_si256((const __m256i *)(rowsum + 8 * j)))
                 : _mm256_setzero_si256();
    if (requant) {
      sc[j] = _mm256_loadu_ps(scale + 8 * j);
      bi[j] = _mm256_loadu_ps(bias + 8 * j);
    }
  }
  __m128i w[6];
#pragma GCC unroll 3
  for (int p = 0; p < 3; p++) {
    __m256i r[2][2];
#pragma GCC unroll 2
    for (int h = 0; h < 2; h++)
#pragma GCC unroll 2
      for (int j = 0; j < 2; j++)
        r[h][j] = wg_avx2_bytes_vec(c, s[2 * p + h][j], d[j], mode, requant, sc[j], bi[j]);
    __m256i rows = wg_avx2_pack_row_pair(r[0][0], r[0][1], r[1][0], r[1][1], requant);
    w[2 * p] = _mm256_castsi256_si128(rows);
    w[2 * p + 1] = _mm256_extracti128_si256(rows, 1);
  }
  char *y = (char *)t->y;
#pragma GCC unroll 6
  for (int i = 0; i < 6; i++) {
    if (i >= t->pixels) break;
    char *dst = y + (size_t)(i * t->ys_pix);
    if (t->ocs == 16) {
      _mm_storeu_si128((__m128i *)dst, w[i]);
    } else {
      _Alignas(16) char buf[16];
      _mm_store_si128((__m128i *)buf, w[i]);
      memcpy(dst, buf, (size_t)t->ocs);
    }
  }
}

static inline __attribute__((always_inline)) void wg_avx2_finish_direct(const wg_dtile *t,
                                                                        __m256i (*s)[2]) {
  wg_avx2_epi c;
  wg_avx2_epi_init(&c, t->epi);
#define WG_AVX2_DIRECT_TILE(mode, requant) wg_avx2_finish_direct_k(t, &c, s, mode, requant)
  WG_AVX2_BYTES_DISPATCH(wg_avx2_act_mode(t->epi), t->epi->output == WG_OUTPUT_UINT8_FLOAT,
                         WG_AVX2_DIRECT_TILE)
#undef WG_AVX2_DIRECT_TILE
}

#endif /* WG_EPILOGUE_AVX2_H */
