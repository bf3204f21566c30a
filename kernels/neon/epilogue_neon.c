/*
 * The contract's epilogue (arith.h) on four outputs at a time.  Each step
 * and why it is the scalar step exactly:
 *
 *   a = wrap_b(z - zx*rowsum)  shift left by 32-b, arithmetic shift right
 *                              by 32-b: the two's-complement wrap.
 *   smooth c                   |a| <= T with T = floor(k*h/(k+1)) (scalar,
 *                              int64) is (k+1)|a| <= k*h for integers; beyond
 *                              T, k*(h-|a|) < h <= 2^31 is exact in uint32.
 *   abs c                      |a| <= 2^15 (b <= 16 is checked).
 *   fixed point                vqaddq = sat32(c+qbias); vqshlq = sat32(v*2^s);
 *                              vqrdmulhq = floor(v*mult/2^31 + 1/2), which is
 *                              gemmlowp's SRDHM including its one saturating
 *                              case; RoundingDivideByPOT as gemmlowp's NEON
 *                              path: subtract 1 from negative v (saturating)
 *                              then vrshlq rounds half up, i.e. halves away
 *                              from zero; vrshl rounds before shifting
 *                              without overflow.
 *   float (aarch64 only)       scvtf rounds to nearest-even like (float)c;
 *                              fmla is one fused rounding like fmaf; ReLU by
 *                              compare-and-select keeps -0.0 as the scalar
 *                              "y < 0" does (fmax would not); fcvtns rounds
 *                              half to even and saturates, and the clamp to
 *                              [0, qmax] that follows gives wg_quantize_u8's
 *                              result for every y including +-inf.
 */
#include "epilogue_neon.h"

#include <arm_neon.h>
#include <string.h>

/* Largest NR of a NEON kernel. */
enum { WG_NEON_ROW = 64 };

void wg_neon_add_rowsum128(const wg_tile *t, uint32_t *acc, int nr) {
  for (int i = 0; i < t->rows; i++) {
    uint32_t c = 128u * (uint32_t)t->epi->rowsum[t->m0 + i];
    for (int j = 0; j < t->cols; j++) acc[i * nr + j] += c;
  }
}

void wg_neon_add_i16(uint32_t *sums, const int16_t *part, int n) {
  for (int e = 0; e < n; e += 8) {
    int16x8_t p = vld1q_s16(part + e);
    uint32x4_t lo = vreinterpretq_u32_s32(vmovl_s16(vget_low_s16(p)));
    uint32x4_t hi = vreinterpretq_u32_s32(vmovl_s16(vget_high_s16(p)));
    vst1q_u32(sums + e, vaddq_u32(vld1q_u32(sums + e), lo));
    vst1q_u32(sums + e + 4, vaddq_u32(vld1q_u32(sums + e + 4), hi));
  }
}

static int vector_epilogue(const wg_epi *e) {
#if defined(__aarch64__)
  (void)e;
  return 1;
#else
  return e->output != WG_OUTPUT_FLOAT32 && e->output != WG_OUTPUT_UINT8_FLOAT;
#endif
}

/* Per-row constants of the epilogue, as vectors. */
typedef struct row_consts {
  uint32x4_t corr;            /* zx * rowsum[m] */
  int32x4_t up, down;         /* shift counts 32-b and b-32 */
  uint32x4_t thresh, h, slope;
  int32x4_t qbias, mult, lshift, rshift, zp, lo, qmax;
#if defined(__aarch64__)
  float32x4_t scale, bias;
#endif
} row_consts;

static row_consts consts_for(const wg_epi *e, int64_t m) {
  row_consts r;
  r.corr = vdupq_n_u32(e->zx * (uint32_t)e->rowsum[m]);
  r.up = vdupq_n_s32(32 - e->b);
  r.down = vdupq_n_s32(e->b - 32);
  uint32_t h = (uint32_t)1 << (e->b - 1);
  int64_t kk = e->cyclic == WG_CYCLIC_SMOOTH ? e->slope : 1;
  r.h = vdupq_n_u32(h);
  r.slope = vdupq_n_u32((uint32_t)kk);
  r.thresh = vdupq_n_u32((uint32_t)(kk * (int64_t)h / (kk + 1)));
  if (e->output == WG_OUTPUT_UINT8_FIXED) {
    int32_t s = e->shift[m];
    r.qbias = vdupq_n_s32(e->qbias ? e->qbias[m] : 0);
    r.mult = vdupq_n_s32(e->mult[m]);
    r.lshift = vdupq_n_s32(s > 0 ? s : 0);
    r.rshift = vdupq_n_s32(s < 0 ? s : 0);
    r.zp = vdupq_n_s32(e->out_zp);
    r.lo = vdupq_n_s32(e->relu ? e->out_zp : 0);
  }
  r.qmax = vdupq_n_s32(e->qmax);
#if defined(__aarch64__)
  if (e->output == WG_OUTPUT_FLOAT32 || e->output == WG_OUTPUT_UINT8_FLOAT) {
    r.scale = vdupq_n_f32(e->scale[m]);
    r.bias = vdupq_n_f32(e->bias[m]);
  }
#endif
  return r;
}

static int32x4_t cyclic(const wg_epi *e, const row_consts *r, int32x4_t a) {
  if (e->cyclic == WG_CYCLIC_ABS) return vabsq_s32(a);
  if (e->cyclic != WG_CYCLIC_SMOOTH) return a;
  uint32x4_t mag = vreinterpretq_u32_s32(vabsq_s32(a)); /* 2^31 stays 2^31 */
  uint32x4_t beyond = vcgtq_u32(mag, r->thresh);
  /* Unsigned throughout: lanes that are not beyond T compute garbage here
   * (discarded by the select), and unsigned garbage is defined. */
  uint32x4_t kd = vmulq_u32(vsubq_u32(r->h, mag), r->slope);
  uint32x4_t neg = vcltq_s32(a, vdupq_n_s32(0));
  uint32x4_t folded = vbslq_u32(neg, vsubq_u32(vdupq_n_u32(0), kd), kd);
  return vbslq_s32(beyond, vreinterpretq_s32_u32(folded), a);
}

static int32x4_t fixed_point(const row_consts *r, int32x4_t c) {
  int32x4_t v = vqaddq_s32(c, r->qbias);
  v = vqshlq_s32(v, r->lshift);
  v = vqrdmulhq_s32(v, r->mult);
  /* The sign bit of v & rshift is set only for negative v and a right
   * shift (rshift < 0): then v - 1 before the half-up rounding shift. */
  int32x4_t fix = vshrq_n_s32(vandq_s32(v, r->rshift), 31);
  v = vrshlq_s32(vqaddq_s32(v, fix), r->rshift);
  v = vqaddq_s32(v, r->zp);
  return vminq_s32(vmaxq_s32(v, r->lo), r->qmax);
}

#if defined(__aarch64__)
static float32x4_t affine(const wg_epi *e, const row_consts *r, int32x4_t c) {
  float32x4_t y = vfmaq_f32(r->bias, vcvtq_f32_s32(c), r->scale);
  if (e->relu) {
    float32x4_t zero = vdupq_n_f32(0.0f);
    y = vbslq_f32(vcltq_f32(y, zero), zero, y);
  }
  return y;
}
#endif

/* Four outputs of one row into out (element type per e->output). */
static void four(const wg_epi *e, const row_consts *r, uint32x4_t s,
                 unsigned char *out) {
  int32x4_t v = vreinterpretq_s32_u32(vsubq_u32(s, r->corr));
  int32x4_t a = vshlq_s32(vshlq_s32(v, r->up), r->down);
  int32x4_t c = cyclic(e, r, a);
  switch (e->output) {
    case WG_OUTPUT_INT8: {
      int16x4_t c16 = vmovn_s32(c);
      int8x8_t c8 = vmovn_s16(vcombine_s16(c16, c16));
      vst1_lane_u32((uint32_t *)(void *)out, vreinterpret_u32_s8(c8), 0);
      break;
    }
    case WG_OUTPUT_INT16: vst1_s16((int16_t *)(void *)out, vmovn_s32(c)); break;
    case WG_OUTPUT_INT32: vst1q_s32((int32_t *)(void *)out, c); break;
    case WG_OUTPUT_UINT8_FIXED: {
      uint16x4_t q16 = vmovn_u32(vreinterpretq_u32_s32(fixed_point(r, c)));
      uint8x8_t q8 = vmovn_u16(vcombine_u16(q16, q16));
      vst1_lane_u32((uint32_t *)(void *)out, vreinterpret_u32_u8(q8), 0);
      break;
    }
#if defined(__aarch64__)
    case WG_OUTPUT_FLOAT32: vst1q_f32((float *)(void *)out, affine(e, r, c)); break;
    case WG_OUTPUT_UINT8_FLOAT: {
      int32x4_t q = vcvtnq_s32_f32(affine(e, r, c));
      q = vminq_s32(vmaxq_s32(q, vdupq_n_s32(0)), r->qmax);
      uint16x4_t q16 = vmovn_u32(vreinterpretq_u32_s32(q));
      uint8x8_t q8 = vmovn_u16(vcombine_u16(q16, q16));
      vst1_lane_u32((uint32_t *)(void *)out, vreinterpret_u32_u8(q8), 0);
      break;
    }
#else
    default: break; /* float outputs never come here on armv7 */
#endif
  }
}

void wg_neon_tile_finish(const wg_tile *t, const uint32_t *acc, int nr) {
  const wg_epi *e = t->epi;
  if (!t->last || !vector_epilogue(e) || nr > WG_NEON_ROW) {
    wg_tile_finish(t, acc, nr);
    return;
  }
  size_t es = wg_output_size(e->output);
  /* Rows are gathered into aligned locals so that the vector loads never
   * touch partial sums past cols and the stores never touch y directly:
   * y may be misaligned and strided, and memcpy handles both. */
  uint32_t sums[WG_NEON_ROW] __attribute__((aligned(16)));
  unsigned char out[WG_NEON_ROW * 4] __attribute__((aligned(16)));
  for (int i = 0; i < t->rows; i++) {
    row_consts r = consts_for(e, t->m0 + i);
    for (int j = 0; j < t->cols; j++)
      sums[j] = acc[i * nr + j] + (t->first ? 0u : t->partial[i * nr + j]);
    for (int j = t->cols; j < ((t->cols + 3) & ~3); j++) sums[j] = 0;
    for (int j = 0; j < t->cols; j += 4)
      four(e, &r, vld1q_u32(sums + j), out + (size_t)j * es);
    char *yrow = (char *)t->y + (size_t)(i * t->ys_m) * es;
    if (t->ys_n == 1) {
      memcpy(yrow, out, (size_t)t->cols * es);
    } else {
      for (int j = 0; j < t->cols; j++)
        memcpy(yrow + (size_t)(j * t->ys_n) * es, out + (size_t)j * es, es);
    }
  }
}
