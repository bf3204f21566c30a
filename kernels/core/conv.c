/* wg_conv2d: checks the geometry and lowers it to the GEMM driver with an
 * implicit-im2col activation source (bsrc.h). */
#include "internal.h"

static int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t p0,
                        int64_t p1, int64_t d) {
  /* Each term is bounded by the checks in geometry_ok, so no overflow. */
  int64_t span = d * (k - 1) + 1, padded = in + p0 + p1;
  return padded < span ? 0 : (padded - span) / s + 1;
}

static wg_status geometry_ok(const wg_conv2d_desc *d) {
  if (d->layout != WG_NCHW && d->layout != WG_NHWC) return WG_ERR_BAD_OPTION;
  if (d->batch < 1 || d->channels < 1 || d->height < 1 || d->width < 1 ||
      d->kernel_h < 1 || d->kernel_w < 1 || d->stride_h < 1 ||
      d->stride_w < 1 || d->dilation_h < 1 || d->dilation_w < 1)
    return WG_ERR_BAD_SIZE;
  if (d->pad_top < 0 || d->pad_left < 0 || d->pad_bottom < 0 || d->pad_right < 0)
    return WG_ERR_BAD_SIZE;
  /* Bounding every field keeps the window arithmetic below and every
   * index of the im2col and direct paths (products of two fields plus a
   * few more, bsrc.c, direct_conv.c, the kernels' pack_b) in int64: the limit is
   * documented (a field >= 2^31 is SIZE_OVERFLOW even where the call would
   * need no large index) rather than lifted, which would need every such
   * product bounded anew. */
  const int64_t lim = (int64_t)1 << 31;
  const int64_t v[] = {d->batch,    d->channels, d->height,   d->width,
                       d->kernel_h, d->kernel_w, d->stride_h, d->stride_w,
                       d->pad_top,  d->pad_left, d->pad_bottom, d->pad_right,
                       d->dilation_h, d->dilation_w};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (v[i] >= lim) return WG_ERR_SIZE_OVERFLOW;
  return WG_OK;
}

int64_t wg_conv2d_out_h(const wg_conv2d_desc *d) {
  if (!d || !wg_aligned(d, _Alignof(wg_conv2d_desc)) || geometry_ok(d) != WG_OK) return 0;
  return out_size(d->height, d->kernel_h, d->stride_h, d->pad_top,
                  d->pad_bottom, d->dilation_h);
}

int64_t wg_conv2d_out_w(const wg_conv2d_desc *d) {
  if (!d || !wg_aligned(d, _Alignof(wg_conv2d_desc)) || geometry_ok(d) != WG_OK) return 0;
  return out_size(d->width, d->kernel_w, d->stride_w, d->pad_left,
                  d->pad_right, d->dilation_w);
}

wg_status wg_conv2d(wg_context *ctx, const wg_weights *w,
                    const wg_conv2d_desc *d, const uint8_t *x,
                    wg_act_format act, const wg_epilogue *ep, void *y,
                    wg_run_info *info) {
  if (!ctx || !w || !d || !x || !ep || !y) return WG_ERR_NULL_POINTER;
  /* before a field of them is read */
  if (!wg_aligned(d, _Alignof(wg_conv2d_desc)) || !wg_aligned(ep, _Alignof(wg_epilogue)) ||
      !wg_aligned(info, _Alignof(wg_run_info)))
    return WG_ERR_MISALIGNED;
  wg_status st = geometry_ok(d);
  if (st != WG_OK) return st;
  int64_t oh = wg_conv2d_out_h(d), ow = wg_conv2d_out_w(d);
  if (oh < 1 || ow < 1) return WG_ERR_BAD_SIZE;
  int64_t kk, in_img, in_all, pix, nall, out_all, taps;
  if (!wg_mul_ok(d->kernel_h, d->kernel_w, &taps) ||
      !wg_mul_ok(taps, d->channels, &kk) ||
      !wg_mul_ok(d->channels * d->height, d->width, &in_img) ||
      !wg_mul_ok(in_img, d->batch, &in_all) || !wg_mul_ok(oh, ow, &pix) ||
      !wg_mul_ok(pix, d->batch, &nall) ||
      !wg_mul_ok(nall, w->m, &out_all) ||
      !wg_mul_ok(out_all, (int64_t)wg_output_size(ep->output), &out_all))
    return WG_ERR_SIZE_OVERFLOW;
  if (kk != w->k) return WG_ERR_UNSUPPORTED;
  st = wg_check_act(act);
  if (st == WG_OK) st = wg_check_epilogue(ep, w->m);
  if (st == WG_OK)
    st = wg_check_output(y, wg_span_of(y, out_all), wg_span_of(x, in_all), w, ep, info);
  if (st != WG_OK) return st;
  st = wg_codes_check(ctx, x, 1, in_all, in_all, (uint8_t)((1 << act.bits) - 1));
  if (st != WG_OK) return st;
  wg_problem p = wg_make_problem(w, act, ep);
  const wg_kernel *k = wg_choose_kernel(ctx, w, &p);
  if (!k) return WG_ERR_UNSUPPORTED;

  wg_run r = {0};
  r.kern = k;
  r.w = w;
  r.src.k = kk;
  r.src.x = x;
  r.src.is_conv = 1;
  r.src.layout = d->layout;
  r.src.pad = (uint8_t)act.zero_point;
  r.src.c = d->channels;
  r.src.h = d->height;
  r.src.w = d->width;
  r.src.kh = d->kernel_h;
  r.src.kw = d->kernel_w;
  r.src.sh = d->stride_h;
  r.src.sw = d->stride_w;
  r.src.pt = d->pad_top;
  r.src.pl = d->pad_left;
  r.src.dh = d->dilation_h;
  r.src.dw = d->dilation_w;
  r.src.oh = oh;
  r.src.ow = ow;
  r.epi = wg_resolve_epilogue(ep, w, act);
  r.y = y;
  if (d->layout == WG_NCHW) {
    /* One GEMM per image: Y_img (M x OH*OW) is row-major. */
    r.n = pix;
    r.nimg = d->batch;
    r.x_img = in_img;
    r.y_img = w->m * pix;
    r.ys_m = pix;
    r.ys_n = 1;
  } else {
    /* The whole batch is one GEMM whose output is Y^T: pixel-major. */
    r.n = nall;
    r.nimg = 1;
    r.ys_m = 1;
    r.ys_n = w->m;
  }
  r.src.n = r.n;
  const wg_apack *direct = wg_direct_conv_weights(ctx, &r);
  st = direct ? wg_direct_conv_run(ctx, &r, direct) : wg_driver_run(ctx, &r);
  if (st == WG_OK && info) {
    info->kernel = k->name;
    info->method = direct ? "direct" : "implicit_im2col";
  }
  return st;
}
