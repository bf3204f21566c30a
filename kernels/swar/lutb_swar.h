/*
 * The SWAR binary lookup-table kernels, acc8_binary_x_u8_4x8_lut<G>__swar64
 * (issue 18; docs/lut.md, "General registers: binary weights"): binary
 * weights x uint8 codes, exact for b <= 8, 64-bit general registers only
 * (the folder's flags, isa.mk).  A kernel file defines WG_K_STEM,
 * WG_LUTB_G (4..6) and WG_K_KC (a multiple of G), then includes this
 * template.
 *
 * Lanes are columns, as in acc8_ternary_x_u8_4x8_lut3__swar64 (the shared
 * run and layout of a row: lut_swar.h).  For a group of G depths and a
 * panel of 8 columns pack_b builds the 2^G rows of kernels/core/lutb.h's
 * numbering (bit q of r set: +x_q, else -x_q),
 *
 *   T[r][j] = sum_q s_q x[k+q][j]   (mod 2^8),
 *
 * each row two words (even, odd columns) of four 16-bit fields; an output
 * row adds the row its G weights select: 8 G multiply-accumulates for two
 * load-adds (the ternary table: 24).
 *
 * Carries.  A table field is the sum of G terms, each x (<= 255) or
 * 256 - x (<= 256, -x mod 2^8; lut_swar.h's neg), so at most 256 G and
 * congruent to its entry mod 2^8; the build subtracts nothing.  An output
 * field starts at most 255 (folded) and gains at most 256 G per group, so
 * it holds LUTB_CHUNK = floor((2^16 - 1 - 255) / (256 G)) groups
 * (63 at G = 4, 42 at G = 6) before it could carry into its neighbour:
 * 255 + LUTB_CHUNK * 256 G < 2^16.  The run masks the fields to their low
 * byte every LUTB_CHUNK groups and at the end of every depth block.
 *
 * Exactness at the edges: depth past K builds from zero rows (NULL rows:
 * +0 and 256 - 0, both 0 mod 2^8), so whatever sign pack_a gives it
 * (lutb.h: bit 0) it adds 0; rows past M select row 0, computed and never
 * stored; kc is a multiple of G, so no group straddles a depth block.  The
 * tables hold codes: the epilogue's zx * rowsum is exact mod 2^32.
 *
 *   A group (G depths), MR = 4 rows:      B group (G depths), 8 columns:
 *     i0 i1 i2 i3     (bytes)               2^G rows of 2 uint64 (even, odd),
 *     i = 2 r, r = sum_q (w_q = +1) << q      row r at word 2 r (< 128: a
 *       (wg_lutb_row: rows past M 0,          byte); 2^(G+4) bytes per group
 *       depth past K bit 0)
 *
 * The build per group and panel (lutb.h): the 2^lo signed sums of the low
 * lo = G/2 depths and the 2^hi of the other hi = G - lo, by doubling, then
 * T[a + 2^lo b] = L[a] + H[b]: one add and one store per word.
 */
#include "../core/kernel_name.h"
#include "../core/lutb.h"
#include "lut_swar.h"

#if !defined(WG_LUTB_G) || !defined(WG_K_KC) || WG_LUTB_G < 4 || WG_LUTB_G > 6 || \
    WG_K_KC % WG_LUTB_G
#error "lutb_swar.h: define WG_LUTB_G (4..6) and WG_K_KC (a multiple of it) first"
#endif
#define LUTB_LO (WG_LUTB_G / 2)
#define LUTB_HI (WG_LUTB_G - LUTB_LO)
#define LUTB_WORDS (2 << WG_LUTB_G) /* uint64 words per group */
#define LUTB_CHUNK ((65535 - 255) / (256 * WG_LUTB_G))
_Static_assert(255 + LUTB_CHUNK * 256 * WG_LUTB_G < 65536, "a field could carry");

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  uint8_t *out = dst;
  for (int64_t g = 0; g < (k + WG_LUTB_G - 1) / WG_LUTB_G; g++)
    for (int i = 0; i < WG_SWAR_LUT_MR; i++)
      *out++ = (uint8_t)(2 * wg_lutb_row(w, ldw, i, rows, g, k, WG_LUTB_G));
}

/* Field-wise wrapping-free add and "subtract" (add the negation), as
 * WG_LUTB_SUMS wants them: every term stays <= 256 per field. */
#define LUTB_ADD(a, b) ((a) + (b))
#define LUTB_SUB(a, b) ((a) + wg_swar_lut_neg(b))

/* One group's table (2^G rows of 2 words) from its G activation rows, 8
 * columns each (NULL: depth past K, zeros); the even words, then the odd
 * ones, so that the 2^lo + 2^hi sums of one half stay in registers. */
static void WG_K_FN(table)(const uint8_t *const x[WG_LUTB_G], uint64_t *out) {
  uint64_t d[2][WG_LUTB_G];
  for (int q = 0; q < WG_LUTB_G; q++) wg_swar_lut_split(x[q], &d[0][q], &d[1][q]);
  for (int h = 0; h < 2; h++) {
    uint64_t lo[1 << LUTB_LO], hi[1 << LUTB_HI];
    WG_LUTB_SUMS(lo, d[h], LUTB_LO, LUTB_ADD, LUTB_SUB, 0);
    WG_LUTB_SUMS(hi, d[h] + LUTB_LO, LUTB_HI, LUTB_ADD, LUTB_SUB, 0);
    _Pragma("GCC unroll 8") for (int b = 0; b < 1 << LUTB_HI; b++)
      _Pragma("GCC unroll 8") for (int a = 0; a < 1 << LUTB_LO; a++)
        out[2 * (a + (b << LUTB_LO)) + h] = lo[a] + hi[b];
  }
}

/* The tables of a column block (lut_swar.h). */
static void WG_K_FN(pack_b_block)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                                  int64_t cols, void *dst) {
  wg_swar_lut_pack_block(src, k0, kgroups, n0, cols, WG_LUTB_G, LUTB_WORDS, WG_K_FN(table), dst);
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                            int cols, void *dst) {
  WG_K_FN(pack_b_block)(src, k0, kgroups, n0, cols, dst);
}

static void WG_K_FN(run)(const wg_tile *t) { wg_swar_lut_run(t, LUTB_WORDS, LUTB_CHUNK); }

#define WG_K_CPU 0
#define WG_K_LANES 8
#define WG_K_MR WG_SWAR_LUT_MR
#define WG_K_NR WG_SWAR_LUT_NR
#define WG_K_KU WG_LUTB_G
#define WG_K_NC WG_SWAR_LUT_NC
#define WG_K_PACK_B_BLOCK WG_K_FN(pack_b_block)
#define WG_K_A_GROUP WG_SWAR_LUT_MR
#define WG_K_B_GROUP (LUTB_WORDS * 8)
#define WG_K_ELIGIBLE wg_lutb_eligible
#include "../core/kernel_def.h"

#undef LUTB_ADD
#undef LUTB_SUB
#undef LUTB_LO
#undef LUTB_HI
#undef LUTB_WORDS
#undef LUTB_CHUNK
#undef WG_LUTB_G
