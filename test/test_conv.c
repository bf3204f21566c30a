/* wg_conv2d against a naive direct convolution, both layouts, every kernel. */
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "core/reference.h"
#include "util.h"

/* 1 pass, 0 fail, -1 the kernel cannot run this. */
static int conv_case(const char *kname, const wgt_conv_geom *g, wg_layout lay,
                     wg_weight_format wf, int wbits, int abits, int zx,
                     wg_epilogue ep, uint64_t seed) {
  wgt_rng r = {seed};
  wg_conv2d_desc d = {lay, g->batch, g->c, g->h, g->w, g->kh, g->kw, g->s, g->s,
                      g->p, g->p, g->p, g->p, g->d, g->d};
  int64_t oh = wg_conv2d_out_h(&d), ow = wg_conv2d_out_w(&d);
  int64_t k = g->c * g->kh * g->kw;
  size_t es = wg_output_size(ep.output);
  size_t ybytes = (size_t)(g->batch * g->m * oh * ow) * es;
  int8_t *w = malloc((size_t)(g->m * k));
  uint8_t *x = malloc((size_t)(g->batch * g->c * g->h * g->w));
  unsigned char *y = malloc(ybytes + 64), *want = malloc(ybytes);
  wgt_fill_weights(&r, w, (size_t)(g->m * k), wf, wbits, WGT_RANDOM);
  wgt_fill_acts(&r, x, (size_t)(g->batch * g->c * g->h * g->w), abits, WGT_RANDOM);
  wgt_epi_data ed;
  wgt_epi_data_make(&ed, &r, g->m);
  wgt_epi_attach(&ep, &ed);
  memset(y, 0xA5, ybytes + 64);
  wgt_direct_conv(g, lay, w, x, zx, &ep, want, oh, ow);
  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  int res = 1;
  wg_run_info info = {0};
  wg_status st = wg_context_create(1, &ctx);
  if (st == WG_OK && kname) st = wg_context_force_kernel(ctx, kname);
  if (st == WG_OK) st = wg_weights_pack(ctx, w, g->m, k, k, wf, wbits, &pw);
  if (st == WG_OK)
    st = wg_conv2d(ctx, pw, &d, x, (wg_act_format){abits, zx}, &ep, y, &info);
  if (st == WG_ERR_UNSUPPORTED || st == WG_ERR_KERNEL_UNAVAILABLE) {
    res = -1;
  } else if (st != WG_OK) {
    wgt_fail(__FILE__, __LINE__, "%s: %s", kname ? kname : "auto", wg_status_name(st));
    res = 0;
  } else {
    for (size_t i = 0; i < ybytes; i += es)
      if (memcmp(y + i, want + i, es) != 0) {
        wgt_fail(__FILE__, __LINE__,
                 "conv kernel=%s layout=%s C=%lld H=%lld W=%lld M=%lld k=%lldx%lld s=%lld "
                 "p=%lld d=%lld batch=%lld seed=%llu: element %zu differs (ran %s)",
                 kname ? kname : "auto", lay == WG_NCHW ? "NCHW" : "NHWC",
                 (long long)g->c, (long long)g->h, (long long)g->w, (long long)g->m,
                 (long long)g->kh, (long long)g->kw, (long long)g->s, (long long)g->p,
                 (long long)g->d, (long long)g->batch, (unsigned long long)seed, i / es,
                 info.kernel);
        res = 0;
        break;
      }
    for (int i = 0; i < 64 && res; i++)
      if (y[ybytes + i] != 0xA5) {
        wgt_fail(__FILE__, __LINE__, "conv wrote past the output");
        res = 0;
      }
    wgt_count_check(1);
  }
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  wgt_epi_data_free(&ed);
  free(w);
  free(x);
  free(y);
  free(want);
  return res;
}

TEST(conv_direct_every_geometry_both_layouts) {
  static const int ks[] = {1, 3, 5};
  long n = 0;
  for (int ki = 0; ki < 3; ki++)
    for (int s = 1; s <= 2; s++)
      for (int p = 0; p <= 2; p++)
        for (int d = 1; d <= 2; d++)
          for (int lay = 0; lay < 2; lay++) {
            wgt_conv_geom g = {1 + n % 2, 3 + n % 5, 9 + n % 4, 8 + n % 3, 5 + n % 6,
                               ks[ki], ks[ki], s, p, d};
            if (d * (g.kh - 1) + 1 > g.h + 2 * p || d * (g.kw - 1) + 1 > g.w + 2 * p) continue;
            wg_epilogue ep = wg_epilogue_default();
            ep.acc_bits = 8;
            ep.cyclic = WG_CYCLIC_SMOOTH;
            ep.slope = 2;
            ep.output = (n % 2) ? WG_OUTPUT_UINT8_FLOAT : WG_OUTPUT_INT8;
            ep.out_bits = 4;
            int zx = (n % 3 == 0) ? 2 : 0;
            CHECK(conv_case(NULL, &g, (wg_layout)lay, WG_WEIGHTS_TERNARY, 2, 3, zx, ep,
                            wgt_seed() + (uint64_t)n) == 1, "ternary");
            CHECK(conv_case(NULL, &g, (wg_layout)lay, WG_WEIGHTS_INT, 5, 8, 128,
                            wg_epilogue_default(), wgt_seed() + (uint64_t)n) == 1, "int5");
            n++;
          }
  printf("    %ld geometry x layout pairs, two formats each\n", n);
}

TEST(conv_every_kernel_forced) {
  wgt_conv_geom gs[] = {{2, 7, 11, 10, 9, 3, 3, 1, 1, 1}, {1, 5, 9, 9, 33, 3, 3, 2, 1, 1},
               {1, 17, 6, 7, 3, 1, 1, 1, 0, 1}, {1, 3, 12, 12, 5, 5, 5, 1, 2, 2}};
  int ran = 0;
  for (int i = 0; i < wg_kernel_count(); i++) {
    if (!wg_kernel_available(i)) continue;
    const char *kn = wg_kernel_name(i);
    int any = 0;
    for (size_t gi = 0; gi < sizeof gs / sizeof gs[0]; gi++)
      for (int lay = 0; lay < 2; lay++) {
        wg_epilogue ep = wg_epilogue_default();
        ep.acc_bits = 8;
        ep.output = WG_OUTPUT_INT8;
        ep.cyclic = WG_CYCLIC_SMOOTH;
        ep.slope = 2;
        /* Ternary first (every kernel family has one), then int8 codes. */
        int r = conv_case(kn, &gs[gi], (wg_layout)lay, WG_WEIGHTS_TERNARY, 2, 4, 0, ep,
                          wgt_seed() + gi);
        CHECK(r != 0, "kernel %s", kn);
        if (r < 0) {
          r = conv_case(kn, &gs[gi], (wg_layout)lay, WG_WEIGHTS_INT, 4, 4, 0, ep,
                        wgt_seed() + gi);
          CHECK(r != 0, "kernel %s", kn);
        }
        any |= r == 1;
      }
    ran += any;
  }
  printf("    %d kernels ran convolutions\n", ran);
  CHECK(ran > 0, "no kernel ran");
}
