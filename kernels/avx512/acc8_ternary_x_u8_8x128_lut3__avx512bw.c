/*
 * Ternary/binary weights x uint8 activations, 8-bit wrapping lanes, by
 * table-row adds in zmm registers (issue 18; idea and proof: docs/lut.md,
 * rank: docs/avx512.md).  Serves b <= 8.  The AVX2 kernel's orientation
 * (kernels/avx2/acc8_ternary_x_u8_8x64_lut3__avx2.c): lanes are columns,
 * and for a group of 3 depths k..k+2 and a panel of 128 columns pack_b
 * builds the 27 rows
 *
 *   T[r][j] = w0 x[k][j] + w1 x[k+1][j] + w2 x[k+2][j]   (mod 2^8, bytes)
 *   r = (w0+1) + 3(w1+1) + 9(w2+1),  w in {-1, 0, +1}^3   (core/lut3.h)
 *
 * once; each output row then adds, per group, the row its 3 weights select
 * (pack_a stores r * 8): two vpaddb zmm with the row as memory operand per
 * 3 depths x 128 columns = 384 MACs.  Every step is an addition in Z/256
 * (vpaddb/vpsubb wrap), so the sums are exact modulo 2^8, which is all
 * lane_bits = 8 promises.  The tables hold codes, not x - zx: the
 * epilogue's zx * rowsum correction is exact modulo 2^32, hence modulo
 * 2^8.  Depth past K is selected by no weight (its weights are 0); rows
 * past M select row 13 (0, 0, 0), which is zero.
 *
 * Packed layouts (KU = 3 depths per group):
 *
 *   A group, 8 rows:       r0*8 r1*8 ... r7*8        (one qword, as AVX2's)
 *   B group, 128 columns:  columns 0-63:   row  0: 64 bytes (-x0 -x1 -x2)
 *                                          ...
 *                                          row 13: 64 zeros
 *                                          ...
 *                                          row 26: 64 bytes (+x0 +x1 +x2)
 *                          columns 64-127: the same 27 rows     3456 bytes
 *
 * The two column halves are two 1728-byte tables, not one of 128-byte
 * rows, so that the index r*8 <= 208 still fits a byte and scales by 8 in
 * the address (r*16 would not), and the second half is the first's row
 * plus a displacement.  A panel of at most 64 columns builds and adds the
 * first half only.
 *
 * Tile, from the register budget: the rows are memory operands, so the 32
 * zmm registers could hold up to 32 accumulators (MR x NR/64).  Per row
 * and group one index is decoded in general registers (movzbl from the
 * qword) for NR/64 row adds, and per accumulator and depth block one load
 * and one store park the sums: NR = 64 decodes once per add, as many
 * scalar operations as the two vector ports can take beside the adds;
 * NR = 128 decodes once per 2 adds.  MR = 8: one qword of indices per
 * group, a divisor of every Table 7 layer's M, and 16 accumulators, which
 * leaves GCC the other 16 registers for the intrinsics loop (no spill,
 * objdump).  (12 rows, 24 accumulators, would halve the per-call costs
 * per MAC; unmeasured.)
 *
 * Blocks, measured (AMD EPYC Zen 5, 48 KiB L1, 1 MiB L2; docs/lut.md,
 * "AVX-512 on Zen 5"): kc = 48, nc = 256.  A panel's tables per depth
 * block are 9 x NR x kc = 54 KiB, more than L1, but the per-tile costs
 * (driver call, parked sums, first weight load) fall by half against
 * kc = 24 (27 KiB, in L1), and the L2 serves the rows: 9-29% faster than
 * kc = 24 / nc = 512 on the Table 7 GEMMs and convolutions; kc = 36
 * (41 KiB, in L1) took 0.99-1.16x the time of 48, kc = 72 and 96
 * (nc = 128) gained at M = 512 and lost on the 128x28x28 convolution.
 * nc = 256 keeps the block's tables of two panels, and the table pack's
 * bound (kc x nc <= 12288).
 *
 * Sums between depth blocks are parked as bytes (8 x 128) in the first
 * 1 KiB of t->partial, the kernel's own format (kernel.h: the driver seeds
 * partial sums only for INT weights with a zero point, never served
 * here).  The finish widens the bytes and runs the folder's epilogue.
 *
 * Dispatch: first in kernels/avx512/isa.inc for ternary/binary weights at
 * b <= 8 from M = 16 rows (NHWC convolutions 1024), before the VNNI and
 * masked-add kernels, measured against the VNNI kernel on AMD EPYC Zen 5
 * (docs/avx512.md, "Rank").
 */
#include <string.h>

#include "../avx2/lut3_tables_avx2.h"
#include "../core/kernel.h"
#include "../core/kernel_name.h"
#include "../core/lut3.h"
#include "eligible_avx512.h"
#include "lut_avx512.h"
#include "simd_avx512.h"

#define WG_K_STEM acc8_ternary_x_u8_8x128_lut3__avx512bw
/* BW for the byte adds; AVX2 for the AVX2 folder's row sources that the
 * tables are built from (every AVX-512 CPU has it). */
#define WG_K_CPU (WG_CPU_AVX512BW | WG_CPU_AVX2)
#define WG_K_LANES 8
#define WG_K_MR 8
#define WG_K_NR 128
#define WG_K_KU 3
#define WG_K_KC 48
#define WG_K_NC 256
#define WG_K_A_GROUP 8
/* One column half's table: 27 rows of 64 bytes. */
#define WG_L5_HALF (27 * 64)
#define WG_K_B_GROUP (2 * WG_L5_HALF)
#define WG_K_TABLES_B 1 /* driver.c few_row_ranges */
#define WG_K_NHWC_IMAGES 1 /* NHWC rows from the call's shifted images (bsrc.h) */
#define WG_K_NCHW_IMAGES 0 /* the AVX2 row source's own shifted images (pack_avx2.c) */
/* Only weights in {-1, 0, +1} select a row, every operation is an add or
 * subtract that wraps: the masked kernels' operand set, ternary and binary
 * formats (eligible_avx512.c), which also keeps out INT weights, whose
 * zero-point terms the driver would seed into t->partial as uint32. */
#define WG_K_ELIGIBLE wg_avx512_eligible_masks
/* Chosen automatically from 16 rows, NHWC convolutions from 1024: against
 * the VNNI kernel (AMD EPYC Zen 5, docs/avx512.md, "Rank") GEMMs 1.04-1.06x
 * at M = 16 (0.98-1.07x at 4-8), NCHW convolutions 1.2-2.6x from M = 16.
 * NHWC ones (shifted images, pixel-major byte finish) win 1.1-1.6x at
 * M = 16-128 and at 1024x7x7 but lose at 256x14x14 and 512x7x7, where the
 * VNNI kernel's direct path reads small images in place: 0.88-0.91x and
 * 0.74-0.87x with the WrapNet epilogue, 0.71-0.81x and 0.66-0.74x on two
 * threads; a threshold on M cannot keep both, so NHWC stays with the VNNI
 * kernel below 1024 rows (open: a rule on the image size). */
#define WG_K_AUTO_MIN_M 16
#define WG_K_AUTO_MIN_M_NHWC 1024

_Static_assert(WG_K_NR <= WG_LUT3_MAX_NR && WG_K_NC <= WG_AVX2_MAX_NC &&
                   WG_K_KC * WG_K_NC <= WG_LUT3_MAX_BLOCK,
               "lut3_tables_avx2.h's bounds");

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  wg_lut3_pack_a(w, ldw, rows, k, WG_K_MR, 8, dst);
}

/* The 27 rows of one group for the first cols columns at t (one 64-column
 * half, or both where cols > 64), from the depth rows x0, x1, x2 in
 * lut3.h's order: 26 vpaddb/vpsubb and 27 stores per 64 columns. */
static void WG_K_FN(build_group)(const uint8_t *x0, const uint8_t *x1, const uint8_t *x2,
                                 int cols, uint8_t *t) {
#define WG_L5_ST(i, v) _mm512_storeu_si512((void *)(th + (i) * 64), v)
  const __m512i zero = _mm512_setzero_si512();
  for (int h = 0; h * 64 < cols; h++) {
    __m512i d0 = _mm512_loadu_si512((const void *)(x0 + 64 * h));
    __m512i d1 = _mm512_loadu_si512((const void *)(x1 + 64 * h));
    __m512i d2 = _mm512_loadu_si512((const void *)(x2 + 64 * h));
    uint8_t *th = t + h * WG_L5_HALF;
    WG_LUT3_ROWS(__m512i, WG_L5_ST, _mm512_add_epi8, _mm512_sub_epi8, zero, d0, d1, d2);
  }
#undef WG_L5_ST
}

static void WG_K_FN(pack_b_block)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                                  int64_t cols, void *dst) {
  wg_avx2_lut3_tables(src, k0, kgroups, n0, cols, WG_K_NR, WG_K_B_GROUP, WG_K_FN(build_group),
                      dst);
}
#define WG_K_PACK_B_BLOCK WG_K_FN(pack_b_block)

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                            int cols, void *dst) {
  WG_K_FN(pack_b_block)(src, k0, kgroups, n0, cols, dst);
}

/* The row adds and the finish: lut_avx512.h's 8 x 128 loop (64-byte table
 * rows, the second column half WG_L5_HALF bytes after the first). */
static void WG_K_FN(run)(const wg_tile *t) { WG_LUT5_RUN_8X128(t, WG_K_B_GROUP, WG_L5_HALF); }

#include "../core/kernel_def.h"
