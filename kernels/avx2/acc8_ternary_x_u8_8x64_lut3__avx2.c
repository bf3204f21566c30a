/*
 * Ternary/binary weights x uint8 activations, 8-bit wrapping lanes, by
 * table-row adds (issue 18; design, proof and measurements: docs/lut.md).
 * Serves b <= 8.
 *
 * Lanes are columns (pixels).  For a group of 3 depths k..k+2 and a panel
 * of 64 columns, pack_b builds the 27 rows
 *
 *   T[r][j] = w0 x[k][j] + w1 x[k+1][j] + w2 x[k+2][j]   (mod 2^8, bytes)
 *   r = (w0+1) + 3(w1+1) + 9(w2+1),  w in {-1, 0, +1}^3
 *
 * once; each output row then adds, per group, the one row its 3 weights
 * select (pack_a stores r * 8, the scaled index of the row's 64 bytes): one
 * vpaddb per 3 depths x 32 columns, where sign+add needs 3.  Every step is
 * an addition in Z/256 (vpaddb/vpsubb wrap), so the sums are exact modulo
 * 2^8, which is all lane_bits = 8 promises.  The tables hold codes, not
 * x - zx: the epilogue's zx * rowsum correction is exact modulo 2^32, hence
 * modulo 2^8.  Depth past K reads as anything: its weights are 0, so no row
 * r selects it.  Rows past M select row 13 (0, 0, 0), which is zero.
 *
 * Packed layouts (KU = 3 depths per group):
 *
 *   A group, 8 rows:      r0*8 r1*8 ... r7*8           (8 bytes: one qword)
 *   B group, 64 columns:  row  0: 64 bytes  (-x0 -x1 -x2)
 *                         row  1: 64 bytes  (    -x1 -x2)
 *                         ...
 *                         row 13: 64 zeros
 *                         ...
 *                         row 26: 64 bytes  (+x0 +x1 +x2)     1728 bytes
 *
 * A panel of at most 32 columns builds and adds the left 32 bytes of each
 * row only (N = 196 leaves 4 columns).
 *
 * Blocks: kc = 48 depths (16 groups, a 27 KiB table per panel: L1) and
 * nc = 256: pack_b_block builds four panels' tables per depth block from
 * one fetch of their rows (NCHW convolutions assemble their shifted images
 * once per 256 columns: 1.15x against 0.89x at M = 64, docs/lut.md), and
 * the driver's loop (depth block, pack, then per panel all row panels) adds
 * each panel's table from L1.  Eight rows (16 accumulators, the whole
 * register file) against four: 5-15% faster on the Table 7 GEMMs
 * (per-tile costs: the driver's call, the parked sums, the first weight
 * load).  Sums between depth
 * blocks are parked as bytes (8 x 64) in the first 512 bytes of
 * t->partial, the kernel's own format (kernel.h; the driver seeds partial
 * sums only for INT weights with a zero point, never served here).
 *
 * Dispatch: listed before acc8_ternary_x_u8_6x16__avx2 and chosen
 * automatically from M = 128 rows: below, building the tables (26 row
 * stores per 3 depths and 32 columns) costs more than the row adds save
 * (64 x 3136 x 576: 0.85-1.0x the sign+add kernel; 128 rows and up:
 * GEMMs 1.2-1.65x, NCHW convolutions 1.15-1.3x; NHWC convolutions lose
 * below 512 rows, which dispatch cannot see: docs/lut.md).
 */
#include <immintrin.h>
#include <string.h>

#include "../core/bsrc.h"
#include "../core/kernel.h"
#include "../core/kernel_name.h"
#include "../core/lut3.h"
#include "eligible_avx2.h"
#include "epilogue_avx2.h"
#include "lut3_tables_avx2.h"
#include "lut_avx2.h"

#define WG_K_STEM acc8_ternary_x_u8_8x64_lut3__avx2
#define WG_K_CPU WG_CPU_AVX2
#define WG_K_LANES 8
#define WG_K_MR 8
#define WG_K_NR 64
#define WG_K_KU 3
#define WG_K_KC 48
#define WG_K_NC 256
#define WG_K_A_GROUP 8
#define WG_K_B_GROUP (27 * 64)
#define WG_K_TABLES_B 1 /* driver.c few_row_ranges */
#define WG_K_NHWC_IMAGES 1 /* NHWC rows from the call's shifted images (bsrc.h) */
#define WG_K_NCHW_IMAGES 0 /* the AVX2 row source's own shifted images (pack_avx2.c) */
/* Only weights in {-1, 0, +1} select a row; the rest are additions that
 * wrap (eligible_avx2.c: the sign+add kernel's operand set). */
#define WG_K_ELIGIBLE wg_avx2_eligible_sign8
#define WG_K_AUTO_MIN_M 128
/* NHWC convolutions from the same M since they read shifted images and
 * finish pixel-major in bytes: against the sign+add kernel's direct path
 * 0.74-0.76x at M = 32, 0.98-1.03x at 64, 1.19-1.31x at 96-128 (forced on
 * AMD EPYC Zen 5; docs/lut.md, "NHWC through shifted images"); before,
 * 0.74-0.89x at 128-256 and the threshold 512. */
#define WG_K_AUTO_MIN_M_NHWC 0

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  wg_lut3_pack_a(w, ldw, rows, k, WG_K_MR, 8, dst);
}

/* The 27 rows of one group for the first cols columns at t (rows 64 bytes
 * apart; 32 columns, or 64 where cols > 32), from the three depth rows x0,
 * x1, x2: three levels, {-x0, 0, x0}, then -/0/+ x1, then -/0/+ x2; 26
 * additions or subtractions and 27 stores per 32 columns. */
static void WG_K_FN(build_group)(const uint8_t *x0, const uint8_t *x1, const uint8_t *x2,
                                 int cols, uint8_t *t) {
  int halves = cols <= 32 ? 1 : 2;
#define WG_L3_ST(i, v) _mm256_store_si256((__m256i *)(th + (i) * 64), v)
  const __m256i zero = _mm256_setzero_si256();
  for (int h = 0; h < halves; h++) {
    __m256i d0 = _mm256_loadu_si256((const __m256i *)(x0 + 32 * h));
    __m256i d1 = _mm256_loadu_si256((const __m256i *)(x1 + 32 * h));
    __m256i d2 = _mm256_loadu_si256((const __m256i *)(x2 + 32 * h));
    uint8_t *th = t + 32 * h;
    WG_LUT3_ROWS(__m256i, WG_L3_ST, _mm256_add_epi8, _mm256_sub_epi8, zero, d0, d1, d2);
  }
#undef WG_L3_ST
}

/* The tables of groups [0, kgroups) from depth k0 for the panels of
 * columns n0 .. n0+cols (cols <= nc), from the AVX2 row sources
 * (lut3_tables_avx2.h: plain rows in place, NCHW rows from shifted images,
 * whose assembly is paid once per block rather than once per panel, the
 * next group's rows prefetched). */
_Static_assert(WG_K_NR <= WG_LUT3_MAX_NR && WG_K_NC <= WG_AVX2_MAX_NC &&
                   WG_K_KC * WG_K_NC <= WG_LUT3_MAX_BLOCK,
               "lut3_tables_avx2.h's bounds");
static void WG_K_FN(pack_b_block)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                                  int64_t cols, void *dst) {
  wg_avx2_lut3_tables(src, k0, kgroups, n0, cols, WG_K_NR, WG_K_B_GROUP, WG_K_FN(build_group),
                      dst);
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                            int cols, void *dst) {
  WG_K_FN(pack_b_block)(src, k0, kgroups, n0, cols, dst);
}
#define WG_K_PACK_B_BLOCK WG_K_FN(pack_b_block)

/* The row adds and the finish are lut_avx2.h's 8 x 64 loop: 64-byte table
 * rows (right halves 32 bytes after the left), groups 27 rows apart.  Its
 * prefetch of the next depth block's weights matters here: without it the
 * first load of the loop stalled for 20% of 512x49x4608 (perf, AMD EPYC
 * Zen 3; docs/lut.md). */
static void WG_K_FN(run)(const wg_tile *t) { WG_LUTX_RUN_8X64(t, WG_K_B_GROUP, 32); }

#include "../core/kernel_def.h"
