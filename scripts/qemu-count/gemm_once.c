/*
 * One wg_gemm call for scripts/arm-call-counts.sh: binary (argv[5] = "b")
 * or ternary ("t") random weights, 8-bit random activations, b = 8, int8
 * output, one thread, the kernel forced by name (argv[1]); M = argv[2],
 * N = argv[3], K = argv[4].  argv[6] = "skip" does everything but the call:
 * the baseline the script subtracts, so that a count is the call's alone
 * (weight packing excluded).  Exit status 0 only if the named kernel ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wrapgemm.h"
int main(int argc, char **argv) {
  if (argc < 6) return 2;
  int ternary = argv[5][0] == 't';
  int64_t m = atoll(argv[2]), n = atoll(argv[3]), k = atoll(argv[4]);
  int skip = argc > 6 && !strcmp(argv[6], "skip");
  int8_t *w = malloc(m * k);
  uint8_t *x = malloc(k * n);
  int8_t *y = malloc(m * n);
  unsigned s = 1;
  for (int64_t i = 0; i < m * k; i++) { s = s * 1103515245u + 12345u; w[i] = ternary ? (int8_t)((s >> 16) % 3) - 1 : (s >> 16) & 1 ? 1 : -1; }
  for (int64_t i = 0; i < k * n; i++) { s = s * 1103515245u + 12345u; x[i] = (uint8_t)(s >> 16); }
  wg_context *ctx;
  if (wg_context_create(1, &ctx) != WG_OK) return 3;
  if (wg_context_force_kernel(ctx, argv[1]) != WG_OK) return 4;
  wg_weights *pw;
  if (wg_weights_pack(ctx, w, m, k, k, ternary ? WG_WEIGHTS_TERNARY : WG_WEIGHTS_BINARY, 0, &pw) != WG_OK) return 5;
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 8;
  ep.output = WG_OUTPUT_INT8;
  wg_act_format act = {8, 0};
  wg_run_info info;
  if (!skip) {
    if (wg_gemm(ctx, pw, x, n, n, act, &ep, y, n, &info) != WG_OK) return 6;
    if (strcmp(info.kernel, argv[1])) return 7;
  }
  return 0;
}
