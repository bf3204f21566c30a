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
  wg_problem p = wg_make_problem(r->w, act, ep);
  const wg_kernel *k = wg_choose_kernel(ctx, r->w, &p);
  if (!k) return WG_ERR_UNSUPPORTED;
  r->kern = k;
  wg_decision d = {0};
  d.kernel_index = table_index(k);
  d.kernel_why = ctx->forced
                     ? "forced (wg_context_force_kernel), and it accepts the call"
                     : "the first kernel of the table (priority order) that this CPU runs and "
                       "whose eligibility accepts the weights' format and codes, the "
                       "activation bits and b";
  if (r->src.is_conv) {
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
