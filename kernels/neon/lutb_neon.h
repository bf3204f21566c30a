/*
 * The NEON binary lookup-table kernels, acc8_binary_x_u8_<MR>x64_lut<G>
 * on aarch64 (MR = 6) and armv7 (MR = 3) (issue 18; design, proof and
 * instruction counts: docs/lut.md, "Binary weights on aarch64 NEON", and
 * docs/arm.md): binary weights x uint8 activations, 8-bit wrapping lanes,
 * by table-row adds of G depths.  Serves b <= 8, binary weights only.  A
 * kernel file defines WG_K_STEM, WG_LUTB_G (4..6), WG_K_KC (a multiple of
 * G) and WG_K_AUTO_MIN_M, then includes this template.
 *
 * Lanes are columns (pixels).  For a group of G depths k..k+G-1 and a
 * panel of 64 columns, pack_b builds the 2^G rows of kernels/core/lutb.h
 * (the numbering and build order every ISA shares)
 *
 *   T[r][j] = sum_q s_q x[k+q][j]   (mod 2^8, bytes),  s_q = +1 where bit q
 *                                                      of r is set, else -1
 *
 * once; each output row then adds, per group, the one row its G weights
 * select: ldrb of the index, an address add, the 64-byte row's load (one
 * ld1 of four q registers on aarch64, two vld1.8 {d0-d3} on armv7) and
 * four add .16b / vadd.i8, 7 or 8 instructions per G depths x 64 columns
 * (the lut3 kernels' loop, lut_neon.h, which spends the same on 3 depths).
 * Every step is an addition in Z/256 (add/sub .16b wrap), so the sums are
 * exact modulo 2^8, all that lane_bits = 8 promises.  The tables hold
 * codes, not x - zx: the epilogue's zx * rowsum correction is exact modulo
 * 2^32, hence modulo 2^8.  Depth past K builds from zero rows, so any sign
 * of it (pack_a gives bit 0) adds zero; rows past M select row 0, whose
 * sums are computed and never stored.  The driver starts depth blocks at
 * multiples of KU = G and kc is one, so no group straddles a block; the
 * sums are parked as bytes between blocks.
 *
 * Packed layouts (KU = G depths per group):
 *
 *   A group, MR rows:     r0 r1 ... r(MR-1)     (MR bytes, r < 2^G;
 *                                               r = sum_q (w_q = +1) << q)
 *   B group, 64 columns:  row 0:      64 bytes  (-x0 -x1 ... -x(G-1))
 *                         row 1:      64 bytes  (+x0 -x1 ... -x(G-1))
 *                         ...
 *                         row 2^G-1:  64 bytes  (+x0 +x1 ... +x(G-1))
 *                                               2^G * 64 bytes
 */
#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

#include "core/bsrc.h"
#include "core/kernel.h"
#include "core/kernel_name.h"
#include "core/lutb.h"
#include "neon/lut_neon.h"

#if !defined(WG_LUTB_G) || !defined(WG_K_KC) || WG_LUTB_G < 4 || WG_LUTB_G > 6
#error "lutb_neon.h: define WG_LUTB_G (4..6) and WG_K_KC before including it"
#endif
#if WG_K_KC % WG_LUTB_G
#error "lutb_neon.h: WG_K_KC must be a multiple of WG_LUTB_G"
#endif
#define WG_LUTB_LO (WG_LUTB_G / 2)
#define WG_LUTB_HI (WG_LUTB_G - WG_LUTB_LO)

#define WG_K_CPU WG_CPU_NEON
#define WG_K_LANES 8
#define WG_K_MR WG_NLUT_MR
#define WG_K_NR WG_NLUT_NR
#define WG_K_KU WG_LUTB_G
#define WG_K_NC (4 * WG_K_NR)
#define WG_K_A_GROUP WG_K_MR
#define WG_K_B_GROUP ((1 << WG_LUTB_G) * WG_K_NR)
#define WG_K_ELIGIBLE wg_lutb_eligible

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  uint8_t *d = dst;
  for (int64_t g = 0; g < (k + WG_LUTB_G - 1) / WG_LUTB_G; g++)
    for (int i = 0; i < WG_K_MR; i++)
      *d++ = (uint8_t)wg_lutb_row(w, ldw, i, rows, g, k, WG_LUTB_G);
}

/* The 2^G rows of one group (64 bytes each) from its G depth rows x[q]
 * (64 readable bytes each), 16 columns at a time: the signed sums of the
 * low and the high depths (lutb.h), then one add and one store per row. */
static void WG_K_FN(build_group)(const uint8_t *const x[WG_LUTB_G], uint8_t *t) {
  const uint8x16_t zero = vdupq_n_u8(0);
  for (int h = 0; h < WG_K_NR; h += 16) {
    uint8x16_t d[WG_LUTB_G], lo[1 << WG_LUTB_LO], hi[1 << WG_LUTB_HI];
#pragma GCC unroll 8
    for (int q = 0; q < WG_LUTB_G; q++) d[q] = vld1q_u8(x[q] + h);
    WG_LUTB_SUMS(lo, d, WG_LUTB_LO, vaddq_u8, vsubq_u8, zero);
    WG_LUTB_SUMS(hi, d + WG_LUTB_LO, WG_LUTB_HI, vaddq_u8, vsubq_u8, zero);
#pragma GCC unroll 8
    for (int b = 0; b < 1 << WG_LUTB_HI; b++)
#pragma GCC unroll 8
      for (int a = 0; a < 1 << WG_LUTB_LO; a++)
        vst1q_u8(t + (a + (b << WG_LUTB_LO)) * WG_K_NR + h, vaddq_u8(lo[a], hi[b]));
  }
}

/* The tables of groups [0, kgroups) from depth k0 for columns n0 ..
 * n0+cols (cols <= 64): each group's G depth rows gathered by
 * wg_neon_lut_rows (ragged panels through zeroed copies, depth past K as a
 * zero row). */
static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                            int cols, void *dst) {
  uint8_t tmp[WG_LUTB_G][WG_K_NR], pad[WG_LUTB_G][WG_K_NR];
  memset(pad, 0, sizeof pad);
  for (int64_t g = 0; g < kgroups; g++) {
    const uint8_t *x[WG_LUTB_G];
    wg_neon_lut_rows(src, k0 + WG_LUTB_G * g, WG_LUTB_G, n0, cols, tmp, pad, x);
    WG_K_FN(build_group)(x, (uint8_t *)dst + g * WG_K_B_GROUP);
  }
}

static void WG_K_FN(run)(const wg_tile *t) { wg_neon_lut_run(t, WG_K_B_GROUP); }

#include "core/kernel_def.h"

#undef WG_LUTB_LO
#undef WG_LUTB_HI
#undef WG_LUTB_G
