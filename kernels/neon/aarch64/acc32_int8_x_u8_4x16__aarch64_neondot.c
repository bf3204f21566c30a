/*
 * aarch64 dot-product kernel (ARMv8.2 dotprod, HWCAP_ASIMDDP): 32-bit
 * lanes, 4 x 16 tile, 4 k per group.  One sdot by element multiplies four
 * int8 pairs and adds them to a 32-bit lane: 16 multiply-accumulates per
 * instruction, the 8-bit path's rate with 32-bit lanes.
 *
 * sdot is signed x signed, so activations are packed as x - 128 (x ^ 0x80,
 * pack_neon.h) and 128 * rowsum[m] is added back once per output; products
 * are at most 128 * 128, four of them 2^16, so the lane add is the only
 * wrap, mod 2^32 as the contract allows.
 *
 * This file alone is compiled with -march=armv8.2-a+dotprod (mk/arm.mk,
 * NEONFLAGS_<stem>) and holds nothing but static functions and the kernel
 * entry, so no dotprod instruction can reach a core without it: dispatch
 * runs it only when WG_CPU_DOTPROD is set.
 */
#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kernel_name.h"
#include "neon/epilogue_neon.h"
#include "neon/pack_neon.h"
#include "portable/pack_a_groups_c.h"

#define WG_K_STEM acc32_int8_x_u8_4x16__aarch64_neondot
#define WG_K_CPU (WG_CPU_NEON | WG_CPU_DOTPROD)
#define WG_K_MR 4
#define WG_K_NR 16
#define WG_K_KU 4

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  wg_pack_a_quads(w, ldw, rows, k, WG_K_MR, (int8_t *)dst);
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                            int cols, void *dst) {
  wg_neon_pack_b_k4(src, k0, kgroups, n0, cols, WG_K_NR, (int8_t *)dst);
}

static void WG_K_FN(run)(const wg_tile *t) {
  const int8_t *a = (const int8_t *)t->a;
  const int8_t *b = (const int8_t *)t->b;
  int32x4_t acc[WG_K_MR][WG_K_NR / 4];
#pragma GCC unroll 16
  for (int i = 0; i < WG_K_MR; i++)
#pragma GCC unroll 16
    for (int v = 0; v < WG_K_NR / 4; v++) acc[i][v] = vdupq_n_s32(0);
  for (ptrdiff_t g = (ptrdiff_t)t->kgroups; g > 0; g--, a += 4 * WG_K_MR, b += 4 * WG_K_NR) {
    int8x16_t w = vld1q_s8(a);
#pragma GCC unroll 16
    for (int v = 0; v < WG_K_NR / 4; v++) {
      int8x16_t x = vld1q_s8(b + 16 * v);
      acc[0][v] = vdotq_laneq_s32(acc[0][v], x, w, 0);
      acc[1][v] = vdotq_laneq_s32(acc[1][v], x, w, 1);
      acc[2][v] = vdotq_laneq_s32(acc[2][v], x, w, 2);
      acc[3][v] = vdotq_laneq_s32(acc[3][v], x, w, 3);
    }
  }
  uint32_t sums[WG_K_MR * WG_K_NR];
#pragma GCC unroll 16
  for (int i = 0; i < WG_K_MR; i++)
#pragma GCC unroll 16
    for (int v = 0; v < WG_K_NR / 4; v++)
      vst1q_u32(sums + i * WG_K_NR + 4 * v, vreinterpretq_u32_s32(acc[i][v]));
  if (t->last) wg_neon_add_rowsum128(t, sums, WG_K_NR);
  wg_neon_tile_finish(t, sums, WG_K_NR);
}

#define WG_K_LANES 32
/* kc x NR bytes of B: 8 KiB. */
#define WG_K_KC 512
#define WG_K_NC (8 * WG_K_NR)
#define WG_K_A_GROUP (4 * WG_K_MR)
#define WG_K_B_GROUP (4 * WG_K_NR)
/* sdot's products and their four-term sums are exact (above), the lane add
 * wraps: every operand range. */
#define WG_K_ELIGIBLE NULL
#include "core/kernel_def.h"
