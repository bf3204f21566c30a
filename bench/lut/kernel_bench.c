/* The library's LUT kernel against acc8_ternary_x_u8_6x16__avx2, both
 * forced by name, on a ternary GEMM (M x N x K) or a 3x3 convolution
 * (C channels in and out, H x H pixels, stride 1, padding 1, NCHW or
 * NHWC): raw int8 output, b = 8, 8-bit codes, zx = 0, one thread.  Rounds
 * alternate the order; thread CPU time per call, median and minimum.
 *
 *   kernel_bench gemm M N K [rounds]
 *   kernel_bench conv C H nchw|nhwc [rounds]
 *
 * A convolution prints as its lowered GEMM, M x N x K = C x H*H x 9C.
 * KB_A and KB_B name other kernels (the ratio is A / B), KB_BINARY=1 draws
 * binary weights (-1, +1) and packs them as WG_WEIGHTS_BINARY; KB_THREADS
 * sets the contexts' threads (default 1; times are then wall time), and
 * KB_WRAPNET=1 the WrapNet layer's epilogue instead of raw int8 output (smooth
 * cyclic activation of slope 2, uint8 codes requantized through float with
 * a per-channel scale and bias and ReLU: wgbench's conv_wrapnet8).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wrapgemm.h>

#include "timing.h"

enum { MAXR = 401 };

static const char *names[2] = {"acc8_ternary_x_u8_6x16__avx2",
                               "acc8_ternary_x_u8_8x64_lut3__avx2"};

int main(int argc, char **argv) {
  int conv = argc > 4 && strcmp(argv[1], "conv") == 0;
  if (argc < 5 || (!conv && strcmp(argv[1], "gemm") != 0)) {
    fprintf(stderr, "usage: kernel_bench gemm M N K [rounds] | conv C H nchw|nhwc [rounds]\n");
    return 2;
  }
  int64_t m = atoll(argv[2]), n = atoll(argv[3]), k = atoll(argv[4]);
  wg_conv2d_desc d;
  memset(&d, 0, sizeof d);
  if (conv) { /* C x H x H in, C out */
    d.layout = strcmp(argv[4], "nhwc") == 0 ? WG_NHWC : WG_NCHW;
    d.batch = 1;
    d.channels = m;
    d.height = d.width = n;
    d.kernel_h = d.kernel_w = 3;
    d.stride_h = d.stride_w = d.dilation_h = d.dilation_w = 1;
    d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
    k = 9 * m;
    n = n * n;
  }
  int rounds = argc > 5 ? atoi(argv[5]) : 31;
  if (getenv("KB_A")) names[0] = getenv("KB_A");
  if (getenv("KB_B")) names[1] = getenv("KB_B");
  const int binary = getenv("KB_BINARY") && atoi(getenv("KB_BINARY"));
  const int threads = getenv("KB_THREADS") ? atoi(getenv("KB_THREADS")) : 1;
  if (rounds < 1 || rounds > MAXR || m < 1 || n < 1 || k < 1) return 2;
  int8_t *w = malloc((size_t)(m * k)), *y = malloc((size_t)(m * n));
  uint8_t *x = malloc((size_t)(k * n));
  srand(1);
  for (int64_t i = 0; i < m * k; i++) w[i] = (int8_t)(binary ? 2 * (rand() % 2) - 1 : rand() % 3 - 1);
  for (int64_t i = 0; i < k * n; i++) x[i] = (uint8_t)rand();
  wg_context *ctx[2];
  wg_weights *pw[2];
  for (int v = 0; v < 2; v++)
    if (wg_context_create(threads, &ctx[v]) != WG_OK || wg_context_force_kernel(ctx[v], names[v]) != WG_OK ||
        wg_weights_pack(ctx[v], w, m, k, k, binary ? WG_WEIGHTS_BINARY : WG_WEIGHTS_TERNARY, 0, &pw[v]) != WG_OK)
      return 1;
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 8;
  ep.output = WG_OUTPUT_INT8;
  float *scale = malloc((size_t)m * sizeof *scale), *bias = malloc((size_t)m * sizeof *bias);
  for (int64_t i = 0; i < m; i++) scale[i] = 0.5f + (float)(i % 7) / 8, bias[i] = (float)(i % 5);
  if (getenv("KB_WRAPNET") && atoi(getenv("KB_WRAPNET"))) {
    ep.cyclic = WG_CYCLIC_SMOOTH;
    ep.slope = 2;
    ep.output = WG_OUTPUT_UINT8_FLOAT;
    ep.scale = scale;
    ep.bias = bias;
    ep.relu = 1;
    ep.out_bits = 8;
  }
  wg_act_format act = {8, 0};
  static double t[2][MAXR];
  const char *method[2] = {"", ""};
  for (int r = 0; r < rounds; r++)
    for (int i = 0; i < 2; i++) {
      int v = r % 2 ? 1 - i : i;
      wg_run_info info;
      double t0 = call_now(threads);
      wg_status st = conv ? wg_conv2d(ctx[v], pw[v], &d, x, act, &ep, y, &info)
                          : wg_gemm(ctx[v], pw[v], x, n, n, act, &ep, y, n, &info);
      t[v][r] = (call_now(threads) - t0) * 1e3;
      if (st != WG_OK || strcmp(info.kernel, names[v]) != 0) {
        fprintf(stderr, "%s: %s, ran %s\n", names[v], wg_status_name(st), info.kernel);
        return 1;
      }
      method[v] = info.method;
    }
  double med[2], mn[2];
  for (int v = 0; v < 2; v++) {
    mn[v] = minimum(t[v], rounds);
    med[v] = median(t[v], rounds);
    printf("%-36s %s %s%lld x %lld x %lld (%s): median %.3f ms, min %.3f ms\n", names[v],
           argv[1], conv ? argv[4] : "", (long long)m, (long long)n, (long long)k, method[v],
           med[v], mn[v]);
  }
  printf("A / B: %.2fx by medians, %.2fx by minima (%d rounds)\n", med[0] / med[1],
         mn[0] / mn[1], rounds);
  for (int v = 0; v < 2; v++) {
    wg_weights_destroy(pw[v]);
    wg_context_destroy(ctx[v]);
  }
  free(w);
  free(scale);
  free(bias);
  free(x);
  free(y);
  return 0;
}
