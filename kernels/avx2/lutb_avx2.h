/*
 * The AVX2 binary lookup-table kernels, acc8_binary_x_u8_8x64_lut<G>__avx2
 * (issue 18; design, proof and measurements: docs/lut.md, "Binary
 * weights"): binary weights x uint8 activations, 8-bit wrapping lanes, by
 * table-row adds of G depths.  Serves b <= 8, binary weights only.  A
 * kernel file defines WG_K_STEM, WG_LUTB_G (4..6), WG_K_KC (a multiple of
 * G) and its WG_K_AUTO_MIN_M*, then includes this template.
 *
 * Lanes are columns (pixels).  For a group of G depths k..k+G-1 and a
 * panel of 64 columns, pack_b builds the 2^G rows (kernels/core/lutb.h)
 *
 *   T[r][j] = sum_q s_q x[k+q][j]   (mod 2^8, bytes),  s_q = +1 where bit q
 *                                                      of r is set, else -1
 *
 * once; each output row then adds, per group, the one row its G weights
 * select: one vpaddb per G depths x 32 columns, where the ternary table
 * (acc8_ternary_x_u8_8x64_lut3__avx2) needs one per 3 and sign+add one per
 * depth.  Every step is an addition in Z/256 (vpaddb/vpsubb wrap), so the
 * sums are exact modulo 2^8, which is all lane_bits = 8 promises.  The
 * tables hold codes, not x - zx: the epilogue's zx * rowsum correction is
 * exact modulo 2^32, hence modulo 2^8.  Depth past K builds from zero rows,
 * so its sign bit (0) adds zeros; rows past M select row 0, never stored.
 * kc is a multiple of G, so no group straddles a depth block.
 *
 * Packed layouts (KU = G depths per group):
 *
 *   A group, 8 rows:   4 r0, 4 r1, ..., 4 r7   (8 bytes: one qword; r < 64,
 *                                               so 4 r fits a byte)
 *   B group, 64 columns, 2^G * 64 bytes, in two halves of 32 columns:
 *                      rows 0 .. 2^G-1, columns 0-31:  32 bytes each
 *                      rows 0 .. 2^G-1, columns 32-63: 32 bytes each
 *   so row r's halves lie at 8 (4 r) and 2^G * 32 + 8 (4 r): the scaled
 *   index of lut_avx2.h's loop (a 64-byte row would need 64 r, past a byte
 *   at G = 6).
 *
 * A panel of at most 32 columns builds and adds the left half only.  nc =
 * 256: pack_b_block builds four panels' tables per depth block from one
 * fetch of the rows, and the driver's loop (depth block, pack, then per
 * panel all row panels) adds each panel's table from L1.
 */
#include <immintrin.h>
#include <string.h>

#include "../core/bsrc.h"
#include "../core/kernel.h"
#include "../core/kernel_name.h"
#include "../core/lutb.h"
#include "lut_avx2.h"
#include "pack_avx2.h"

#if !defined(WG_LUTB_G) || !defined(WG_K_KC) || WG_LUTB_G < 4 || WG_LUTB_G > 6
#error "lutb_avx2.h: define WG_LUTB_G (4..6) and WG_K_KC before including it"
#endif
#define WG_LUTB_LO (WG_LUTB_G / 2)
#define WG_LUTB_HI (WG_LUTB_G - WG_LUTB_LO)
#define WG_LUTB_HALF ((1 << WG_LUTB_G) * 32)

#define WG_K_CPU WG_CPU_AVX2
#define WG_K_LANES 8
#define WG_K_MR 8
#define WG_K_NR 64
#define WG_K_KU WG_LUTB_G
#define WG_K_NC 256
#define WG_K_A_GROUP 8
#define WG_K_B_GROUP (2 * WG_LUTB_HALF)
#define WG_K_ELIGIBLE wg_lutb_eligible

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  uint8_t *d = dst;
  for (int64_t g = 0; g < (k + WG_LUTB_G - 1) / WG_LUTB_G; g++)
    for (int i = 0; i < WG_K_MR; i++)
      *d++ = (uint8_t)(4 * wg_lutb_row(w, ldw, i, rows, g, k, WG_LUTB_G));
}

/* The 2^G rows of one group for `halves` x 32 columns at t, from the G
 * depth rows x[q] (32 * halves readable bytes each): the signed sums of the
 * low and high rows, then one add and one store per row (lutb.h). */
static inline __attribute__((always_inline)) void WG_K_FN(build_group)(
    const uint8_t *const x[WG_LUTB_G], uint8_t *t, int halves) {
  const __m256i zero = _mm256_setzero_si256();
  for (int h = 0; h < halves; h++) {
    __m256i d[WG_LUTB_G], lo[1 << WG_LUTB_LO], hi[1 << WG_LUTB_HI];
    for (int q = 0; q < WG_LUTB_G; q++) d[q] = _mm256_loadu_si256((const __m256i *)(x[q] + 32 * h));
    WG_LUTB_SUMS(lo, d, WG_LUTB_LO, _mm256_add_epi8, _mm256_sub_epi8, zero);
    WG_LUTB_SUMS(hi, d + WG_LUTB_LO, WG_LUTB_HI, _mm256_add_epi8, _mm256_sub_epi8, zero);
    uint8_t *th = t + h * WG_LUTB_HALF;
    _Pragma("GCC unroll 8") for (int b = 0; b < 1 << WG_LUTB_HI; b++)
      _Pragma("GCC unroll 8") for (int a = 0; a < 1 << WG_LUTB_LO; a++)
        _mm256_store_si256((__m256i *)(th + 32 * (a + (b << WG_LUTB_LO))),
                           _mm256_add_epi8(lo[a], hi[b]));
  }
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
    if (pc <= 32)
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
 * next block's rows prefetched, as the ternary kernel does), sources read
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
      WG_K_FN(group)(&c, x, g);
    }
    for (int64_t k = k0 + depth; k < k0 + 2 * depth && k < src->k; k++) {
      const char *row = (const char *)(src->x + k * src->ldx + n0);
      for (int64_t j = 0; j < cols; j += 64) _mm_prefetch(row + j, _MM_HINT_T0);
      _mm_prefetch(row + cols - 1, _MM_HINT_T0); /* a row may straddle lines */
    }
    return;
  }
  if (!(src->is_conv && src->layout == WG_NCHW)) {
    _Alignas(32) uint8_t runs[WG_K_NC * WG_K_KC], rows[WG_K_KC][WG_K_NC];
    for (int j = 0; j < cols; j++) {
      uint8_t *run = runs + j * depth;
      const uint8_t *p = wg_bsrc_col(src, n0 + j, k0, depth, run);
      if (p != run) memcpy(run, p, (size_t)depth);
    }
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

static void WG_K_FN(run)(const wg_tile *t) {
  WG_LUTX_RUN_8X64(t, WG_K_B_GROUP, WG_LUTB_HALF);
}

#include "../core/kernel_def.h"

#undef WG_LUTB_LO
#undef WG_LUTB_HI
#undef WG_LUTB_HALF
#undef WG_LUTB_G
