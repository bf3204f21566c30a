/*
 * Binary weights, table-row adds of 4 depths (16 rows per group and
 * panel, 1 KiB): the AVX2 binary lookup-table template (lutb_avx2.h).
 * kc = 96 depths: 24 groups, a 24 KiB table per panel, in the 32 KiB L1
 * while the row panels add it.
 *
 * Why 4 depths (docs/lut.md, "Binary weights on AVX2", AMD EPYC Zen 3):
 * groups of 5 (32 rows, kc = 60) and 6 (64 rows, kc = 36) were built from
 * the same template and measured beside it on the Table 7 GEMMs and
 * convolutions.  6 ran 0.78-0.90x this one at M = 64-256 (0.59-0.75x on
 * NHWC) and 0.96-1.16x at 512: its halved row adds are paid back in
 * building 4x the rows per depth and parking the sums every 6 groups.  5
 * ran 0.99-1.15x at M = 256-512 on GEMMs and NCHW, 0.86-1.03x below and
 * 0.71-0.90x on NHWC (shorter column runs to transpose per block); kc = 48
 * and 128 ran 0.71-1.06x and 0.86-1.09x of 96.
 *
 * Dispatch: first for binary weights (it takes no other), from M = 40 rows
 * (below, acc8_ternary_x_u8_6x16__avx2's sign+add won: 0.77-0.87x at
 * M = 16-32 on NCHW convolutions, 1.16-1.37x here at 40) and, for NHWC
 * convolutions, from M = 160 (where that kernel's direct path reads the
 * pixels in place: 0.64x at 64, 0.92-1.08x at 128, 1.01-1.46x at 160).
 */
#define WG_K_STEM acc8_binary_x_u8_8x64_lut4__avx2
#define WG_LUTB_G 4
#define WG_K_KC 96
#define WG_K_TABLES_B 1 /* driver.c few_row_ranges */
#define WG_K_NHWC_IMAGES 1 /* NHWC rows from the call's shifted images (bsrc.h) */
#define WG_K_NCHW_IMAGES 0 /* the AVX2 row source's own shifted images (pack_avx2.c) */
#define WG_K_AUTO_MIN_M 40
/* NHWC: 0.92x the sign+add kernel's direct path at M = 32, 1.35x at 64
 * (AVX2 forced on AMD EPYC Zen 5, docs/lut.md "NHWC through shifted
 * images"; 160 before them). */
#define WG_K_AUTO_MIN_M_NHWC 64
#include "lutb_avx2.h"
