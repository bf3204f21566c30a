/* The scalar epilogue every kernel can fall back on, built from arith.h,
 * and a call's epilogue resolved into the form kernels read (wg_epi). */
#include <string.h>

#include "arith.h"
#include "internal.h"

size_t wg_output_size(wg_output_kind k) {
  switch (k) {
    case WG_OUTPUT_INT8:
    case WG_OUTPUT_UINT8_FLOAT:
    case WG_OUTPUT_UINT8_FIXED: return 1;
    case WG_OUTPUT_INT16: return 2;
    case WG_OUTPUT_INT32:
    case WG_OUTPUT_FLOAT32: return 4;
  }
  return 0;
}

void wg_epi_store(const wg_epi *e, int64_t m, uint32_t z, void *y) {
  /* Unsigned arithmetic: the zero-point correction is exact modulo 2^32,
   * which is all that wrap_b (b <= 32) looks at. */
  uint32_t v = z - e->zx * (uint32_t)e->rowsum[m];
  int32_t c = wg_cyclic_apply(wg_wrap(v, e->b), e->b, e->cyclic, e->slope);
  switch (e->output) {
    case WG_OUTPUT_INT8: *(int8_t *)y = (int8_t)c; break;
    case WG_OUTPUT_INT16: *(int16_t *)y = (int16_t)c; break;
    case WG_OUTPUT_INT32: *(int32_t *)y = c; break;
    case WG_OUTPUT_UINT8_FLOAT:
      *(uint8_t *)y =
          wg_quantize_u8(wg_affine(c, e->scale[m], e->bias[m], e->relu), e->qmax);
      break;
    case WG_OUTPUT_UINT8_FIXED:
      *(uint8_t *)y = wg_requant_fixed(c, e->qbias ? e->qbias[m] : 0, e->mult[m],
                                       e->shift[m], e->out_zp, e->relu, e->qmax);
      break;
    case WG_OUTPUT_FLOAT32: {
      float f = wg_affine(c, e->scale[m], e->bias[m], e->relu);
      memcpy(y, &f, sizeof f);
      break;
    }
  }
}

void wg_tile_finish(const wg_tile *t, const uint32_t *acc, int nr) {
  if (!t->last) {
    for (int i = 0; i < t->rows; i++)
      for (int j = 0; j < t->cols; j++) {
        uint32_t s = acc[i * nr + j];
        t->partial[i * nr + j] = t->first ? s : s + t->partial[i * nr + j];
      }
    return;
  }
  size_t es = wg_output_size(t->epi->output);
  for (int i = 0; i < t->rows; i++) {
    char *yrow = (char *)t->y + (size_t)(i * t->ys_m) * es;
    for (int j = 0; j < t->cols; j++) {
      uint32_t s = acc[i * nr + j];
      if (!t->first) s += t->partial[i * nr + j];
      wg_epi_store(t->epi, t->m0 + i, s, yrow + (size_t)(j * t->ys_n) * es);
    }
  }
}

wg_epi wg_resolve_epilogue(const wg_epilogue *ep, const wg_weights *w,
                           wg_act_format act) {
  wg_epi e;
  memset(&e, 0, sizeof e);
  e.b = ep->acc_bits;
  e.cyclic = ep->cyclic;
  e.slope = ep->slope;
  e.output = ep->output;
  e.relu = ep->relu;
  if (ep->output == WG_OUTPUT_UINT8_FLOAT || ep->output == WG_OUTPUT_UINT8_FIXED)
    e.qmax = (1 << ep->out_bits) - 1;
  e.out_zp = ep->out_zero_point;
  e.scale = ep->scale;
  e.bias = ep->bias;
  e.mult = ep->multiplier;
  e.shift = ep->shift;
  e.qbias = ep->qbias;
  e.rowsum = w->rowsum;
  e.zx = (uint32_t)act.zero_point;
  return e;
}
