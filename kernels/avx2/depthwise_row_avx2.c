/* One output row of a depthwise convolution (kernel.h, wg_dwrow) for NHWC
 * input with multiplier 1, the MobileNet layer: eight channels in the
 * 32-bit lanes of a register, which are the channels of an input pixel,
 * of a tap's weights (tap-major) and of an output pixel alike, so every
 * load and store is contiguous and each lane finishes through its own
 * channel's epilogue data (loaded as a vector, not broadcast).  A tap adds
 * w * x, both widened to 32 bits (|w * x| <= 128 * 255): vpmulld and
 * vpaddd, exact modulo 2^32 as the contract needs.  Channels past the last
 * eight, other layouts and multipliers go to the portable row. */
#include "depthwise_row_avx2.h"

#include "../portable/depthwise_row_c.h"
#include "epilogue_avx2.h"

/* Filters with more taps go to the portable row (the weights keep a
 * tap-major copy for at most 64: weights.c). */
#define WG_AVX2_DW_MAX_TAPS 64

/* Channels c0 .. c0+7 of one output pixel, sums z (before the zero-point
 * correction), into dst (es bytes an element, contiguous channels). */
static inline __attribute__((always_inline)) void finish8(const wg_avx2_epi *c, int64_t c0,
                                                          __m256i z, char *dst) {
  const wg_epi *e = c->e;
  if (e->output == WG_OUTPUT_UINT8_FIXED) { /* 64-bit intermediates: scalar */
    uint32_t l[8];
    _mm256_storeu_si256((__m256i *)(void *)l, z);
    for (int j = 0; j < 8; j++) wg_epi_store(e, c0 + j, l[j], dst + j);
    return;
  }
  if (e->zx)
    z = _mm256_sub_epi32(
        z, _mm256_mullo_epi32(c->zx, _mm256_loadu_si256((const __m256i *)(const void *)(e->rowsum + c0))));
  __m256i a = wg_avx2_wrap_cyclic(c, z);
  switch (e->output) {
    case WG_OUTPUT_INT8: _mm_storel_epi64((__m128i *)(void *)dst, wg_avx2_int8(a)); break;
    case WG_OUTPUT_INT16:
      _mm_storeu_si128((__m128i *)(void *)dst,
                       _mm_packs_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1)));
      break;
    case WG_OUTPUT_INT32: _mm256_storeu_si256((__m256i *)(void *)dst, a); break;
    case WG_OUTPUT_UINT8_FLOAT: {
      /* ReLU is the pack's clamp at 0 (epilogue_avx2.h) */
      __m256i q = wg_avx2_requant_codes(c, a, _mm256_loadu_ps(e->scale + c0),
                                        _mm256_loadu_ps(e->bias + c0));
      __m128i w = _mm_packus_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
      _mm_storel_epi64((__m128i *)(void *)dst, _mm_packus_epi16(w, w));
      break;
    }
    case WG_OUTPUT_FLOAT32: {
      __m256 y = _mm256_fmadd_ps(_mm256_cvtepi32_ps(a), _mm256_loadu_ps(e->scale + c0),
                                 _mm256_loadu_ps(e->bias + c0));
      if (e->relu) y = _mm256_max_ps(_mm256_setzero_ps(), y); /* keeps -0.0f, as arith.h */
      _mm256_storeu_ps((float *)(void *)dst, y);
      break;
    }
    case WG_OUTPUT_UINT8_FIXED: break; /* above */
  }
}

/* Output pixels per chunk: their taps' pointers are found once per row
 * chunk, then every block of eight channels runs over the chunk with its
 * taps' weights widened once (a pointer per pixel and tap, 9 KiB at 16
 * pixels of 64 taps). */
#define WG_AVX2_DW_CHUNK 16

/* Input pixel of each tap for output pixels [ow0, ow0 + n) of the row, the
 * run of zero-point codes `pad` where a tap lies in the padding. */
static void tap_pointers(const wg_dwrow *t, int64_t ow0, int64_t n, const uint8_t *pad,
                         const uint8_t **px) {
  const wg_bsrc *s = t->src;
  const int64_t taps = s->kh * s->kw;
  int64_t off[WG_AVX2_DW_MAX_TAPS]; /* a window inside the image: fixed offsets */
  for (int64_t u = 0, k = 0; u < s->kh; u++)
    for (int64_t v = 0; v < s->kw; v++, k++) off[k] = (u * s->dh * s->w + v * s->dw) * s->cs;
  const int64_t ih0 = t->oh * s->sh - s->pt;
  const int rows_in = ih0 >= 0 && ih0 + (s->kh - 1) * s->dh < s->h;
  for (int64_t j = 0; j < n; j++) {
    const uint8_t **p = px + j * taps;
    int64_t iw0 = (ow0 + j) * s->sw - s->pl;
    if (rows_in && iw0 >= 0 && iw0 + (s->kw - 1) * s->dw < s->w) {
      const uint8_t *corner = s->x + (ih0 * s->w + iw0) * s->cs;
      for (int64_t k = 0; k < taps; k++) p[k] = corner + off[k];
      continue;
    }
    for (int64_t u = 0, k = 0; u < s->kh; u++) {
      int64_t ih = ih0 + u * s->dh;
      int row_in = ih >= 0 && ih < s->h;
      for (int64_t v = 0; v < s->kw; v++, k++) {
        int64_t iw = iw0 + v * s->dw;
        p[k] = row_in && iw >= 0 && iw < s->w ? s->x + (ih * s->w + iw) * s->cs : pad;
      }
    }
  }
}

/* tap k's eight codes of pixel p, widened */
#define WG_DW_X(p, k) \
  _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)((p)[k] + c0)))
#define WG_DW_W(k) \
  _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(w + (k) * m)))
#define WG_DW_TAP(k) z = _mm256_add_epi32(z, _mm256_mullo_epi32(w##k, WG_DW_X(p, k)))

/* Channels c0 .. c0+7 (w: their tap-0 weights, taps m apart) of n output
 * pixels of a 3x3 filter (px: nine pointers a pixel), into y (pixels
 * ystep bytes apart). */
static void conv3x3_block(const wg_avx2_epi *c, const int8_t *w, int64_t m,
                          const uint8_t *const *px, int64_t n, int64_t c0, char *y,
                          size_t ystep) {
  const __m256i w0 = WG_DW_W(0), w1 = WG_DW_W(1), w2 = WG_DW_W(2), w3 = WG_DW_W(3),
                w4 = WG_DW_W(4), w5 = WG_DW_W(5), w6 = WG_DW_W(6), w7 = WG_DW_W(7),
                w8 = WG_DW_W(8);
  for (int64_t j = 0; j < n; j++, y += ystep) {
    const uint8_t *const *p = px + j * 9;
    __m256i z = _mm256_mullo_epi32(w0, WG_DW_X(p, 0));
    WG_DW_TAP(1);
    WG_DW_TAP(2);
    WG_DW_TAP(3);
    WG_DW_TAP(4);
    WG_DW_TAP(5);
    WG_DW_TAP(6);
    WG_DW_TAP(7);
    WG_DW_TAP(8);
    finish8(c, c0, z, y);
  }
}

#undef WG_DW_TAP
#undef WG_DW_W
#undef WG_DW_X

void wg_avx2_depthwise_row(const wg_dwrow *t) {
  const wg_bsrc *s = t->src;
  const int64_t taps = s->kh * s->kw, m = t->m;
  if (s->layout != WG_NHWC || t->mult != 1 || t->ys_m != 1 || taps > WG_AVX2_DW_MAX_TAPS ||
      m < 8) {
    wg_depthwise_row_c(t);
    return;
  }
  wg_avx2_epi c;
  wg_avx2_epi_init(&c, t->epi);
  const size_t es = c.es;
  const int64_t full = m / 8 * 8;
  /* the zero-point codes a padding tap reads: the row's scratch (OW * m
   * sums, so at least m bytes), unused otherwise on this path */
  uint8_t *pad = (uint8_t *)(void *)t->acc;
  memset(pad, s->pad, (size_t)m);
  const uint8_t *px[WG_AVX2_DW_CHUNK * WG_AVX2_DW_MAX_TAPS];
  __m256i w[WG_AVX2_DW_MAX_TAPS];
  for (int64_t ow0 = 0; ow0 < s->ow; ow0 += WG_AVX2_DW_CHUNK) {
    const int64_t n = s->ow - ow0 < WG_AVX2_DW_CHUNK ? s->ow - ow0 : WG_AVX2_DW_CHUNK;
    tap_pointers(t, ow0, n, pad, px);
    char *y = (char *)t->y + (size_t)(ow0 * t->ys_n) * es;
    for (int64_t c0 = 0; c0 < full; c0 += 8) {
      if (taps == 9) { /* 3x3, MobileNet's: unrolled, the weights in registers */
        conv3x3_block(&c, t->w + c0, m, px, n, c0, y + (size_t)c0 * es, (size_t)t->ys_n * es);
        continue;
      }
      for (int64_t k = 0; k < taps; k++)
        w[k] = _mm256_cvtepi8_epi32(
            _mm_loadl_epi64((const __m128i *)(const void *)(t->w + k * m + c0)));
      for (int64_t j = 0; j < n; j++) {
        const uint8_t *const *p = px + j * taps;
        __m256i z = _mm256_setzero_si256();
        for (int64_t k = 0; k < taps; k++) {
          __m256i x = _mm256_cvtepu8_epi32(
              _mm_loadl_epi64((const __m128i *)(const void *)(p[k] + c0)));
          z = _mm256_add_epi32(z, _mm256_mullo_epi32(w[k], x));
        }
        finish8(&c, c0, z, y + (size_t)(j * t->ys_n + c0) * es);
      }
    }
    for (int64_t j = 0; j < n; j++) /* the last m % 8 channels */
      for (int64_t ch = full; ch < m; ch++) {
        uint32_t z = 0;
        for (int64_t k = 0; k < taps; k++)
          z += (uint32_t)((int32_t)t->w[k * m + ch] * (int32_t)px[j * taps + k][ch]);
        wg_epi_store(t->epi, ch, z, y + (size_t)(j * t->ys_n + ch) * es);
      }
  }
}
