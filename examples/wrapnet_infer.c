/* WrapNet inference on a batch of images.  Quantized layers run through
 * wg_conv2d with the fused epilogue (the library's contract); the
 * full-precision first and last layers hold 12-bit fixed-point codes whose
 * sums are exact in int32 (2047 * 255 * 576 < 2^31), followed by the same
 * float32 stage as the library: y = fmaf((float)z, scale, bias). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wrapnet_model.h"

/* The contract's requantization (docs/semantics.md), for the layers that do
 * not run through the library. */
static float affine(int32_t z, float s, float t, int relu) {
  float y = fmaf((float)z, s, t);
  return relu && y < 0.0f ? 0.0f : y;
}

static uint8_t to_code(float y, int bits) {
  int qmax = (1 << bits) - 1;
  if (!(y > 0.0f)) return 0;
  if (y >= (float)qmax) return (uint8_t)qmax;
  return (uint8_t)nearbyintf(y);
}

/* Exact int32 3x3 convolution with zero padding, then the epilogue, on
 * n NCHW images: an im2col of each image, then sums over whole planes,
 * which the compiler vectorises.  col holds k x H*W, acc H*W int32. */
static void conv_fixed(const wn_layer *l, const uint8_t *x, int64_t n,
                       int32_t *col, int32_t *acc, uint8_t *y) {
  int H = l->height, W = l->width;
  int64_t hw = (int64_t)H * W;
  for (int64_t i = 0; i < n; i++) {
    for (int ci = 0; ci < l->cin; ci++)
      for (int kh = 0; kh < 3; kh++)
        for (int kw = 0; kw < 3; kw++) {
          int32_t *dst = col + ((int64_t)(ci * 3 + kh) * 3 + kw) * hw;
          for (int r = 0; r < H; r++)
            for (int c = 0; c < W; c++) {
              int rr = r + kh - 1, cc = c + kw - 1;
              dst[r * W + c] = rr < 0 || rr >= H || cc < 0 || cc >= W
                                   ? 0
                                   : x[((i * l->cin + ci) * H + rr) * W + cc];
            }
        }
    for (int m = 0; m < l->cout; m++) {
      memset(acc, 0, (size_t)hw * sizeof *acc);
      for (int64_t k = 0; k < l->k; k++) {
        int32_t w = l->codes[(int64_t)m * l->k + k];
        const int32_t *restrict src = col + k * hw;
        int32_t *restrict dst = acc;
        for (int64_t p = 0; p < hw; p++) dst[p] += w * src[p];
      }
      uint8_t *out = y + (i * l->cout + m) * hw;
      for (int64_t p = 0; p < hw; p++)
        out[p] = to_code(affine(acc[p], l->scale[m], l->bias[m], l->relu),
                         l->out_bits);
    }
  }
}

static void dense_fixed(const wn_layer *l, const uint8_t *x, int64_t n,
                        float *y) {
  for (int64_t i = 0; i < n; i++)
    for (int m = 0; m < l->cout; m++) {
      int32_t z = 0;
      for (int64_t k = 0; k < l->k; k++)
        z += l->codes[m * l->k + k] * x[i * l->k + k];
      y[i * l->cout + m] = affine(z, l->scale[m], l->bias[m], l->relu);
    }
}

static void pool_u8(const uint8_t *x, int64_t planes, int H, int W,
                    uint8_t *y) {
  int oh = H / 2, ow = W / 2;
  for (int64_t p = 0; p < planes; p++)
    for (int r = 0; r < oh; r++)
      for (int c = 0; c < ow; c++) {
        const uint8_t *s = x + (p * H + 2 * r) * W + 2 * c;
        uint8_t a = s[0] > s[1] ? s[0] : s[1];
        uint8_t b = s[W] > s[W + 1] ? s[W] : s[W + 1];
        y[(p * oh + r) * ow + c] = a > b ? a : b;
      }
}

static wg_status conv_quantized(wg_context *ctx, const wn_layer *l,
                                const uint8_t *x, int64_t n,
                                const wn_run_opts *o, uint8_t *y,
                                wg_overflow_stats *stats) {
  wg_conv2d_desc d = {WG_NCHW, n, l->cin, l->height, l->width, 3, 3, 1, 1,
                      1, 1, 1, 1, 1, 1};
  wg_act_format act = {l->in_bits, 0};
  wg_epilogue ep = wg_epilogue_default();
  wg_status st;
  if (stats) {
    /* Exact sums: 32-bit accumulators, no activation, int32 out. */
    int64_t cnt = n * l->cout * l->height * l->width;
    int32_t *z = malloc((size_t)cnt * sizeof *z);
    if (!z) return WG_ERR_NO_MEMORY;
    st = wg_conv2d(ctx, l->packed, &d, x, act, &ep, z, NULL);
    wg_overflow_stats s;
    if (st == WG_OK) st = wg_overflow_stats_compute(z, cnt, o->stats_bits, &s);
    free(z);
    if (st != WG_OK) return st;
    stats->count += s.count;
    stats->overflows += s.overflows;
    stats->rate = (double)stats->overflows / (double)stats->count;
    if (s.max_abs > stats->max_abs) stats->max_abs = s.max_abs;
    for (int w = 0; w <= 32; w++) stats->width[w] += s.width[w];
  }
  ep.acc_bits = o->acc_bits ? o->acc_bits : l->acc_bits;
  ep.cyclic = (wg_cyclic)(o->cyclic >= 0 ? o->cyclic : l->cyclic);
  ep.slope = l->slope;
  ep.output = WG_OUTPUT_UINT8_FLOAT;
  ep.scale = l->scale;
  ep.bias = l->bias;
  ep.relu = l->relu;
  ep.out_bits = l->out_bits;
  return wg_conv2d(ctx, l->packed, &d, x, act, &ep, y, NULL);
}

wg_status wn_forward_int(wg_context *ctx, const wn_model *m,
                         const uint8_t *pixels, int64_t n,
                         const wn_run_opts *opts, void **outs, float *logits) {
  /* Two ping-pong buffers as large as the largest pre-pool layer output. */
  int64_t big = 28 * 28;
  for (int i = 0; i < m->n; i++) {
    const wn_layer *l = &m->layers[i];
    int64_t s = (int64_t)l->cout * l->height * l->width;
    if (s > big) big = s;
  }
  uint8_t *a = malloc((size_t)(n * big)), *b = malloc((size_t)(n * big));
  wg_status st = (a && b) ? WG_OK : WG_ERR_NO_MEMORY;
  if (st == WG_OK) memcpy(a, pixels, (size_t)(n * 28 * 28));
  for (int i = 0; i < m->n && st == WG_OK; i++) {
    const wn_layer *l = &m->layers[i];
    if (l->kind == WN_DENSE) {
      dense_fixed(l, a, n, logits);
      if (outs && outs[i])
        memcpy(outs[i], logits, (size_t)(n * l->cout) * sizeof(float));
      continue;
    }
    if (wn_layer_quantized(l))
      st = conv_quantized(ctx, l, a, n, opts, b,
                          opts->overflow ? &opts->overflow[i] : NULL);
    else {
      int64_t hw = (int64_t)l->height * l->width;
      int32_t *col = malloc((size_t)(l->k * hw) * sizeof *col);
      int32_t *acc = malloc((size_t)hw * sizeof *acc);
      if (col && acc)
        conv_fixed(l, a, n, col, acc, b);
      else
        st = WG_ERR_NO_MEMORY;
      free(col);
      free(acc);
    }
    if (st != WG_OK) break;
    if (l->pool)
      pool_u8(b, n * l->cout, l->height, l->width, a);
    else
      memcpy(a, b, (size_t)(n * l->cout * l->height * l->width));
    if (outs && outs[i])
      memcpy(outs[i], a, (size_t)(n * wn_layer_out_size(l)));
  }
  free(a);
  free(b);
  return st;
}

/* Float rows: same layer list, float activations, y = scale * sum + bias.
 * An explicit im2col turns each layer into axpy's over whole images
 * (9..784 floats), which the compiler vectorises.  The order of every float
 * operation is fixed (per output, k = 0, 1, ... in OIHW order, one rounding
 * per product and per sum, no contraction: -ffp-contract=off), so
 * export.py's float golden vectors reproduce it bit for bit. */
static void axpy(float *restrict y, const float *restrict x, float a, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

static void conv_float(const wn_layer *l, const float *x, float *col, float *y) {
  int H = l->height, W = l->width;
  int64_t hw = (int64_t)H * W;
  for (int ci = 0; ci < l->cin; ci++)
    for (int kh = 0; kh < 3; kh++)
      for (int kw = 0; kw < 3; kw++) {
        float *dst = col + ((int64_t)(ci * 3 + kh) * 3 + kw) * hw;
        for (int r = 0; r < H; r++)
          for (int c = 0; c < W; c++) {
            int rr = r + kh - 1, cc = c + kw - 1;
            dst[r * W + c] = rr < 0 || rr >= H || cc < 0 || cc >= W
                                 ? 0.0f
                                 : x[((int64_t)ci * H + rr) * W + cc];
          }
      }
  for (int m = 0; m < l->cout; m++) {
    float *out = y + (int64_t)m * hw;
    memset(out, 0, (size_t)hw * sizeof *out);
    for (int64_t k = 0; k < l->k; k++) {
      float w = l->codes[(int64_t)m * l->k + k];
      if (w != 0.0f) axpy(out, col + k * hw, w, hw);
    }
    for (int64_t p = 0; p < hw; p++) {
      float v = l->scale[m] * out[p] + l->bias[m];
      out[p] = l->relu && v < 0.0f ? 0.0f : v;
    }
  }
}

wg_status wn_forward_float(const wn_model *m, const uint8_t *pixels, int64_t n,
                           float **outs, float *logits) {
  int64_t big = 28 * 28;
  for (int i = 0; i < m->n; i++) {
    int64_t s = (int64_t)m->layers[i].cout * m->layers[i].height *
                m->layers[i].width;
    if (s > big) big = s;
  }
  int64_t colsz = 0;
  for (int i = 0; i < m->n; i++) {
    int64_t s = m->layers[i].k * m->layers[i].height * m->layers[i].width;
    if (s > colsz) colsz = s;
  }
  float *a = malloc((size_t)big * sizeof *a), *b = malloc((size_t)big * sizeof *b);
  float *col = malloc((size_t)colsz * sizeof *col);
  if (!a || !b || !col) {
    free(a);
    free(b);
    free(col);
    return WG_ERR_NO_MEMORY;
  }
  for (int64_t img = 0; img < n; img++) {
    for (int p = 0; p < 28 * 28; p++) a[p] = pixels[img * 28 * 28 + p];
    for (int i = 0; i < m->n; i++) {
      const wn_layer *l = &m->layers[i];
      if (l->kind == WN_DENSE) {
        for (int o = 0; o < l->cout; o++) {
          float u = 0.0f;
          for (int64_t k = 0; k < l->k; k++) u += l->codes[o * l->k + k] * a[k];
          logits[img * l->cout + o] = l->scale[o] * u + l->bias[o];
        }
        if (outs && outs[i])
          memcpy(outs[i] + img * l->cout, logits + img * l->cout,
                 (size_t)l->cout * sizeof(float));
        continue;
      }
      conv_float(l, a, col, b);
      int H = l->height, W = l->width;
      int64_t sz = wn_layer_out_size(l);
      if (!l->pool) {
        memcpy(a, b, (size_t)l->cout * H * W * sizeof *a);
        if (outs && outs[i]) memcpy(outs[i] + img * sz, a, (size_t)sz * sizeof *a);
        continue;
      }
      for (int c = 0; c < l->cout; c++)
        for (int r = 0; r < H / 2; r++)
          for (int q = 0; q < W / 2; q++) {
            const float *s = b + ((int64_t)c * H + 2 * r) * W + 2 * q;
            float u = s[0] > s[1] ? s[0] : s[1], v = s[W] > s[W + 1] ? s[W] : s[W + 1];
            a[((int64_t)c * (H / 2) + r) * (W / 2) + q] = u > v ? u : v;
          }
      if (outs && outs[i]) memcpy(outs[i] + img * sz, a, (size_t)sz * sizeof *a);
    }
  }
  free(a);
  free(b);
  free(col);
  return WG_OK;
}
