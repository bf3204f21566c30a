/* wg_gemm and wg_gemm_ex: checks every argument, then hands one image to
 * the driver.  wg_gemm is wg_gemm_ex with both operands row-major. */
#include "internal.h"

static int col_major(wg_order o) { return o == WG_COL_MAJOR; }

/* X's storage: K x n (row-major) or n x K (column-major), and Y's: M x n
 * or n x M, as rows x cols of their leading dimensions. */
static void x_extent(const wg_weights *w, const wg_gemm_desc *d, int64_t *rows, int64_t *cols) {
  *rows = col_major(d->x_order) ? d->n : w->k;
  *cols = col_major(d->x_order) ? w->k : d->n;
}

static void y_extent(const wg_weights *w, const wg_gemm_desc *d, int64_t *rows, int64_t *cols) {
  *rows = col_major(d->y_order) ? d->n : w->m;
  *cols = col_major(d->y_order) ? w->m : d->n;
}

wg_run wg_gemm_run_of(const wg_kernel *k, const wg_weights *w, const wg_gemm_desc *d,
                      const uint8_t *x, wg_act_format act, const wg_epilogue *ep, void *y) {
  wg_run r = {0};
  r.kern = k;
  r.w = w;
  r.src.k = w->k;
  r.src.n = d->n;
  r.src.x = x;
  r.src.ldx = d->ldx;
  r.src.trans = col_major(d->x_order);
  r.n = d->n;
  r.nimg = 1;
  r.epi = wg_resolve_epilogue(ep, w, act);
  r.y = y;
  r.ys_m = col_major(d->y_order) ? 1 : d->ldy;
  r.ys_n = col_major(d->y_order) ? d->ldy : 1;
  return r;
}

/* The shape of a wg_gemm_ex call, in the documented order: pointers (y
 * stands for the plan's out in wg_plan_gemm_ex), the argument structs'
 * alignment, sizes, strides, byte counts. */
static wg_status check_shape(const wg_weights *w, const wg_gemm_desc *d, const uint8_t *x,
                             const wg_epilogue *ep, const void *y, const wg_run_info *info) {
  if (!w || !d || !x || !ep || !y) return WG_ERR_NULL_POINTER;
  if (!wg_aligned(ep, _Alignof(wg_epilogue)) || !wg_aligned(info, _Alignof(wg_run_info)) ||
      !wg_aligned(d, _Alignof(wg_gemm_desc)))
    return WG_ERR_MISALIGNED;
  if (d->n < 1) return WG_ERR_BAD_SIZE;
  int64_t xr, xc, yr, yc, span;
  x_extent(w, d, &xr, &xc);
  y_extent(w, d, &yr, &yc);
  if (d->ldx < xc || d->ldy < yc) return WG_ERR_BAD_STRIDE;
  size_t es = wg_output_size(ep->output);
  if (!wg_mul_ok(xr - 1, d->ldx, &span) || !wg_add_ok(span, xc, &span) ||
      !wg_mul_ok(yr - 1, d->ldy, &span) || !wg_add_ok(span, yc, &span) ||
      !wg_mul_ok(span, (int64_t)(es ? es : 1), &span))
    return WG_ERR_SIZE_OVERFLOW;
  return WG_OK;
}

/* The options: act, the epilogue, the orders. */
static wg_status check_options(const wg_weights *w, const wg_gemm_desc *d, wg_act_format act,
                               const wg_epilogue *ep) {
  wg_status st = wg_check_act(act);
  if (st == WG_OK) st = wg_check_epilogue(ep, w->m);
  if (st == WG_OK && ((d->x_order != WG_ROW_MAJOR && d->x_order != WG_COL_MAJOR) ||
                      (d->y_order != WG_ROW_MAJOR && d->y_order != WG_COL_MAJOR)))
    st = WG_ERR_BAD_OPTION;
  return st;
}

wg_status wg_gemm_ex(wg_context *ctx, const wg_weights *w, const wg_gemm_desc *d,
                     const uint8_t *x, wg_act_format act, const wg_epilogue *ep, void *y,
                     wg_run_info *info) {
  if (!ctx) return WG_ERR_NULL_POINTER;
  wg_status st = check_shape(w, d, x, ep, y, info);
  if (st == WG_OK) st = check_options(w, d, act, ep);
  int64_t xr, xc, yr, yc;
  if (st == WG_OK) {
    x_extent(w, d, &xr, &xc);
    y_extent(w, d, &yr, &yc);
    st = wg_check_output(y, wg_span_matrix(y, yr, yc, d->ldy, (int64_t)wg_output_size(ep->output)),
                         wg_span_matrix(x, xr, xc, d->ldx, 1), w, ep, info);
  }
  if (st == WG_OK) st = wg_codes_check(ctx, x, xr, xc, d->ldx, (uint8_t)((1 << act.bits) - 1));
  if (st != WG_OK) return st;
  wg_run r = wg_gemm_run_of(NULL, w, d, x, act, ep, y);
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

wg_status wg_gemm(wg_context *ctx, const wg_weights *w, const uint8_t *x, int64_t n,
                  int64_t ldx, wg_act_format act, const wg_epilogue *ep, void *y, int64_t ldy,
                  wg_run_info *info) {
  const wg_gemm_desc d = {n, WG_ROW_MAJOR, ldx, WG_ROW_MAJOR, ldy};
  return wg_gemm_ex(ctx, w, &d, x, act, ep, y, info);
}

/* wg_gemm_ex's checks but those of y, info and the codes, then its
 * decision (plan.c); x's address only is read, for the in-place rule. */
wg_status wg_plan_gemm_ex(wg_context *ctx, const wg_weights *w, const wg_gemm_desc *d,
                          const uint8_t *x, wg_act_format act, const wg_epilogue *ep,
                          wg_plan *out) {
  if (!ctx || !w || !d || !x || !ep || !out) return WG_ERR_NULL_POINTER;
  if (!wg_aligned(out, _Alignof(wg_plan))) return WG_ERR_MISALIGNED;
  /* out stands in for y, which a plan has not: only its NULL is checked. */
  wg_status st = check_shape(w, d, x, ep, out, NULL);
  if (st == WG_OK) st = check_options(w, d, act, ep);
  if (st == WG_OK && wg_overlaps_operands(wg_span_of(out, (int64_t)sizeof *out), w, ep, w->m))
    st = WG_ERR_ALIASING;
  if (st != WG_OK) return st;
  wg_run r = wg_gemm_run_of(NULL, w, d, x, act, ep, NULL);
  wg_decision dc;
  st = wg_decide(ctx, &r, act, ep, &dc);
  if (st == WG_OK) wg_plan_of(&r, &dc, out);
  return st;
}

wg_status wg_plan_gemm(wg_context *ctx, const wg_weights *w, const uint8_t *x, int64_t n,
                       int64_t ldx, wg_act_format act, const wg_epilogue *ep, int64_t ldy,
                       wg_plan *out) {
  const wg_gemm_desc d = {n, WG_ROW_MAJOR, ldx, WG_ROW_MAJOR, ldy};
  return wg_plan_gemm_ex(ctx, w, &d, x, act, ep, out);
}
