/* Exactness of the table-row add prototype: bit for bit against the library
 * (wg_gemm, acc_bits 8, raw int8 output, acc8_ternary_x_u8_6x16__avx2
 * forced) and against a plain int64 sum wrapped to 8 bits, over a sweep of
 * shapes, depth blocks, seeds, activation widths, zero points and extreme
 * codes.  Exit status 0 only if every case matches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wrapgemm.h>

#include "lut_gemm.h"

static uint64_t rng_state;
static uint64_t rnd(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

enum { W_RANDOM, W_PLUS, W_MINUS, W_SPARSE };
enum { X_RANDOM, X_ZERO, X_MAX, X_EXTREME };

typedef struct config {
  int abits, zx, wmode, xmode;
  int64_t kg;
} config;

static int failures, cases;

static void run_case(wg_context *ctx, int64_t M, int64_t N, int64_t K, const config *c) {
  int64_t ldx = N + (int64_t)(rnd() % 3), ldy = N + (int64_t)(rnd() % 3), ldw = K;
  int8_t *w = malloc((size_t)(M * ldw));
  uint8_t *x = malloc((size_t)(K * ldx));
  int8_t *y_lut = malloc((size_t)(M * ldy)), *y_ref = malloc((size_t)(M * ldy));
  int8_t *y_pp = malloc((size_t)(M * ldy));
  int xmax = (1 << c->abits) - 1;
  for (int64_t i = 0; i < M * ldw; i++) {
    switch (c->wmode) {
      case W_PLUS: w[i] = 1; break;
      case W_MINUS: w[i] = -1; break;
      case W_SPARSE: w[i] = (rnd() % 8 == 0) ? (rnd() & 1 ? 1 : -1) : 0; break;
      default: w[i] = (int8_t)((int)(rnd() % 3) - 1);
    }
  }
  for (int64_t i = 0; i < K * ldx; i++) {
    switch (c->xmode) {
      case X_ZERO: x[i] = 0; break;
      case X_MAX: x[i] = (uint8_t)xmax; break;
      case X_EXTREME: x[i] = (uint8_t)(rnd() & 1 ? xmax : 0); break;
      default: x[i] = (uint8_t)(rnd() % (uint64_t)(xmax + 1));
    }
  }
  memset(y_lut, 0x5a, (size_t)(M * ldy));
  memset(y_ref, 0x5a, (size_t)(M * ldy));
  memset(y_pp, 0x5a, (size_t)(M * ldy));

  wg_weights *pw = NULL;
  wg_status st = wg_weights_pack(ctx, w, M, K, ldw, WG_WEIGHTS_TERNARY, 0, &pw);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 8;
  ep.cyclic = WG_CYCLIC_NONE;
  ep.output = WG_OUTPUT_INT8;
  wg_act_format act = {c->abits, c->zx};
  wg_run_info info;
  if (st == WG_OK) st = wg_gemm(ctx, pw, x, N, ldx, act, &ep, y_ref, ldy, &info);
  if (st != WG_OK || strcmp(info.kernel, "acc8_ternary_x_u8_6x16__avx2") != 0) {
    printf("library call failed: %s (M=%lld N=%lld K=%lld)\n", wg_status_name(st),
           (long long)M, (long long)N, (long long)K);
    failures++;
  }
  wg_weights_destroy(pw);

  lut_weights lw;
  lut_workspace ws;
  if (lut_pack(w, M, K, ldw, c->kg, &lw) != 0 || lut_workspace_init(&ws, &lw) != 0) {
    printf("lut_pack failed\n");
    exit(2);
  }
  lut_gemm(&lw, &ws, x, N, ldx, (uint8_t)c->zx, y_lut, ldy);
  lut_gemm_pipelined(&lw, &ws, x, N, ldx, (uint8_t)c->zx, y_pp, ldy);
  lut_workspace_free(&ws);
  lut_weights_free(&lw);

  int bad = 0;
  for (int64_t i = 0; i < M && !bad; i++)
    for (int64_t j = 0; j < ldy && !bad; j++) {
      int8_t want = y_ref[i * ldy + j];
      if (j < N) { /* and a second oracle: the exact sum, wrapped */
        int64_t s = 0;
        for (int64_t kk = 0; kk < K; kk++) s += w[i * ldw + kk] * ((int64_t)x[kk * ldx + j] - c->zx);
        int8_t exact = (int8_t)(uint8_t)((uint64_t)s & 0xff);
        if (exact != want) {
          printf("library differs from the exact sum at (%lld,%lld)\n", (long long)i, (long long)j);
          bad = 1;
        }
      }
      if (y_lut[i * ldy + j] != want || y_pp[i * ldy + j] != want) {
        /* guard bytes between rows too */
        printf("MISMATCH M=%lld N=%lld K=%lld kg=%lld abits=%d zx=%d w=%d x=%d at (%lld,%lld): "
               "lut %d, pipelined %d, library %d\n",
               (long long)M, (long long)N, (long long)K, (long long)c->kg, c->abits, c->zx,
               c->wmode, c->xmode, (long long)i, (long long)j, y_lut[i * ldy + j], y_pp[i * ldy + j], want);
        bad = 1;
      }
    }
  failures += bad;
  cases++;
  free(w);
  free(x);
  free(y_lut);
  free(y_pp);
  free(y_ref);
}

int main(int argc, char **argv) {
  uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
  rng_state = seed;
  wg_context *ctx;
  if (wg_context_create(1, &ctx) != WG_OK ||
      wg_context_force_kernel(ctx, "acc8_ternary_x_u8_6x16__avx2") != WG_OK) {
    printf("no context / kernel unavailable\n");
    return 2;
  }
  static const int64_t sizes[] = {1, 2, 3, 4, 5, 7, 31, 32, 33, 64, 65, 200};
  enum { S = sizeof sizes / sizeof sizes[0] };
  static const int64_t kgs[] = {8, 16, 0};
  /* Every M x N x K of the list, one configuration each, rotating through
   * widths, zero points, weight and code patterns and depth blocks. */
  int r = 0;
  for (int a = 0; a < S; a++)
    for (int b = 0; b < S; b++)
      for (int d = 0; d < S; d++, r++) {
        config c;
        c.kg = kgs[r % 3];
        switch (r % 8) {
          case 0: c = (config){8, (int)(rnd() % 256), W_RANDOM, X_RANDOM, c.kg}; break;
          case 1: c = (config){8, 0, W_PLUS, X_MAX, c.kg}; break;      /* +255 each */
          case 2: c = (config){8, 255, W_MINUS, X_ZERO, c.kg}; break;  /* +255 each */
          case 3: c = (config){8, 255, W_RANDOM, X_EXTREME, c.kg}; break;
          case 4: c = (config){3, (int)(rnd() % 8), W_RANDOM, X_RANDOM, c.kg}; break;
          case 5: c = (config){3, 7, W_SPARSE, X_EXTREME, c.kg}; break;
          case 6: c = (config){8, 0, W_MINUS, X_MAX, c.kg}; break;
          default: c = (config){1 + (int)(rnd() % 8), 0, W_RANDOM, X_RANDOM, c.kg};
        }
        if (c.zx >= (1 << c.abits)) c.zx = (1 << c.abits) - 1;
        run_case(ctx, sizes[a], sizes[b], sizes[d], &c);
      }
  /* Larger shapes: several pixel blocks with tails, deep K in many blocks. */
  static const int64_t big[][3] = {{64, 200, 576}, {13, 129, 1153}, {9, 3136 / 16, 577},
                                   {512, 49, 300}, {6, 65, 4608}};
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 3; j++) {
      config c = {8, (int)(rnd() % 256), W_RANDOM, X_RANDOM, kgs[j]};
      run_case(ctx, big[i][0], big[i][1], big[i][2], &c);
    }
  wg_context_destroy(ctx);
  printf("lut_test seed %llu: %d cases, %d failed\n", (unsigned long long)seed, cases, failures);
  return failures != 0;
}
