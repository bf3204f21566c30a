/* libFuzzer harness: one wg_conv2d or wg_conv2d_ex call chosen by the
 * input's header bytes (either layout, any window, asymmetric padding,
 * stride, dilation, batch; a forced or the automatic kernel; the direct
 * convolution on or off; 1-3 pool threads or an engine's parallel-for) and
 * the bytes after its seed (groups: depthwise with a multiplier or any
 * divisor of C; an output slice of a wider tensor; fuzz_conv_options.h), on
 * tensors the input's seed fills (fuzz_input.h), compared bit for bit with
 * wg_ref_conv2d; the whole output buffer (the channels around and between
 * slices included) and X must hold nothing else, and wg_plan_conv2d_ex must
 * agree.  A planted fault (of the data, the epilogue or the options) must
 * return its status and write nothing.  Channels reach 512, so K = C*KH*KW
 * crosses the direct convolution's depth limit and the depth blocks. */
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "core/reference.h"
#include "fuzz_conv_options.h"
#include "fuzz_input.h"
#include "wrapgemm.h"


/* The oracle: wg_ref_conv2d (reference_conv.c, built without coverage
 * hooks: its loops are the oracle, not paths to explore) on a dense copy of
 * the m x kk weights, which the harness gives a row stride ldw. */
static void fuzz_ref_conv(const wg_conv2d_desc *d, const wg_conv2d_options *opt,
                          const int8_t *w, int64_t m, int64_t kk, int64_t ldw, const uint8_t *x,
                          int zx, const wg_epilogue *ep, unsigned char *y) {
  int8_t *dense = malloc((size_t)(m * kk));
  if (!dense) abort();
  for (int64_t i = 0; i < m; i++) memcpy(dense + i * kk, w + i * ldw, (size_t)kk);
  wg_ref_conv2d(d, opt, dense, m, x, zx, ep, y);
  free(dense);
}

/* Whether the kernel of that name has depthwise rows (kernel.h). */
static int fuzz_has_depthwise_rows(const char *name) {
  for (int i = 0; i < wg_kernel_table_size; i++)
    if (strcmp(wg_kernels[i]->name, name) == 0) return wg_kernels[i]->depthwise_row != NULL;
  abort(); /* a kernel name outside the table */
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
  /* After the seed: groups, slice, option fault (fuzz_conv_options.h). */
  fuzz_conv_opts co = fuzz_conv_opts_of(take(&c), take(&c), take(&c));
  if (co.fault) fault = FUZZ_NONE; /* one fault per input */
  fuzz_conv_groups(&co, cc, &d.channels);

  int64_t kk = d.channels / co.groups * d.kernel_h * d.kernel_w;
  int64_t oh = wg_conv2d_out_h(&d), ow = wg_conv2d_out_w(&d);
  int window = oh > 0 && ow > 0;
  /* At most ~2M multiply-adds in the reference and 50K weights to pack
   * (once per kernel): deep inputs with few output channels. */
  int64_t cap = 50000 / kk;
  if (window && 2000000 / (d.batch * oh * ow * kk) < cap)
    cap = 2000000 / (d.batch * oh * ow * kk);
  m = m < cap ? m : cap < 1 ? 1 : cap;
  if (co.groups > 1) { /* whole groups: the cap in groups, at least one row each */
    int64_t mg = fuzz_conv_group_rows(&co, mb);
    m = co.groups * (mg < cap / co.groups ? mg : cap / co.groups < 1 ? 1 : cap / co.groups);
  }
  fuzz_conv_slice(&co, m);
  wg_conv2d_options bad;
  wg_status opt_want;
  fuzz_conv_plant(&rng, &co, d.channels, m, window, &bad, &opt_want);
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
  int64_t tch = co.opt.out_channels ? co.opt.out_channels : m;
  int64_t outs = window ? d.batch * tch * oh * ow : 1;
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
    int64_t lo, hi; /* an element of the slice's range, stride gaps included */
    fuzz_slice_range(&d, &co.opt, m, oh * ow, &lo, &hi);
    y = fuzz_alias_y(t, lo + rng_below(&rng, (uint32_t)(hi - lo)), es);
  }
  fuzz_epi_rows rows_copy = rows;
  fuzz_x_snapshot(&xb);

  wg_context *ctx = fuzz_context(tb / 4);
  wg_weights *pw = NULL;
  int forced = kernel >= 0 && wg_kernel_available(kernel);
  if (forced && wg_context_force_kernel(ctx, wg_kernel_name(kernel)) != WG_OK) abort();
  if (wg_context_set_direct_conv(ctx, direct) != WG_OK) abort();
  wg_status st = co.pack_groups > 1
                     ? wg_weights_pack_grouped(ctx, w, co.pack_groups, m, kk, ldw, wf, wbits, &pw)
                     : wg_weights_pack(ctx, w, m, kk, ldw, wf, wbits, &pw);
  if (fault == FUZZ_BAD_WCODE) {
    if (st != WG_ERR_BAD_CODE) abort(); /* a weight outside its format packed */
  } else {
    if (st != WG_OK) abort();
    if (wg_weights_groups(pw) != co.pack_groups) abort();
    wg_conv2d_options misbuf_opt[2];
    const wg_conv2d_options *optp = !co.use ? NULL
                                    : co.fault == FUZZ_OPT_MISALIGNED
                                        ? fuzz_misaligned_opts(&rng, &bad, misbuf_opt)
                                        : &bad;
    /* The plan of the same call, before or after it: the same status, and
     * on success its kernel and method (only with no fault of X, Y or the
     * epilogue, which a plan does not see or checks differently). */
    wg_plan plan, plan_unset;
    memset(&plan, 0xA5, sizeof plan);
    plan_unset = plan;
    wg_status pst = WG_OK;
    int planned = fault == FUZZ_NONE;
    if (planned && co.plan_first) pst = wg_plan_conv2d_ex(ctx, pw, &d, optp, act, &ep, &plan);
    wg_run_info info = {"unset", "unset"};
    st = optp ? wg_conv2d_ex(ctx, pw, &d, optp, x, act, &ep, y, &info)
              : wg_conv2d(ctx, pw, &d, x, act, &ep, y, &info);
    if (planned && !co.plan_first)
      pst = optp ? wg_plan_conv2d_ex(ctx, pw, &d, optp, act, &ep, &plan)
                 : wg_plan_conv2d(ctx, pw, &d, act, &ep, &plan);
    wg_status want = fault ? fuzz_fault_status(fault) : co.fault ? opt_want
                     : window ? WG_OK : WG_ERR_BAD_SIZE;
    fuzz_trace("conv %s N=%lld C=%lld %lldx%lld win=%lldx%lld s=%lld,%lld d=%lld,%lld "
               "pad=%lld,%lld,%lld,%lld m=%lld w=%d/%d act=%d zx=%d b=%d cyc=%d/%d out=%d "
               "kernel=%s fault=%d threads=%u direct=%d G=%lld/%lld T=%lld o=%lld opt=%d "
               "optfault=%d: %s %s %s\n",
               d.layout ? "nhwc" : "nchw", (long long)d.batch, (long long)d.channels,
               (long long)d.height, (long long)d.width, (long long)d.kernel_h,
               (long long)d.kernel_w, (long long)d.stride_h, (long long)d.stride_w,
               (long long)d.dilation_h, (long long)d.dilation_w, (long long)d.pad_top,
               (long long)d.pad_left, (long long)d.pad_bottom, (long long)d.pad_right,
               (long long)m, wf, wbits, act.bits, act.zero_point, ep.acc_bits, ep.cyclic,
               ep.slope, ep.output, forced ? wg_kernel_name(kernel) : "auto", fault,
               tb / 4 % 8, direct, (long long)co.groups, (long long)co.pack_groups,
               (long long)co.opt.out_channels, (long long)co.opt.out_channel_offset, co.use,
               co.fault, wg_status_name(st), info.kernel, info.method);
    fuzz_check_status(st, want, fits, forced);
    if (planned && pst != st) abort(); /* plan and call disagree */
    if (st == WG_OK) {
      fuzz_ref_conv(&d, co.use ? &co.opt : NULL, w, m, kk, ldw, x, act.zero_point, &ep,
                    out.want + (y - out.buf));
      if (forced && strcmp(info.kernel, wg_kernel_name(kernel)) != 0) abort();
      if (co.groups > 1) { /* depthwise rows exactly when they can run */
        int dw = co.groups == d.channels && direct && fuzz_has_depthwise_rows(info.kernel);
        if (strcmp(info.method, dw ? "depthwise" : "implicit_im2col") != 0) abort();
      } else if (strcmp(info.method, "implicit_im2col") != 0 &&
                 (strcmp(info.method, "direct") != 0 || !direct)) {
        abort(); /* direct although switched off, or no method */
      }
      if (planned && (strcmp(plan.kernel, info.kernel) != 0 ||
                      strcmp(plan.method, info.method) != 0))
        abort();
    } else {
      if (strcmp(info.kernel, "unset") != 0 || strcmp(info.method, "unset") != 0)
        abort(); /* info written on error */
      if (planned && memcmp(&plan, &plan_unset, sizeof plan) != 0) abort();
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
