/* The paper's properties, checked through the library on every kernel. */
#include <stdlib.h>
#include <string.h>

#include "core/arith.h"
#include "core/reference.h"
#include "util.h"

/* Runs one kernel; returns 0 if it cannot run this combination. */
static int gemm_i32(const char *kname, const int8_t *w, const uint8_t *x, int64_t m, int64_t n,
                    int64_t k, wg_weight_format wf, int wbits, int abits, int b, wg_cyclic cyc,
                    int32_t *y) {
  wg_context *ctx;
  wg_weights *pw = NULL;
  wg_context_create(1, &ctx);
  wg_status st = kname ? wg_context_force_kernel(ctx, kname) : WG_OK;
  if (st == WG_OK) st = wg_weights_pack(ctx, w, m, k, k, wf, wbits, &pw);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = b;
  ep.cyclic = cyc;
  ep.slope = 2;
  if (st == WG_OK) st = wg_gemm(ctx, pw, x, n, n, (wg_act_format){abits, 0}, &ep, y, n, NULL);
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  return st == WG_OK;
}

/* At b = 8 with the smooth activation the result equals the 32-bit
 * accumulator's exact sum passed through wrap_8 and the same activation, for
 * any K: the reason an 8-bit accumulator loses nothing in WrapNet. */
TEST(property_b8_smooth_equals_32bit_then_activation) {
  const int64_t ks[] = {1, 9, 576, 1152, 4608};
  int kernels = 0;
  for (int ki = 0; ki < wg_kernel_count(); ki++) {
    if (!wg_kernel_available(ki)) continue;
    const char *kn = wg_kernel_name(ki);
    int ran = 0;
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
      int64_t m = 9, n = 33, k = ks[i];
      wgt_rng r = {wgt_seed() + i};
      int8_t *w = malloc((size_t)(m * k));
      uint8_t *x = malloc((size_t)(k * n));
      int32_t *y8 = malloc((size_t)(m * n) * 4), *y32 = malloc((size_t)(m * n) * 4);
      wgt_fill_weights(&r, w, (size_t)(m * k), WG_WEIGHTS_TERNARY, 2, WGT_RANDOM);
      wgt_fill_acts(&r, x, (size_t)(k * n), 4, WGT_RANDOM);
      /* The 32-bit side through the always-exact portable kernel. */
      int ok = gemm_i32(kn, w, x, m, n, k, WG_WEIGHTS_TERNARY, 2, 4, 8, WG_CYCLIC_SMOOTH, y8) &&
               gemm_i32("acc32_int8_x_u8_4x8__c", w, x, m, n, k, WG_WEIGHTS_TERNARY, 2, 4, 32,
                        WG_CYCLIC_NONE, y32);
      if (ok) {
        ran = 1;
        for (int64_t j = 0; j < m * n; j++) {
          int32_t want = wg_cyclic_apply((int32_t)wg_ref_wrap(y32[j], 8), 8, WG_CYCLIC_SMOOTH, 2);
          if (y8[j] != want) {
            wgt_fail(__FILE__, __LINE__, "%s K=%lld j=%lld: %d != %d", kn, (long long)k,
                     (long long)j, y8[j], want);
            break;
          }
        }
        wgt_count_check(1);
      }
      free(w);
      free(x);
      free(y8);
      free(y32);
      if (wgt_failed()) return;
    }
    kernels += ran;
  }
  printf("    %d kernels\n", kernels);
  CHECK(kernels > 0, "no kernel ran");
}

/* Where no input can overflow b bits, wrapping changes nothing: the b-bit
 * result equals the exact sum. */
TEST(property_no_overflow_wrapped_equals_exact) {
  for (int ki = 0; ki < wg_kernel_count(); ki++) {
    if (!wg_kernel_available(ki)) continue;
    const char *kn = wg_kernel_name(ki);
    /* ternary x 3-bit codes, K = 18: |z| <= 126 < 2^7 fits b = 8. */
    int64_t m = 13, n = 29, k = 18;
    wgt_rng r = {wgt_seed() ^ 77};
    int8_t w[13 * 18];
    uint8_t x[18 * 29];
    int32_t y[13 * 29], exact[13 * 29];
    wgt_fill_weights(&r, w, sizeof w, WG_WEIGHTS_TERNARY, 2, WGT_EXTREME_MIXED);
    wgt_fill_acts(&r, x, sizeof x, 3, WGT_EXTREME);
    if (!gemm_i32(kn, w, x, m, n, k, WG_WEIGHTS_TERNARY, 2, 3, 8, WG_CYCLIC_NONE, y)) continue;
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) {
        int32_t z = 0;
        for (int64_t kk = 0; kk < k; kk++) z += w[i * k + kk] * x[kk * n + j];
        exact[i * n + j] = z;
      }
    CHECK(memcmp(y, exact, sizeof y) == 0, "%s: wrapped != exact without overflow", kn);
    wgt_count_check(1);
  }
}
