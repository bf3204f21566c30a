/* wg_gemm: checks every argument, then hands one image to the driver. */
#include "internal.h"

wg_status wg_gemm(wg_context *ctx, const wg_weights *w, const uint8_t *x,
                  int64_t n, int64_t ldx, wg_act_format act,
                  const wg_epilogue *ep, void *y, int64_t ldy,
                  wg_run_info *info) {
  if (!ctx || !w || !x || !ep || !y) return WG_ERR_NULL_POINTER;
  if (n < 1) return WG_ERR_BAD_SIZE;
  if (ldx < n || ldy < n) return WG_ERR_BAD_STRIDE;
  int64_t span;
  size_t es = wg_output_size(ep->output);
  if (!wg_mul_ok(w->k - 1, ldx, &span) || !wg_add_ok(span, n, &span) ||
      !wg_mul_ok(w->m - 1, ldy, &span) || !wg_add_ok(span, n, &span) ||
      !wg_mul_ok(span, (int64_t)(es ? es : 1), &span))
    return WG_ERR_SIZE_OVERFLOW;
  wg_status st = wg_check_act(act);
  if (st == WG_OK) st = wg_check_epilogue(ep, w->m);
  if (st != WG_OK) return st;
  if (!wg_codes_fit(x, w->k, n, ldx, (uint8_t)((1 << act.bits) - 1)))
    return WG_ERR_BAD_CODE;
  wg_problem p = wg_make_problem(w, act, ep);
  const wg_kernel *k = wg_choose_kernel(ctx, w, &p);
  if (!k) return WG_ERR_UNSUPPORTED;

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
  st = wg_driver_run(ctx, &r);
  if (st == WG_OK && info) info->kernel = k->name;
  return st;
}
