/*
 * Ternary/binary weights x uint8 activations, 8-bit wrapping lanes, by
 * table-row adds of 3 depths on armv7 NEON (issue 18): the aarch64
 * kernel's template neon/lut3_neon.h (layouts, exactness, 27-row build of
 * kernels/core/lut3.h) on the run of neon/lut_neon.h at armv7's tile.
 *
 * Tile: 3 rows x 64 columns = 12 accumulators + the 4 q registers of the
 * loaded row, all 16.  Per group and row: ldrb, an address add, two
 * vld1.8 {d0-d3} and four vadd.i8, 8 instructions per 3 depths x 64
 * columns = 192 MACs; 28 per group with the loop's 4 (20.6 MACs per
 * instruction), where 6 x 32 (12 accumulators + 2) counts 34 and 4 x 32
 * (8 + 2) 24 per 576 and 384 MACs (16.9 and 16.0): an armv7 load takes at
 * most 32 bytes, so the index and address are paid per 32 columns there.
 * kc = 48 depths (16 groups: a 27 KiB table per panel, in the 32 KiB L1 of
 * Cortex-A7/A9/A15 while the row panels add it).
 *
 * Dispatch: first on armv7 for ternary weights with b <= 8 (binary
 * weights go to the binary kernel), from auto_min_m = 5 rows, by whole-call
 * instruction counts under qemu (scripts/arm-call-counts.sh) against the
 * mla kernel below it (acc8_int8_x_u8_4x32__armv7_neon) on the four
 * Table 7 GEMMs: 0.82-0.95x its instructions at M = 5 and 6, 0.86-1.00x
 * at 7 and 8, 0.45-0.51x at 256; at 4 (a second 3-row tile, one row
 * used, against one full 4-row mla tile) 0.99-1.16x, at 1-3 0.93-1.11x
 * (docs/lut.md, "armv7 NEON").  Instructions only: qemu cannot time.
 */
#define WG_K_STEM acc8_ternary_x_u8_3x64_lut3__armv7_neon
#define WG_K_KC 48
#define WG_K_TABLES_B 1 /* driver.c few_row_ranges */
#define WG_K_NHWC_IMAGES 1 /* NHWC rows from the call's shifted images (bsrc.h) */
#define WG_K_AUTO_MIN_M 5
#include "neon/lut3_neon.h"
