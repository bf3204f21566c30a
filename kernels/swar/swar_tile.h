/*
 * One SWAR micro-kernel, instantiated per weight format, register width,
 * tile and mode (a macro template rather than twelve copies).  Before
 * including, define:
 *   SW_STEM    function-name stem, e.g. wg_acc8_ternary_x_u8_1x4__swar64exact
 *   SW_BINARY  0: ternary weights, 1: binary (layouts in swar.h)
 *   SW_BITS    32 or 64: the general register
 *   SW_MR, SW_NR
 *   SW_MODE    WG_SWAR_MODE_EXACT / _BUFFER / _CARRY
 * It defines SW_STEM_pack_b, SW_STEM_tile and, for exact and buffer,
 * SW_STEM_run (the wg_kernel entry point).
 *
 * Per group and output, with the packed products V = (X & P) | (NX & N)
 * (ternary, 3 operations) or V = X ^ (D & N) (binary, 2 operations):
 *   carry:  R += V                                    1 more
 *   buffer: R = (R + V) & 0x7F..7F                    2 more
 *   exact:  R += V;  E += V & 0x00FF..00FF           3 more
 * Exact lanes without cutting every carry: E sums the even lanes in 16-bit
 * fields (no overflow within WG_SWAR_EXACT_CHUNK groups), and R - E is then
 * exactly the odd lanes' sums in 16-bit fields, because R is the integer
 * sum of V = (V & even) + (V & odd).  Neither carries into a lane it does
 * not own, so the low byte of every field is that lane's sum mod 2^8.
 */
#include <stdint.h>

#include "swar.h"
#include "swar_pack_b.h"

#if SW_BITS == 64
typedef uint64_t sw_reg;
#define SW_ONES 0xFFFFFFFFFFFFFFFFull
#define SW_HSUM wg_swar_hsum64
#define SW_FOLD wg_swar_fold64
#else
typedef uint32_t sw_reg;
#define SW_ONES 0xFFFFFFFFu
#define SW_HSUM wg_swar_hsum32
#define SW_FOLD wg_swar_fold32
#endif
#define SW_EVEN ((sw_reg)(SW_ONES / 0xFFFFu * 0xFFu)) /* 0x00FF..00FF */
#define SW_LOW7 ((sw_reg)(SW_ONES / 0xFFu * 0x7Fu))   /* 0x7F..7F     */

/* The MR x NR accumulators must live in registers: the i and j loops are
 * unrolled completely (-O2 alone keeps them as loops over memory). */
#define SW_UNROLL _Pragma("GCC unroll 16")

#if SW_BINARY
#define SW_AREGS SW_MR /* N */
#define SW_V(a, b, i, j) ((b)[j] ^ ((b)[SW_NR + (j)] & (a)[i]))
#else
#define SW_AREGS (2 * SW_MR) /* P, N */
#define SW_V(a, b, i, j) (((b)[j] & (a)[i]) | ((b)[SW_NR + (j)] & (a)[SW_MR + (i)]))
#endif

#define SW_CAT2(a, b) a##b
#define SW_CAT(a, b) SW_CAT2(a, b)
#define SW_FN(suffix) SW_CAT(SW_STEM, suffix)

static void SW_FN(_pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                           int64_t n0, int cols, void *dst) {
  wg_swar_pack_b(src, k0, kgroups, n0, cols, dst, SW_NR, SW_BITS / 8,
                 SW_MODE == WG_SWAR_MODE_BUFFER ? 7 : 8, SW_BINARY);
}

#if SW_MODE == WG_SWAR_MODE_CARRY
static void SW_FN(_tile)(const void *ap, const void *bp, int64_t groups,
                         void *state) {
  const sw_reg *a = ap, *b = bp;
  sw_reg *regs = state;
  sw_reg r[SW_MR][SW_NR];
  for (int i = 0; i < SW_MR; i++)
    for (int j = 0; j < SW_NR; j++) r[i][j] = regs[i * SW_NR + j];
  for (int64_t g = 0; g < groups; g++, a += SW_AREGS, b += 2 * SW_NR)
    SW_UNROLL for (int i = 0; i < SW_MR; i++)
      SW_UNROLL for (int j = 0; j < SW_NR; j++)
        r[i][j] += SW_V(a, b, i, j);
  for (int i = 0; i < SW_MR; i++)
    for (int j = 0; j < SW_NR; j++) regs[i * SW_NR + j] = r[i][j];
}
#elif SW_MODE == WG_SWAR_MODE_BUFFER
static void SW_FN(_tile)(const void *ap, const void *bp, int64_t groups,
                         void *state) {
  const sw_reg *a = ap, *b = bp;
  uint32_t *sums = state;
  sw_reg r[SW_MR][SW_NR] = {{0}};
  /* Lanes stay <= 0x7F, V's lanes are <= 0x7F: a sum <= 0xFE never leaves
   * its byte, and the guard bit it may set is cleared at once. */
  for (int64_t g = 0; g < groups; g++, a += SW_AREGS, b += 2 * SW_NR)
    SW_UNROLL for (int i = 0; i < SW_MR; i++)
      SW_UNROLL for (int j = 0; j < SW_NR; j++)
        r[i][j] = (r[i][j] + SW_V(a, b, i, j)) & SW_LOW7;
  for (int i = 0; i < SW_MR; i++)
    for (int j = 0; j < SW_NR; j++) sums[i * SW_NR + j] += SW_HSUM(r[i][j]);
}
#else
static void SW_FN(_tile)(const void *ap, const void *bp, int64_t groups,
                         void *state) {
  const sw_reg *a = ap, *b = bp;
  uint32_t *sums = state;
  while (groups > 0) {
    int64_t chunk = groups < WG_SWAR_EXACT_CHUNK ? groups : WG_SWAR_EXACT_CHUNK;
    sw_reg r[SW_MR][SW_NR] = {{0}}, e[SW_MR][SW_NR] = {{0}};
    for (int64_t g = 0; g < chunk; g++, a += SW_AREGS, b += 2 * SW_NR)
      SW_UNROLL for (int i = 0; i < SW_MR; i++)
        SW_UNROLL for (int j = 0; j < SW_NR; j++) {
          sw_reg v = SW_V(a, b, i, j);
          r[i][j] += v;
          e[i][j] += v & SW_EVEN;
        }
    for (int i = 0; i < SW_MR; i++)
      for (int j = 0; j < SW_NR; j++) {
        sw_reg odd = (sw_reg)((r[i][j] - e[i][j]) >> 8);
        sw_reg t = (e[i][j] & SW_EVEN) + (odd & SW_EVEN);
        /* t's 16-bit fields hold two lanes' sums each (<= 510). */
        sums[i * SW_NR + j] += SW_FOLD(t) & 0xFFu;
      }
    groups -= chunk;
  }
}
#endif

#if SW_MODE != WG_SWAR_MODE_CARRY
static void SW_FN(_run)(const wg_tile *t) {
  uint32_t sums[SW_MR * SW_NR] = {0};
  SW_FN(_tile)(t->a, t->b, t->kgroups, sums);
  wg_tile_finish(t, sums, SW_NR);
}
#endif
