/*
 * Binary weights, table-row adds of 4 depths on aarch64 NEON (16 rows of
 * 64 bytes per group and panel, 1 KiB): the template neon/lutb_neon.h
 * (tile, layouts and exactness there).  kc = 96 depths: 24 groups, a
 * 24 KiB table per panel, in the L1 of every ARMv8 core (32 KiB or more)
 * while the row panels add it.
 *
 * Why 4 depths, by instruction count (qemu cannot time; docs/lut.md,
 * "Binary weights on aarch64 NEON"): whole wg_gemm calls counted under
 * qemu on the four Table 7 GEMMs, G = 5 (kc = 60) and 6 (kc = 36) built
 * from this template, against G = 4: 1.28-1.31x and 1.62-1.69x at M = 16,
 * 1.10-1.12x and 1.25-1.32x at 64, 0.98-0.99x and 1.03-1.04x at 256,
 * 0.94-0.96x and 0.96-0.98x at 512.  The run's 7 instructions per row and
 * group cover G depths, but the build's 2^G adds and stores per group grow
 * faster.  The AVX2 kernel measured 4 best up to M = 384 as well.
 *
 * Dispatch: first on aarch64 for binary weights with b <= 8 (it takes no
 * other format), from auto_min_m = 6 rows, by instruction count: the
 * instructions one wg_gemm call executes under qemu (a counting plugin,
 * docs/lut.md), this kernel against the mla kernel that runs below it for
 * b <= 8, on the four Table 7 GEMMs: 0.83-0.89x at M = 6 (one full tile),
 * 0.85-0.91x at 5, 1.10-1.13x at 4, 0.90-0.95x at 8 and falling with M
 * (0.32-0.37x at 256 on the two shapes counted there; the lut3 kernel
 * 1.23-1.34x this one at every M counted, sdot above mla up to M = 64).
 * Instructions only: the build's 16 q stores per group and 16 columns
 * against one store port may move it on a core.
 */
#define WG_K_STEM acc8_binary_x_u8_6x64_lut4__aarch64_neon
#define WG_LUTB_G 4
#define WG_K_KC 96
#define WG_K_TABLES_B 1 /* driver.c few_row_ranges */
#define WG_K_NHWC_IMAGES 1 /* NHWC rows from the call's shifted images (bsrc.h) */
#define WG_K_AUTO_MIN_M 6
#include "neon/lutb_neon.h"
