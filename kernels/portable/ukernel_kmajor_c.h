/*
 * One portable micro-kernel, instantiated per lane width (a macro template
 * rather than three copies).  Before including, define:
 *   WG_K_STEM    the kernel's name, e.g. acc8_int8_x_u8_4x32__c
 *   WG_UK_LANE   uint8_t / uint16_t / uint32_t: the wrapping accumulator lane
 *   WG_K_MR, WG_K_NR
 * It defines the kernel wg_kernel_<stem> (kernel_def.h).
 *
 * Unsigned lanes make every wrap-around defined behaviour in C; the product
 * of a weight (mod 2^L) and an activation is congruent to the exact product
 * mod 2^L, so the sum is too.  Compilers vectorise the j loop on any target
 * with a vector unit; on one without, this is the plain baseline.
 */
#include <stdint.h>

#include "../core/kernel.h"
#include "../core/kernel_name.h"
#include "depthwise_row_c.h"
#include "pack_rowmajor_c.h"

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k,
                            void *dst) {
  wg_pack_a_kmajor(w, ldw, rows, k, WG_K_MR, (int8_t *)dst);
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                            int64_t n0, int cols, void *dst) {
  wg_pack_b_kmajor(src, k0, kgroups, n0, cols, WG_K_NR, (uint8_t *)dst);
}

static void WG_K_FN(run)(const wg_tile *t) {
  WG_UK_LANE acc[WG_K_MR][WG_K_NR] = {{0}};
  const int8_t *a = (const int8_t *)t->a;
  const uint8_t *b = (const uint8_t *)t->b;
  for (int64_t k = 0; k < t->kgroups; k++, a += WG_K_MR, b += WG_K_NR)
    for (int i = 0; i < WG_K_MR; i++) {
      WG_UK_LANE w = (WG_UK_LANE)a[i];
      for (int j = 0; j < WG_K_NR; j++)
        acc[i][j] = (WG_UK_LANE)(acc[i][j] + (WG_UK_LANE)(w * b[j]));
    }
  uint32_t out[WG_K_MR * WG_K_NR];
  for (int i = 0; i < WG_K_MR; i++)
    for (int j = 0; j < WG_K_NR; j++) out[i * WG_K_NR + j] = acc[i][j];
  wg_tile_finish(t, out, WG_K_NR);
}

#define WG_K_CPU 0
#define WG_K_LANES (8 * (int)sizeof(WG_UK_LANE))
#define WG_K_KU 1
#define WG_K_KC 256
#define WG_K_NC (8 * WG_K_NR)
#define WG_K_A_GROUP WG_K_MR
#define WG_K_B_GROUP WG_K_NR
/* Lanes that wrap exactly serve every operand range: only b limits them. */
#define WG_K_ELIGIBLE NULL
#define WG_K_DEPTHWISE_ROW wg_depthwise_row_c
#include "../core/kernel_def.h"
#undef WG_UK_LANE
