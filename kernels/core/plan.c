/* The one place that decides which kernel runs a checked call and by
 * which method (packed GEMM, in-place GEMM, implicit im2col, direct
 * convolution), and why.  wg_gemm and wg_conv2d run what it decides;
 * wg_plan_gemm and wg_plan_conv2d report it without running, so the two
 * cannot disagree (test/test_plan.c checks that they do not). */
#include "internal.h"

static int table_index(const wg_kernel *k) {
  for (int i = 0; i < wg_kernel_table_size; i++)
    if (wg_kernels[i] == k) return i;
  return -1; /* unreachable: every kernel chosen is in the table */
}

wg_status wg_decide(const wg_context *ctx, wg_run *r, wg_act_format act, const wg_epilogue *ep,
                    wg_decision *dc) {
  /* Grouped weights are packed group by group: only wg_conv2d reads them. */
  if (!r->src.is_conv && r->w->groups != 1) return WG_ERR_UNSUPPORTED;
  wg_problem p = wg_make_problem(r->w, act, ep);
  p.conv_nhwc = r->src.is_conv && r->src.layout == WG_NHWC;
  /* A grouped convolution is G products of M/G rows: the kernel is chosen
   * for one group's (a rule on M, such as a kernel's auto_min_m, sees M/G). */
  wg_weights group;
  const wg_weights *kw = r->w;
  if (r->src.is_conv && r->groups > 1) {
    wg_weights_group_view(r->w, 0, &group);
    kw = &group;
  }
  const wg_kernel *k = wg_choose_kernel(ctx, kw, &p);
  if (!k) return WG_ERR_UNSUPPORTED;
  r->kern = k;
  wg_decision d = {0};
  d.kernel_index = table_index(k);
  d.kernel_why = ctx->forced
                     ? "forced (wg_context_force_kernel), and it accepts the call"
                     : "the first kernel of the table (priority order) that this CPU runs and "
                       "whose eligibility accepts the weights' format and codes, the "
                       "activation bits and b (and whose auto_min_m, or auto_min_m_nhwc for an NHWC convolution, the weights' rows reach)";
  if (r->src.is_conv && r->groups > 1) {
    d.depthwise = wg_depthwise_ok(ctx, r, &d.method_why);
    d.method = d.depthwise ? "depthwise" : "implicit_im2col";
  } else if (r->src.is_conv && r->w->zw) {
    d.method = "implicit_im2col";
    d.method_why = "implicit_im2col: the weights' zero point needs the packed path's column sums";
  } else if (r->src.is_conv) {
    d.direct = wg_direct_conv_weights(ctx, r, &d.method_why);
    d.method = d.direct ? "direct" : "implicit_im2col";
  } else {
    d.in_place = wg_gemm_rows_span(ctx, r, &d.n0, &d.method_why);
    d.method = d.in_place > 0 ? "gemm_in_place" : "gemm";
  }
  *dc = d;
  return WG_OK;
}

void wg_plan_of(const wg_run *r, const wg_decision *dc, wg_plan *out) {
  wg_plan p = {r->kern->name, dc->method, dc->kernel_why, dc->method_why, dc->kernel_index};
  *out = p;
}
