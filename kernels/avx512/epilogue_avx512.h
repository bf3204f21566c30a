/*
 * The epilogue of every AVX-512 kernel: wg_tile_finish (kernels/core) in
 * zmm registers, sixteen outputs of a tile row at a time, bit for bit the
 * same.  The kernels hand over their sums as a uint32 tile (the VNNI
 * kernel's 32-bit lanes stored as they are, the byte kernels' lanes folded),
 * so that one epilogue serves every tile shape.  Included only by
 * kernels/avx512/ files (static inline: nothing compiled for AVX-512 can be
 * the copy a generic caller links).
 *
 * Each step is the vector form of one arith.h primitive:
 *   v = z - zx*rowsum[m]         exact modulo 2^32 (one scalar product a row)
 *   a = wrap_b(v)                ((v + h) & (2^b - 1)) - h, h = 2^(b-1): the
 *                                arith.h formula itself; identity at b = 32
 *   c = cyclic(a)                abs: vpabsd; smooth (b <= 16): |c| =
 *                                min(|a|, k*(h - |a|)) with a's sign, the
 *                                argument of kernels/avx2/epilogue_avx2.h
 *                                (k*(h - |a|) <= 2^31, unsigned min exact);
 *                                smooth at b > 16 needs 64-bit products and
 *                                runs arith.h per lane
 *   float: fmadd(float(c), s, t) one rounding as fmaf; ReLU as max(+0, y),
 *                                which keeps -0.0f as `y < 0 ? 0 : y` does
 *   uint8 (float): clamp y to [0, qmax] in float, then round half to even:
 *                                the same as wg_quantize_u8's tests, and no
 *                                lane is out of the conversion's range
 *   int8 / int16:                saturating narrowing, never saturating (the
 *                                API limits b so that c fits)
 *   uint8 (fixed point):         arith.h per lane (64-bit intermediates)
 */
#ifndef WG_EPILOGUE_AVX512_H
#define WG_EPILOGUE_AVX512_H

#include <stdint.h>
#include <string.h>

#include "../core/arith.h"
#include "../core/kernel.h"
#include "../core/pixels8.h"
#include "../core/scatter.h"
#include "simd_avx512.h"

/* Per-tile constants. */
typedef struct wg512_epi {
  const wg_epi *e;
  __m512i h, low;  /* 2^(b-1), 2^b - 1 (b < 32) */
  __m512i slope;
  __m512 qmax;
  size_t es;       /* bytes of one output */
} wg512_epi;

static inline void wg512_epi_init(wg512_epi *c, const wg_epi *e) {
  c->e = e;
  uint32_t h = e->b >= 32 ? 0 : 1u << (e->b - 1);
  c->h = _mm512_set1_epi32((int32_t)h);
  c->low = _mm512_set1_epi32((int32_t)(2 * h - 1));
  c->slope = _mm512_set1_epi32(e->slope);
  c->qmax = _mm512_set1_ps((float)e->qmax);
  c->es = wg_output_size(e->output);
}

/* c = cyclic(wrap_b(v)) for sixteen lanes. */
static inline __m512i wg512_activate(const wg512_epi *c, __m512i v) {
  const wg_epi *e = c->e;
  __m512i a = e->b >= 32 ? v
                         : _mm512_sub_epi32(_mm512_and_si512(_mm512_add_epi32(v, c->h), c->low),
                                            c->h);
  if (e->cyclic == WG_CYCLIC_NONE) return a;
  if (e->cyclic == WG_CYCLIC_ABS) return _mm512_abs_epi32(a);
  if (e->b > 16) { /* smooth: 64-bit intermediates */
    int32_t l[16];
    _mm512_storeu_si512((void *)l, a);
    for (int j = 0; j < 16; j++) l[j] = wg_cyclic_apply(l[j], e->b, e->cyclic, e->slope);
    return _mm512_loadu_si512((const void *)l);
  }
  __m512i zero = _mm512_setzero_si512();
  __m512i mag = _mm512_abs_epi32(a), d = _mm512_sub_epi32(c->h, mag);
  if (e->slope != 1) d = _mm512_mullo_epi32(c->slope, d);
  __m512i r = _mm512_min_epu32(mag, d);
  return _mm512_mask_sub_epi32(r, _mm512_cmpgt_epi32_mask(zero, a), zero, r);
}

static inline __m512 wg512_affine(const wg_epi *e, int64_t m, __m512i c) {
  return wg512_fmadd_ps(wg512_cvtepi32_ps(c), _mm512_set1_ps(e->scale[m]),
                        _mm512_set1_ps(e->bias[m]));
}

/* Sixteen outputs of row m from activations a into buf (es bytes each). */
static inline void wg512_store16(const wg512_epi *c, int64_t m, __m512i a, char *buf) {
  const wg_epi *e = c->e;
  switch (e->output) {
    case WG_OUTPUT_INT8:
      _mm_storeu_si128((__m128i *)(void *)buf, _mm512_cvtsepi32_epi8(a));
      break;
    case WG_OUTPUT_INT16:
      _mm256_storeu_si256((__m256i *)(void *)buf, _mm512_cvtsepi32_epi16(a));
      break;
    case WG_OUTPUT_INT32:
      _mm512_storeu_si512((void *)buf, a);
      break;
    case WG_OUTPUT_FLOAT32: {
      __m512 y = wg512_affine(e, m, a);
      if (e->relu) y = _mm512_max_ps(_mm512_setzero_ps(), y);
      _mm512_storeu_ps((float *)(void *)buf, y);
      break;
    }
    case WG_OUTPUT_UINT8_FLOAT: {
      __m512 y = wg512_affine(e, m, a);
      y = _mm512_min_ps(_mm512_max_ps(y, _mm512_setzero_ps()), c->qmax);
      /* codes 0..qmax <= 255 as int16, then unsigned bytes */
      __m256i w = _mm512_cvtsepi32_epi16(wg512_cvtps_epi32(y));
      _mm_storeu_si128((__m128i *)(void *)buf,
                       _mm_packus_epi16(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1)));
      break;
    }
    case WG_OUTPUT_UINT8_FIXED: {
      int32_t l[16];
      _mm512_storeu_si512((void *)l, a);
      for (int j = 0; j < 16; j++)
        buf[j] = (char)wg_requant_fixed(l[j], e->qbias ? e->qbias[m] : 0, e->mult[m],
                                        e->shift[m], e->out_zp, e->relu, e->qmax);
      break;
    }
  }
}

/* wg_tile_finish for the AVX-512 kernels: acc holds the tile's sums,
 * congruent modulo 2^lane_bits, row i at acc + i*lda, with 16 readable
 * lanes from every multiple of 16 below the tile's columns; nr is the
 * kernel's NR, the row stride of t->partial. */
/* Pixel-major (NHWC) one-byte outputs, a pixel's channels contiguous: up to
 * 8 rows of `cols` bytes (row i at rows + i*lda, lda >= cols rounded up to
 * 64) stored as `nrows` bytes per pixel at y + j*ys_n, 64 columns at a
 * time (core/pixels8.h), rather than a strided byte store per element: the
 * AVX-512 ternary LUT's NHWC WrapNet layer (uint8 outputs) took 0.92 / 0.98
 * of its time with it at 64x56x56 / 256x14x14 (AMD EPYC Zen 5; docs/lut.md,
 * "NHWC through shifted images"). */
#define WG512_STORE_Q(row, v) _mm512_store_si512((void *)(row), v)
static inline void wg512_store_pixels8(const uint8_t *rows, int lda, int nrows, int cols, char *y,
                                       int64_t ys_n) {
  for (int j = 0; j < cols; j += 64) {
    __m512i r[8];
    for (int i = 0; i < 8; i++)
      r[i] = i < nrows ? _mm512_loadu_si512((const void *)(rows + i * lda + j))
                       : _mm512_setzero_si512();
    _Alignas(64) uint64_t px[8][8];
    WG_PIXELS8_TRANSPOSE(__m512i, r, px, _mm512_unpacklo_epi8, _mm512_unpackhi_epi8,
                         _mm512_unpacklo_epi16, _mm512_unpackhi_epi16, _mm512_unpacklo_epi32,
                         _mm512_unpackhi_epi32, WG512_STORE_Q);
    wg_store_pixel_runs(&px[0][0], 8, cols - j < 64 ? cols - j : 64, nrows,
                        y + (size_t)(j * ys_n), ys_n);
  }
}
#undef WG512_STORE_Q

static inline void wg512_finish_tile(const wg_tile *t, const uint32_t *acc, int lda, int nr) {
  wg512_epi c;
  int last = t->last;
  memset(&c, 0, sizeof c);
  if (last) wg512_epi_init(&c, t->epi);
  /* One-byte pixel-major outputs: each row's bytes into `stage`, then
   * stored pixel by pixel (wg512_store_pixels8). */
  _Alignas(64) uint8_t stage[8][128];
  int pixels = last && c.es == 1 && t->ys_m == 1 && t->ys_n != 1 && t->rows <= 8 &&
               t->cols <= 128;
  for (int i = 0; i < t->rows; i++)
    for (int j0 = 0; j0 < t->cols; j0 += 16) {
      int n = t->cols - j0 < 16 ? t->cols - j0 : 16;
      __m512i z = _mm512_loadu_si512((const void *)(acc + i * lda + j0));
      if (t->partial) {
        uint32_t *p = t->partial + i * nr + j0;
        uint32_t l[16] = {0};
        if (!t->first) {
          memcpy(l, p, (size_t)n * 4);
          z = _mm512_add_epi32(z, _mm512_loadu_si512((const void *)l));
        }
        if (!last) {
          _mm512_storeu_si512((void *)l, z);
          memcpy(p, l, (size_t)n * 4);
          continue;
        }
      }
      const wg_epi *e = c.e;
      int64_t m = t->m0 + i;
      if (e->zx)
        z = _mm512_sub_epi32(z, _mm512_set1_epi32((int32_t)(e->zx * (uint32_t)e->rowsum[m])));
      if (pixels) {
        wg512_store16(&c, m, wg512_activate(&c, z), (char *)&stage[i][j0]);
        continue;
      }
      char *dst = (char *)t->y + (size_t)(i * t->ys_m + j0 * t->ys_n) * c.es;
      if (n == 16 && t->ys_n == 1) {
        wg512_store16(&c, m, wg512_activate(&c, z), dst);
        continue;
      }
      _Alignas(64) char buf[64];
      wg512_store16(&c, m, wg512_activate(&c, z), buf);
      wg_scatter(dst, buf, n, c.es, t->ys_n);
    }
  if (pixels) wg512_store_pixels8(&stage[0][0], 128, t->rows, t->cols, (char *)t->y, t->ys_n);
}

#endif /* WG_EPILOGUE_AVX512_H */
