/* The table pack of the x86 lookup-table kernels (lut3_tables_avx2.h). */
#include "lut3_tables_avx2.h"

#include <immintrin.h>
#include <string.h>

#include "../core/bsrc.h"
#include "pack_avx2.h"

/* One group's tables for every panel of a block from the group's three rows
 * (wg_avx2_rows_apply's callback): a ragged last panel reads its rows
 * through copies whose bytes past its columns are zero (their sums are
 * never stored). */
typedef struct tables {
  uint8_t *dst;
  int64_t cols;
  int nr;
  size_t group_bytes, panel_bytes;
  wg_lut3_build_fn build;
  const wg_bsrc *plain; /* plain rows: the next group's rows are prefetched */
  int64_t k0, n0;
  _Alignas(64) uint8_t tmp[3][WG_LUT3_MAX_NR];
} tables;

static void group_tables(const uint8_t *const r[4], int64_t g, void *arg) {
  tables *c = arg;
  /* The next group's rows, while this one builds (pack_avx2.h). */
  if (c->plain)
    wg_avx2_prefetch_rows(c->plain, c->k0 + 3 * (g + 1), c->k0 + 3 * (g + 2), c->n0, c->cols);
  /* Panel p's tables at p * panel_bytes: counted, not divided out of j (a
   * 64-bit idiv per panel and group took 13% of a 64x56x56 convolution's
   * samples on AMD EPYC Zen 5, perf). */
  uint8_t *t = c->dst + (size_t)g * c->group_bytes;
  for (int64_t j = 0; j < c->cols; j += c->nr, t += c->panel_bytes) {
    int pc = (int)(c->cols - j < c->nr ? c->cols - j : c->nr);
    const uint8_t *x[3] = {r[0] + j, r[1] + j, r[2] + j};
    if (pc < c->nr)
      for (int q = 0; q < 3; q++) x[q] = memcpy(c->tmp[q], x[q], (size_t)pc);
    c->build(x[0], x[1], x[2], pc, t);
  }
}

void wg_avx2_lut3_tables(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                         int64_t cols, int nr, size_t group_bytes, wg_lut3_build_fn build,
                         uint8_t *dst) {
  tables c = {.dst = dst,
              .cols = cols,
              .nr = nr,
              .group_bytes = group_bytes,
              .panel_bytes = (size_t)kgroups * group_bytes,
              .build = build,
              .plain = wg_bsrc_plain(src) ? src : NULL,
              .k0 = k0,
              .n0 = n0};
  memset(c.tmp, 0, sizeof c.tmp);
  if (!wg_avx2_by_rows(src, k0, 3 * kgroups)) {
    /* Sources read by columns (NHWC convolutions without the call's shifted
     * images: a pixel's channels are a run in place; X stored N x K): the
     * block's column runs, transposed
     * into rows 16 x 16 bytes at a time (pack_avx2.h), then the tables. */
    int64_t depth = 3 * kgroups;
    _Alignas(32) uint8_t runs[WG_LUT3_MAX_BLOCK], rows[WG_LUT3_MAX_BLOCK];
    wg_bsrc_cols(src, n0, cols, k0, depth, runs, depth);
    wg_avx2_pixels_to_channels(runs, depth, cols, depth, rows, cols);
    for (int64_t g = 0; g < kgroups; g++) {
      const uint8_t *r[4] = {rows + 3 * g * cols, rows + (3 * g + 1) * cols,
                             rows + (3 * g + 2) * cols, NULL};
      group_tables(r, g, &c);
    }
    return;
  }
  wg_avx2_rows_apply(src, k0, kgroups, 3, n0, cols, group_tables, &c);
}
