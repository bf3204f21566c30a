/*
 * Binary weights, table-row adds of 4 depths on armv7 NEON (16 rows of 64
 * bytes per group and panel, 1 KiB): the aarch64 kernel's template
 * neon/lutb_neon.h (layouts, exactness, lutb.h's build) at armv7's 3 x 64
 * tile (neon/lut_neon.h: 12 accumulators + the 4 q registers of the loaded
 * row; 8 instructions per row and group, two vld1.8 {d0-d3} per 64-byte
 * row).  kc = 96 depths: 24 groups, a 24 KiB table per panel, in the
 * 32 KiB L1 of Cortex-A7/A9/A15 while the row panels add it.
 *
 * Dispatch: first on armv7 for binary weights with b <= 8 (it takes no
 * other format), at every M (auto_min_m = 0), by whole-call instruction
 * counts under qemu (scripts/arm-call-counts.sh) against the mla kernel
 * below it (acc8_int8_x_u8_4x32__armv7_neon) on the four Table 7 GEMMs:
 * 0.68-0.78x its instructions at M = 1, 0.71-0.81x at 4 (its worst), 0.30-
 * 0.34x at 256; 0.66-0.74x the ternary LUT's at every M counted (docs/lut.md,
 * "armv7 NEON").  Its table build (16 rows of 4 depths: 65 instructions
 * per group and 16 columns) costs fewer instructions per depth than the
 * mla kernel's k-major packing of B, so no M is too small.  Instructions only: qemu cannot time.
 */
#define WG_K_STEM acc8_binary_x_u8_3x64_lut4__armv7_neon
#define WG_LUTB_G 4
#define WG_K_KC 96
#define WG_K_TABLES_B 1 /* driver.c few_row_ranges */
#define WG_K_NHWC_IMAGES 1 /* NHWC rows from the call's shifted images (bsrc.h) */
#define WG_K_AUTO_MIN_M 0
#include "neon/lutb_neon.h"
