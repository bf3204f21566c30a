/*
 * The in-place GEMM path: a kernel with run_rows (kernel.h wg_rtile) reads a
 * plain row-major B where it lies instead of packing it.  Packing B is a
 * transpose into depth quads, and on the wide-N layers it was the largest
 * cost outside the micro-kernel (docs/performance.md, "In-place GEMM"); the
 * in-place tile does the same loads and product-accumulates per depth
 * without it.  It
 * takes whole tiles of columns from the first one whose rows are aligned
 * (wg_gemm_rows_span); the driver's tasks pack the columns before and
 * after, in the same task list.
 *
 * Tasks are column ranges of whole tiles (eight per thread, shrinking
 * towards the end of the list: wg_split_at), and row ranges of MR panels
 * when there are too few tiles.  In a
 * task, for each tile's columns, every row panel of the range runs in turn:
 * the tile's B (k rows of 64 bytes) stays in L1/L2 while the weights
 * stream from L2.  Each output comes from one micro-kernel call whatever
 * the split, so results are the same for every thread count.
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

typedef struct rows_plan {
  const wg_run *r;
  const wg_apack *ap;
  int64_t n0, tiles, nch, mch, mpanels;
  /* The packed columns before and after the tiles: their runs (views of X
   * and Y) and driver plans, whose tasks come first in the task list. */
  wg_run side_run[2];
  wg_driver_plan side[2];
  int64_t side_tasks;
} rows_plan;

static void rows_task(void *arg, int64_t t, uint8_t *mem) {
  const rows_plan *pl = arg;
  for (int s = 0; s < 2; s++) {
    if (t < pl->side[s].tasks) {
      wg_driver_task((void *)&pl->side[s], t, mem);
      return;
    }
    t -= pl->side[s].tasks;
  }
  const wg_run *r = pl->r;
  const wg_kernel *k = r->kern;
  int64_t jc = t / pl->mch, ic = t % pl->mch;
  int64_t j0 = wg_split_at(pl->tiles, pl->nch, jc), j1 = wg_split_at(pl->tiles, pl->nch, jc + 1);
  int64_t p0 = wg_split_at(pl->mpanels, pl->mch, ic);
  int64_t p1 = wg_split_at(pl->mpanels, pl->mch, ic + 1);
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

int64_t wg_gemm_rows_span(const wg_context *ctx, const wg_run *r, int64_t *n0,
                          const char **why) {
  const wg_kernel *k = r->kern;
  int64_t ld = r->src.ldx;
  *n0 = 0;
  if (!ctx->gemm_in_place) return *why = "gemm: in-place GEMM switched off", 0;
  if (!k->run_rows || r->src.is_conv || r->nimg != 1)
    return *why = "gemm: the kernel has no in-place tile", 0;
  if (r->src.trans) return *why = "gemm: X column-major (N x K), its rows are not B's", 0;
  if (r->w->zw)
    return *why = "gemm: the weights' zero point needs the packed path's column sums", 0;
  if (r->w->k > k->rows_max_depth)
    return *why = "gemm: K beyond the in-place tile's depth block", 0;
  /* Rows must start on 32-byte boundaries (64 where the stride allows), so
   * that no load splits a cache line: less aligned rows ran no faster in
   * place than packed ("In-place GEMM").  The columns before the first
   * aligned one go to the packing driver, as those after the last whole
   * tile.  A stride that is a multiple of 4 KiB puts every row of a tile in
   * the same L1 set (and a page of its own), which ran slower in place than
   * packed. */
  if (ld % 32 != 0) return *why = "gemm: ldx not a multiple of 32", 0;
  if (ld % 4096 == 0) return *why = "gemm: ldx a multiple of 4096", 0;
  uintptr_t mask = ld % 64 == 0 ? 63 : 31;
  int64_t head = (int64_t)((0 - (uintptr_t)r->src.x) & mask);
  if (r->n - head < k->rows_nr)
    return *why = "gemm: no whole in-place tile of columns from X's first aligned column", 0;
  *n0 = head;
  *why = "gemm_in_place: the kernel has an in-place tile, K within its depth block, ldx a "
         "multiple of 32 and not of 4096, and a whole tile of columns from X's first "
         "aligned column";
  return (r->n - head) / k->rows_nr * k->rows_nr;
}

wg_status wg_gemm_rows_run(wg_context *ctx, const wg_run *r, int64_t n0, int64_t ncols) {
  const wg_kernel *k = r->kern;
  rows_plan plan, *pl = &plan;
  memset(pl, 0, sizeof *pl);
  pl->r = r;
  pl->ap = wg_weights_find(r->w, k);
  pl->n0 = n0;
  pl->tiles = ncols / k->rows_nr;
  pl->nch = pl->mch = 1;
  pl->mpanels = (r->w->m + k->mr - 1) / k->mr;
  int par = ctx->runner ? ctx->runner_par : ctx->threads;
  /* The head and tail columns (at most 63 each) go to the packing driver
   * as one task each, in the same task list: a separate parallel run per
   * part would cost a hand-off and a wait apiece. */
  size_t need = 0;
  int64_t cut[2][2] = {{0, n0}, {n0 + ncols, r->n}};
  for (int s = 0; s < 2; s++) {
    int64_t c0 = cut[s][0], cols = cut[s][1] - c0;
    if (cols <= 0) continue;
    wg_run *v = &pl->side_run[s];
    *v = *r;
    v->src.x += c0;
    v->src.n = cols;
    v->n = cols;
    v->y = (char *)r->y + (size_t)(c0 * r->ys_n) * wg_output_size(r->epi.output);
    size_t b = wg_driver_plan_run(v, 1, &pl->side[s]);
    if (b > need) need = b;
    pl->side_tasks += pl->side[s].tasks;
  }
  /* Eight tasks per thread: a task costs no packing here, only its claim
   * and its tiles' weights from L2, and small tasks let a thread that the
   * host delays hand its share to the other (docs/performance.md, "Tasks
   * per thread").  Columns first; tiles too few for that (N = 64 .. 192)
   * split the rows as well, each task then reading its tiles' B itself. */
  int64_t want = par > 1 ? 8 * (int64_t)par : 1;
  pl->nch = pl->tiles < want ? pl->tiles : want;
  if (pl->nch < want) pl->mch = (want + pl->nch - 1) / pl->nch;
  if (pl->mch > pl->mpanels) pl->mch = pl->mpanels;
  return wg_run_tasks(ctx, rows_task, pl, need, pl->side_tasks + pl->nch * pl->mch);
}
