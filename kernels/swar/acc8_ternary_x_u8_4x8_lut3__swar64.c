/*
 * SWAR lookup-table kernel (docs/lut.md, section "General registers"):
 * ternary weights (binary ones are ternary codes too) x uint8 codes, exact
 * for b <= 8, 64-bit general registers only (the folder's flags, isa.mk).
 *
 * Lanes are columns.  For a group of 3 depths and a panel of 8 columns the
 * activations are packed as a table of the 27 sums w0 x0 + w1 x1 + w2 x2
 * mod 2^8, one row per sign triple; an output row then adds the row its 3
 * weights select: 24 multiply-accumulates for two register adds.  Modulo
 * 2^8 is all the contract needs (wrap_b(z mod 2^8) = wrap_b(z), b <= 8), so
 * a table entry fits a byte whatever the activation width.
 *
 * Carries must not cross lanes.  A table row is stored as two words of
 * four 16-bit fields, the even columns' bytes and the odd columns' bytes
 (each field a sum of three terms <= 256, congruent to the entry mod 2^8),
 * and each output row keeps the same two words: a field gains at most 768
 * per group, so starting below 256 it holds 84 groups' worth
 * (255 + 84 * 768 < 65536) before it could carry into its neighbour; the
 * run masks the fields back to their low byte (their value mod 2^8) every
 * 84 groups and at the end of every depth block.  Per output row and group: one index byte and two adds (each
 * a load-add), against 6 operations per 8 products for the exact mode of
 * swar_tile.h; docs/lut.md counts the alternatives.
 *
 *   A group (3 depths), MR = 4 rows:      B group (3 depths), 8 columns:
 *     i0 i1 i2 i3     (bytes)               27 rows of 2 uint64 (even, odd),
 *     i = 2 r, r = (w0+1) + 3 (w1+1)          row r at word 2 r; field f of
 *       + 9 (w2+1), the row's word            the even word = column 2f, of
 *       offset (r = 13: weights 0, 0, 0;      the odd word column 2f+1;
 *       rows past M, depth past K)            432 bytes per group
 *
 * Fields are bit positions, words native integers (as swar.h's lanes), so
 * the byte order never enters.  Partial sums between depth blocks: the
 * MR x 2 words, fields masked to bytes (64 bytes of t->partial's 128);
 * the driver seeds uint32 terms there only for INT weights with a zero
 * point, which `eligible` keeps out.
 */
#include <string.h>

#include "../core/kernel_name.h"
#include "lut_swar.h"
#include "swar.h"

#define WG_K_STEM acc8_ternary_x_u8_4x8_lut3__swar64
#define LUT_MR WG_SWAR_LUT_MR
#define LUT_ROWS 27
#define LUT_WORDS (2 * LUT_ROWS) /* uint64 words per group */
/* Groups between two foldings of the fields: a table field is at most
 * 3 * 256 (unmasked, pack_b), a folded one at most 255, and
 * 255 + 84 * 768 < 2^16. */
#define LUT_CHUNK 84

/* Only ternary and binary formats: INT weights whose codes happen to be
 * -1..1 may carry a zero point, whose uint32 terms the driver would seed
 * into the partial sums this kernel keeps as fields. */
static int WG_K_FN(eligible)(const wg_problem *p) {
  return (p->wformat == WG_WEIGHTS_TERNARY || p->wformat == WG_WEIGHTS_BINARY) &&
         wg_swar_eligible_exact(p);
}

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  int64_t groups = (k + 2) / 3;
  uint8_t *out = dst;
  for (int64_t g = 0; g < groups; g++, out += LUT_MR)
    for (int i = 0; i < LUT_MR; i++) {
      int r = 0;
      for (int d = 2; d >= 0; d--) {
        int64_t kk = g * 3 + d;
        int c = i < rows && kk < k ? w[i * ldw + kk] : 0;
        r = 3 * r + c + 1;
      }
      out[i] = (uint8_t)(2 * r);
    }
}

/* One group's table (27 rows of 2 words) from its three activation rows,
 * 8 columns each (NULL: depth past K, zeros).  Column j's byte goes to
 * bits [8j, 8j+8) of a word whatever the byte order (wg_swar_load32: one
 * load on little-endian targets), then to the even or odd fields. */
static void WG_K_FN(table)(const uint8_t *const x[3], uint64_t *out) {
  /* v[d][s][h]: depth d times s - 1 (s = 0, 1, 2), half h; fields <= 256. */
  uint64_t v[3][3][2];
  for (int d = 0; d < 3; d++) {
    uint64_t e, o;
    wg_swar_lut_split(x[d], &e, &o);
    v[d][0][0] = wg_swar_lut_neg(e), v[d][0][1] = wg_swar_lut_neg(o);
    v[d][1][0] = 0, v[d][1][1] = 0;
    v[d][2][0] = e, v[d][2][1] = o;
  }
  /* Row r = s0 + 3 s1 + 9 s2, fields left unmasked (<= 768: the run's
   * chunk allows for it; masking would cost an operation per word). */
  for (int s2 = 0; s2 < 3; s2++)
    for (int s1 = 0; s1 < 3; s1++) {
      uint64_t p0 = v[2][s2][0] + v[1][s1][0], p1 = v[2][s2][1] + v[1][s1][1];
      uint64_t *row = out + 2 * (9 * s2 + 3 * s1);
      for (int s0 = 0; s0 < 3; s0++) {
        row[2 * s0] = p0 + v[0][s0][0];
        row[2 * s0 + 1] = p1 + v[0][s0][1];
      }
    }
}

/* The tables of a column block (lut_swar.h). */
static void WG_K_FN(pack_b_block)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                                  int64_t cols, void *dst) {
  wg_swar_lut_pack_block(src, k0, kgroups, n0, cols, 3, LUT_WORDS, WG_K_FN(table), dst);
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                            int cols, void *dst) {
  WG_K_FN(pack_b_block)(src, k0, kgroups, n0, cols, dst);
}

static void WG_K_FN(run)(const wg_tile *t) { wg_swar_lut_run(t, LUT_WORDS, LUT_CHUNK); }

#define WG_K_CPU 0
#define WG_K_LANES 8
#define WG_K_MR LUT_MR
#define WG_K_NR WG_SWAR_LUT_NR
#define WG_K_KU 3
/* 64 groups: one panel's table, 27 KiB, stays in L1 while every row panel
 * reads it (the driver runs all row panels on a column panel in turn). */
#define WG_K_KC 192
#define WG_K_NC WG_SWAR_LUT_NC
#define WG_K_PACK_B_BLOCK WG_K_FN(pack_b_block)
#define WG_K_A_GROUP LUT_MR
#define WG_K_B_GROUP (LUT_WORDS * 8)
#define WG_K_TABLES_B 1 /* driver.c few_row_ranges */
#define WG_K_NHWC_IMAGES 1 /* NHWC rows from the call's shifted images (bsrc.h) */
#define WG_K_ELIGIBLE WG_K_FN(eligible)
#include "../core/kernel_def.h"
