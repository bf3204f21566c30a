/*
 * What the NEON lookup-table kernels share, on aarch64 and armv7 (table-row
 * add, lanes = 64 columns, docs/lut.md): the ternary
 * acc8_ternary_x_u8_<MR>x64_lut3 (27 rows per 3 depths, lut3_neon.h) and
 * the binary acc8_binary_x_u8_<MR>x64_lut<G> (2^G rows per G depths,
 * lutb_neon.h).  Both pack A as one row index per row and group (MR bytes
 * per group) and B as each group's table of 64-byte rows, so the run and
 * the gathering of a group's depth rows are the same code.
 *
 * The tile is MR rows x 64 columns, four q-register accumulators per row,
 * and one 64-byte table row (four q registers) loaded per row and group:
 *
 *   aarch64 (32 v registers): MR = 6, 24 accumulators + 4 for the row;
 *     the row is one ld1 {v0.16b-v3.16b}.
 *   armv7 (16 q registers): MR = 3, 12 accumulators + 4 for the row (all
 *     16); the row is two vld1.8 {d0-d3} (32 bytes, the most one armv7
 *     load takes), the second from the first's post-incremented address.
 *     Per row and group: ldrb, add, 2 vld1, 4 vadd.i8 = 8 instructions per
 *     3 depths x 64 columns, against 5 per 3 x 32 at 6 x 32 (12
 *     accumulators + 2): 28 instructions per group against 34 for the
 *     same 576 MACs (docs/arm.md, section 5).
 *
 * Sums between depth blocks are parked as bytes (MR x 64) in the first
 * MR * 64 bytes of t->partial, the kernels' own format (kernel.h: the
 * driver seeds partial sums only for INT weights with a zero point, which
 * these kernels never serve).
 */
#ifndef WG_LUT_NEON_H
#define WG_LUT_NEON_H

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/bsrc.h"
#include "core/kernel.h"
#include "neon/epilogue_neon.h"

#define WG_NLUT_NR 64

#if defined(__aarch64__)
#define WG_NLUT_MR 6
/* One 64-byte table row: ld1 {v0.16b-v3.16b}. */
static inline __attribute__((always_inline)) uint8x16x4_t wg_neon_lut_row(const uint8_t *p) {
  return vld1q_u8_x4(p);
}
#else
#define WG_NLUT_MR 3
/* One 64-byte table row: GCC 12's armv7 arm_neon.h has no vld1q_u8_x2 and
 * emits one vld1.8 {dN-dN+1} per vld1q_u8, so the two 32-byte loads
 * (vld1.8 {d0-d3}, no alignment hint: any address) are written here, the
 * second at the first's post-incremented address. */
static inline __attribute__((always_inline)) uint8x16x4_t wg_neon_lut_row(const uint8_t *p) {
  uint8x16x2_t lo, hi;
  __asm__("vld1.8 %h0, [%2]!\n\tvld1.8 %h1, [%2]"
          : "=w"(lo), "=w"(hi), "+r"(p)
          : "m"(*(const uint8_t(*)[WG_NLUT_NR])p));
  uint8x16x4_t r = {{lo.val[0], lo.val[1], hi.val[0], hi.val[1]}};
  return r;
}
#endif

/* 64 zero bytes: the depth rows past K (their weights select any row, and
 * every row built from zeros adds zero). */
static const uint8_t wg_neon_lut_zeros[WG_NLUT_NR];

/* The n depth rows k, k+1, ..., k+n-1 of columns n0 .. n0+cols (cols <=
 * 64) into x[0 .. n), 64 readable bytes each: through the row source (in
 * place where contiguous, else gathered into tmp[q]), a ragged panel's
 * copied into pad[q] (zeroed by the caller: bytes past cols are summed but
 * never stored), depth past K as the zero row. */
static inline void wg_neon_lut_rows(const wg_bsrc *src, int64_t k, int n, int64_t n0, int cols,
                                    uint8_t (*tmp)[WG_NLUT_NR], uint8_t (*pad)[WG_NLUT_NR],
                                    const uint8_t **x) {
  for (int q = 0; q < n; q++) {
    if (k + q >= src->k) {
      x[q] = wg_neon_lut_zeros;
      continue;
    }
    x[q] = wg_bsrc_row(src, k + q, n0, cols, tmp[q]);
    if (cols < WG_NLUT_NR) x[q] = memcpy(pad[q], x[q], (size_t)cols);
  }
}

/* The MR x 64 tile over t->kgroups groups, a group's table gb bytes after
 * the last (gb: a constant once inlined): per group and row, the row its
 * index selects (ldrb, an address add, the row's load) added to the row's
 * four accumulators; then parked, or finished. */
static inline __attribute__((always_inline)) void wg_neon_lut_run(const wg_tile *t, size_t gb) {
  const uint8_t *a = t->a, *tab = t->b;
  uint8_t *park = (uint8_t *)t->partial;
  uint8x16_t acc[WG_NLUT_MR][4];
#pragma GCC unroll 8
  for (int i = 0; i < WG_NLUT_MR; i++)
#pragma GCC unroll 4
    for (int v = 0; v < 4; v++)
      acc[i][v] = t->first ? vdupq_n_u8(0) : vld1q_u8(park + i * WG_NLUT_NR + 16 * v);
  for (ptrdiff_t g = (ptrdiff_t)t->kgroups; g > 0; g--, a += WG_NLUT_MR, tab += gb) {
#pragma GCC unroll 8
    for (int i = 0; i < WG_NLUT_MR; i++) {
      uint8x16x4_t r = wg_neon_lut_row(tab + (size_t)a[i] * WG_NLUT_NR);
      acc[i][0] = vaddq_u8(acc[i][0], r.val[0]);
      acc[i][1] = vaddq_u8(acc[i][1], r.val[1]);
      acc[i][2] = vaddq_u8(acc[i][2], r.val[2]);
      acc[i][3] = vaddq_u8(acc[i][3], r.val[3]);
    }
  }
  if (!t->last) {
#pragma GCC unroll 8
    for (int i = 0; i < WG_NLUT_MR; i++)
#pragma GCC unroll 4
      for (int v = 0; v < 4; v++) vst1q_u8(park + i * WG_NLUT_NR + 16 * v, acc[i][v]);
    return;
  }
  uint8_t lanes[WG_NLUT_MR * WG_NLUT_NR];
#pragma GCC unroll 8
  for (int i = 0; i < WG_NLUT_MR; i++)
#pragma GCC unroll 4
    for (int v = 0; v < 4; v++) vst1q_u8(lanes + i * WG_NLUT_NR + 16 * v, acc[i][v]);
  uint32_t sums[WG_NLUT_MR * WG_NLUT_NR];
  for (int e = 0; e < WG_NLUT_MR * WG_NLUT_NR; e++) sums[e] = lanes[e];
  /* The parked bytes are already in acc: the finish must not add
   * t->partial as uint32 sums. */
  wg_tile u = *t;
  u.first = 1;
  wg_neon_tile_finish(&u, sums, WG_NLUT_NR);
}

#endif /* WG_LUT_NEON_H */
