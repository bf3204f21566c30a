/*
 * The in-place GEMM path: a kernel with run_rows (kernel.h wg_rtile) reads a
 * plain row-major B where it lies instead of packing it.  Packing B is a
 * transpose into depth quads, and on the wide-N layers it was the largest
 * cost outside the micro-kernel (13% of 64 x 3136 x 576); the in-place tile
 * does the same loads and product-accumulates per depth without it.  It
 * takes whole tiles of columns from the first one whose rows are aligned
 * (wg_gemm_rows_span); the driver packs the columns before and after.
 *
 * Tasks are column ranges of whole tiles, dealt out evenly (two per thread),
 * and row ranges of MR panels when there are too few tiles for that.  In a
 * task, for each tile's columns, every row panel of the range runs in turn:
 * the tile's B (k rows of 64 bytes) stays in L1/L2 while the weights
 * stream from L2.  Each output comes from one micro-kernel call whatever
 * the split, so results are the same for every thread count.
 */
#include <stdint.h>

#include "internal.h"

typedef struct rows_plan {
  const wg_run *r;
  const wg_apack *ap;
  int64_t n0, tiles, nch, mch, ppc, mpanels;
} rows_plan;

static void rows_task(void *arg, int64_t t, uint8_t *mem) {
  (void)mem;
  const rows_plan *pl = arg;
  const wg_run *r = pl->r;
  const wg_kernel *k = r->kern;
  int64_t jc = t / pl->mch, ic = t % pl->mch;
  int64_t j0 = jc * pl->tiles / pl->nch, j1 = (jc + 1) * pl->tiles / pl->nch;
  int64_t p0 = ic * pl->ppc, p1 = p0 + pl->ppc;
  if (p1 > pl->mpanels) p1 = pl->mpanels;
  size_t es = wg_output_size(r->epi.output);
  for (int64_t j = j0; j < j1; j++) {
    int64_t n0 = pl->n0 + j * k->rows_nr;
    for (int64_t ip = p0; ip < p1; ip++) {
      int64_t m0 = ip * k->mr, rows = r->w->m - m0;
      wg_rtile tile = {
          .k = r->w->k,
          .a = (const char *)pl->ap->data + (size_t)ip * pl->ap->panel_bytes,
          .b = r->src.x + n0,
          .ldb = r->src.ldx,
          .epi = &r->epi,
          .m0 = m0,
          .rows = (int)(rows < k->mr ? rows : k->mr),
          .y = (char *)r->y + (size_t)(m0 * r->ys_m + n0 * r->ys_n) * es,
          .ys_m = r->ys_m,
          .ys_n = r->ys_n,
      };
      k->run_rows(&tile);
    }
  }
}

int64_t wg_gemm_rows_span(const wg_context *ctx, const wg_run *r, int64_t *n0) {
  const wg_kernel *k = r->kern;
  int64_t ld = r->src.ldx;
  *n0 = 0;
  if (!ctx->gemm_in_place || !k->run_rows || r->src.is_conv || r->nimg != 1 ||
      r->w->k > k->rows_max_depth)
    return 0;
  /* Rows must start on 32-byte boundaries (64 where the stride allows), so
   * that no load splits a cache line: 64 x 3136 x 576 ran 1.13x the packed
   * GEMM with X 64-byte aligned, 1.10x 32-byte aligned and 0.99-1.05x at 16
   * bytes (in-process A/B), and strides such as 196 or 784 ran slower in
   * place than packed.  The columns before the first aligned one go to the
   * packing driver, as those after the last whole tile.  A stride that is
   * a multiple of 4 KiB puts every row of a tile in the same L1 set (and a
   * page of its own): 57-60% of the ceiling at N = 4096 and 8192, against
   * 68-72% packed. */
  if (ld % 32 != 0 || ld % 4096 == 0) return 0;
  uintptr_t mask = ld % 64 == 0 ? 63 : 31;
  int64_t head = (int64_t)((0 - (uintptr_t)r->src.x) & mask);
  if (r->n - head < k->rows_nr) return 0;
  *n0 = head;
  return (r->n - head) / k->rows_nr * k->rows_nr;
}

wg_status wg_gemm_rows_run(wg_context *ctx, const wg_run *r, int64_t n0, int64_t ncols) {
  const wg_kernel *k = r->kern;
  rows_plan pl = {r, wg_weights_find(r->w, k), n0, ncols / k->rows_nr, 1, 1, 0, 0};
  pl.mpanels = (r->w->m + k->mr - 1) / k->mr;
  int par = ctx->runner ? ctx->runner_par : ctx->threads;
  int64_t want = par > 1 ? 2 * (int64_t)par : 1;
  /* Columns first; tiles too few for `want` tasks (N = 64 .. 192) split
   * the rows as well, each task then reading its tiles' B itself. */
  pl.nch = pl.tiles < want ? pl.tiles : want;
  if (pl.nch < want) pl.mch = (want + pl.nch - 1) / pl.nch;
  if (pl.mch > pl.mpanels) pl.mch = pl.mpanels;
  pl.ppc = (pl.mpanels + pl.mch - 1) / pl.mch;
  pl.mch = (pl.mpanels + pl.ppc - 1) / pl.ppc;
  return wg_run_tasks(ctx, rows_task, &pl, 0, pl.nch * pl.mch);
}
