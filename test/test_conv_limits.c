/* The documented limit on wg_conv2d_desc: every field below 2^31 (docs/api.md,
 * Sizes).  2^31 is SIZE_OVERFLOW whatever the other fields, even where the
 * call would need no large index; 2^31 - 1 is accepted and exact for the
 * fields a small tensor can carry (stride, padding, dilation). */
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CAN 0x77

TEST(conv_fields_at_2_pow_31_rejected) {
  enum { M = 2 };
  int8_t wc[M * 2] = {1, -1, 1, 1};
  wg_context *ctx;
  wg_weights *w;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "ctx");
  CHECK(wg_weights_pack(ctx, wc, M, 2, 2, WG_WEIGHTS_INT, 2, &w) == WG_OK, "pack");
  /* 1 x 2 x 3 x 3, 1x1 filters: K = 2; every output written from 18 bytes. */
  const wg_conv2d_desc good = {WG_NHWC, 1, 2, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1};
  uint8_t x[18] = {0};
  int32_t y[64];
  wg_epilogue ep = wg_epilogue_default();
  CHECK(wg_conv2d(ctx, w, &good, x, (wg_act_format){1, 0}, &ep, y, NULL) == WG_OK, "good");
  const int64_t lim = (int64_t)1 << 31;
  for (int f = 0; f < 14; f++)
    for (int v = 0; v < 2; v++) {
      wg_conv2d_desc d = good;
      int64_t *field[14] = {&d.batch,    &d.channels,   &d.height,     &d.width,
                            &d.kernel_h, &d.kernel_w,   &d.stride_h,   &d.stride_w,
                            &d.pad_top,  &d.pad_left,   &d.pad_bottom, &d.pad_right,
                            &d.dilation_h, &d.dilation_w};
      *field[f] = v ? INT64_MAX : lim;
      memset(y, CAN, sizeof y);
      wg_status st = wg_conv2d(ctx, w, &d, x, (wg_act_format){1, 0}, &ep, y, NULL);
      CHECK(st == WG_ERR_SIZE_OVERFLOW, "field %d = %lld: %s", f, (long long)*field[f],
            wg_status_name(st));
      for (size_t i = 0; i < sizeof y; i++)
        CHECK(((unsigned char *)y)[i] == CAN, "field %d: wrote", f);
      CHECK(wg_conv2d_out_h(&d) == 0 && wg_conv2d_out_w(&d) == 0, "field %d: out size", f);
      wgt_count_check(1);
    }
  wg_weights_destroy(w);
  wg_context_destroy(ctx);
}

/* stride, padding and dilation of 2^31 - 1 on a 5 x 5 image: every kernel
 * (and automatic choice), both layouts, against the definition. */
TEST(conv_fields_at_2_pow_31_minus_1_exact) {
  const int64_t big = ((int64_t)1 << 31) - 1;
  /* {kernel, stride, pad, dilation}: a 1x1 filter far apart; pad and
   * stride such that output row 1 reads input row 0; a 2x2 filter whose
   * second tap lies 2^31 - 1 rows on. */
  const int64_t geo[][4] = {{1, big, 0, big}, {1, big, big, 1}, {2, big, big, big}};
  int ran = 0;
  for (int gi = 0; gi < 3; gi++)
    for (int lay = 0; lay < 2; lay++)
      for (int kidx = -1; kidx < wg_kernel_count(); kidx++) {
        if (kidx >= 0 && !wg_kernel_available(kidx)) continue;
        const wgt_conv_geom g = {2, 4, 5, 5, 3, geo[gi][0], geo[gi][0], geo[gi][1],
                                 geo[gi][2], geo[gi][3]};
        wg_conv2d_desc d = {(wg_layout)lay, g.batch, g.c, g.h, g.w, g.kh, g.kw, g.s, g.s,
                            g.p, g.p, g.p, g.p, g.d, g.d};
        int64_t oh = wg_conv2d_out_h(&d), ow = wg_conv2d_out_w(&d), k = g.c * g.kh * g.kw;
        CHECK(oh >= 1 && oh <= 3 && ow == oh, "geometry %d: %lld x %lld", gi, (long long)oh,
              (long long)ow);
        wgt_rng r = {wgt_seed() + (uint64_t)gi};
        int8_t wc[3 * 16];
        uint8_t x[2 * 4 * 25];
        int32_t y[2 * 3 * 9 + 8], want[2 * 3 * 9];
        wgt_fill_weights(&r, wc, (size_t)(g.m * k), WG_WEIGHTS_TERNARY, 0, WGT_RANDOM);
        wgt_fill_acts(&r, x, sizeof x, 3, WGT_RANDOM);
        wg_epilogue ep = wg_epilogue_default();
        ep.acc_bits = 8;
        wgt_direct_conv(&g, d.layout, wc, x, 5, &ep, (unsigned char *)want, oh, ow);
        wg_context *ctx;
        wg_weights *w;
        CHECK(wg_context_create(1, &ctx) == WG_OK, "ctx");
        if (kidx >= 0) CHECK(wg_context_force_kernel(ctx, wg_kernel_name(kidx)) == WG_OK, "force");
        CHECK(wg_weights_pack(ctx, wc, g.m, k, k, WG_WEIGHTS_TERNARY, 0, &w) == WG_OK, "pack");
        memset(y, CAN, sizeof y);
        wg_run_info info;
        wg_status st = wg_conv2d(ctx, w, &d, x, (wg_act_format){3, 5}, &ep, y, &info);
        wg_weights_destroy(w);
        wg_context_destroy(ctx);
        if (st == WG_ERR_UNSUPPORTED && kidx >= 0) continue;
        CHECK(st == WG_OK, "geometry %d %s kernel %s: %s", gi, lay ? "NHWC" : "NCHW",
              kidx >= 0 ? wg_kernel_name(kidx) : "auto", wg_status_name(st));
        int64_t n = g.batch * g.m * oh * ow;
        for (int64_t i = 0; i < n; i++)
          CHECK(y[i] == want[i], "geometry %d %s kernel %s: y[%lld] = %d, want %d", gi,
                lay ? "NHWC" : "NCHW", info.kernel, (long long)i, y[i], want[i]);
        CHECK(((unsigned char *)y)[n * 4] == CAN, "wrote past the output");
        wgt_count_check(1);
        ran++;
      }
  CHECK(ran > 0, "nothing ran");
}
