/*
 * The 4 x NR AVX-512BW byte micro-kernel for weights in {-1, 0, +1}, one
 * template for its two schemes.  Before including, define:
 *
 *   WG_K_STEM          the kernel's name (kernel_name.h)
 *   WG_K_NR            columns: 6 (ternary) or 5 (binary: its 5 column-sum
 *                      registers must fit beside 20 accumulators)
 *   WG_K_ELIGIBLE      which weight formats it serves (eligible_avx512.h)
 *   WG_Z_BINARY        1: weights in {-1, +1} only, one masked add per 64
 *                      products, sum w*x = 2 * sum_{w=+1} x - sum x with the
 *                      column sums taken once per column for all rows;
 *                      0: ternary, masked vpaddb (w = +1) and vpsubb
 *                      (w = -1)
 *
 * A register holds 64 depths of one column (pack_avx512.h), so a weight
 * row's 64 codes act through two opmasks (AVX-512 has no vpsignb): lanes
 * accumulate wrapping modulo 2^8 and each (row, column) sum is its
 * register's 64 lanes folded by vpsadbw against zero (eight exact sums of
 * eight unsigned bytes) and added, congruent to the column's sum modulo
 * 2^8.  Serves b <= 8.
 *
 * Why 4 x 6: 24 accumulators and 6 activation registers of the 32 zmm, 8
 * masks for 7 usable opmask registers (one is reloaded); per 64 depths 6
 * loads and 8 mask loads for 48 masked operations.  Binary 4 x 5: 20
 * accumulators, 5 activation and 5 column-sum registers; 20 masked adds
 * and 5 adds per 64 depths.
 */
#include <string.h>

#include "../core/kernel.h"
#include "../core/kernel_name.h"
#include "eligible_avx512.h"
#include "epilogue_avx512.h"
#include "pack_avx512.h"
#include "simd_avx512.h"

#define WG_K_CPU WG_CPU_AVX512BW
#define WG_K_LANES 8
#define WG_K_MR 4
#define WG_K_KU WG_AVX512_RUN
#define WG_K_KC WG_AVX512_RUN_MAX_KC
/* Column blocks of 510 (a multiple of 5 and 6), as wide as the AVX2
 * kernels' 512. */
#define WG_K_NC 510
#define WG_K_A_GROUP (16 * WG_K_MR)
#define WG_K_B_GROUP (WG_AVX512_RUN * WG_K_NR)

/* A register's 64 byte lanes folded to their sum modulo 2^8 (exact: at
 * most 64 * 255). */
static inline uint32_t WG_K_FN(fold)(__m512i v) {
  uint64_t s[8];
  _mm512_storeu_si512((void *)s, _mm512_sad_epu8(v, _mm512_setzero_si512()));
  return (uint32_t)(s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7]);
}

/* The accumulators c<row><column>, the activation registers x<column> and
 * the binary scheme's column sums s<column> are named variables: as arrays
 * GCC copied each accumulator once per iteration (88 register moves for 48
 * masked operations, objdump). */
#if WG_K_NR == 6
#define WG_Z_COLS(X, i) X(i, 0) X(i, 1) X(i, 2) X(i, 3) X(i, 4) X(i, 5)
#elif WG_K_NR == 5
#define WG_Z_COLS(X, i) X(i, 0) X(i, 1) X(i, 2) X(i, 3) X(i, 4)
#else
#error "ukernel_acc8_avx512.h: NR 5 or 6"
#endif
#define WG_Z_ROWS(X) WG_Z_COLS(X, 0) WG_Z_COLS(X, 1) WG_Z_COLS(X, 2) WG_Z_COLS(X, 3)
#define WG_Z_DECL_ACC(i, j) __m512i c##i##j = _mm512_setzero_si512();
#define WG_Z_DECL_COL(i, j) __m512i x##j, s##j = _mm512_setzero_si512();
#define WG_Z_LOAD(i, j)                                                 \
  x##j = _mm512_loadu_si512((const void *)(b + (j) * WG_AVX512_RUN));   \
  if (WG_Z_BINARY) s##j = _mm512_add_epi8(s##j, x##j);
#define WG_Z_MAC(i, j)                                                  \
  c##i##j = _mm512_mask_add_epi8(c##i##j, a##i[0], c##i##j, x##j);      \
  if (!WG_Z_BINARY) c##i##j = _mm512_mask_sub_epi8(c##i##j, a##i[1], c##i##j, x##j);
#define WG_Z_MASKS(i) const wg512_mask64 *a##i = a + 2 * (i);
#define WG_Z_FOLD(i, j)                                                 \
  acc[i][j] = WG_Z_BINARY ? 2 * WG_K_FN(fold)(c##i##j) - WG_K_FN(fold)(s##j) \
                          : WG_K_FN(fold)(c##i##j);

static void WG_K_FN(run)(const wg_tile *t) {
  WG_Z_ROWS(WG_Z_DECL_ACC)
  WG_Z_COLS(WG_Z_DECL_COL, 0)
  const wg512_mask64 *a = (const wg512_mask64 *)t->a;
  const uint8_t *b = (const uint8_t *)t->b;
  for (int64_t g = 0; g < t->kgroups; g++, a += 2 * WG_K_MR, b += WG_K_B_GROUP) {
    WG_Z_COLS(WG_Z_LOAD, 0)
    WG_Z_MASKS(0) WG_Z_MASKS(1) WG_Z_MASKS(2) WG_Z_MASKS(3)
    WG_Z_ROWS(WG_Z_MAC)
  }
  (void)s0;
  /* Rows padded to 16 lanes: the epilogue reads 16 from each row. */
  _Alignas(64) uint32_t acc[WG_K_MR][16];
  memset(acc, 0, sizeof acc);
  WG_Z_ROWS(WG_Z_FOLD)
  wg512_finish_tile(t, &acc[0][0], 16, WG_K_NR);
}
#undef WG_Z_COLS
#undef WG_Z_ROWS
#undef WG_Z_DECL_ACC
#undef WG_Z_DECL_COL
#undef WG_Z_LOAD
#undef WG_Z_MAC
#undef WG_Z_MASKS
#undef WG_Z_FOLD

static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  wg_avx512_pack_a_masks(w, ldw, rows, k, WG_K_MR, dst);
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                            int cols, void *dst) {
  wg_avx512_pack_b_runs64(src, k0, kgroups, n0, cols, WG_K_NR, dst);
}

#undef WG_Z_BINARY
#include "../core/kernel_def.h"
