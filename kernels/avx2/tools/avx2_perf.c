/*
 * avx2_perf: throughput of the AVX2 kernels on the paper's Table 7 shapes,
 * as ratios measured in one run (docs/avx2.md).  Not a test: it prints
 * medians of repeated timings, in G multiply-accumulates per second.
 *
 *   make BUILDROOT=build-avx2 avx2-perf          (builds and runs it)
 *   avx2_perf [reps] [shape-filter]
 *
 * Columns:
 *   ceiling   register-only vpsignb+vpaddb loop: this core's sign+add peak
 *   raw       ternary weights, 8-bit accumulators, raw int8 output
 *   fused     the same with smooth cyclic + float requantization to uint8
 *   acc32     the 32-bit maddubs kernel on the same operands (int32 out)
 *   nchw/nhwc conv2d (3x3, pad 1) of the same size, packing included
 *   2thr      raw on a 2-thread context
 */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wrapgemm.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Twelve independent sign+add chains on registers; the empty asm makes the
 * compiler treat b as changed every iteration, so vpsignb is not hoisted. */
static double ceiling_gmacs(void) {
  __m256i a = _mm256_set1_epi8(1), b0 = _mm256_set1_epi8(3), b1 = _mm256_set1_epi8(5);
  __m256i c[12];
  for (int i = 0; i < 12; i++) c[i] = _mm256_setzero_si256();
  const long iters = 20 * 1000 * 1000;
  double t0 = now();
  for (long it = 0; it < iters; it++) {
    __asm__ volatile("" : "+x"(b0), "+x"(b1));
    for (int i = 0; i < 12; i += 2) {
      c[i] = _mm256_add_epi8(c[i], _mm256_sign_epi8(b0, a));
      c[i + 1] = _mm256_add_epi8(c[i + 1], _mm256_sign_epi8(b1, a));
    }
  }
  double dt = now() - t0;
  __m256i s = c[0];
  for (int i = 1; i < 12; i++) s = _mm256_add_epi8(s, c[i]);
  volatile int sink = _mm256_extract_epi8(s, 0);
  (void)sink;
  return 12.0 * 32.0 * (double)iters / dt / 1e9;
}

typedef struct shape {
  int64_t m, n, k, hw, c;
} shape;

typedef struct job {
  wg_context *ctx;
  const wg_weights *w;
  const uint8_t *x;
  int64_t n;
  const wg_conv2d_desc *conv;
  wg_act_format act;
  wg_epilogue ep;
  void *y;
} job;

static wg_status run_once(const job *j) {
  if (j->conv) return wg_conv2d(j->ctx, j->w, j->conv, j->x, j->act, &j->ep, j->y, NULL);
  return wg_gemm(j->ctx, j->w, j->x, j->n, j->n, j->act, &j->ep, j->y, j->n, NULL);
}

/* Median G MAC/s over reps timings of batches of at least 20 ms. */
static double gmacs(const job *j, double macs, int reps) {
  if (run_once(j) != WG_OK) return 0.0;
  int batch = 1;
  for (;;) {
    double t0 = now();
    for (int i = 0; i < batch; i++) run_once(j);
    if (now() - t0 > 0.02) break;
    batch *= 2;
  }
  double v[64];
  if (reps > 64) reps = 64;
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    for (int i = 0; i < batch; i++) run_once(j);
    v[r] = macs * batch / (now() - t0) / 1e9;
  }
  return median(v, reps);
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 7;
  const char *filter = argc > 2 ? argv[2] : NULL;
  const shape shapes[] = {{64, 3136, 576, 56, 64},
                          {128, 784, 1152, 28, 128},
                          {256, 196, 2304, 14, 256},
                          {512, 49, 4608, 7, 512}};
  double ceil = ceiling_gmacs();
  printf("sign+add ceiling (register-only loop): %.1f G MAC/s\n", ceil);
  printf("%-18s %4s %7s %7s %7s %7s %7s %7s | %5s %5s %5s %5s %5s\n", "shape MxNxK", "ba",
         "raw", "fused", "acc32", "nchw", "nhwc", "2thr", "%ceil", "fuse+", "x32",
         "conv", "thr");
  wg_context *c1, *c2;
  if (wg_context_create(1, &c1) != WG_OK || wg_context_create(2, &c2) != WG_OK) return 1;
  srand(1);
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
    const shape *sh = &shapes[s];
    char name[32];
    snprintf(name, sizeof name, "%lldx%lldx%lld", (long long)sh->m, (long long)sh->n,
             (long long)sh->k);
    if (filter && !strstr(name, filter)) continue;
    int8_t *wt = malloc((size_t)(sh->m * sh->k));
    uint8_t *x = malloc((size_t)(sh->k * sh->n));
    uint8_t *img = malloc((size_t)(sh->c * sh->hw * sh->hw));
    float *scale = malloc((size_t)sh->m * sizeof *scale), *bias = malloc((size_t)sh->m * sizeof *bias);
    void *y = malloc((size_t)(sh->m * sh->n) * 4);
    for (int64_t i = 0; i < sh->m * sh->k; i++) wt[i] = (int8_t)(rand() % 3 - 1);
    for (int64_t i = 0; i < sh->m; i++) {
      scale[i] = 0.05f + 0.001f * (float)i;
      bias[i] = 0.5f;
    }
    wg_weights *w;
    if (wg_weights_pack(c1, wt, sh->m, sh->k, sh->k, WG_WEIGHTS_TERNARY, 2, &w) != WG_OK) return 1;
    wg_conv2d_desc d = {WG_NCHW, 1, sh->c, sh->hw, sh->hw, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
    double macs = (double)sh->m * (double)sh->n * (double)sh->k;
    for (int ba = 3; ba <= 4; ba++) {
      for (int64_t i = 0; i < sh->k * sh->n; i++) x[i] = (uint8_t)(rand() & ((1 << ba) - 1));
      for (int64_t i = 0; i < sh->c * sh->hw * sh->hw; i++)
        img[i] = (uint8_t)(rand() & ((1 << ba) - 1));
      job j = {c1, w, x, sh->n, NULL, {ba, 0}, wg_epilogue_default(), y};
      j.ep.acc_bits = 8;
      j.ep.output = WG_OUTPUT_INT8;
      wg_context_force_kernel(c1, NULL);
      double raw = gmacs(&j, macs, reps);
      job f = j;
      f.ep.cyclic = WG_CYCLIC_SMOOTH;
      f.ep.slope = 1;
      f.ep.output = WG_OUTPUT_UINT8_FLOAT;
      f.ep.scale = scale;
      f.ep.bias = bias;
      f.ep.relu = 1;
      f.ep.out_bits = ba;
      double fused = gmacs(&f, macs, reps);
      job a32 = j;
      a32.ep = wg_epilogue_default();
      wg_context_force_kernel(c1, "acc32_int8_x_u8_6x16__avx2");
      double acc32 = gmacs(&a32, macs, reps);
      wg_context_force_kernel(c1, NULL);
      job cv = j;
      cv.x = img;
      cv.conv = &d;
      d.layout = WG_NCHW;
      double nchw = gmacs(&cv, macs, reps);
      d.layout = WG_NHWC;
      double nhwc = gmacs(&cv, macs, reps);
      job t2 = j;
      t2.ctx = c2;
      double thr = gmacs(&t2, macs, reps);
      printf("%-18s %4d %7.1f %7.1f %7.1f %7.1f %7.1f %7.1f | %5.0f %5.1f %5.2f %5.2f %5.2f\n",
             name, ba, raw, fused, acc32, nchw, nhwc, thr, 100.0 * raw / ceil,
             100.0 * (raw / fused - 1.0), raw / acc32,
             (nchw < nhwc ? nchw : nhwc) / raw, thr / raw);
    }
    wg_weights_destroy(w);
    free(wt);
    free(x);
    free(img);
    free(scale);
    free(bias);
    free(y);
  }
  printf("columns: G MAC/s (median of %d); %%ceil = raw/ceiling, fuse+ = %% cost of the\n"
         "fused epilogue over raw, x32 = raw/acc32, conv = min(nchw,nhwc)/raw, thr = 2thr/raw\n",
         reps);
  wg_context_destroy(c1);
  wg_context_destroy(c2);
  return 0;
}
