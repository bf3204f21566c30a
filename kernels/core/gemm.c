/* wg_gemm: checks every argument, then hands one image to the driver. */
#include "internal.h"

wg_status wg_gemm(wg_context *ctx, const wg_weights *w, const uint8_t *x,
                  int64_t n, int64_t ldx, wg_act_format act,
                  const wg_epilogue *ep, void *y, int64_t ldy,
                  wg_run_info *info) {
  if (!ctx) return WG_ERR_NULL_POINTER;
  wg_status st = wg_check_matrix_args(w, x, n, ldx, act, ep, y, ldy);
  if (st == WG_OK)
    st = wg_codes_check(ctx, x, w->k, n, ldx, (uint8_t)((1 << act.bits) - 1));
  if (st != WG_OK) return st;
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
  /* Whole in-place tiles, then the packing driver on the columns before
   * and after them (views of X and Y). */
  int64_t n0, in_place = wg_gemm_rows_span(ctx, &r, &n0);
  if (in_place > 0) st = wg_gemm_rows_run(ctx, &r, n0, in_place);
  int64_t cut[2][2] = {{0, n0}, {n0 + in_place, n}};
  for (int part = 0; part < 2 && st == WG_OK; part++) {
    int64_t c0 = cut[part][0], cols = cut[part][1] - c0;
    if (cols <= 0) continue;
    wg_run rest = r;
    rest.src.x += c0;
    rest.src.n = cols;
    rest.n = cols;
    rest.y = (char *)y + (size_t)c0 * wg_output_size(r.epi.output);
    st = wg_driver_run(ctx, &rest);
  }
  if (st == WG_OK && info) {
    info->kernel = k->name;
    info->method = in_place > 0 ? "gemm_in_place" : "gemm";
  }
  return st;
}
