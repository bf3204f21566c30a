/*
 * One AVX2 micro-kernel, instantiated per accumulation scheme (a macro
 * template rather than four copies of the loop).  Before including, define:
 *
 *   WG_AX_NAME          function-name stem, e.g. wg_acc8_ternary_x_u8_8x8__avx2
 *   WG_AX_MR, WG_AX_NV  register tile: MR rows x NV registers of 8 columns
 *   WG_AX_ACC(acc, b, a)  one depth group: acc + products of the B register
 *                       b and the broadcast A lane a, in wrapping lanes
 *   WG_AX_SUM32(acc)    the lanes of one column folded into its 32-bit lane,
 *                       congruent to the column's sum modulo 2^lane_bits
 *
 * The tile's MR x NV accumulators live in registers for the whole depth
 * block; per group the kernel loads NV B registers and broadcasts MR A
 * lanes (vpbroadcastd from memory is a load, no shuffle uop).  The epilogue
 * then runs on the same registers (epilogue_avx2.h).
 */
#include <immintrin.h>
#include <string.h>

#include "../core/kernel.h"
#include "epilogue_avx2.h"

#define WG_AX_CAT2(a, b) a##b
#define WG_AX_CAT(a, b) WG_AX_CAT2(a, b)
#define WG_AX_NR (8 * WG_AX_NV)

static void WG_AX_CAT(WG_AX_NAME, _run)(const wg_tile *t) {
  __m256i acc[WG_AX_MR][WG_AX_NV];
#pragma GCC unroll 16
  for (int i = 0; i < WG_AX_MR; i++)
#pragma GCC unroll 4
    for (int v = 0; v < WG_AX_NV; v++) acc[i][v] = _mm256_setzero_si256();
  const char *a = (const char *)t->a;
  const __m256i *b = (const __m256i *)t->b;
  for (int64_t g = 0; g < t->kgroups; g++, a += 4 * WG_AX_MR, b += WG_AX_NV) {
    __m256i bv[WG_AX_NV];
#pragma GCC unroll 4
    for (int v = 0; v < WG_AX_NV; v++) bv[v] = _mm256_load_si256(b + v);
#pragma GCC unroll 16
    for (int i = 0; i < WG_AX_MR; i++) {
      int32_t q;
      memcpy(&q, a + 4 * i, 4);
      __m256i av = _mm256_set1_epi32(q);
#pragma GCC unroll 4
      for (int v = 0; v < WG_AX_NV; v++) acc[i][v] = WG_AX_ACC(acc[i][v], bv[v], av);
    }
  }
  __m256i sum[WG_AX_MR][WG_AX_NV];
#pragma GCC unroll 16
  for (int i = 0; i < WG_AX_MR; i++)
#pragma GCC unroll 4
    for (int v = 0; v < WG_AX_NV; v++) sum[i][v] = WG_AX_SUM32(acc[i][v]);
  wg_avx2_epi c;
  wg_avx2_epi_init(&c, t->epi);
  for (int i = 0; i < WG_AX_MR; i++)
    for (int v = 0; v < WG_AX_NV; v++)
      wg_avx2_finish8(t, &c, WG_AX_NR, i, 8 * v, sum[i][v]);
}

#undef WG_AX_NR
#undef WG_AX_CAT
#undef WG_AX_CAT2
