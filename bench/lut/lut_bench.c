/* Times the table-row add prototype on the lowered Table 7 GEMMs against
 * wg_gemm with acc8_ternary_x_u8_6x16__avx2 forced (raw int8 output, b = 8,
 * 8-bit codes, zx = 0, one thread), interleaved: every round runs every
 * variant once, in an order rotated per round, and the ratios are taken
 * within a round.  Table builds are inside the timed call.
 *
 *   lut_bench [rounds] [kg ...]      default 41 rounds, kg 8 16 32
 *   lut_bench 0 [kg]                 one call each, no timing: for
 *       valgrind --tool=callgrind --toggle-collect=wg_gemm
 *                --toggle-collect=lut_gemm  (instructions per call)
 *
 * Per shape: medians and minima of thread CPU time per call, the median of
 * the per-round ratios library / prototype, and, for the first kg, the
 * build-only and add-only times (lut_set_debug) and the pipelined schedule
 * (lut_gemm_pipelined: the next block built between the quads). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wrapgemm.h>

#include "lut_gemm.h"
#include "timing.h"

enum { MAXV = 8 };

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 41;
  int64_t kgs[MAXV] = {8, 16, 32};
  int nkg = 3;
  if (argc > 2) {
    nkg = 0;
    for (int i = 2; i < argc && nkg < MAXV - 3; i++) kgs[nkg++] = atoll(argv[i]);
  }
  static const int64_t shapes[][3] = {
      {64, 3136, 576}, {128, 784, 1152}, {256, 196, 2304}, {512, 49, 4608}};
  wg_context *ctx;
  if (wg_context_create(1, &ctx) != WG_OK ||
      wg_context_force_kernel(ctx, "acc8_ternary_x_u8_6x16__avx2") != WG_OK)
    return 2;
  printf("%d interleaved rounds, thread CPU time per call (ms), 1 thread\n", rounds);
  for (int s = 0; s < 4; s++) {
    const int64_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
    int8_t *w = malloc((size_t)(M * K));
    uint8_t *x = aligned_alloc(64, (size_t)((K * N + 63) / 64 * 64));
    int8_t *y0 = malloc((size_t)(M * N)), *y1 = malloc((size_t)(M * N));
    srand(7 + s);
    for (int64_t i = 0; i < M * K; i++) w[i] = (int8_t)(rand() % 3 - 1);
    for (int64_t i = 0; i < K * N; i++) x[i] = (uint8_t)rand();
    wg_weights *pw;
    if (wg_weights_pack(ctx, w, M, K, K, WG_WEIGHTS_TERNARY, 0, &pw) != WG_OK) return 2;
    wg_epilogue ep = wg_epilogue_default();
    ep.acc_bits = 8;
    ep.output = WG_OUTPUT_INT8;
    wg_act_format act = {8, 0};
    wg_run_info info;
    lut_weights lw[MAXV];
    lut_workspace ws[MAXV];
    for (int v = 0; v < nkg; v++)
      if (lut_pack(w, M, K, K, kgs[v], &lw[v]) || lut_workspace_init(&ws[v], &lw[v])) return 2;
    /* Check once that they agree. */
    if (wg_gemm(ctx, pw, x, N, N, act, &ep, y0, N, &info) != WG_OK) return 2;
    for (int v = 0; v < nkg; v++) {
      memset(y1, 0, (size_t)(M * N));
      lut_gemm(&lw[v], &ws[v], x, N, N, 0, y1, N);
      if (memcmp(y0, y1, (size_t)(M * N))) {
        printf("MISMATCH %lldx%lldx%lld kg %lld\n", (long long)M, (long long)N, (long long)K,
               (long long)kgs[v]);
        return 1;
      }
    }
    if (rounds == 0) { /* one call of each, for instruction counts */
      wg_gemm(ctx, pw, x, N, N, act, &ep, y0, N, &info);
      lut_gemm(&lw[0], &ws[0], x, N, N, 0, y1, N);
      printf("%lldx%lldx%lld: one call each\n", (long long)M, (long long)N, (long long)K);
      goto next_shape;
    }
    /* variants: 0 library, 1..nkg prototype per kg, then build-only and
     * adds-only of the first kg, then the pipelined schedule of the first kg */
    const int nv = 1 + nkg + 3;
    double *t = calloc((size_t)(nv * rounds), sizeof(double));
    double *ratio = calloc((size_t)((nkg + 1) * rounds), sizeof(double));
    for (int r = -2; r < rounds; r++) /* two warm-up rounds */
      for (int j = 0; j < nv; j++) {
        int v = (j + (r < 0 ? 0 : r)) % nv;
        double t0 = cpu_now();
        if (v == 0) {
          wg_gemm(ctx, pw, x, N, N, act, &ep, y0, N, &info);
        } else if (v <= nkg) {
          lut_gemm(&lw[v - 1], &ws[v - 1], x, N, N, 0, y1, N);
        } else if (v == nkg + 3) {
          lut_gemm_pipelined(&lw[0], &ws[0], x, N, N, 0, y1, N);
        } else {
          lut_set_debug(v == nkg + 1 ? 1 : 2);
          lut_gemm(&lw[0], &ws[0], x, N, N, 0, y1, N);
          lut_set_debug(0);
        }
        if (r >= 0) t[v * rounds + r] = (cpu_now() - t0) * 1e3;
      }
    for (int v = 0; v < nkg; v++)
      for (int r = 0; r < rounds; r++) ratio[v * rounds + r] = t[r] / t[(v + 1) * rounds + r];
    for (int r = 0; r < rounds; r++) ratio[nkg * rounds + r] = t[r] / t[(nkg + 3) * rounds + r];
    double macs = (double)M * N * K;
    printf("\n%lldx%lldx%lld (%s, %s)\n", (long long)M, (long long)N, (long long)K, info.kernel,
           info.method);
    for (int v = 0; v < nv; v++) {
      double mn = minimum(t + v * rounds, rounds), md = median(t + v * rounds, rounds);
      if (v == 0)
        printf("  %-26s", "wg_gemm acc8_ternary");
      else if (v <= nkg)
        printf("  lut kg=%-4lld (K block %4lld) ", (long long)kgs[v - 1], (long long)(3 * kgs[v - 1]));
      else if (v == nkg + 3)
        printf("  lut kg=%-4lld %-12s ", (long long)kgs[0], "pipelined");
      else
        printf("  lut kg=%-4lld %-12s ", (long long)kgs[0], v == nkg + 1 ? "build only" : "adds only");
      printf(" median %7.3f  min %7.3f  %6.1f GMAC/s", md, mn, macs / md * 1e-6);
      if ((v >= 1 && v <= nkg) || v == nkg + 3) {
        double *rv = ratio + (v == nkg + 3 ? nkg : v - 1) * rounds;
        double rmin = minimum(rv, rounds), rmed = median(rv, rounds);
        printf("  lib/lut median %.2fx (rounds %.2f-%.2f)", rmed, rmin, rv[rounds - 1]);
      }
      printf("\n");
    }
    free(t);
    free(ratio);
  next_shape:
    for (int v = 0; v < nkg; v++) {
      lut_workspace_free(&ws[v]);
      lut_weights_free(&lw[v]);
    }
    wg_weights_destroy(pw);
    free(w);
    free(x);
    free(y0);
    free(y1);
  }
  wg_context_destroy(ctx);
  return 0;
}
