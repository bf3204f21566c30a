/* One output row of a depthwise convolution (kernel.h, wg_dwrow) for NHWC
 * input with multiplier 1, the MobileNet layer: a register holds channels
 * of an input pixel, of a tap's weights (tap-major) and of an output pixel
 * alike, so every load and store is contiguous and each lane finishes
 * through its own channel's epilogue data (loaded as a vector, not
 * broadcast).  The taps are summed in 16-bit lanes (b <= 16) or two at a
 * time by vpmaddwd (b > 16), see dw_block.  Channels past the last eight,
 * other layouts and multipliers go to the portable row. */
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
 * chunk, then every block of channels runs over the chunk with its
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

/* How a block of channels sums its taps (docs/performance.md, "Depthwise
 * convolutions"): vpmulld is two uops on Zen 3 and Intel alike (latency
 * 3-4 and 10), so neither mode uses it.
 *  - WG_DW_MUL16, for b <= 16: the contract needs z only modulo 2^16
 *    (wrap_b reads the low b bits), so the codes widen to 16 bits
 *    (vpmovzxbw, the weights sign-extended) and a tap is vpmullw + vpaddw,
 *    16 channels a register, exact modulo 2^16 whatever they wrap to.  The
 *    sums are then sign-extended to 32-bit lanes for the shared epilogue,
 *    whose zero-point correction and wrap keep them right modulo 2^b.
 *  - WG_DW_MADD32, for b > 16: two taps per vpmaddwd.  The two taps' codes
 *    are interleaved per channel (vpunpck[lh]bw) and widened to 16-bit
 *    pairs, the weights stored as the same pairs, and each 32-bit lane
 *    gets w0*x0 + w1*x1 exactly: |w*x| <= 128*255 = 32640, so a pair sums
 *    to less than 2^16, and no operand is -32768 (vpmaddwd's one
 *    saturating case).  An odd last tap pairs with zero codes and weights.
 *    vpaddd keeps the sums modulo 2^32.
 * Either way a block is 16 channels (8 in the block after the last 16). */
enum { WG_DW_MUL16, WG_DW_MADD32 };

/* gcc 12 -O2 leaves the 3x3 tap loops rolled, the weights then on the
 * stack and the b = 32 run 8-23% slower than vpmulld's unrolled form
 * (measured, docs/performance.md); unrolled, they stay in registers or
 * become folded memory operands. */
#define WG_DW_UNROLL _Pragma("GCC unroll 9")

static inline __attribute__((always_inline)) __m128i dw_load(const void *p, int wide) {
  return wide ? _mm_loadu_si128((const __m128i *)p) : _mm_loadl_epi64((const __m128i *)p);
}

/* Channels c0 .. c0+7 (and c0+8 .. c0+15 when wide) of n output pixels
 * (px: `taps` pointers a pixel), w: their tap-0 weights, taps m apart,
 * into y (pixels ystep bytes apart).  Inlined with constant mode and
 * width, and with taps = 9 (3x3, MobileNet's) so that its weights stay in
 * registers. */
static inline __attribute__((always_inline)) void dw_block(
    const wg_avx2_epi *c, const int8_t *w, int64_t m, const uint8_t *const *px, int64_t n,
    int64_t taps, int64_t c0, char *y, size_t ystep, int mode, int wide) {
  /* MUL16: wa[k] = tap k's weights as int16 (the low half when narrow);
   * MADD32: wa[q], wb[q] = taps 2q, 2q+1 as int16 pairs, channels 0-7
   * and 8-15 */
  __m256i wa[WG_AVX2_DW_MAX_TAPS], wb[WG_AVX2_DW_MAX_TAPS / 2];
  const __m128i zero = _mm_setzero_si128();
  if (mode == WG_DW_MUL16) {
    WG_DW_UNROLL for (int64_t k = 0; k < taps; k++)
      wa[k] = _mm256_cvtepi8_epi16(dw_load(w + k * m, wide));
  } else {
    WG_DW_UNROLL for (int64_t k = 0; k < taps; k += 2) {
      __m128i a = dw_load(w + k * m, wide);
      __m128i b = k + 1 < taps ? dw_load(w + (k + 1) * m, wide) : zero;
      wa[k / 2] = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(a, b));
      if (wide) wb[k / 2] = _mm256_cvtepi8_epi16(_mm_unpackhi_epi8(a, b));
    }
  }
  const size_t half = 8 * c->es; /* bytes from channel c0 to c0+8 */
  for (int64_t j = 0; j < n; j++, y += ystep) {
    const uint8_t *const *p = px + j * taps;
    if (mode == WG_DW_MUL16) {
      __m256i z = _mm256_setzero_si256();
      WG_DW_UNROLL for (int64_t k = 0; k < taps; k++)
        z = _mm256_add_epi16(
            z, _mm256_mullo_epi16(wa[k], _mm256_cvtepu8_epi16(dw_load(p[k] + c0, wide))));
      finish8(c, c0, _mm256_cvtepi16_epi32(_mm256_castsi256_si128(z)), y);
      if (wide)
        finish8(c, c0 + 8, _mm256_cvtepi16_epi32(_mm256_extracti128_si256(z, 1)), y + half);
    } else {
      __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
      WG_DW_UNROLL for (int64_t k = 0; k < taps; k += 2) {
        __m128i a = dw_load(p[k] + c0, wide);
        __m128i b = k + 1 < taps ? dw_load(p[k + 1] + c0, wide) : zero;
        lo = _mm256_add_epi32(
            lo, _mm256_madd_epi16(wa[k / 2], _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(a, b))));
        if (wide)
          hi = _mm256_add_epi32(
              hi, _mm256_madd_epi16(wb[k / 2], _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(a, b))));
      }
      finish8(c, c0, lo, y);
      if (wide) finish8(c, c0 + 8, hi, y + half);
    }
  }
}

/* One block, its mode and width made constants (and 3x3 unrolled). */
#define WG_DW_CALL(T, MODE, WIDE) dw_block(c, w, m, px, n, T, c0, y, ystep, MODE, WIDE)
#define WG_DW_MODES(T)                                                                    \
  (mode == WG_DW_MUL16 ? (wide ? WG_DW_CALL(T, WG_DW_MUL16, 1) : WG_DW_CALL(T, WG_DW_MUL16, 0)) \
                       : (wide ? WG_DW_CALL(T, WG_DW_MADD32, 1) : WG_DW_CALL(T, WG_DW_MADD32, 0)))
static void run_block(const wg_avx2_epi *c, const int8_t *w, int64_t m, const uint8_t *const *px,
                      int64_t n, int64_t taps, int64_t c0, char *y, size_t ystep, int mode,
                      int wide) {
  if (taps == 9)
    WG_DW_MODES(9);
  else
    WG_DW_MODES(taps);
}
#undef WG_DW_MODES
#undef WG_DW_CALL

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
  const int mode = t->epi->b <= 16 ? WG_DW_MUL16 : WG_DW_MADD32;
  for (int64_t ow0 = 0; ow0 < s->ow; ow0 += WG_AVX2_DW_CHUNK) {
    const int64_t n = s->ow - ow0 < WG_AVX2_DW_CHUNK ? s->ow - ow0 : WG_AVX2_DW_CHUNK;
    tap_pointers(t, ow0, n, pad, px);
    char *y = (char *)t->y + (size_t)(ow0 * t->ys_n) * es;
    for (int64_t c0 = 0, wide; c0 < full; c0 += wide ? 16 : 8) {
      wide = c0 + 16 <= full;
      run_block(&c, t->w + c0, m, px, n, taps, c0, y + (size_t)c0 * es, (size_t)t->ys_n * es,
                mode, (int)wide);
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
