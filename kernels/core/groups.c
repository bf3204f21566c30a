/* Grouped convolutions that no depthwise path takes: one implicit-im2col
 * GEMM per group, each on its group's own weight panels (every group of
 * grouped weights starts a panel: weights.c), input channels and output
 * channels.  The groups run one after another, each split over the
 * threads as any GEMM is; they have the same shape, so the scratch the
 * first one takes serves the others (no NO_MEMORY after a first write). */
#include "internal.h"

/* The epilogue of rows [m0, ...) as rows [0, ...): per-row data moved on. */
static wg_epi rows_from(const wg_epi *e, int64_t m0) {
  wg_epi g = *e;
  g.rowsum += m0;
  if (g.scale) g.scale += m0;
  if (g.bias) g.bias += m0;
  if (g.mult) g.mult += m0;
  if (g.shift) g.shift += m0;
  if (g.qbias) g.qbias += m0;
  return g;
}

wg_status wg_grouped_run(wg_context *ctx, const wg_run *r) {
  const int64_t ng = r->groups, mg = r->w->m / ng, cg = r->src.c / ng;
  const size_t es = wg_output_size(r->epi.output);
  for (int64_t g = 0; g < ng; g++) {
    wg_weights view;
    wg_weights_group_view(r->w, g, &view);
    wg_run rg = *r;
    rg.w = &view;
    rg.groups = 1;
    rg.src.c = cg;
    /* NCHW: the group's channel planes are an image of cg channels; NHWC:
     * its channels lie within pixels still src.cs bytes apart. */
    rg.src.x += g * cg * (r->src.layout == WG_NCHW ? r->src.h * r->src.w : 1);
    rg.epi = rows_from(&r->epi, g * mg);
    rg.y = (char *)r->y + (size_t)(g * mg * r->ys_m) * es;
    wg_status st = wg_driver_run(ctx, &rg);
    if (st != WG_OK) return st;
  }
  return WG_OK;
}
