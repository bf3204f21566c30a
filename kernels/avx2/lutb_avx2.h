/*
 * The AVX2 binary lookup-table kernels, acc8_binary_x_u8_8x64_lut<G>__avx2
 * (issue 18; design, proof and measurements: docs/lut.md, "Binary
 * weights"): binary weights x uint8 activations, 8-bit wrapping lanes, by
 * table-row adds of G depths.  Serves b <= 8, binary weights only.  A
 * kernel file defines WG_K_STEM, WG_LUTB_G (4..6), WG_K_KC (a multiple of
 * G) and its WG_K_AUTO_MIN_M*, then includes this template.
 *
 * Lanes are columns (pixels).  For a group of G depths k..k+G-1 and a
 * panel of 64 columns, pack_b builds the 2^G rows (kernels/core/lutb.h)
 *
 *   T[r][j] = sum_q s_q x[k+q][j]   (mod 2^8, bytes),  s_q = +1 where bit q
 *                                                      of r is set, else -1
 *
 * once; each output row then adds, per group, the one row its G weights
 * select: one vpaddb per G depths x 32 columns, where the ternary table
 * (acc8_ternary_x_u8_8x64_lut3__avx2) needs one per 3 and sign+add one per
 * depth.  Every step is an addition in Z/256 (vpaddb/vpsubb wrap), so the
 * sums are exact modulo 2^8, which is all lane_bits = 8 promises.  The
 * tables hold codes, not x - zx: the epilogue's zx * rowsum correction is
 * exact modulo 2^32, hence modulo 2^8.  Depth past K builds from zero rows,
 * so its sign bit (0) adds zeros; rows past M select row 0, never stored.
 * kc is a multiple of G, so no group straddles a depth block.
 *
 * Packed layouts (KU = G depths per group):
 *
 *   A group, 8 rows:   4 r0, 4 r1, ..., 4 r7   (8 bytes: one qword; r < 64,
 *                                               so 4 r fits a byte)
 *   B group, 64 columns, 2^G * 64 bytes, in two halves of 32 columns:
 *                      rows 0 .. 2^G-1, columns 0-31:  32 bytes each
 *                      rows 0 .. 2^G-1, columns 32-63: 32 bytes each
 *   so row r's halves lie at 8 (4 r) and 2^G * 32 + 8 (4 r): the scaled
 *   index of lut_avx2.h's loop (a 64-byte row would need 64 r, past a byte
 *   at G = 6).
 *
 * A panel of at most 32 columns builds and adds the left half only.  nc =
 * 256: pack_b_block builds four panels' tables per depth block from one
 * fetch of the rows, and the driver's loop (depth block, pack, then per
 * panel all row panels) adds each panel's table from L1.
 */
#include <immintrin.h>
#include <string.h>

#include "../core/bsrc.h"
#include "../core/kernel.h"
#include "../core/kernel_name.h"
#include "../core/lutb.h"
#include "lut_avx2.h"
#include "pack_avx2.h"

#if !defined(WG_LUTB_G) || !defined(WG_K_KC) || WG_LUTB_G < 4 || WG_LUTB_G > 6
#error "lutb_avx2.h: define WG_LUTB_G (4..6) and WG_K_KC before including it"
#endif
#define WG_LUTB_LO (WG_LUTB_G / 2)
#define WG_LUTB_HI (WG_LUTB_G - WG_LUTB_LO)
#define WG_LUTB_HALF ((1 << WG_LUTB_G) * 32)

#define WG_K_CPU WG_CPU_AVX2
#define WG_K_LANES 8
#define WG_K_MR 8
#define WG_K_NR 64
#define WG_K_KU WG_LUTB_G
#define WG_K_NC 256
#define WG_K_A_GROUP 8
#define WG_K_B_GROUP (2 * WG_LUTB_HALF)
#define WG_K_ELIGIBLE wg_lutb_eligible

/* The 2^G rows of one group for `halves` x 32 columns at t, from the G
 * depth rows x[q] (32 * halves readable bytes each): the signed sums of the
 * low and high rows, then one add and one store per row (lutb.h). */
static inline __attribute__((always_inline)) void WG_K_FN(build_group)(
    const uint8_t *const x[WG_LUTB_G], uint8_t *t, int halves) {
  const __m256i zero = _mm256_setzero_si256();
  for (int h = 0; h < halves; h++) {
    __m256i d[WG_LUTB_G], lo[1 << WG_LUTB_LO], hi[1 << WG_LUTB_HI];
    for (int q = 0; q < WG_LUTB_G; q++) d[q] = _mm256_loadu_si256((const __m256i *)(x[q] + 32 * h));
    WG_LUTB_SUMS(lo, d, WG_LUTB_LO, _mm256_add_epi8, _mm256_sub_epi8, zero);
    WG_LUTB_SUMS(hi, d + WG_LUTB_LO, WG_LUTB_HI, _mm256_add_epi8, _mm256_sub_epi8, zero);
    uint8_t *th = t + h * WG_LUTB_HALF;
    _Pragma("GCC unroll 8") for (int b = 0; b < 1 << WG_LUTB_HI; b++)
      _Pragma("GCC unroll 8") for (int a = 0; a < 1 << WG_LUTB_LO; a++)
        _mm256_store_si256((__m256i *)(th + 32 * (a + (b << WG_LUTB_LO))),
                           _mm256_add_epi8(lo[a], hi[b]));
  }
}

#define WG_LUTB_HALF_COLS 32
#define WG_LUTB_A_SCALE 4
#include "lutb_tables_avx2.h"

static void WG_K_FN(run)(const wg_tile *t) {
  WG_LUTX_RUN_8X64(t, WG_K_B_GROUP, WG_LUTB_HALF);
}

#include "../core/kernel_def.h"

#undef WG_LUTB_LO
#undef WG_LUTB_HI
#undef WG_LUTB_HALF
#undef WG_LUTB_G
#undef WG_LUTB_HALF_COLS
#undef WG_LUTB_A_SCALE
