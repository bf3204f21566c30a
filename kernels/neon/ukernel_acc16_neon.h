/*
 * NEON micro-kernel template, 16-bit wrapping lanes, 4 rows: codes are
 * widened to int16 at packing time (pack_neon.h), so each k is one load of
 * the four weights and NR/8 loads of activations, then one mla by element
 * (vmlaq_lane_u16, mla .8h by v.h[i]) per row and activation vector.  mla
 * keeps the low 16 bits: the wrap-around sum mod 2^16.  The unsigned form
 * on purpose: GCC writes vmlaq_lane_u16 as a C expression on signed lanes,
 * whose wrap would be undefined behaviour (UBSan reports it); the low 16
 * bits of a product do not depend on signedness.
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

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k,
                            void *dst) {
  wg_neon_pack_a_i16(w, ldw, rows, k, WG_K_MR, (int16_t *)dst);
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                            int64_t n0, int cols, void *dst) {
  wg_neon_pack_b_i16(src, k0, kgroups, n0, cols, WG_K_NR, (int16_t *)dst);
}

/* Lane type: unsigned on aarch64, where GCC writes vmlaq_lane_s16 as a C
 * expression on signed lanes whose wrap would be undefined behaviour
 * (UBSan reports it); signed on armv7, where both forms are builtins and
 * GCC 12 allocates the signed one without copying every accumulator each
 * iteration.  The low 16 bits of a product do not depend on signedness. */
#if defined(__aarch64__)
#define WG_NK_T uint16_t
#define WG_NK_V uint16x8_t
#define WG_NK_H uint16x4_t
#define WG_NK_SFX(f) f##_u16
#else
#define WG_NK_T int16_t
#define WG_NK_V int16x8_t
#define WG_NK_H int16x4_t
#define WG_NK_SFX(f) f##_s16
#endif

static void WG_K_FN(run)(const wg_tile *t) {
  const WG_NK_T *a = (const WG_NK_T *)t->a;
  const WG_NK_T *b = (const WG_NK_T *)t->b;
  WG_NK_V acc[WG_K_MR][WG_NK_NV];
#pragma GCC unroll 16
  for (int i = 0; i < WG_K_MR; i++)
#pragma GCC unroll 16
    for (int v = 0; v < WG_NK_NV; v++) acc[i][v] = WG_NK_SFX(vdupq_n)(0);
  /* A count that fits a register on armv7: kgroups <= kc (driver.c). */
  for (ptrdiff_t k = (ptrdiff_t)t->kgroups; k > 0; k--, a += WG_K_MR, b += WG_K_NR) {
    WG_NK_H w = WG_NK_SFX(vld1)(a);
#if defined(__aarch64__)
    /* Kept in a register: otherwise GCC loads each lane separately. */
    __asm__("" : "+w"(w));
#endif
#pragma GCC unroll 16
    for (int v = 0; v < WG_NK_NV; v++) {
      WG_NK_V x = WG_NK_SFX(vld1q)(b + 8 * v);
      /* The lane index must be a constant: one line per row. */
      acc[0][v] = WG_NK_SFX(vmlaq_lane)(acc[0][v], x, w, 0);
      acc[1][v] = WG_NK_SFX(vmlaq_lane)(acc[1][v], x, w, 1);
      acc[2][v] = WG_NK_SFX(vmlaq_lane)(acc[2][v], x, w, 2);
      acc[3][v] = WG_NK_SFX(vmlaq_lane)(acc[3][v], x, w, 3);
    }
  }
  WG_NK_T lanes[WG_K_MR * WG_K_NR];
#pragma GCC unroll 16
  for (int i = 0; i < WG_K_MR; i++)
#pragma GCC unroll 16
    for (int v = 0; v < WG_NK_NV; v++)
      WG_NK_SFX(vst1q)(lanes + i * WG_K_NR + 8 * v, acc[i][v]);
  uint32_t sums[WG_K_MR * WG_K_NR];
  for (int e = 0; e < WG_K_MR * WG_K_NR; e++) sums[e] = (uint16_t)lanes[e];
  wg_neon_tile_finish(t, sums, WG_K_NR);
}

/* kc x NR x 2 bytes of B: 16 KiB at NR = 32. */
#define WG_K_LANES 16
#define WG_K_KC 256
#define WG_K_NC (4 * WG_K_NR)
#define WG_K_A_GROUP (2 * WG_K_MR)
#define WG_K_B_GROUP (2 * WG_K_NR)
#define WG_K_ELIGIBLE NULL /* no instruction saturates (eligible_neon.h) */
#include "core/kernel_def.h"
