/* Model file reader (format documented in scripts/wrapnet/export.py). */
#include "wrapnet_model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return -1;
}

static int read_u32(FILE *f, uint32_t *v) {
  unsigned char b[4];
  if (fread(b, 1, 4, f) != 4) return 0;
  *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
       (uint32_t)b[3] << 24;
  return 1;
}

static int read_f32s(FILE *f, float *v, int n) {
  for (int i = 0; i < n; i++) {
    uint32_t u;
    if (!read_u32(f, &u)) return 0;
    memcpy(&v[i], &u, sizeof u);
  }
  return 1;
}

int wn_layer_quantized(const wn_layer *l) { return l->wbits <= 8; }

int64_t wn_layer_out_size(const wn_layer *l) {
  if (l->kind == WN_DENSE) return l->cout;
  int64_t h = l->height, w = l->width;
  if (l->pool) h /= 2, w /= 2;
  return (int64_t)l->cout * h * w;
}

static int read_codes(FILE *f, wn_layer *l) {
  int64_t total = (int64_t)l->cout * l->k;
  l->codes = malloc((size_t)total * sizeof *l->codes);
  if (!l->codes) return 0;
  if (l->wformat != WG_WEIGHTS_INT) {
    /* 2-bit fields holding code + 1, four per byte, low bits first */
    for (int64_t i = 0; i < total; i += 4) {
      int c = fgetc(f);
      if (c == EOF) return 0;
      for (int j = 0; j < 4 && i + j < total; j++) {
        int v = ((c >> (2 * j)) & 3) - 1;
        if (v > 1 || (l->wformat == WG_WEIGHTS_BINARY && v == 0)) return 0;
        l->codes[i + j] = (int16_t)v;
      }
    }
    return 1;
  }
  int wide = l->wbits > 8;
  for (int64_t i = 0; i < total; i++) {
    unsigned char b[2];
    if (fread(b, 1, wide ? 2 : 1, f) != (size_t)(wide ? 2 : 1)) return 0;
    l->codes[i] = wide ? (int16_t)(uint16_t)(b[0] | b[1] << 8) : (int8_t)b[0];
  }
  return 1;
}

int wn_model_load(const char *path, wn_model *m, char *err, size_t errlen) {
  memset(m, 0, sizeof *m);
  FILE *f = fopen(path, "rb");
  if (!f) return fail(err, errlen, "%s: cannot open", path);
  char magic[8];
  uint32_t n, fa;
  if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "WGMODEL1", 8) ||
      !read_u32(f, &n) || !read_u32(f, &fa) || n < 1 || n > 64 ||
      fread(m->name, 1, 32, f) != 32) {
    fclose(f);
    return fail(err, errlen, "%s: not a WGMODEL1 file", path);
  }
  m->name[32] = 0;
  m->float_acts = (int)fa;
  m->layers = calloc(n, sizeof *m->layers);
  if (!m->layers) {
    fclose(f);
    return fail(err, errlen, "out of memory");
  }
  m->n = (int)n;
  for (uint32_t i = 0; i < n; i++) {
    wn_layer *l = &m->layers[i];
    uint32_t v[14];
    for (int j = 0; j < 14; j++)
      if (!read_u32(f, &v[j])) goto truncated;
    l->kind = (int)v[0], l->cin = (int)v[1], l->cout = (int)v[2];
    l->height = (int)v[3], l->width = (int)v[4], l->pool = (int)v[5];
    l->wformat = (int)v[6], l->wbits = (int)v[7], l->in_bits = (int)v[8];
    l->out_bits = (int)v[9], l->acc_bits = (int)v[10], l->cyclic = (int)v[11];
    l->slope = (int)v[12], l->relu = (int)v[13];
    if (l->kind > WN_DENSE || l->cin < 1 || l->cin > 4096 || l->cout < 1 ||
        l->cout > 4096 || l->height < 1 || l->height > 4096 ||
        l->width < 1 || l->width > 4096 || l->wformat > 2 ||
        l->wbits < 2 || l->wbits > 16 || l->out_bits > 8)
      goto bad;
    l->k = l->kind == WN_CONV3X3 ? (int64_t)l->cin * 9 : l->cin;
    l->scale = malloc((size_t)l->cout * sizeof(float));
    l->bias = malloc((size_t)l->cout * sizeof(float));
    if (!l->scale || !l->bias || !read_f32s(f, l->scale, l->cout) ||
        !read_f32s(f, l->bias, l->cout) || !read_codes(f, l))
      goto truncated;
  }
  fclose(f);
  return 0;
truncated:
  fclose(f);
  wn_model_free(m);
  return fail(err, errlen, "%s: truncated or bad codes", path);
bad:
  fclose(f);
  wn_model_free(m);
  return fail(err, errlen, "%s: bad layer record", path);
}

wg_status wn_model_pack(wn_model *m, const wg_context *ctx) {
  for (int i = 0; i < m->n; i++) {
    wn_layer *l = &m->layers[i];
    if (!wn_layer_quantized(l) || l->packed) continue;
    int64_t total = (int64_t)l->cout * l->k;
    int8_t *c8 = malloc((size_t)total);
    if (!c8) return WG_ERR_NO_MEMORY;
    for (int64_t j = 0; j < total; j++) c8[j] = (int8_t)l->codes[j];
    wg_status st = wg_weights_pack(ctx, c8, l->cout, l->k, l->k,
                                   (wg_weight_format)l->wformat, l->wbits,
                                   &l->packed);
    free(c8);
    if (st != WG_OK) return st;
  }
  return WG_OK;
}

void wn_model_free(wn_model *m) {
  for (int i = 0; i < m->n; i++) {
    free(m->layers[i].scale);
    free(m->layers[i].bias);
    free(m->layers[i].codes);
    wg_weights_destroy(m->layers[i].packed);
  }
  free(m->layers);
  memset(m, 0, sizeof *m);
}
