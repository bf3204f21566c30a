/*
 * NEON micro-kernel template, 8-bit wrapping lanes: per k, one weight per
 * row broadcast (ld1r / vld1.8 {d[]}) times NR activations, accumulated by
 * vmlaq_s8 (mla .16b).  mla keeps the low 8 bits of w*x + acc, which is the
 * wrap-around sum mod 2^8 whatever the signedness of x: reading uint8
 * activations as int8 changes each product by a multiple of 256.
 *
 * Before including, define WG_K_STEM (the kernel name, e.g.
 * acc8_int8_x_u8_4x64__aarch64_neon) and WG_K_NR (multiple of 16); the
 * tile has 4 rows.  Defines the kernel wg_kernel_<stem>.  Packing is the portable
 * k-major layout (pack_rowmajor_c.h); only the tile differs per target.
 */
#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/kernel_name.h"
#include "neon/bcast_neon.h"
#include "neon/epilogue_neon.h"
#include "portable/pack_rowmajor_c.h"

#define WG_K_CPU WG_CPU_NEON
#define WG_K_MR 4
#define WG_K_KU 1
#define WG_NK_NV (WG_K_NR / 16)

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k,
                            void *dst) {
  wg_pack_a_kmajor(w, ldw, rows, k, WG_K_MR, (int8_t *)dst);
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                            int64_t n0, int cols, void *dst) {
  wg_pack_b_kmajor(src, k0, kgroups, n0, cols, WG_K_NR, (uint8_t *)dst);
}

static void WG_K_FN(run)(const wg_tile *t) {
  const int8_t *a = (const int8_t *)t->a;
  const int8_t *b = (const int8_t *)t->b;
  int8x16_t acc[WG_K_MR][WG_NK_NV];
#pragma GCC unroll 16
  for (int i = 0; i < WG_K_MR; i++)
#pragma GCC unroll 16
    for (int v = 0; v < WG_NK_NV; v++) acc[i][v] = vdupq_n_s8(0);
  /* A count that fits a register on armv7: kgroups <= kc (driver.c). */
  for (ptrdiff_t k = (ptrdiff_t)t->kgroups; k > 0; k--, a += WG_K_MR, b += WG_K_NR) {
#if defined(__aarch64__)
    int8x16_t w0, w1, w2, w3;
    WG_NK_BCAST4_S8(a, w0, w1, w2, w3);
#else
    /* armv7: vld1.8 {d[]} broadcasts straight from memory. */
    int8x16_t w0 = vld1q_dup_s8(a), w1 = vld1q_dup_s8(a + 1);
    int8x16_t w2 = vld1q_dup_s8(a + 2), w3 = vld1q_dup_s8(a + 3);
#endif
#pragma GCC unroll 16
    for (int v = 0; v < WG_NK_NV; v++) {
      int8x16_t x = vld1q_s8(b + 16 * v);
      acc[0][v] = vmlaq_s8(acc[0][v], w0, x);
      acc[1][v] = vmlaq_s8(acc[1][v], w1, x);
      acc[2][v] = vmlaq_s8(acc[2][v], w2, x);
      acc[3][v] = vmlaq_s8(acc[3][v], w3, x);
    }
  }
  uint8_t lanes[WG_K_MR * WG_K_NR];
#pragma GCC unroll 16
  for (int i = 0; i < WG_K_MR; i++)
#pragma GCC unroll 16
    for (int v = 0; v < WG_NK_NV; v++)
      vst1q_u8(lanes + i * WG_K_NR + 16 * v, vreinterpretq_u8_s8(acc[i][v]));
  uint32_t sums[WG_K_MR * WG_K_NR];
  for (int e = 0; e < WG_K_MR * WG_K_NR; e++) sums[e] = lanes[e];
  wg_neon_tile_finish(t, sums, WG_K_NR);
}

/* kc x NR bytes of B (16 KiB at NR = 64) stay in a 32 KiB L1 while the A
 * panels stream past them. */
#define WG_K_LANES 8
#define WG_K_KC 256
#define WG_K_NC (4 * WG_K_NR)
#define WG_K_A_GROUP WG_K_MR
#define WG_K_B_GROUP WG_K_NR
#define WG_K_ELIGIBLE NULL /* no instruction saturates (eligible_neon.h) */
#include "core/kernel_def.h"
