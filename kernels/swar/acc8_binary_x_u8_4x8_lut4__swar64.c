/*
 * Binary weights, SWAR table-row adds of 4 depths (16 rows of 2 words per
 * group and 8-column panel, 256 bytes): the template lutb_swar.h.
 * kc = 384 depths: 96 groups, a 24 KiB table per panel, in L1 while every
 * row panel adds it; the fields are folded once inside a block (every 63
 * groups) and at its end.
 *
 * Why 4 depths and 384 (docs/lut.md, "General registers: binary weights",
 * AMD EPYC Zen 3): G = 6 (64 rows, kc = 144) from the same template ran
 * 1.02-1.43x slower on the Table 8 layers (the build stores 21 words per
 * depth against 8); kc = 192 and 96 ran 0.96-1.20x and 1.00-1.38x the time
 * of 384.
 */
#define WG_K_STEM acc8_binary_x_u8_4x8_lut4__swar64
#define WG_LUTB_G 4
#define WG_K_KC 384
#define WG_K_TABLES_B 1 /* driver.c few_row_ranges */
#define WG_K_NHWC_IMAGES 1 /* NHWC rows from the call's shifted images (bsrc.h) */
#include "lutb_swar.h"
