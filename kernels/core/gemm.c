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
  wg_problem p = wg_make_problem(w, act, ep);
  const wg_kernel *k = wg_choose_kernel(ctx, w, &p);
  if (!k) return WG_ERR_UNSUPPORTED;

  wg_run r = wg_gemm_run_of(k, w, x, n, ldx, act, ep, y, ldy);
  /* Whole in-place tiles where X allows, the columns around them packed
   * (gemm_rows.c); otherwise everything packed. */
  int64_t n0, in_place = wg_gemm_rows_span(ctx, &r, &n0);
  st = in_place > 0 ? wg_gemm_rows_run(ctx, &r, n0, in_place) : wg_driver_run(ctx, &r);
  if (st == WG_OK && info) {
    info->kernel = k->name;
    info->method = in_place > 0 ? "gemm_in_place" : "gemm";
  }
  return st;
}
