/* wg_gemm: checks every argument, then hands one image to the driver. */
#include "internal.h"

wg_run wg_gemm_run_of(const wg_kernel *k, const wg_weights *w, const uint8_t *x, int64_t n,
                      int64_t ldx, wg_act_format act, const wg_epilogue *ep, void *y,
                      int64_t ldy) {
  wg_run r = {0};
  r.kern = k;
  r.w = w;
  r.src.k = w->k;
  r.src.n = n;
  r.src.x = x;
  r.src.ldx = ldx;
  r.n = n;
  r.nimg = 1;
  r.epi = wg_resolve_epilogue(ep, w, act);
  r.y = y;
  r.ys_m = ldy;
  r.ys_n = 1;
  return r;
}

wg_status wg_gemm(wg_context *ctx, const wg_weights *w, const uint8_t *x,
                  int64_t n, int64_t ldx, wg_act_format act,
                  const wg_epilogue *ep, void *y, int64_t ldy,
                  wg_run_info *info) {
  if (!ctx) return WG_ERR_NULL_POINTER;
  wg_status st = wg_check_matrix_args(w, x, n, ldx, act, ep, y, ldy, info);
  if (st == WG_OK)
    st = wg_codes_check(ctx, x, w->k, n, ldx, (uint8_t)((1 << act.bits) - 1));
  if (st != WG_OK) return st;
  wg_run r = wg_gemm_run_of(NULL, w, x, n, ldx, act, ep, y, ldy);
  wg_decision dc;
  st = wg_decide(ctx, &r, act, ep, &dc);
  if (st != WG_OK) return st;
  /* Whole in-place tiles where X allows, the columns around them packed
   * (gemm_rows.c); otherwise everything packed. */
  st = dc.in_place > 0 ? wg_gemm_rows_run(ctx, &r, dc.n0, dc.in_place) : wg_driver_run(ctx, &r);
  if (st == WG_OK && info) {
    info->kernel = r.kern->name;
    info->method = dc.method;
  }
  return st;
}

/* wg_gemm's checks but those of y, info and the codes, then its decision
 * (plan.c); x's address only is read, for the in-place rule. */
wg_status wg_plan_gemm(wg_context *ctx, const wg_weights *w, const uint8_t *x, int64_t n,
                       int64_t ldx, wg_act_format act, const wg_epilogue *ep, int64_t ldy,
                       wg_plan *out) {
  if (!ctx || !w || !x || !ep || !out) return WG_ERR_NULL_POINTER;
  if (!wg_aligned(out, _Alignof(wg_plan))) return WG_ERR_MISALIGNED;
  /* out stands in for y, which a plan has not: only its NULL is checked. */
  wg_status st = wg_check_matrix_shape(w, x, n, ldx, ep, out, ldy, NULL);
  if (st == WG_OK) st = wg_check_act(act);
  if (st == WG_OK) st = wg_check_epilogue(ep, w->m);
  if (st == WG_OK && wg_overlaps_operands(wg_span_of(out, (int64_t)sizeof *out), w, ep, w->m))
    st = WG_ERR_ALIASING;
  if (st != WG_OK) return st;
  wg_run r = wg_gemm_run_of(NULL, w, x, n, ldx, act, ep, NULL, ldy);
  wg_decision dc;
  st = wg_decide(ctx, &r, act, ep, &dc);
  if (st == WG_OK) wg_plan_of(&r, &dc, out);
  return st;
}
