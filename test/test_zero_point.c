/* The zero point is a code of the activation format: 0 <= zx <= 2^bits - 1
 * (docs/api.md).  Outside that range every entry point returns BAD_OPTION
 * and writes nothing; at its top (zx = 2^bits - 1, the padding code a
 * kernel proven for bits-bit codes can still take) every kernel is exact. */
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "kernels.h"
#include "util.h"

#define CAN 0x6B

/* Kernels proven only for 7-bit codes at their widest weights (the
 * table's, by the operands they accept), which got the padding code zx
 * unchecked: vpmaddubsw saturates beyond 7-bit activations against
 * |w| > 64, and the buffer lanes keep 7 data bits. */
static int narrow_kernels(wgt_kernel *out) {
  wgt_kernel all[WGT_MAX_KERNELS];
  int n = wgt_kernels(0, NULL, all, WGT_MAX_KERNELS), narrow = 0;
  for (int i = 0; i < n; i++)
    if (all[i].abits == 7) out[narrow++] = all[i];
  return narrow;
}

/* One conv2d of kernel kn (forced) with 7-bit activations and its widest
 * weights: status, and (when OK) agreement with the definition; on error y
 * is untouched. */
static wg_status conv7(const wgt_kernel *kn, wg_layout lay, int direct, int zx, int *ran,
                       char *err, size_t errn) {
  const char *kname = kn->name;
  const wgt_conv_geom g = {2, 8, 5, 6, 20, 3, 3, 1, 1, 1};
  wg_conv2d_desc d = {lay, g.batch, g.c, g.h, g.w, g.kh, g.kw, 1, 1, 1, 1, 1, 1, 1, 1};
  int64_t oh = wg_conv2d_out_h(&d), ow = wg_conv2d_out_w(&d), k = g.c * g.kh * g.kw;
  size_t xn = (size_t)(g.batch * g.c * g.h * g.w), yn = (size_t)(g.batch * g.m * oh * ow);
  wg_weight_format wf = kn->wf;
  wgt_rng r = {wgt_seed() ^ 0x2e7};
  int8_t *w = malloc((size_t)(g.m * k));
  uint8_t *x = malloc(xn);
  unsigned char *y = malloc(yn + 64), *want = malloc(yn);
  /* Extreme codes: weights -128/127 and activations 0/127, so that a
   * padding code of 128 or more would saturate a maddubs pair. */
  wgt_fill_weights(&r, w, (size_t)(g.m * k), wf, 8, WGT_EXTREME_MIXED);
  wgt_fill_acts(&r, x, xn, 7, WGT_EXTREME_MIXED);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 7;
  ep.output = WG_OUTPUT_INT8;
  ep.cyclic = WG_CYCLIC_SMOOTH;
  ep.slope = 2;
  memset(y, CAN, yn + 64);
  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  wg_run_info info = {0};
  *ran = 0;
  wg_status st = wg_context_create(1, &ctx);
  if (st == WG_OK) st = wg_context_force_kernel(ctx, kname);
  if (st == WG_OK) st = wg_context_set_direct_conv(ctx, direct);
  if (st == WG_OK) st = wg_weights_pack(ctx, w, g.m, k, k, wf, 8, &pw);
  if (st == WG_OK) {
    st = wg_conv2d(ctx, pw, &d, x, (wg_act_format){7, zx}, &ep, y, &info);
    *ran = 1;
  }
  err[0] = 0;
  if (st == WG_OK) {
    wgt_direct_conv(&g, lay, w, x, zx, &ep, want, oh, ow);
    for (size_t i = 0; i < yn; i++)
      if (y[i] != want[i]) {
        snprintf(err, errn, "element %zu: got %d want %d (ran %s, %s)", i, (int8_t)y[i],
                 (int8_t)want[i], info.kernel, info.method);
        break;
      }
  } else {
    for (size_t i = 0; i < yn + 64; i++)
      if (y[i] != CAN) {
        snprintf(err, errn, "output written on %s", wg_status_name(st));
        break;
      }
  }
  for (size_t i = yn; i < yn + 64 && !err[0]; i++)
    if (y[i] != CAN) snprintf(err, errn, "wrote past the output");
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  free(w);
  free(x);
  free(y);
  free(want);
  return st;
}

/* The failing case: padding code zx >= 2^7 on the maddubs and the
 * buffer-lane kernels, both layouts, both conv methods.  Before the check
 * it returned WG_OK with wrong sums; now BAD_OPTION with nothing written.
 * zx = 127 stays exact. */
TEST(zero_point_padding_beyond_codes_rejected) {
  int ran = 0;
  wgt_kernel narrow[WGT_MAX_KERNELS];
  int nn = narrow_kernels(narrow);
  for (int i = 0; i < nn; i++) {
    const wgt_kernel *kn = &narrow[i];
    for (int lay = 0; lay < 2; lay++)
      for (int direct = 0; direct < 2; direct++) {
        static const int zxs[] = {127, 128, 200, 255};
        for (int z = 0; z < 4; z++) {
          char err[200];
          int r;
          wg_status st = conv7(kn, (wg_layout)lay, direct, zxs[z], &r, err, sizeof err);
          if (!r) {
            CHECK(st == WG_ERR_UNKNOWN_KERNEL || st == WG_ERR_KERNEL_UNAVAILABLE,
                  "%s: setup: %s", kn->name, wg_status_name(st));
            break;
          }
          wg_status want = zxs[z] <= 127 ? WG_OK : WG_ERR_BAD_OPTION;
          CHECK(st == want && !err[0], "%s %s direct=%d zx=%d: %s (want %s) %s", kn->name,
                lay ? "NHWC" : "NCHW", direct, zxs[z], wg_status_name(st),
                wg_status_name(want), err);
          wgt_count_check(1);
          ran++;
        }
      }
  }
  if (!ran) SKIP("none of the maddubs / buffer-lane kernels runs here");
}

/* Every entry point, every width: 2^bits and beyond (and -1) are
 * BAD_OPTION with nothing written; 2^bits - 1 is accepted. */
TEST(zero_point_range_every_entry_point) {
  enum { M = 3, K = 8, N = 5 };
  int8_t wc[M * K];
  uint8_t x[K * N] = {0}; /* code 0 fits every width */
  for (int i = 0; i < M * K; i++) wc[i] = (int8_t)(i % 3 - 1);
  _Alignas(8) unsigned char y[256]; /* the conv's 3 x 4 x 4 int32 outputs */
  wg_context *ctx;
  wg_weights *pw;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "ctx");
  CHECK(wg_weights_pack(ctx, wc, M, K, K, WG_WEIGHTS_TERNARY, 0, &pw) == WG_OK, "pack");
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 7;
  wg_conv2d_desc d = {WG_NHWC, 1, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1}; /* K = 8 */
  wg_swar_options o = wg_swar_options_default();
  for (int bits = 1; bits <= 8; bits++) {
    int top = (1 << bits) - 1;
    const int zxs[] = {top, top + 1, 255, 256, -1, INT32_MAX};
    for (int z = 0; z < 6; z++) {
      wg_act_format act = {bits, zxs[z]};
      wg_status want = zxs[z] >= 0 && zxs[z] <= top ? WG_OK : WG_ERR_BAD_OPTION;
      for (int call = 0; call < 5; call++) {
        memset(y, CAN, sizeof y);
        wg_status st;
        o.mode = call == 3 ? WG_SWAR_BUFFER : WG_SWAR_EXACT;
        if (call == 0)
          st = wg_gemm(ctx, pw, x, N, N, act, &ep, y, N, NULL);
        else if (call == 1)
          st = wg_conv2d(ctx, pw, &d, x, act, &ep, y, NULL);
        else if (call <= 3)
          st = wg_swar_gemm(pw, x, N, N, act, &ep, &o, y, N);
        else
          st = wg_swar_naive_gemm(wc, M, K, K, x, N, N, act, &ep, y, N);
        /* BUFFER takes 7-bit codes only: 8-bit activations are UNSUPPORTED
         * when the zero point is valid. */
        wg_status w2 = call == 3 && bits == 8 && want == WG_OK ? WG_ERR_UNSUPPORTED : want;
        CHECK(st == w2, "call %d bits=%d zx=%d: %s, want %s", call, bits, zxs[z],
              wg_status_name(st), wg_status_name(w2));
        if (st != WG_OK)
          for (size_t i = 0; i < sizeof y; i++)
            CHECK(y[i] == CAN, "call %d bits=%d zx=%d: wrote on error", call, bits, zxs[z]);
        wgt_count_check(1);
      }
    }
  }
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
}
