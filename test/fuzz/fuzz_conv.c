/* libFuzzer harness: one wg_conv2d call chosen by the input's header bytes
 * (either layout, any window, asymmetric padding, stride, dilation, batch;
 * a forced or the automatic kernel; the direct convolution on or off; 1-3
 * pool threads or an engine's parallel-for), on tensors the input's seed
 * fills (fuzz_input.h), compared bit for bit with the convolution from its
 * definition through the reference epilogue; the whole output buffer and X
 * must hold nothing else.  A planted fault must return its status and write
 * nothing.  Channels reach 512, so K = C*KH*KW crosses the direct
 * convolution's depth limit and the depth blocks. */
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "core/reference.h"
#include "fuzz_input.h"
#include "wrapgemm.h"


/* z[m][pixel] summed literally; the padding holds the zero-point code.  No
 * coverage hooks: these loops are the oracle, not paths to explore. */
__attribute__((no_sanitize("coverage"), noinline)) static void reference(
    const wg_conv2d_desc *d, int64_t m, const int8_t *w, int64_t ldw, const uint8_t *x, int zx,
    const wg_epilogue *ep, int64_t oh, int64_t ow, unsigned char *y) {
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
                z += (int64_t)w[o * ldw + k] * (v - zx);
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
  unsigned lb = take(&c);
  d.layout = (wg_layout)(lb % 2);
  d.batch = 1 + lb / 2 % 3;
  /* Channels: multiples of 4 most often (the direct path), any small
   * count, or many (deep K: past the direct limit and the depth blocks). */
  static const int64_t deep[8] = {64, 128, 252, 256, 260, 512, 36, 100};
  unsigned cc = take(&c);
  d.channels = cc % 8 == 0 ? deep[cc / 8 % 8]
               : cc % 8 < 3 ? 1 + cc / 8 % 23 : 4 * (1 + cc / 8 % 8);
  d.height = 1 + take(&c) % 12;
  d.width = 1 + take(&c) % 12;
  unsigned kb = take(&c);
  d.kernel_h = 1 + kb % 5;
  d.kernel_w = 1 + kb / 5 % 5;
  unsigned sb = take(&c);
  d.stride_h = 1 + sb % 3;
  d.stride_w = 1 + sb / 3 % 3;
  d.dilation_h = 1 + sb / 9 % 2;
  d.dilation_w = 1 + sb / 18 % 2;
  unsigned pb = take(&c);
  d.pad_top = pb % 4;
  d.pad_left = pb / 4 % 4;
  d.pad_bottom = pb / 16 % 4;
  d.pad_right = pb / 64 % 4;
  unsigned mb = take(&c);
  int64_t m = mb < 240 ? 1 + mb % 35 : 19 + (mb - 240) * 3;
  if (d.channels >= 64) { /* keep the reference's work small */
    d.height = d.height < 5 ? d.height : 1 + d.height % 5;
    d.width = d.width < 5 ? d.width : 1 + d.width % 5;
    d.batch = 1;
  }
  unsigned fb = take(&c);
  wg_weight_format wf = (wg_weight_format)(fb % 3);
  int wbits = 2 + (int)(fb / 3 % 7);
  wg_act_format act = {1 + (int)(take(&c) % 8), 0};
  act.zero_point = fuzz_zero_point(take(&c), act.bits);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = fuzz_acc_bits(take(&c));
  unsigned cb = take(&c);
  ep.cyclic = (wg_cyclic)(cb % 3);
  ep.slope = fuzz_slope(cb / 3);
  /* Byte outputs more often: the direct convolution's epilogues. */
  unsigned ob = take(&c);
  ep.output = ob % 2 ? (ob / 2 % 2 ? WG_OUTPUT_INT8 : WG_OUTPUT_UINT8_FLOAT)
                     : (wg_output_kind)(ob / 2 % 6);
  ep.relu = (int)(ob / 12 % 2);
  ep.out_bits = 1 + (int)(ob / 24 % 8);
  int kernel = (int)(take(&c) % (unsigned)(wg_kernel_count() + 1)) - 1;
  unsigned tb = take(&c);
  int direct = tb % 4 != 0;
  unsigned xoff = take(&c) % 64, yb = take(&c), yoff = yb % 64;
  fuzz_fault fault = fuzz_fault_of(take(&c));
  fuzz_mix wmix = fuzz_mix_of(take(&c)), xmix = fuzz_mix_of(take(&c));
  unsigned emix = take(&c);
  fuzz_rng rng = fuzz_seed(&c);

  int64_t kk = d.channels * d.kernel_h * d.kernel_w;
  int64_t oh = wg_conv2d_out_h(&d), ow = wg_conv2d_out_w(&d);
  int window = oh > 0 && ow > 0;
  /* At most ~2M multiply-adds in the reference and 50K weights to pack
   * (once per kernel): deep inputs with few output channels. */
  int64_t cap = 50000 / kk;
  if (window && 2000000 / (d.batch * oh * ow * kk) < cap)
    cap = 2000000 / (d.batch * oh * ow * kk);
  m = m < cap ? m : cap < 1 ? 1 : cap;
  size_t es = wg_output_size(ep.output);
  int fits = fuzz_output_fits(&ep);
  if (!window || !fuzz_fault_fits(fault, &ep)) fault = FUZZ_NONE;

  int64_t ldw = kk + (int64_t)(yb / 64);
  int8_t *w = malloc((size_t)(m * ldw));
  if (!w) abort();
  fuzz_fill_weights(&rng, wmix, wf, wbits, w, m, kk, ldw);
  if (fault == FUZZ_BAD_WCODE && !fuzz_plant_bad_weight(&rng, wf, wbits, w, m, kk, ldw))
    fault = FUZZ_NONE;

  /* X dense, ending at the end of its allocation, with room on both sides
   * for an overlapping output if that is the fault. */
  int64_t outs = window ? d.batch * m * oh * ow : 1;
  size_t ybytes = (size_t)outs * es;
  size_t xn = (size_t)(d.batch * d.channels * d.height * d.width);
  size_t slack = fault == FUZZ_ALIASING ? (ybytes + 127) & ~(size_t)63 : 0;
  fuzz_x xb = fuzz_x_alloc(slack, xoff, xn);
  uint8_t *x = xb.x;
  fuzz_fill_acts(&rng, xmix, act.bits, act.zero_point, x, xn);
  if (fault == FUZZ_BAD_XCODE && !fuzz_plant_bad_act(&rng, act.bits, x, 1, (int64_t)xn, 0))
    fault = FUZZ_NONE;
  if (fault == FUZZ_BAD_ZX) act.zero_point = fuzz_bad_zero_point(&rng, act.bits);
  fuzz_stats("weights", w, m, kk, ldw);
  fuzz_stats("activations", x, 1, (int64_t)xn, 0);

  fuzz_epi_rows rows;
  fuzz_epilogue_with_faults(&rng, emix, &rows, &ep, m, fault);

  unsigned char misbuf[4 * FUZZ_MAX_ROWS + 4];
  fuzz_out out = fuzz_place_output(&rng, &ep, fault, es, yoff, ybytes, misbuf);
  unsigned char *y = out.y;
  if (fault == FUZZ_ALIASING) { /* over a byte of X or of a per-row array the call reads */
    const uint8_t *t = rng_below(&rng, 2) ? fuzz_row_byte(&rng, &ep, m) : NULL;
    if (!t) t = x + rng_below(&rng, (uint32_t)xn);
    y = fuzz_alias_y(t, rng_below(&rng, (uint32_t)outs), es);
  }
  fuzz_epi_rows rows_copy = rows;
  fuzz_x_snapshot(&xb);

  wg_context *ctx = fuzz_context(tb / 4);
  wg_weights *pw = NULL;
  int forced = kernel >= 0 && wg_kernel_available(kernel);
  if (forced && wg_context_force_kernel(ctx, wg_kernel_name(kernel)) != WG_OK) abort();
  if (wg_context_set_direct_conv(ctx, direct) != WG_OK) abort();
  wg_status st = wg_weights_pack(ctx, w, m, kk, ldw, wf, wbits, &pw);
  if (fault == FUZZ_BAD_WCODE) {
    if (st != WG_ERR_BAD_CODE) abort(); /* a weight outside its format packed */
  } else {
    if (st != WG_OK) abort();
    wg_run_info info = {"unset", "unset"};
    st = wg_conv2d(ctx, pw, &d, x, act, &ep, y, &info);
    wg_status want = fault ? fuzz_fault_status(fault) : window ? WG_OK : WG_ERR_BAD_SIZE;
    fuzz_trace("conv %s N=%lld C=%lld %lldx%lld win=%lldx%lld s=%lld,%lld d=%lld,%lld "
               "pad=%lld,%lld,%lld,%lld m=%lld w=%d/%d act=%d zx=%d b=%d cyc=%d/%d out=%d "
               "kernel=%s fault=%d threads=%u direct=%d: %s %s %s\n",
               d.layout ? "nhwc" : "nchw", (long long)d.batch, (long long)d.channels,
               (long long)d.height, (long long)d.width, (long long)d.kernel_h,
               (long long)d.kernel_w, (long long)d.stride_h, (long long)d.stride_w,
               (long long)d.dilation_h, (long long)d.dilation_w, (long long)d.pad_top,
               (long long)d.pad_left, (long long)d.pad_bottom, (long long)d.pad_right,
               (long long)m, wf, wbits, act.bits, act.zero_point, ep.acc_bits, ep.cyclic,
               ep.slope, ep.output, forced ? wg_kernel_name(kernel) : "auto", fault,
               tb / 4 % 8, direct, wg_status_name(st), info.kernel, info.method);
    fuzz_check_status(st, want, fits, forced);
    if (st == WG_OK) {
      reference(&d, m, w, ldw, x, act.zero_point, &ep, oh, ow, out.want + (y - out.buf));
      if (forced && strcmp(info.kernel, wg_kernel_name(kernel)) != 0) abort();
      if (strcmp(info.method, "implicit_im2col") != 0 &&
          (strcmp(info.method, "direct") != 0 || !direct))
        abort(); /* direct although switched off, or no method */
    } else if (strcmp(info.kernel, "unset") != 0 || strcmp(info.method, "unset") != 0) {
      abort(); /* info written on error */
    }
  }
  if (memcmp(out.buf, out.want, out.total) != 0) abort(); /* results, guards, on error */
  if (!fuzz_x_unchanged(&xb)) abort();
  if (memcmp(&rows, &rows_copy, sizeof rows) != 0) abort();            /* X unchanged */
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  free(w);
  fuzz_x_free(&xb);
  fuzz_out_free(&out);
  return 0;
}
