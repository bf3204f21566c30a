/*
 * NEON micro-kernel template, 32-bit wrapping lanes, 4 rows, on every
 * ARMv7/ARMv8 NEON core: int16-widened codes (pack_neon.h) and a widening
 * multiply-accumulate by element (vmlal_lane_s16: smlal / smlal2 .4s by
 * v.h[i]), 4 multiply-accumulates per instruction.  The 16x16-bit product
 * is exact in 32 bits; the add wraps mod 2^32.
 *
 * Before including, define WG_K_STEM and WG_K_NR (multiple of 8).
 * Defines the kernel wg_kernel_<stem>.
 */
#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kernel_name.h"
#include "neon/epilogue_neon.h"
#include "neon/pack_neon.h"

#define WG_K_CPU WG_CPU_NEON
#define WG_K_MR 4
#define WG_K_KU 1
#define WG_NK_NV (WG_K_NR / 8)

/* acc += x * w[i] on the low and high four int16 of x. */
#if defined(__aarch64__)
#define WG_NK_MLAL(lo, hi, x, w, i)                               \
  do {                                                            \
    lo = vmlal_lane_s16(lo, vget_low_s16(x), w, i);               \
    hi = vmlal_high_lane_s16(hi, x, w, i);                        \
  } while (0)
#else
#define WG_NK_MLAL(lo, hi, x, w, i)                               \
  do {                                                            \
    lo = vmlal_lane_s16(lo, vget_low_s16(x), w, i);               \
    hi = vmlal_lane_s16(hi, vget_high_s16(x), w, i);              \
  } while (0)
#endif

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k,
                            void *dst) {
  wg_neon_pack_a_i16(w, ldw, rows, k, WG_K_MR, (int16_t *)dst);
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                            int64_t n0, int cols, void *dst) {
  wg_neon_pack_b_i16(src, k0, kgroups, n0, cols, WG_K_NR, (int16_t *)dst);
}

static void WG_K_FN(run)(const wg_tile *t) {
  const int16_t *a = (const int16_t *)t->a;
  const int16_t *b = (const int16_t *)t->b;
  int32x4_t acc[WG_K_MR][2 * WG_NK_NV];
#pragma GCC unroll 16
  for (int i = 0; i < WG_K_MR; i++)
#pragma GCC unroll 16
    for (int v = 0; v < 2 * WG_NK_NV; v++) acc[i][v] = vdupq_n_s32(0);
  /* A count that fits a register on armv7: kgroups <= kc (driver.c). */
  for (ptrdiff_t k = (ptrdiff_t)t->kgroups; k > 0; k--, a += WG_K_MR, b += WG_K_NR) {
    int16x4_t w = vld1_s16(a);
#pragma GCC unroll 16
    for (int v = 0; v < WG_NK_NV; v++) {
      int16x8_t x = vld1q_s16(b + 8 * v);
      WG_NK_MLAL(acc[0][2 * v], acc[0][2 * v + 1], x, w, 0);
      WG_NK_MLAL(acc[1][2 * v], acc[1][2 * v + 1], x, w, 1);
      WG_NK_MLAL(acc[2][2 * v], acc[2][2 * v + 1], x, w, 2);
      WG_NK_MLAL(acc[3][2 * v], acc[3][2 * v + 1], x, w, 3);
    }
  }
  uint32_t sums[WG_K_MR * WG_K_NR];
#pragma GCC unroll 16
  for (int i = 0; i < WG_K_MR; i++)
#pragma GCC unroll 16
    for (int v = 0; v < 2 * WG_NK_NV; v++)
      vst1q_u32(sums + i * WG_K_NR + 4 * v, vreinterpretq_u32_s32(acc[i][v]));
  wg_neon_tile_finish(t, sums, WG_K_NR);
}

/* kc x NR x 2 bytes of B: 8 KiB at NR = 16. */
#define WG_K_LANES 32
#define WG_K_KC 256
#define WG_K_NC (8 * WG_K_NR)
#define WG_K_A_GROUP (2 * WG_K_MR)
#define WG_K_B_GROUP (2 * WG_K_NR)
#define WG_K_ELIGIBLE NULL /* no instruction saturates (eligible_neon.h) */
#include "core/kernel_def.h"
