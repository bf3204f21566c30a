/*
 * The table pack of the binary lookup-table kernels on x86
 * (acc8_binary_x_u8_<MR>x<NR>_lut<G>__avx2 and __avx512bw; docs/lut.md,
 * "Binary weights"), a template: a kernel file defines WG_K_STEM,
 * WG_LUTB_G, WG_K_KC, WG_K_NR, WG_K_NC, WG_K_B_GROUP, WG_LUTB_HALF_COLS
 * (the columns one vector holds; NR = 2 of them), WG_LUTB_A_SCALE (the
 * index unit: index * 8 is row r's byte offset, so the scale is a row's
 * bytes / 8) and its build
 *
 *   WG_K_FN(build_group)(const uint8_t *const x[G], uint8_t *t, int halves)
 *
 * (the 2^G rows of one group for halves x WG_LUTB_HALF_COLS columns at t,
 * kernels/core/lutb.h's numbering), then includes this file, which writes
 * pack_a, pack_b and pack_b_block: the rows of a depth block fetched once
 * per column block (plain matrices in place, NCHW convolutions through the
 * AVX2 row sources, NHWC convolutions and X stored N x K transposed), every
 * panel's tables built from them.  The includer provides the intrinsics
 * (<immintrin.h>, or SIMDe's aliases in the AVX-512 folder's test build,
 * which a second <immintrin.h> would clash with).
 */
#include <string.h>

#include "../core/bsrc.h"
#include "../core/lutb.h"
#include "pack_avx2.h"

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  uint8_t *d = dst;
  for (int64_t g = 0; g < (k + WG_LUTB_G - 1) / WG_LUTB_G; g++)
    for (int i = 0; i < WG_K_MR; i++)
      *d++ = (uint8_t)(WG_LUTB_A_SCALE * wg_lutb_row(w, ldw, i, rows, g, k, WG_LUTB_G));
}

/* One depth block's tables for the panels of a column block: the rows of
 * the group being gathered (copies, where the source hands out a buffer it
 * reuses), a zero row for depth past K and zeroed copies for a ragged last
 * panel, whose bytes past its columns are built and never stored. */
typedef struct WG_K_FN(tables) {
  uint8_t *dst;
  int64_t cols, k0, k;
  size_t panel_bytes;
  _Alignas(32) uint8_t rows[WG_LUTB_G][WG_K_NC];
  _Alignas(32) uint8_t tmp[WG_LUTB_G][WG_K_NR];
} WG_K_FN(tables);

static const _Alignas(32) uint8_t WG_K_FN(zeros)[WG_K_NC];

/* Group g's tables for every panel from its G rows x[q] (cols readable
 * bytes each, column n0 first). */
static void WG_K_FN(group)(WG_K_FN(tables) *c, const uint8_t *const x[WG_LUTB_G], int64_t g) {
  for (int64_t j = 0; j < c->cols; j += WG_K_NR) {
    int pc = (int)(c->cols - j < WG_K_NR ? c->cols - j : WG_K_NR);
    const uint8_t *xp[WG_LUTB_G];
    for (int q = 0; q < WG_LUTB_G; q++)
      xp[q] = pc < WG_K_NR ? memcpy(c->tmp[q], x[q] + j, (size_t)pc) : x[q] + j;
    uint8_t *t = c->dst + (size_t)(j / WG_K_NR) * c->panel_bytes + g * WG_K_B_GROUP;
    if (pc <= WG_LUTB_HALF_COLS)
      WG_K_FN(build_group)(xp, t, 1);
    else
      WG_K_FN(build_group)(xp, t, 2);
  }
}

/* wg_avx2_rows_apply's callback, one depth row at a time: row i of the
 * block copied into the group's rows, the group built at its last. */
static void WG_K_FN(row)(const uint8_t *const r[4], int64_t i, void *arg) {
  WG_K_FN(tables) *c = arg;
  int q = (int)(i % WG_LUTB_G);
  if (c->k0 + i < c->k)
    memcpy(c->rows[q], r[0], (size_t)c->cols);
  else
    memset(c->rows[q], 0, (size_t)c->cols);
  if (q < WG_LUTB_G - 1) return;
  const uint8_t *x[WG_LUTB_G];
  for (int p = 0; p < WG_LUTB_G; p++) x[p] = c->rows[p];
  WG_K_FN(group)(c, x, i / WG_LUTB_G);
}

/* The tables of groups [0, kgroups) from depth k0 for the panels of
 * columns n0 .. n0+cols (cols <= nc): plain matrices' rows in place (the
 * next group's prefetched, as the ternary kernel does), sources read
 * by columns (NHWC convolutions, X stored N x K) transposed into rows
 * first, the rest (NCHW convolutions' shifted images) through the AVX2 row
 * sources (pack_avx2.h). */
static void WG_K_FN(pack_b_block)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                                  int64_t cols, void *dst) {
  WG_K_FN(tables) c = {.dst = dst, .cols = cols, .k0 = k0, .k = src->k,
                       .panel_bytes = kgroups * WG_K_B_GROUP};
  memset(c.tmp, 0, sizeof c.tmp);
  const int64_t depth = WG_LUTB_G * kgroups;
  if (wg_bsrc_plain(src)) {
    for (int64_t g = 0; g < kgroups; g++) {
      const uint8_t *x[WG_LUTB_G];
      for (int q = 0; q < WG_LUTB_G; q++) {
        int64_t kk = k0 + WG_LUTB_G * g + q;
        x[q] = kk < src->k ? src->x + kk * src->ldx + n0 : WG_K_FN(zeros);
      }
      /* the next group's rows (the next block's first after the last) */
      wg_avx2_prefetch_rows(src, k0 + WG_LUTB_G * (g + 1), k0 + WG_LUTB_G * (g + 2), n0, cols);
      WG_K_FN(group)(&c, x, g);
    }
    return;
  }
  if (!wg_avx2_by_rows(src, k0, depth)) {
    _Alignas(32) uint8_t runs[WG_K_NC * WG_K_KC], rows[WG_K_KC][WG_K_NC];
    wg_bsrc_cols(src, n0, cols, k0, depth, runs, depth);
    wg_avx2_pixels_to_channels(runs, depth, cols, depth, rows[0], WG_K_NC);
    for (int64_t g = 0; g < kgroups; g++) {
      const uint8_t *x[WG_LUTB_G];
      for (int q = 0; q < WG_LUTB_G; q++)
        x[q] = k0 + WG_LUTB_G * g + q < src->k ? rows[WG_LUTB_G * g + q] : WG_K_FN(zeros);
      WG_K_FN(group)(&c, x, g);
    }
    return;
  }
  wg_avx2_rows_apply(src, k0, depth, 1, n0, cols, WG_K_FN(row), &c);
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                            int cols, void *dst) {
  WG_K_FN(pack_b_block)(src, k0, kgroups, n0, cols, dst);
}
#define WG_K_PACK_B_BLOCK WG_K_FN(pack_b_block)

