/* conv2d through each AVX2 kernel, both layouts, against a direct
 * convolution: geometries chosen for the AVX2 packing paths (panels of 16
 * output pixels straddling output rows and the padding, stride 2 and
 * dilation through wg_bsrc, K beyond one kc block, channel runs of NHWC
 * that are not multiples of the depth unroll). */
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "core/reference.h"
#include "test_avx2.h"

static int conv_one(const wgt_kernel *k, const wgt_conv_geom *g, wg_layout lay, int variant,
                    uint64_t seed) {
  wgt_rng r = {seed};
  wg_conv2d_desc d = {lay, g->batch, g->c, g->h, g->w, g->kh, g->kw, g->s, g->s,
                      g->p, g->p, g->p, g->p, g->d, g->d};
  int64_t oh = wg_conv2d_out_h(&d), ow = wg_conv2d_out_w(&d), kk = g->c * g->kh * g->kw;
  wgt_case c;
  wgt_avx2_case(&c, k, g->m, 1, kk, variant);
  size_t es = wg_output_size(c.ep.output);
  size_t ybytes = (size_t)(g->batch * g->m * oh * ow) * es;
  size_t xn = (size_t)(g->batch * g->c * g->h * g->w);
  int8_t *w = malloc((size_t)(g->m * kk));
  uint8_t *x = malloc(xn);
  unsigned char *y = malloc(ybytes + 64), *want = malloc(ybytes);
  wgt_fill_weights(&r, w, (size_t)(g->m * kk), c.wf, c.wbits, WGT_RANDOM);
  wgt_fill_acts(&r, x, xn, c.abits, WGT_RANDOM);
  wgt_epi_data ed;
  wgt_epi_data_make(&ed, &r, g->m);
  wgt_epi_attach(&c.ep, &ed);
  memset(y, 0xA5, ybytes + 64);
  wgt_direct_conv(g, lay, w, x, c.zx, &c.ep, want, oh, ow);
  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  wg_run_info info = {0};
  wg_act_format act = {c.abits, c.zx};
  int ok = wg_context_create(1 + variant % 2, &ctx) == WG_OK &&
           wg_context_force_kernel(ctx, k->name) == WG_OK &&
           wg_weights_pack(ctx, w, g->m, kk, kk, c.wf, c.wbits, &pw) == WG_OK &&
           wg_conv2d(ctx, pw, &d, x, act, &c.ep, y, &info) == WG_OK &&
           strcmp(info.kernel, k->name) == 0 && memcmp(y, want, ybytes) == 0;
  for (int i = 0; i < 64 && ok; i++) ok = y[ybytes + (size_t)i] == 0xA5;
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  wgt_epi_data_free(&ed);
  free(w);
  free(x);
  free(y);
  free(want);
  wgt_count_check(1);
  return ok;
}

TEST(avx2_conv2d_both_layouts) {
  static const wgt_conv_geom geoms[] = {
      /* batch, C, H, W, M, KH, KW, stride, pad, dilation */
      {1, 8, 9, 9, 7, 3, 3, 1, 1, 1},    /* 16-pixel panels straddle rows  */
      {2, 3, 20, 21, 13, 3, 3, 1, 1, 1}, /* rows wider than a panel, C = 3 */
      {1, 5, 11, 13, 6, 5, 3, 1, 2, 1},  /* padding wider than one pixel   */
      {1, 6, 10, 12, 9, 3, 3, 2, 1, 1},  /* stride 2: strided row runs     */
      {1, 4, 12, 12, 8, 3, 3, 1, 2, 2},  /* dilation                       */
      {1, 520, 6, 7, 7, 3, 3, 1, 1, 1},  /* K = 4680 > kc: two depth blocks */
      {1, 3, 40, 40, 6, 3, 3, 1, 1, 1},  /* N = 1600: several nc blocks    */
      {1, 2, 4, 800, 5, 3, 3, 1, 1, 1},  /* rows too wide to shift (q)     */
      {1, 9, 6, 21, 4, 1, 3, 1, 1, 1},   /* 1x3: fewer taps than KU        */
      {3, 16, 5, 4, 17, 1, 1, 1, 0, 1},  /* 1x1                            */
      /* C a multiple of 4: NHWC read in place (pack_avx2.c) */
      {2, 8, 9, 11, 7, 3, 3, 2, 1, 1},   /* stride 2, batch, 2 panels + 2  */
      {1, 12, 7, 6, 5, 5, 3, 1, 2, 1},   /* padding wider than one pixel   */
      {1, 2048, 3, 3, 3, 3, 1, 1, 1, 1}, /* runs longer than 1024 channels */
      {1, 4, 9, 9, 6, 3, 3, 1, 1, 2},    /* dilation, N = 81: 1-col tail   */
  };
  int ran = 0;
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = wgt_avx2_kernels(list);
  for (int i = 0; i < nk; i++) {
    const wgt_kernel *k = &list[i];
    if (!k->runnable) continue;
    for (int gi = 0; gi < (int)(sizeof geoms / sizeof geoms[0]); gi++)
      for (int lay = 0; lay < 2; lay++) {
        if (wgt_quick() && (gi + lay) % 2) continue;
        uint64_t seed = wgt_seed() + (uint64_t)(100 * i + 10 * gi + lay);
        CHECK(conv_one(k, &geoms[gi], (wg_layout)lay, gi + i, seed),
              "%s geometry %d layout %s seed %llu", k->name, gi, lay ? "NHWC" : "NCHW",
              (unsigned long long)seed);
        ran++;
      }
  }
  if (!ran) SKIP("no AVX2 kernel available");
}
