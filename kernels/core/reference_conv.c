/* The convolution oracle (reference.h): wg_conv2d_ex's definition written
 * out literally, groups and output slice included, with exact int64 sums
 * and the reference epilogue.  Slow on purpose. */
#include "kernel.h"
#include "reference.h"

void wg_ref_conv2d(const wg_conv2d_desc *d, const wg_conv2d_options *opt, const int8_t *w,
                   int64_t m, const uint8_t *x, int zx, const wg_epilogue *ep, void *y) {
  const wg_conv2d_options none = {0}, *op = opt ? opt : &none;
  const int nchw = d->layout == WG_NCHW;
  const int64_t g_count = op->groups > 1 ? op->groups : 1;
  const int64_t cg = d->channels / g_count, mg = m / g_count;
  const int64_t t = op->out_channels ? op->out_channels : m, o = op->out_channel_offset;
  const int64_t kk = cg * d->kernel_h * d->kernel_w;
  const int64_t oh = (d->height + d->pad_top + d->pad_bottom - d->dilation_h * (d->kernel_h - 1) -
                      1) / d->stride_h + 1;
  const int64_t ow = (d->width + d->pad_left + d->pad_right - d->dilation_w * (d->kernel_w - 1) -
                      1) / d->stride_w + 1;
  size_t es = wg_output_size(ep->output);
  for (int64_t b = 0; b < d->batch; b++)
    for (int64_t mo = 0; mo < m; mo++)
      for (int64_t i = 0; i < oh; i++)
        for (int64_t j = 0; j < ow; j++) {
          int64_t z = 0;
          for (int64_t ci = 0; ci < cg; ci++)
            for (int64_t u = 0; u < d->kernel_h; u++)
              for (int64_t v = 0; v < d->kernel_w; v++) {
                int64_t c = (mo / mg) * cg + ci; /* the input channel */
                int64_t ih = i * d->stride_h - d->pad_top + u * d->dilation_h;
                int64_t iw = j * d->stride_w - d->pad_left + v * d->dilation_w;
                int64_t xv = zx;
                if (ih >= 0 && ih < d->height && iw >= 0 && iw < d->width)
                  xv = nchw ? x[((b * d->channels + c) * d->height + ih) * d->width + iw]
                            : x[((b * d->height + ih) * d->width + iw) * d->channels + c];
                int64_t tap = nchw ? (ci * d->kernel_h + u) * d->kernel_w + v
                                   : (u * d->kernel_w + v) * cg + ci;
                z += (int64_t)w[mo * kk + tap] * (xv - zx);
              }
          int64_t at = nchw ? ((b * t + o + mo) * oh + i) * ow + j
                            : ((b * oh + i) * ow + j) * t + o + mo;
          wg_ref_output(ep, mo, z, (char *)y + (size_t)at * es);
        }
}
