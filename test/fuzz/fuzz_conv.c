/* libFuzzer harness: arbitrary bytes -> one wg_conv2d call (either layout,
 * any window, asymmetric padding, stride, dilation, batch; a forced or the
 * automatic kernel; the direct convolution on or off; 1-3 threads),
 * compared with the convolution from its definition through the reference
 * epilogue; on an error status the output must be untouched. */
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "core/reference.h"
#include "fuzz_input.h"
#include "wrapgemm.h"


/* z[m][pixel] summed literally; the padding holds the zero-point code. */
static void reference(const wg_conv2d_desc *d, int64_t m, const int8_t *w, const uint8_t *x,
                      int zx, const wg_epilogue *ep, int64_t oh, int64_t ow,
                      unsigned char *y) {
  size_t es = wg_output_size(ep->output);
  int64_t C = d->channels, H = d->height, W = d->width, KH = d->kernel_h, KW = d->kernel_w;
  for (int64_t b = 0; b < d->batch; b++)
    for (int64_t o = 0; o < m; o++)
      for (int64_t py = 0; py < oh; py++)
        for (int64_t px = 0; px < ow; px++) {
          int64_t z = 0;
          for (int64_t ci = 0; ci < C; ci++)
            for (int64_t kh = 0; kh < KH; kh++)
              for (int64_t kw = 0; kw < KW; kw++) {
                int64_t ih = py * d->stride_h - d->pad_top + kh * d->dilation_h;
                int64_t iw = px * d->stride_w - d->pad_left + kw * d->dilation_w;
                int v = zx;
                if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                  v = d->layout == WG_NCHW ? x[((b * C + ci) * H + ih) * W + iw]
                                           : x[((b * H + ih) * W + iw) * C + ci];
                int64_t k = d->layout == WG_NCHW ? (ci * KH + kh) * KW + kw
                                                 : (kh * KW + kw) * C + ci;
                z += (int64_t)w[o * C * KH * KW + k] * (v - zx);
              }
          int64_t at = d->layout == WG_NCHW ? ((b * m + o) * oh + py) * ow + px
                                            : ((b * oh + py) * ow + px) * m + o;
          wg_ref_output(ep, o, z, y + (size_t)at * es);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cursor c = {data, size};
  wg_conv2d_desc d;
  memset(&d, 0, sizeof d);
  d.layout = (wg_layout)(take(&c) % 2);
  d.batch = 1 + take(&c) % 2;
  /* Channels: multiples of 4 more often than not (the direct path). */
  unsigned cc = take(&c);
  d.channels = cc % 3 ? 4 * (1 + cc / 3 % 6) : 1 + cc / 3 % 23;
  d.height = 1 + take(&c) % 12;
  d.width = 1 + take(&c) % 12;
  d.kernel_h = 1 + take(&c) % 4;
  d.kernel_w = 1 + take(&c) % 4;
  d.stride_h = 1 + take(&c) % 3;
  d.stride_w = 1 + take(&c) % 3;
  d.pad_top = take(&c) % 4;
  d.pad_left = take(&c) % 4;
  d.pad_bottom = take(&c) % 4;
  d.pad_right = take(&c) % 4;
  d.dilation_h = 1 + take(&c) % 2;
  d.dilation_w = 1 + take(&c) % 2;
  int64_t m = 1 + take(&c) % 35;
  wg_weight_format wf = (wg_weight_format)(take(&c) % 3);
  int wbits = 2 + take(&c) % 7;
  wg_act_format act = {1 + take(&c) % 8, 0};
  if (take(&c) % 4 == 0) act.zero_point = (int)(take(&c) % (1u << act.bits));
  wg_epilogue ep = wg_epilogue_default();
  static const int bs[] = {2, 3, 5, 7, 8, 9, 12, 15, 16, 32};
  ep.acc_bits = bs[take(&c) % 10];
  ep.cyclic = (wg_cyclic)(take(&c) % 3);
  ep.slope = 1 + take(&c) % 5;
  /* Byte outputs more often: the direct convolution's epilogues. */
  unsigned oc = take(&c);
  ep.output = oc % 2 ? (oc / 2 % 2 ? WG_OUTPUT_INT8 : WG_OUTPUT_UINT8_FLOAT)
                     : (wg_output_kind)(oc / 2 % 6);
  ep.relu = take(&c) & 1;
  ep.out_bits = 1 + take(&c) % 8;
  int kernel = (int)(take(&c) % (unsigned)(wg_kernel_count() + 1)) - 1;
  int direct = take(&c) % 4 != 0;
  int threads = 1 + (int)(take(&c) % 3);
  int bad_code = take(&c) % 32 == 0;

  int64_t kk = d.channels * d.kernel_h * d.kernel_w;
  int64_t oh = wg_conv2d_out_h(&d), ow = wg_conv2d_out_w(&d);
  int lo = wf == WG_WEIGHTS_INT ? -(1 << (wbits - 1)) : -1;
  int hi = wf == WG_WEIGHTS_INT ? (1 << (wbits - 1)) - 1 : 1;
  int8_t *w = malloc((size_t)(m * kk));
  for (int64_t i = 0; i < m * kk; i++) {
    int v = lo + (int)(take(&c) % (unsigned)(hi - lo + 1));
    if (wf == WG_WEIGHTS_BINARY && v == 0) v = 1;
    w[i] = (int8_t)v;
  }
  size_t xn = (size_t)(d.batch * d.channels * d.height * d.width);
  uint8_t *x = malloc(xn);
  for (size_t i = 0; i < xn; i++) x[i] = (uint8_t)(take(&c) % (1u << act.bits));
  if (bad_code && act.bits < 8) x[take(&c) % xn] = (uint8_t)(1u << act.bits);
  fuzz_epi_rows rows;
  fuzz_epilogue_rows(&c, 35, &rows, &ep);

  size_t es = wg_output_size(ep.output);
  int64_t outs = oh > 0 && ow > 0 ? d.batch * m * oh * ow : 1;
  size_t ybytes = (size_t)outs * es;
  unsigned char *y = aligned_alloc(16, (ybytes + 15) & ~(size_t)15);
  unsigned char *want = malloc(ybytes);
  memset(y, 0xEE, ybytes);
  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  if (wg_context_create(threads, &ctx) != WG_OK) abort();
  if (kernel >= 0 && wg_kernel_available(kernel))
    wg_context_force_kernel(ctx, wg_kernel_name(kernel));
  wg_context_set_direct_conv(ctx, direct);
  wg_status st = wg_weights_pack(ctx, w, m, kk, kk, wf, wbits, &pw);
  if (st == WG_OK) {
    wg_run_info info = {0};
    st = wg_conv2d(ctx, pw, &d, x, act, &ep, y, &info);
    if (st == WG_OK) {
      if (bad_code && act.bits < 8) abort(); /* a code outside its format passed */
      reference(&d, m, w, x, act.zero_point, &ep, oh, ow, want);
      if (memcmp(y, want, ybytes) != 0) abort(); /* disagrees with the definition */
      if (!direct && strcmp(info.method, "direct") == 0) abort(); /* switched off */
    }
  }
  fuzz_untouched_unless_ok(st, y, ybytes);
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  free(w);
  free(x);
  free(y);
  free(want);
  return 0;
}
