/* wg_conv2d and wg_conv2d_ex: check the geometry, the groups and the
 * output slice, and lower the call to the GEMM driver with an
 * implicit-im2col activation source (bsrc.h), the direct convolution, the
 * depthwise rows (depthwise.c) or one GEMM per group (groups.c). */
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

/* wg_conv2d_options as geometry_ok checks d: negative fields, then the
 * limit (which holds whatever the other fields), then groups against C. */
static wg_status options_ok(const wg_conv2d_desc *d, const wg_conv2d_options *o) {
  if (o->groups < 0 || o->out_channels < 0 || o->out_channel_offset < 0) return WG_ERR_BAD_SIZE;
  const int64_t lim = (int64_t)1 << 31;
  if (o->groups >= lim || o->out_channels >= lim || o->out_channel_offset >= lim)
    return WG_ERR_SIZE_OVERFLOW;
  if (o->groups > 1 && d->channels % o->groups != 0) return WG_ERR_BAD_SIZE;
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
  int64_t groups;          /* G >= 1                                   */
  int64_t kk;              /* GEMM depth: kernel taps x channels / G   */
  int64_t in_img, in_all;  /* input bytes: one image, the whole batch  */
  int64_t pix, nall;       /* output pixels: one image, the whole batch */
  int64_t oc;              /* channels of the output tensor (T >= M)   */
  int64_t out_at, out_end; /* elements of y the call may write: [out_at,
                              out_end), stride gaps included           */
} conv_sizes;

/* The output's element range: a slice of T channels at offset o of a
 * tensor whose pixels (NHWC) or images (NCHW) are T channels apart. */
static int out_range(const wg_conv2d_desc *d, int64_t o, int64_t m, conv_sizes *z) {
  int64_t last;
  if (d->layout == WG_NHWC) {
    z->out_at = o;
    return wg_mul_ok(z->nall - 1, z->oc, &last) && wg_add_ok(last, o + m, &z->out_end);
  }
  return wg_mul_ok(o, z->pix, &z->out_at) && wg_mul_ok(d->batch - 1, z->oc, &last) &&
         wg_add_ok(last, o + m, &last) && wg_mul_ok(last, z->pix, &z->out_end);
}

/* The arguments of a wg_conv2d_ex call but its outputs and the activation
 * codes, in the documented order, and its sizes into *z; *o is opt or the
 * defaults. */
static wg_status conv_shape_ok(const wg_weights *w, const wg_conv2d_desc *d,
                               const wg_conv2d_options *opt, wg_act_format act,
                               const wg_epilogue *ep, conv_sizes *z, wg_conv2d_options *o) {
  /* before a field of them is read */
  if (!wg_aligned(d, _Alignof(wg_conv2d_desc)) || !wg_aligned(ep, _Alignof(wg_epilogue)) ||
      !wg_aligned(opt, _Alignof(wg_conv2d_options)))
    return WG_ERR_MISALIGNED;
  *o = opt ? *opt : (wg_conv2d_options){0};
  wg_status st = geometry_ok(d);
  if (st == WG_OK) st = options_ok(d, o);
  if (st != WG_OK) return st;
  z->oh = wg_conv2d_out_h(d);
  z->ow = wg_conv2d_out_w(d);
  if (z->oh < 1 || z->ow < 1) return WG_ERR_BAD_SIZE;
  z->groups = o->groups > 1 ? o->groups : 1;
  z->oc = o->out_channels ? o->out_channels : w->m;
  if (z->oc < o->out_channel_offset + w->m) return WG_ERR_BAD_STRIDE;
  int64_t taps, bytes;
  if (!wg_mul_ok(d->kernel_h, d->kernel_w, &taps) ||
      !wg_mul_ok(taps, d->channels / z->groups, &z->kk) ||
      !wg_mul_ok(d->channels * d->height, d->width, &z->in_img) ||
      !wg_mul_ok(z->in_img, d->batch, &z->in_all) || !wg_mul_ok(z->oh, z->ow, &z->pix) ||
      !wg_mul_ok(z->pix, d->batch, &z->nall) || !out_range(d, o->out_channel_offset, w->m, z) ||
      !wg_mul_ok(z->out_end, (int64_t)wg_output_size(ep->output), &bytes))
    return WG_ERR_SIZE_OVERFLOW;
  if (z->kk != w->k || z->groups != w->groups) return WG_ERR_UNSUPPORTED;
  st = wg_check_act(act);
  if (st == WG_OK) st = wg_check_epilogue(ep, w->m);
  return st;
}

/* Every argument of a wg_conv2d_ex call but the activation codes, in the
 * documented order, and its sizes into *z, its options into *o.  The
 * output's span is the slice's range (stride gaps included). */
static wg_status conv_args_ok(const wg_weights *w, const wg_conv2d_desc *d,
                              const wg_conv2d_options *opt, const uint8_t *x, wg_act_format act,
                              const wg_epilogue *ep, void *y, wg_run_info *info, conv_sizes *z,
                              wg_conv2d_options *o) {
  if (!wg_aligned(info, _Alignof(wg_run_info))) return WG_ERR_MISALIGNED;
  wg_status st = conv_shape_ok(w, d, opt, act, ep, z, o);
  if (st == WG_OK) {
    int64_t es = (int64_t)wg_output_size(ep->output);
    wg_span ys = wg_span_of((const char *)y + z->out_at * es, (z->out_end - z->out_at) * es);
    st = wg_check_output(y, ys, wg_span_of(x, z->in_all), w, ep, info);
  }
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
                           .oh = z->oh, .ow = z->ow, .cs = d->channels};
  r.epi = wg_resolve_epilogue(ep, w, act);
  /* y at the slice's first channel (a plan has no y) */
  r.y = y ? (char *)y + (size_t)z->out_at * wg_output_size(ep->output) : NULL;
  r.groups = z->groups;
  if (d->layout == WG_NCHW) {
    /* One GEMM per image: Y_img (M x OH*OW) is row-major, images T
     * channel planes apart. */
    r.n = z->pix;
    r.nimg = d->batch;
    r.x_img = z->in_img;
    r.y_img = z->oc * z->pix;
    r.ys_m = z->pix;
    r.ys_n = 1;
  } else {
    /* The whole batch is one GEMM whose output is Y^T: pixel-major, pixels
     * T channels apart (the transposed Y's ldy). */
    r.n = z->nall;
    r.nimg = 1;
    r.ys_m = 1;
    r.ys_n = z->oc;
  }
  r.src.n = r.n;
  return r;
}

wg_status wg_conv2d_ex(wg_context *ctx, const wg_weights *w, const wg_conv2d_desc *d,
                       const wg_conv2d_options *opt, const uint8_t *x, wg_act_format act,
                       const wg_epilogue *ep, void *y, wg_run_info *info) {
  if (!ctx || !w || !d || !x || !ep || !y) return WG_ERR_NULL_POINTER;
  conv_sizes z;
  wg_conv2d_options o;
  wg_status st = conv_args_ok(w, d, opt, x, act, ep, y, info, &z, &o);
  if (st == WG_OK)
    st = wg_codes_check(ctx, x, 1, z.in_all, z.in_all, (uint8_t)((1 << act.bits) - 1));
  if (st != WG_OK) return st;
  wg_run r = conv_run_of(NULL, w, d, &z, x, act, ep, y);
  wg_decision dc;
  st = wg_decide(ctx, &r, act, ep, &dc);
  if (st != WG_OK) return st;
  if (dc.depthwise)
    st = wg_depthwise_run(ctx, &r);
  else if (r.groups > 1)
    st = wg_grouped_run(ctx, &r);
  else
    st = dc.direct ? wg_direct_conv_run(ctx, &r, dc.direct) : wg_driver_run(ctx, &r);
  if (st == WG_OK && info) {
    info->kernel = r.kern->name;
    info->method = dc.method;
  }
  return st;
}

wg_status wg_conv2d(wg_context *ctx, const wg_weights *w, const wg_conv2d_desc *d,
                    const uint8_t *x, wg_act_format act, const wg_epilogue *ep, void *y,
                    wg_run_info *info) {
  return wg_conv2d_ex(ctx, w, d, NULL, x, act, ep, y, info);
}

/* wg_conv2d_ex's checks but those of x, y, info and the codes, then its
 * decision (plan.c). */
wg_status wg_plan_conv2d_ex(wg_context *ctx, const wg_weights *w, const wg_conv2d_desc *d,
                            const wg_conv2d_options *opt, wg_act_format act,
                            const wg_epilogue *ep, wg_plan *out) {
  if (!ctx || !w || !d || !ep || !out) return WG_ERR_NULL_POINTER;
  if (!wg_aligned(out, _Alignof(wg_plan))) return WG_ERR_MISALIGNED;
  conv_sizes z;
  wg_conv2d_options o;
  wg_status st = conv_shape_ok(w, d, opt, act, ep, &z, &o);
  if (st == WG_OK && wg_overlaps_operands(wg_span_of(out, (int64_t)sizeof *out), w, ep, w->m))
    st = WG_ERR_ALIASING;
  if (st != WG_OK) return st;
  wg_run r = conv_run_of(NULL, w, d, &z, NULL, act, ep, NULL);
  wg_decision dc;
  st = wg_decide(ctx, &r, act, ep, &dc);
  if (st == WG_OK) wg_plan_of(&r, &dc, out);
  return st;
}

wg_status wg_plan_conv2d(wg_context *ctx, const wg_weights *w, const wg_conv2d_desc *d,
                         wg_act_format act, const wg_epilogue *ep, wg_plan *out) {
  return wg_plan_conv2d_ex(ctx, w, d, NULL, act, ep, out);
}
