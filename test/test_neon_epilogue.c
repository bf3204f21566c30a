/* The NEON epilogue (kernels/neon/epilogue_neon.c) and the AVX-512 one
 * (kernels/avx512/epilogue_avx512.h) on the data where a vector step could
 * differ from the scalar contract: -0.0 through ReLU,
 * exact halves, overflow to infinity, denormals, scales and biases with
 * full 24-bit mantissas (fused vs separate multiply-add), fixed-point
 * multipliers, shifts and biases at their limits (saturation, rounding of
 * negative halves), every cyclic mode at every b with the largest slopes.
 * Each NEON and AVX-512 kernel, every output compared with the reference. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_neon.h"
#include "util.h"

enum { ROWS = 24 };

typedef struct epi_rows {
  float scale[ROWS], bias[ROWS];
  int32_t mult[ROWS], shift[ROWS], qbias[ROWS];
} epi_rows;

static float full_mantissa(wgt_rng *r, int exp) {
  float f = 1.0f + (float)(wgt_next(r) & 0x7fffff) / 8388608.0f;
  return ldexpf((wgt_next(r) & 1) ? -f : f, exp);
}

static void make_rows(epi_rows *e, wgt_rng *r) {
  static const float scales[] = {-1.0f, 0.5f, 0.25f, 1e-40f, 3e38f, -3e38f, 1.5f, 1.0f};
  static const float biases[] = {-0.0f, 0.0f, 0.25f, 0.0f, 3e38f, 1.0f, 0.5f, -0.0f};
  static const int32_t mults[] = {1 << 30, INT32_MAX, 0, (1 << 30) + 1};
  static const int32_t shifts[] = {-31, -1, 0, 1, 30, -12, 3, -2};
  static const int32_t qbiases[] = {0, INT32_MAX, INT32_MIN, -1, 1, 1000};
  for (int i = 0; i < ROWS; i++) {
    if (i < 8) {
      e->scale[i] = scales[i];
      e->bias[i] = biases[i];
    } else {
      e->scale[i] = full_mantissa(r, (int)wgt_range(r, -12, 2));
      e->bias[i] = full_mantissa(r, (int)wgt_range(r, -2, 6));
    }
    e->mult[i] = i < 4 ? mults[i] : (int32_t)wgt_range(r, 1 << 30, INT32_MAX);
    e->shift[i] = shifts[i % 8];
    e->qbias[i] = qbiases[i % 6];
  }
}

static int one(const wgt_kernel *kn, int b, wg_cyclic cyc, int slope, wg_output_kind out,
               int relu, int data, int64_t k, uint64_t seed) {
  wgt_rng r = {seed};
  int64_t m = ROWS, n = 37;
  int8_t *w = malloc((size_t)(m * k));
  uint8_t *x = malloc((size_t)(k * n));
  const char *kernel = kn->name;
  wg_weight_format wf = kn->wf;
  wgt_fill_weights(&r, w, (size_t)(m * k), wf, 8, data);
  wgt_fill_acts(&r, x, (size_t)(k * n), 8, data);
  /* Rows of zero weights give c = 0: -0.0 + -0.0 and zero points (binary
   * codes have no 0: rows of +1 and -1 alternating, c = 0 at even K). */
  for (int64_t j = 0; j < k; j++)
    w[j] = w[5 * k + j] = (int8_t)(wf == WG_WEIGHTS_BINARY ? (j % 2 ? -1 : 1) : 0);
  epi_rows e;
  make_rows(&e, &r);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = b;
  ep.cyclic = cyc;
  ep.slope = slope;
  ep.output = out;
  ep.relu = relu;
  ep.out_bits = 1 + (int)(seed % 8);
  ep.out_zero_point = (int)wgt_range(&r, 0, (1 << ep.out_bits) - 1);
  ep.scale = e.scale;
  ep.bias = e.bias;
  ep.multiplier = e.mult;
  ep.shift = e.shift;
  ep.qbias = e.qbias;
  int zx = (int)(seed % 3 == 0 ? 0 : seed % 3 == 1 ? 128 : 255);
  wgt_neon_call c = {kernel, m, n, k, k, n, n, w, wf, 8, x, {8, zx}, &ep, 0};
  char what[160];
  snprintf(what, sizeof what, "b=%d cyc=%d slope=%d out=%d relu=%d data=%d K=%lld zx=%d "
           "seed=%llu", b, (int)cyc, slope, (int)out, relu, data, (long long)k, zx,
           (unsigned long long)seed);
  int res = wgt_neon_check(&c, what);
  free(w);
  free(x);
  return res;
}

TEST(neon_avx512_epilogue_edge_values_every_kernel) {
  static const int bs[] = {2, 3, 7, 8, 9, 15, 16, 32};
  static const int slopes[] = {1, 2, 3, 65536};
  static const wg_output_kind outs[] = {WG_OUTPUT_INT32, WG_OUTPUT_FLOAT32,
                                        WG_OUTPUT_UINT8_FLOAT, WG_OUTPUT_UINT8_FIXED};
  int kernels = 0, cases = 0;
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = wgt_neon_kernels(list);
  nk += wgt_kernels(0, "avx512", list + nk, WGT_MAX_KERNELS - nk);
  for (int i = 0; i < nk; i++) {
    const wgt_kernel *kn = &list[i];
    const char *name = kn->name;
    if (!kn->runnable) {
      printf("    %s: not runnable on this CPU\n", name);
      continue;
    }
    int lanes = kn->maxb;
    uint64_t seed = wgt_seed() + (uint64_t)i * 1000;
    for (size_t bi = 0; bi < sizeof bs / sizeof bs[0]; bi++) {
      int b = bs[bi];
      if (b > lanes) continue;
      for (int cyc = 0; cyc < 3; cyc++) {
        if (cyc == WG_CYCLIC_ABS && b > 16) continue;
        for (size_t si = 0; si < sizeof slopes / sizeof slopes[0]; si++) {
          if (cyc != WG_CYCLIC_SMOOTH && si > 0) continue;
          if (wgt_quick() && cyc == WG_CYCLIC_SMOOTH && (si == 0 || si == 2))
            continue; /* quick: slopes 2 and 65536 */
          for (size_t o = 0; o < sizeof outs / sizeof outs[0]; o++, seed++) {
            int data = (int)(seed % 3);
            int64_t k = data == WGT_RANDOM ? 67 : 1031; /* extremes wrap b < 32 often */
            if (wgt_quick() && k > 67 && b < 32) k = 67;
            /* ReLU on and off for every output kind: seed steps by 4 per
             * (b, cyc, slope), so its low bit alone fixes each kind's */
            int relu = (int)((seed ^ (seed >> 2)) & 1);
            int r = one(kn, b, (wg_cyclic)cyc, slopes[si], outs[o], relu, data, k, seed);
            CHECK(r == WGT_PASS, "%s", name);
            cases++;
          }
        }
      }
    }
    kernels++;
  }
  if (!kernels) SKIP("no NEON or AVX-512 kernel runs here");
  printf("    %d NEON / AVX-512 kernels, %d epilogue cases\n", kernels, cases);
}
