/*
 * Ternary/binary weights x uint8 activations, 8-bit wrapping lanes, by
 * table-row adds of 3 depths on aarch64 NEON (issue 18): the template
 * neon/lut3_neon.h (layouts, exactness) on the run of neon/lut_neon.h.
 * Per group and row: ldrb, an address add, one ld1 of four q registers and
 * four add .16b, 7 instructions per 3 depths x 64 columns = 192 MACs,
 * against sdot's 16 MACs per instruction (docs/arm.md).
 *
 * Tile: 6 rows x 64 columns = 24 accumulators, 4 registers for the row
 * loaded, of the 32.  kc = 48 depths (16 groups: a 27 KiB table per
 * panel, L1), as the AVX2 kernel.
 *
 * Dispatch: first on aarch64 for ternary weights with b <= 8 (binary
 * weights: after the binary kernel), from auto_min_m rows, ranked by
 * instruction count (qemu cannot time; no board measurement yet):
 * docs/arm.md.  Per 192 MACs of a row, 7.7 + ~280 / M instructions (the
 * loop, then the table build shared by M rows) against the mla kernel's
 * 19.5 (next in the list) and the sdot kernel's 16.5: fewer from M of
 * about 24 and 32 (instruction counts, not timings).
 */
#define WG_K_STEM acc8_ternary_x_u8_6x64_lut3__aarch64_neon
#define WG_K_KC 48
#define WG_K_TABLES_B 1 /* driver.c few_row_ranges */
#define WG_K_NHWC_IMAGES 1 /* NHWC rows from the call's shifted images (bsrc.h) */
#define WG_K_AUTO_MIN_M 32
#include "neon/lut3_neon.h"
