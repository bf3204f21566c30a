/*
 * The NEON ternary lookup-table kernels, acc8_ternary_x_u8_<MR>x64_lut3
 * on aarch64 (MR = 6) and armv7 (MR = 3) (issue 18; idea and proof:
 * docs/lut.md, instruction counts: docs/arm.md): ternary/binary weights x
 * uint8 activations, 8-bit wrapping lanes, by table-row adds.  Serves
 * b <= 8.  A kernel file defines WG_K_STEM, WG_K_KC (a multiple of 3) and
 * WG_K_AUTO_MIN_M, then includes this template.
 *
 * Lanes are columns.  For a group of 3 depths k..k+2 and a panel of 64
 * columns, pack_b builds the 27 rows
 *
 *   T[r][j] = w0 x[k][j] + w1 x[k+1][j] + w2 x[k+2][j]   (mod 2^8, bytes)
 *   r = (w0+1) + 3(w1+1) + 9(w2+1),  w in {-1, 0, +1}^3
 *
 * once (kernels/core/lut3.h's numbering and build, every ISA's); each
 * output row then adds, per group, the row its 3 weights select (pack_a
 * stores r): ldrb, an address add, the 64-byte row's load (one ld1 of four
 * q registers on aarch64, two vld1.8 {d0-d3} on armv7: lut_neon.h) and
 * four add .16b / vadd.i8, 7 or 8 instructions per 3 depths x 64 columns =
 * 192 MACs.  Every step is an addition in Z/256 (add/sub .16b wrap), so the
 * sums are exact modulo 2^8, all that lane_bits = 8 promises.  The tables
 * hold codes, not x - zx: the epilogue's zx * rowsum correction is exact
 * modulo 2^32, hence modulo 2^8.  Depth past K builds from a zero row and
 * no weight selects it anyway (its weights are 0); rows past M select row
 * 13 (0, 0, 0), zero.
 *
 * Packed layouts (KU = 3 depths per group):
 *
 *   A group, MR rows:     r0 r1 ... r(MR-1)            (MR bytes)
 *   B group, 64 columns:  row  0: 64 bytes  (-x0 -x1 -x2)
 *                         ...
 *                         row 13: 64 zeros
 *                         ...
 *                         row 26: 64 bytes  (+x0 +x1 +x2)     1728 bytes
 *
 * Sums between depth blocks are parked as bytes (MR x 64) in t->partial
 * (lut_neon.h, with the run and the gathering of a group's depth rows,
 * shared with the binary kernels of lutb_neon.h).
 */
#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/bsrc.h"
#include "core/kernel.h"
#include "core/kernel_name.h"
#include "core/lut3.h"
#include "neon/lut_neon.h"

#if !defined(WG_K_STEM) || !defined(WG_K_KC) || !defined(WG_K_AUTO_MIN_M) || WG_K_KC % 3
#error "lut3_neon.h: define WG_K_STEM, WG_K_KC (a multiple of 3) and WG_K_AUTO_MIN_M first"
#endif

#define WG_K_CPU WG_CPU_NEON
#define WG_K_LANES 8
#define WG_K_MR WG_NLUT_MR
#define WG_K_NR WG_NLUT_NR
#define WG_K_KU 3
#define WG_K_NC (4 * WG_K_NR)
#define WG_K_A_GROUP WG_K_MR
#define WG_K_B_GROUP (27 * WG_K_NR)

/* Only weights in {-1, 0, +1} select a row; every operation is an add or
 * subtract that wraps, so no operand range saturates.  Ternary and binary
 * formats only: INT weights may carry a zero point, whose uint32 partial
 * sums the driver seeds (the byte parking above could not take them). */
static int WG_K_FN(eligible)(const wg_problem *p) {
  return p->wformat == WG_WEIGHTS_TERNARY || p->wformat == WG_WEIGHTS_BINARY;
}
#define WG_K_ELIGIBLE WG_K_FN(eligible)

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  wg_lut3_pack_a(w, ldw, rows, k, WG_K_MR, 1, dst);
}

/* The 27 rows of one group (64 bytes each) from the depth rows x0, x1, x2
 * (64 readable bytes each), 16 columns at a time, in lut3.h's order. */
static void WG_K_FN(build_group)(const uint8_t *x0, const uint8_t *x1, const uint8_t *x2,
                                 uint8_t *t) {
#define WG_NL3_ST(i, v) vst1q_u8(th + (i) * WG_K_NR, v)
  const uint8x16_t zero = vdupq_n_u8(0);
  for (int h = 0; h < WG_K_NR; h += 16) {
    uint8x16_t d0 = vld1q_u8(x0 + h), d1 = vld1q_u8(x1 + h), d2 = vld1q_u8(x2 + h);
    uint8_t *th = t + h;
    WG_LUT3_ROWS(uint8x16_t, WG_NL3_ST, vaddq_u8, vsubq_u8, zero, d0, d1, d2);
  }
#undef WG_NL3_ST
}

/* The tables of groups [0, kgroups) from depth k0 for columns n0 ..
 * n0+cols (cols <= 64): each group's three depth rows gathered by
 * wg_neon_lut_rows (ragged panels through zeroed copies, depth past K as a
 * zero row). */
static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                            int cols, void *dst) {
  uint8_t tmp[3][WG_K_NR], pad[3][WG_K_NR];
  memset(pad, 0, sizeof pad);
  for (int64_t g = 0; g < kgroups; g++) {
    const uint8_t *x[3];
    wg_neon_lut_rows(src, k0 + 3 * g, 3, n0, cols, tmp, pad, x);
    WG_K_FN(build_group)(x[0], x[1], x[2], (uint8_t *)dst + g * WG_K_B_GROUP);
  }
}

static void WG_K_FN(run)(const wg_tile *t) { wg_neon_lut_run(t, WG_K_B_GROUP); }

#include "core/kernel_def.h"
