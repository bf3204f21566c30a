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
  _Alignas(64) uint8_t tmp[3][WG_LUT3_MAX_NR];
} tables;

static void group_tables(const uint8_t *const r[4], int64_t g, void *arg) {
  tables *c = arg;
  for (int64_t j = 0; j < c->cols; j += c->nr) {
    int pc = (int)(c->cols - j < c->nr ? c->cols - j : c->nr);
    const uint8_t *x[3] = {r[0] + j, r[1] + j, r[2] + j};
    if (pc < c->nr)
      for (int q = 0; q < 3; q++) x[q] = memcpy(c->tmp[q], x[q], (size_t)pc);
    c->build(x[0], x[1], x[2], pc,
             c->dst + (size_t)(j / c->nr) * c->panel_bytes + (size_t)g * c->group_bytes);
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
              .build = build};
  memset(c.tmp, 0, sizeof c.tmp);
  if (!wg_bsrc_plain(src) && !(src->is_conv && src->layout == WG_NCHW)) {
    /* Sources read by columns (NHWC convolutions: a pixel's channels are a
     * run in place; X stored N x K): the block's column runs, transposed
     * into rows 16 x 16 bytes at a time (pack_avx2.h), then the tables. */
    int64_t depth = 3 * kgroups;
    _Alignas(32) uint8_t runs[WG_LUT3_MAX_BLOCK], rows[WG_LUT3_MAX_BLOCK];
    for (int j = 0; j < cols; j++) {
      uint8_t *run = runs + j * depth;
      const uint8_t *p = wg_bsrc_col(src, n0 + j, k0, depth, run);
      if (p != run) memcpy(run, p, (size_t)depth);
    }
    wg_avx2_pixels_to_channels(runs, depth, cols, depth, rows, cols);
    for (int64_t g = 0; g < kgroups; g++) {
      const uint8_t *r[4] = {rows + 3 * g * cols, rows + (3 * g + 1) * cols,
                             rows + (3 * g + 2) * cols, NULL};
      group_tables(r, g, &c);
    }
    return;
  }
  wg_avx2_rows_apply(src, k0, kgroups, 3, n0, cols, group_tables, &c);
  /* The next depth block's rows (ldx apart, which the hardware prefetcher
   * follows poorly: the first Table 7 layer's build ran 3x slower without,
   * docs/lut.md), to arrive while the row panels add this block. */
  if (wg_bsrc_plain(src))
    for (int64_t k = k0 + 3 * kgroups; k < k0 + 6 * kgroups && k < src->k; k++) {
      const char *row = (const char *)(src->x + k * src->ldx + n0);
      for (int64_t j = 0; j < cols; j += 64) _mm_prefetch(row + j, _MM_HINT_T0);
      _mm_prefetch(row + cols - 1, _MM_HINT_T0); /* a row may straddle lines */
    }
}
