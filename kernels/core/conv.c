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

/* A convolution's sizes, each within int64 (conv_args_ok). */
typedef struct conv_sizes {
  int64_t oh, ow;          /* output height and width                  */
  int64_t kk;              /* GEMM depth: kernel taps x channels       */
  int64_t in_img, in_all;  /* input bytes: one image, the whole batch  */
  int64_t pix, nall;       /* output pixels: one image, the whole batch */
  int64_t out_all;         /* output bytes                             */
} conv_sizes;

/* The arguments of a wg_conv2d call but its outputs and the activation
 * codes, in the documented order, and its sizes into *z. */
static wg_status conv_shape_ok(const wg_weights *w, const wg_conv2d_desc *d, wg_act_format act,
                               const wg_epilogue *ep, conv_sizes *z) {
  /* before a field of them is read */
  if (!wg_aligned(d, _Alignof(wg_conv2d_desc)) || !wg_aligned(ep, _Alignof(wg_epilogue)))
    return WG_ERR_MISALIGNED;
  wg_status st = geometry_ok(d);
  if (st != WG_OK) return st;
  z->oh = wg_conv2d_out_h(d);
  z->ow = wg_conv2d_out_w(d);
  if (z->oh < 1 || z->ow < 1) return WG_ERR_BAD_SIZE;
  int64_t taps;
  if (!wg_mul_ok(d->kernel_h, d->kernel_w, &taps) ||
      !wg_mul_ok(taps, d->channels, &z->kk) ||
      !wg_mul_ok(d->channels * d->height, d->width, &z->in_img) ||
      !wg_mul_ok(z->in_img, d->batch, &z->in_all) || !wg_mul_ok(z->oh, z->ow, &z->pix) ||
      !wg_mul_ok(z->pix, d->batch, &z->nall) ||
      !wg_mul_ok(z->nall, w->m, &z->out_all) ||
      !wg_mul_ok(z->out_all, (int64_t)wg_output_size(ep->output), &z->out_all))
    return WG_ERR_SIZE_OVERFLOW;
  if (z->kk != w->k) return WG_ERR_UNSUPPORTED;
  st = wg_check_act(act);
  if (st == WG_OK) st = wg_check_epilogue(ep, w->m);
  return st;
}

/* Every argument of a wg_conv2d call but the activation codes, in the
 * documented order, and its sizes into *z. */
static wg_status conv_args_ok(const wg_weights *w, const wg_conv2d_desc *d, const uint8_t *x,
                              wg_act_format act, const wg_epilogue *ep, void *y,
                              wg_run_info *info, conv_sizes *z) {
  if (!wg_aligned(info, _Alignof(wg_run_info))) return WG_ERR_MISALIGNED;
  wg_status st = conv_shape_ok(w, d, act, ep, z);
  if (st == WG_OK)
    st = wg_check_output(y, wg_span_of(y, z->out_all), wg_span_of(x, z->in_all), w, ep, info);
  return st;
}

/* The run of a checked wg_conv2d call: kernel k on an implicit-im2col
 * source (bsrc.h) of the input x. */
static wg_run conv_run_of(const wg_kernel *k, const wg_weights *w, const wg_conv2d_desc *d,
                          const conv_sizes *z, const uint8_t *x, wg_act_format act,
                          const wg_epilogue *ep, void *y) {
  wg_run r = {0};
  r.kern = k;
  r.w = w;
  r.src = (struct wg_bsrc){.k = z->kk, .x = x, .is_conv = 1, .layout = d->layout,
                           .pad = (uint8_t)act.zero_point, .c = d->channels, .h = d->height,
                           .w = d->width, .kh = d->kernel_h, .kw = d->kernel_w,
                           .sh = d->stride_h, .sw = d->stride_w, .pt = d->pad_top,
                           .pl = d->pad_left, .dh = d->dilation_h, .dw = d->dilation_w,
                           .oh = z->oh, .ow = z->ow};
  r.epi = wg_resolve_epilogue(ep, w, act);
  r.y = y;
  if (d->layout == WG_NCHW) {
    /* One GEMM per image: Y_img (M x OH*OW) is row-major. */
    r.n = z->pix;
    r.nimg = d->batch;
    r.x_img = z->in_img;
    r.y_img = w->m * z->pix;
    r.ys_m = z->pix;
    r.ys_n = 1;
  } else {
    /* The whole batch is one GEMM whose output is Y^T: pixel-major. */
    r.n = z->nall;
    r.nimg = 1;
    r.ys_m = 1;
    r.ys_n = w->m;
  }
  r.src.n = r.n;
  return r;
}

wg_status wg_conv2d(wg_context *ctx, const wg_weights *w,
                    const wg_conv2d_desc *d, const uint8_t *x,
                    wg_act_format act, const wg_epilogue *ep, void *y,
                    wg_run_info *info) {
  if (!ctx || !w || !d || !x || !ep || !y) return WG_ERR_NULL_POINTER;
  conv_sizes z;
  wg_status st = conv_args_ok(w, d, x, act, ep, y, info, &z);
  if (st == WG_OK)
    st = wg_codes_check(ctx, x, 1, z.in_all, z.in_all, (uint8_t)((1 << act.bits) - 1));
  if (st != WG_OK) return st;
  wg_run r = conv_run_of(NULL, w, d, &z, x, act, ep, y);
  wg_decision dc;
  st = wg_decide(ctx, &r, act, ep, &dc);
  if (st != WG_OK) return st;
  st = dc.direct ? wg_direct_conv_run(ctx, &r, dc.direct) : wg_driver_run(ctx, &r);
  if (st == WG_OK && info) {
    info->kernel = r.kern->name;
    info->method = dc.method;
  }
  return st;
}

/* wg_conv2d's checks but those of x, y, info and the codes, then its
 * decision (plan.c). */
wg_status wg_plan_conv2d(wg_context *ctx, const wg_weights *w, const wg_conv2d_desc *d,
                         wg_act_format act, const wg_epilogue *ep, wg_plan *out) {
  if (!ctx || !w || !d || !ep || !out) return WG_ERR_NULL_POINTER;
  if (!wg_aligned(out, _Alignof(wg_plan))) return WG_ERR_MISALIGNED;
  conv_sizes z;
  wg_status st = conv_shape_ok(w, d, act, ep, &z);
  if (st == WG_OK && wg_overlaps_operands(wg_span_of(out, (int64_t)sizeof *out), w, ep, w->m))
    st = WG_ERR_ALIASING;
  if (st != WG_OK) return st;
  wg_run r = conv_run_of(NULL, w, d, &z, NULL, act, ep, NULL);
  wg_decision dc;
  st = wg_decide(ctx, &r, act, ep, &dc);
  if (st == WG_OK) wg_plan_of(&r, &dc, out);
  return st;
}
