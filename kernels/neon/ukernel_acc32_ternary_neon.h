/*
 * NEON micro-kernel template: ternary or binary weights (codes -1, 0, +1),
 * exact 32-bit sums at the 16-bit kernels' rate.  Activations are packed as
 * x - 128 (pack_neon.h) so that a signed 8x8 -> 16-bit widening multiply-
 * accumulate (vmlal_s8: smlal / smlal2 .8h, 8 MACs per instruction, twice
 * the 32-bit by-element form) is exact; with |w| <= 1 every product is in
 * [-128, 128], so WG_NK_FLUSH = 128 of them stay below 2^14 in an int16
 * lane, which is then widened into the 32-bit sums.  The kernel adds
 * 128 * rowsum[m] back once per output.
 *
 * Before including, define WG_K_STEM and WG_K_NR (multiple of 16); the
 * tile has 4 rows.  Defines the kernel wg_kernel_<stem>.
 */
#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/kernel_name.h"
#include "neon/bcast_neon.h"
#include "neon/eligible_neon.h"
#include "neon/epilogue_neon.h"
#include "neon/pack_neon.h"
#include "portable/pack_rowmajor_c.h"

#define WG_K_CPU WG_CPU_NEON
#define WG_K_MR 4
#define WG_K_KU 1
#define WG_NK_NV (WG_K_NR / 16)
#define WG_NK_FLUSH 128

/* acc_lo/acc_hi += w * x on the low / high eight bytes of x (int16 lanes). */
#if defined(__aarch64__)
#define WG_NK_MLAL(lo, hi, x, w)                       \
  do {                                                 \
    lo = vmlal_s8(lo, vget_low_s8(x), vget_low_s8(w)); \
    hi = vmlal_high_s8(hi, x, w);                      \
  } while (0)
#else
#define WG_NK_MLAL(lo, hi, x, w)              \
  do {                                        \
    lo = vmlal_s8(lo, vget_low_s8(x), w);     \
    hi = vmlal_s8(hi, vget_high_s8(x), w);    \
  } while (0)
#endif

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k,
                            void *dst) {
  wg_pack_a_kmajor(w, ldw, rows, k, WG_K_MR, (int8_t *)dst);
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                            int64_t n0, int cols, void *dst) {
  wg_neon_pack_b_s8(src, k0, kgroups, n0, cols, WG_K_NR, (int8_t *)dst);
}

static void WG_K_FN(run)(const wg_tile *t) {
  const int8_t *a = (const int8_t *)t->a;
  const int8_t *b = (const int8_t *)t->b;
  uint32_t sums[WG_K_MR * WG_K_NR];
  memset(sums, 0, sizeof sums);
  /* A count that fits a register on armv7: kgroups <= kc (driver.c). */
  for (ptrdiff_t left = (ptrdiff_t)t->kgroups; left > 0; left -= WG_NK_FLUSH) {
    int16x8_t acc[WG_K_MR][2 * WG_NK_NV];
#pragma GCC unroll 16
    for (int i = 0; i < WG_K_MR; i++)
#pragma GCC unroll 16
      for (int v = 0; v < 2 * WG_NK_NV; v++) acc[i][v] = vdupq_n_s16(0);
    ptrdiff_t n = left < WG_NK_FLUSH ? left : WG_NK_FLUSH;
    for (ptrdiff_t k = n; k > 0; k--, a += WG_K_MR, b += WG_K_NR) {
#if defined(__aarch64__)
      int8x16_t w0, w1, w2, w3;
      WG_NK_BCAST4_S8(a, w0, w1, w2, w3);
#else
      int8x8_t w0 = vld1_dup_s8(a), w1 = vld1_dup_s8(a + 1);
      int8x8_t w2 = vld1_dup_s8(a + 2), w3 = vld1_dup_s8(a + 3);
#endif
#pragma GCC unroll 16
      for (int v = 0; v < WG_NK_NV; v++) {
        int8x16_t x = vld1q_s8(b + 16 * v);
        WG_NK_MLAL(acc[0][2 * v], acc[0][2 * v + 1], x, w0);
        WG_NK_MLAL(acc[1][2 * v], acc[1][2 * v + 1], x, w1);
        WG_NK_MLAL(acc[2][2 * v], acc[2][2 * v + 1], x, w2);
        WG_NK_MLAL(acc[3][2 * v], acc[3][2 * v + 1], x, w3);
      }
    }
    /* Widened out of line (epilogue_neon.c), once per 128 k: kept out of
     * this function, GCC would try to hold all MR x NR 32-bit sums in
     * registers as well and spill the accumulators. */
    int16_t part[WG_K_MR * WG_K_NR];
#pragma GCC unroll 16
    for (int i = 0; i < WG_K_MR; i++)
#pragma GCC unroll 16
      for (int v = 0; v < 2 * WG_NK_NV; v++) vst1q_s16(part + i * WG_K_NR + 8 * v, acc[i][v]);
    wg_neon_add_i16(sums, part, WG_K_MR * WG_K_NR);
  }
  if (t->last) wg_neon_add_rowsum128(t, sums, WG_K_NR);
  wg_neon_tile_finish(t, sums, WG_K_NR);
}

/* kc x NR bytes of B: 16 KiB at NR = 32. */
#define WG_K_LANES 32
#define WG_K_KC 512
#define WG_K_NC (4 * WG_K_NR)
#define WG_K_A_GROUP WG_K_MR
#define WG_K_B_GROUP WG_K_NR
#define WG_K_ELIGIBLE wg_neon_eligible_unit_weights
#include "core/kernel_def.h"
