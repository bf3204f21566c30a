/*
 * What the SWAR lookup-table kernels share (docs/lut.md, "General
 * registers"): the ternary acc8_ternary_x_u8_4x8_lut3__swar64 and the
 * binary acc8_binary_x_u8_4x8_lut<G>__swar64 (lutb_swar.h).  Lanes are
 * columns: a table row of 8 columns is two 64-bit words of four 16-bit
 * fields, the even columns' entries and the odd columns', each field a
 * sum of small terms congruent to the entry mod 2^8.  An output row of
 * the 4 x 8 tile keeps the same two words and adds, per group, the row its
 * weights select (pack_a stores the row's word offset as one byte per
 * row); the fields are masked back to their low byte (their value mod
 * 2^8, all b <= 8 needs) every `chunk` groups, chosen by the kernel so
 * that no field can carry into its neighbour before, and at the end of
 * every depth block.
 *
 * Fields are bit positions and words native integers (as swar.h's lanes):
 * column j's byte is composed into bits [8j, 8j+8) by shifts, so the byte
 * order never enters (s390x).
 */
#ifndef WG_LUT_SWAR_H
#define WG_LUT_SWAR_H

#include <stdint.h>
#include <string.h>

#include "../core/bsrc.h"
#include "../core/kernel.h"
#include "swar_pack_b.h"

#define WG_SWAR_LUT_MR 4
#define WG_SWAR_LUT_NR 8
#define WG_SWAR_LUT_NC 256
#define WG_SWAR_LUT_EVEN 0x00FF00FF00FF00FFull

/* Field-wise 256 - v (v < 256 per field): -v mod 2^8 in the low byte,
 * never below 1, so no borrow crosses a field. */
static inline uint64_t wg_swar_lut_neg(uint64_t v) { return 0x0100010001000100ull - v; }

/* The even and odd columns of 8 activation bytes at x (NULL: zeros) as
 * fields: column 2f's byte in field f of *e, column 2f+1's in field f of
 * *o. */
static inline void wg_swar_lut_split(const uint8_t *x, uint64_t *e, uint64_t *o) {
  uint64_t w = x ? wg_swar_load32(x) | (uint64_t)wg_swar_load32(x + 4) << 32 : 0;
  *e = w & WG_SWAR_LUT_EVEN;
  *o = (w >> 8) & WG_SWAR_LUT_EVEN;
}

/* Depth row k of columns n0 .. n0+cols for a column block's tables, or
 * NULL past K (zeros): where the block ends in a ragged panel, a copy in
 * tmp (cols + 8 bytes) with 8 zero bytes after it, so that the last
 * panel's 8-byte loads stay inside it. */
static inline const uint8_t *wg_swar_lut_row(const wg_bsrc *src, int64_t k, int64_t n0,
                                             int64_t cols, uint8_t *tmp) {
  if (k >= src->k) return NULL;
  const uint8_t *r = wg_bsrc_row(src, k, n0, cols, tmp);
  if (cols % WG_SWAR_LUT_NR) {
    if (r != tmp) memcpy(tmp, r, (size_t)cols);
    memset(tmp + cols, 0, WG_SWAR_LUT_NR);
    r = tmp;
  }
  return r;
}

/* The tables of ceil(cols / 8) panels (cols <= NC) one after the other,
 * as pack_b would write them, each of the ku depth rows of a group
 * fetched once for the whole block (columns past N read as 0): table(x,
 * t) writes one group's `words` uint64 at t from its ku rows of 8 columns
 * (NULL: depth past K, zeros).  A constant table where it is inlined. */
#define WG_SWAR_LUT_MAX_KU 6
static inline __attribute__((always_inline)) void wg_swar_lut_pack_block(
    const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0, int64_t cols, int ku,
    size_t words, void (*table)(const uint8_t *const *x, uint64_t *t), uint64_t *out) {
  uint8_t tmp[WG_SWAR_LUT_MAX_KU][WG_SWAR_LUT_NC + WG_SWAR_LUT_NR];
  int64_t panels = (cols + WG_SWAR_LUT_NR - 1) / WG_SWAR_LUT_NR;
  size_t panel_words = (size_t)kgroups * words;
  for (int64_t g = 0; g < kgroups; g++) {
    const uint8_t *rows[WG_SWAR_LUT_MAX_KU];
    for (int q = 0; q < ku; q++) rows[q] = wg_swar_lut_row(src, k0 + g * ku + q, n0, cols, tmp[q]);
    for (int64_t p = 0; p < panels; p++) {
      const uint8_t *x[WG_SWAR_LUT_MAX_KU];
      for (int q = 0; q < ku; q++) x[q] = rows[q] ? rows[q] + p * WG_SWAR_LUT_NR : NULL;
      table(x, out + (size_t)p * panel_words + (size_t)g * words);
    }
  }
}

/* The 4 x 8 tile over t->kgroups groups of `words` uint64 per table group
 * (row r at word offset a[i] = 2 r), folded every `chunk` groups; parks
 * the 4 x 2 words, fields masked to bytes, in t->partial (64 of its 128
 * bytes: the kernels' eligibility keeps out the INT weights whose uint32
 * zero-point terms the driver would seed there) unless last, else runs the
 * shared scalar epilogue. */
static inline __attribute__((always_inline)) void wg_swar_lut_run(const wg_tile *t, int words,
                                                                  int chunk_groups) {
  uint64_t acc[WG_SWAR_LUT_MR][2];
  if (t->first)
    memset(acc, 0, sizeof acc);
  else
    memcpy(acc, t->partial, sizeof acc);
  const uint8_t *a = t->a;
  const uint64_t *tab = t->b;
  for (int64_t left = t->kgroups; left > 0;) {
    int64_t chunk = left < chunk_groups ? left : chunk_groups;
    /* Two registers per row in the loop: gcc keeps the 8 accumulators in
     * registers once the row loop is unrolled. */
    uint64_t r0e = acc[0][0], r0o = acc[0][1], r1e = acc[1][0], r1o = acc[1][1];
    uint64_t r2e = acc[2][0], r2o = acc[2][1], r3e = acc[3][0], r3o = acc[3][1];
    for (int64_t g = 0; g < chunk; g++, a += WG_SWAR_LUT_MR, tab += words) {
      const uint64_t *q0 = tab + a[0], *q1 = tab + a[1], *q2 = tab + a[2], *q3 = tab + a[3];
      r0e += q0[0], r0o += q0[1];
      r1e += q1[0], r1o += q1[1];
      r2e += q2[0], r2o += q2[1];
      r3e += q3[0], r3o += q3[1];
    }
    acc[0][0] = r0e & WG_SWAR_LUT_EVEN, acc[0][1] = r0o & WG_SWAR_LUT_EVEN;
    acc[1][0] = r1e & WG_SWAR_LUT_EVEN, acc[1][1] = r1o & WG_SWAR_LUT_EVEN;
    acc[2][0] = r2e & WG_SWAR_LUT_EVEN, acc[2][1] = r2o & WG_SWAR_LUT_EVEN;
    acc[3][0] = r3e & WG_SWAR_LUT_EVEN, acc[3][1] = r3o & WG_SWAR_LUT_EVEN;
    left -= chunk;
  }
  if (!t->last) {
    memcpy(t->partial, acc, sizeof acc);
    return;
  }
  uint32_t sums[WG_SWAR_LUT_MR * WG_SWAR_LUT_NR];
  for (int i = 0; i < WG_SWAR_LUT_MR; i++)
    for (int j = 0; j < WG_SWAR_LUT_NR; j++)
      sums[i * WG_SWAR_LUT_NR + j] = (uint32_t)(acc[i][j & 1] >> (16 * (j >> 1))) & 0xFFu;
  /* The parked sums are already in acc: the epilogue only. */
  wg_tile last = *t;
  last.first = 1;
  wg_tile_finish(&last, sums, WG_SWAR_LUT_NR);
}

#endif /* WG_LUT_SWAR_H */
