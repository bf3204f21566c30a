#include "reference.h"

#include <string.h>

#include "arith.h"
#include "kernel.h"

int64_t wg_ref_wrap(int64_t z, int b) {
  int64_t mod = (int64_t)1 << b, h = mod / 2;
  int64_t r = (z + h) % mod;
  if (r < 0) r += mod;
  return r - h;
}

void wg_ref_output(const wg_epilogue *ep, int64_t m, int64_t z, void *y) {
  int b = ep->acc_bits;
  int32_t a = (int32_t)wg_ref_wrap(z, b);
  int32_t c = wg_cyclic_apply(a, b, ep->cyclic, ep->slope);
  int qmax = (1 << ep->out_bits) - 1;
  switch (ep->output) {
    case WG_OUTPUT_INT8: *(int8_t *)y = (int8_t)c; break;
    case WG_OUTPUT_INT16: *(int16_t *)y = (int16_t)c; break;
    case WG_OUTPUT_INT32: *(int32_t *)y = c; break;
    case WG_OUTPUT_UINT8_FLOAT:
      *(uint8_t *)y = wg_quantize_u8(
          wg_affine(c, ep->scale[m], ep->bias[m], ep->relu), qmax);
      break;
    case WG_OUTPUT_UINT8_FIXED:
      *(uint8_t *)y = wg_requant_fixed(c, ep->qbias ? ep->qbias[m] : 0,
                                       ep->multiplier[m], ep->shift[m],
                                       ep->out_zero_point, ep->relu, qmax);
      break;
    case WG_OUTPUT_FLOAT32: {
      float f = wg_affine(c, ep->scale[m], ep->bias[m], ep->relu);
      memcpy(y, &f, sizeof f);
      break;
    }
  }
}

void wg_ref_gemm_ex(const void *w, int w_unsigned, int64_t ws_m, int64_t ws_k, int zw,
                    int64_t m, int64_t k, const uint8_t *x, int64_t xs_k, int64_t xs_n,
                    int64_t n, int zx, const wg_epilogue *ep, void *y, int64_t ys_m,
                    int64_t ys_n) {
  size_t es = wg_output_size(ep->output);
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      int64_t z = 0;
      for (int64_t kk = 0; kk < k; kk++) {
        int64_t at = i * ws_m + kk * ws_k;
        int64_t wv = w_unsigned ? ((const uint8_t *)w)[at] : ((const int8_t *)w)[at];
        z += (wv - zw) * ((int64_t)x[kk * xs_k + j * xs_n] - zx);
      }
      wg_ref_output(ep, i, z, (char *)y + (size_t)(i * ys_m + j * ys_n) * es);
    }
}

void wg_ref_gemm(const int8_t *w, int64_t ldw, int64_t m, int64_t k,
                 const uint8_t *x, int64_t ldx, int64_t n, int zx,
                 const wg_epilogue *ep, void *y, int64_t ys_m, int64_t ys_n) {
  wg_ref_gemm_ex(w, 0, ldw, 1, 0, m, k, x, ldx, 1, n, zx, ep, y, ys_m, ys_n);
}
