/*
 * Binary weights x uint8 activations, 8-bit wrapping lanes, by table-row
 * adds of 4 depths in zmm registers (issue 18; idea and proof: docs/lut.md,
 * rank: docs/avx512.md).  Serves b <= 8, binary weights only.  The AVX2
 * binary kernel's scheme (kernels/avx2/lutb_avx2.h) at the AVX-512 ternary
 * kernel's tile (acc8_ternary_x_u8_8x128_lut3__avx512bw): lanes are
 * columns, and for a group of 4 depths k..k+3 and a panel of 128 columns
 * pack_b builds the 16 rows (kernels/core/lutb.h)
 *
 *   T[r][j] = sum_q s_q x[k+q][j]   (mod 2^8, bytes),  s_q = +1 where bit q
 *                                                      of r is set, else -1
 *
 * once; each output row then adds, per group, the row its 4 weights select
 * (pack_a stores r * 8): two vpaddb zmm with the row as memory operand per
 * 4 depths x 128 columns = 512 MACs, where the ternary table takes binary
 * weights 3 depths per add.  Every step is an addition in Z/256, so the
 * sums are exact modulo 2^8; the tables hold codes and the epilogue's
 * zx * rowsum correction is exact modulo 2^32, hence modulo 2^8.  Depth
 * past K builds from zero rows (its sign bit 0 adds zeros); rows past M
 * select row 0, never stored.
 *
 * Packed layouts (KU = 4 depths per group):
 *
 *   A group, 8 rows:       r0*8 r1*8 ... r7*8        (one qword, r < 16)
 *   B group, 128 columns:  columns 0-63:   rows 0 .. 15, 64 bytes each
 *                          columns 64-127: rows 0 .. 15       2048 bytes
 *
 * Blocks, measured as the ternary kernel's (AMD EPYC Zen 5, docs/lut.md,
 * "AVX-512 on Zen 5"): a panel's tables for a depth block are 2^4 x 128 x
 * kc / 4 = 512 kc bytes; kc = 96 (24 groups, 48 KiB), nc = 256 took 0-10%
 * less time than kc = 48 (24 KiB, in L1) / nc = 512, kc = 72 gained at
 * M = 512 and lost on the 128x28x28 convolution.  Per call 8 x 128 x 96 =
 * 98304 MACs.
 *
 * Dispatch: first in kernels/avx512/isa.inc for binary weights (it takes
 * no other) from M = 4 rows (NHWC convolutions 128), measured against the
 * VNNI kernel on the same binary weights (AMD EPYC Zen 5; docs/avx512.md,
 * "Rank").
 */
#include <string.h>

#include "../core/kernel.h"
#include "../core/kernel_name.h"
#include "../core/lutb.h"
#include "lut_avx512.h"
#include "simd_avx512.h"

#define WG_K_STEM acc8_binary_x_u8_8x128_lut4__avx512bw
/* BW for the byte adds; AVX2 for the AVX2 folder's row sources that the
 * tables are built from (every AVX-512 CPU has it). */
#define WG_K_CPU (WG_CPU_AVX512BW | WG_CPU_AVX2)
#define WG_K_LANES 8
#define WG_K_MR 8
#define WG_K_NR 128
#define WG_LUTB_G 4
#define WG_K_KU WG_LUTB_G
#define WG_K_KC 96
#define WG_K_NC 256
#define WG_K_A_GROUP 8
/* One column half's table: 16 rows of 64 bytes. */
#define WG_LB5_HALF ((1 << WG_LUTB_G) * 64)
#define WG_K_B_GROUP (2 * WG_LB5_HALF)
#define WG_K_TABLES_B 1 /* driver.c few_row_ranges */
#define WG_K_NHWC_IMAGES 1 /* NHWC rows from the call's shifted images (bsrc.h) */
#define WG_K_NCHW_IMAGES 0 /* the AVX2 row source's own shifted images (pack_avx2.c) */
#define WG_K_ELIGIBLE wg_lutb_eligible
/* Against the VNNI kernel (Zen 5): GEMMs 1.14-1.18x at M = 4-16, NCHW
 * convolutions 1.15-2.1x; NHWC convolutions 2.5x at M = 4, 1.22-1.29x at
 * 64-512 with shifted images and the pixel-major byte finish (before:
 * 0.93x at 64, and the threshold 128). */
#define WG_K_AUTO_MIN_M 4
#define WG_K_AUTO_MIN_M_NHWC 0

/* The 16 rows of one group for `halves` x 64 columns at t, from the 4
 * depth rows x[q] (64 * halves readable bytes each): the signed sums of
 * the low and the high two rows, then one add and one store per row
 * (lutb.h). */
static inline __attribute__((always_inline)) void WG_K_FN(build_group)(
    const uint8_t *const x[WG_LUTB_G], uint8_t *t, int halves) {
  const __m512i zero = _mm512_setzero_si512();
  for (int h = 0; h < halves; h++) {
    __m512i d[WG_LUTB_G], lo[4], hi[4];
    for (int q = 0; q < WG_LUTB_G; q++)
      d[q] = _mm512_loadu_si512((const void *)(x[q] + 64 * h));
    WG_LUTB_SUMS(lo, d, 2, _mm512_add_epi8, _mm512_sub_epi8, zero);
    WG_LUTB_SUMS(hi, d + 2, 2, _mm512_add_epi8, _mm512_sub_epi8, zero);
    uint8_t *th = t + h * WG_LB5_HALF;
    for (int b = 0; b < 4; b++)
      for (int a = 0; a < 4; a++)
        _mm512_storeu_si512((void *)(th + 64 * (a + 4 * b)), _mm512_add_epi8(lo[a], hi[b]));
  }
}

#define WG_LUTB_HALF_COLS 64
#define WG_LUTB_A_SCALE 8
#include "../avx2/lutb_tables_avx2.h"

/* The row adds and the finish: lut_avx512.h's 8 x 128 loop. */
static void WG_K_FN(run)(const wg_tile *t) { WG_LUT5_RUN_8X128(t, WG_K_B_GROUP, WG_LB5_HALF); }

#include "../core/kernel_def.h"
