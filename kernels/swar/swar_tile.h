/*
 * One SWAR micro-kernel, instantiated per weight format, register width,
 * tile and mode (a macro template rather than twelve copies).  Before
 * including, define:
 *   WG_K_STEM  the kernel's name, e.g. acc8_ternary_x_u8_1x4__swar64exact
 *   SW_BINARY  0: ternary weights, 1: binary (layouts in swar.h)
 *   SW_BITS    32 or 64: the general register
 *   WG_K_MR, WG_K_NR
 *   SW_MODE    WG_SWAR_MODE_EXACT / _BUFFER / _CARRY
 * It defines the kernel wg_kernel_<stem> (kernel_def.h) and the SWAR API's
 * wg_swar_impl_<stem>.  A carry kernel's result is not the contract's
 * function: its wg_kernel has no run and stays out of the kernel table
 * (isa.inc); wg_swar_gemm runs its tile.
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

#include "../core/kernel_name.h"
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

#if SW_MODE == WG_SWAR_MODE_BUFFER
#define WG_K_LANES WG_SWAR_BUFFER_LANE_BITS
#else
#define WG_K_LANES 8
#endif

#if SW_BINARY
#define SW_AREGS WG_K_MR /* N */
#define SW_V(a, b, i, j) ((b)[j] ^ ((b)[WG_K_NR + (j)] & (a)[i]))
#else
#define SW_AREGS (2 * WG_K_MR) /* P, N */
#define SW_V(a, b, i, j) (((b)[j] & (a)[i]) | ((b)[WG_K_NR + (j)] & (a)[WG_K_MR + (i)]))
#endif

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                            int64_t n0, int cols, void *dst) {
  wg_swar_pack_b(src, k0, kgroups, n0, cols, dst, WG_K_NR, SW_BITS / 8,
                 WG_K_LANES, SW_BINARY);
}

#if SW_MODE == WG_SWAR_MODE_CARRY
static void WG_K_FN(tile)(const void *ap, const void *bp, int64_t groups,
                          void *state) {
  const sw_reg *a = ap, *b = bp;
  sw_reg *regs = state;
  sw_reg r[WG_K_MR][WG_K_NR];
  for (int i = 0; i < WG_K_MR; i++)
    for (int j = 0; j < WG_K_NR; j++) r[i][j] = regs[i * WG_K_NR + j];
  for (int64_t g = 0; g < groups; g++, a += SW_AREGS, b += 2 * WG_K_NR)
    SW_UNROLL for (int i = 0; i < WG_K_MR; i++)
      SW_UNROLL for (int j = 0; j < WG_K_NR; j++)
        r[i][j] += SW_V(a, b, i, j);
  for (int i = 0; i < WG_K_MR; i++)
    for (int j = 0; j < WG_K_NR; j++) regs[i * WG_K_NR + j] = r[i][j];
}
#elif SW_MODE == WG_SWAR_MODE_BUFFER
static void WG_K_FN(tile)(const void *ap, const void *bp, int64_t groups,
                          void *state) {
  const sw_reg *a = ap, *b = bp;
  uint32_t *sums = state;
  sw_reg r[WG_K_MR][WG_K_NR] = {{0}};
  /* Lanes stay <= 0x7F, V's lanes are <= 0x7F: a sum <= 0xFE never leaves
   * its byte, and the guard bit it may set is cleared at once. */
  for (int64_t g = 0; g < groups; g++, a += SW_AREGS, b += 2 * WG_K_NR)
    SW_UNROLL for (int i = 0; i < WG_K_MR; i++)
      SW_UNROLL for (int j = 0; j < WG_K_NR; j++)
        r[i][j] = (r[i][j] + SW_V(a, b, i, j)) & SW_LOW7;
  for (int i = 0; i < WG_K_MR; i++)
    for (int j = 0; j < WG_K_NR; j++) sums[i * WG_K_NR + j] += SW_HSUM(r[i][j]);
}
#else
static void WG_K_FN(tile)(const void *ap, const void *bp, int64_t groups,
                          void *state) {
  const sw_reg *a = ap, *b = bp;
  uint32_t *sums = state;
  while (groups > 0) {
    int64_t chunk = groups < WG_SWAR_EXACT_CHUNK ? groups : WG_SWAR_EXACT_CHUNK;
    sw_reg r[WG_K_MR][WG_K_NR] = {{0}}, e[WG_K_MR][WG_K_NR] = {{0}};
    for (int64_t g = 0; g < chunk; g++, a += SW_AREGS, b += 2 * WG_K_NR)
      SW_UNROLL for (int i = 0; i < WG_K_MR; i++)
        SW_UNROLL for (int j = 0; j < WG_K_NR; j++) {
          sw_reg v = SW_V(a, b, i, j);
          r[i][j] += v;
          e[i][j] += v & SW_EVEN;
        }
    for (int i = 0; i < WG_K_MR; i++)
      for (int j = 0; j < WG_K_NR; j++) {
        sw_reg odd = (sw_reg)((r[i][j] - e[i][j]) >> 8);
        sw_reg t = (e[i][j] & SW_EVEN) + (odd & SW_EVEN);
        /* t's 16-bit fields hold two lanes' sums each (<= 510). */
        sums[i * WG_K_NR + j] += SW_FOLD(t) & 0xFFu;
      }
    groups -= chunk;
  }
}
#endif

#if SW_MODE != WG_SWAR_MODE_CARRY
static void WG_K_FN(run)(const wg_tile *t) {
  uint32_t sums[WG_K_MR * WG_K_NR] = {0};
  WG_K_FN(tile)(t->a, t->b, t->kgroups, sums);
  wg_tile_finish(t, sums, WG_K_NR);
}
#endif

/* The weights' packing is shared by every kernel of one layout, register
 * width and MR (swar_pack.c): weights.c keeps one packed copy per pack_a,
 * and a carry kernel reads the copy packed for the buffer kernel of its
 * tile. */
#define SW_PACK_A_(rb, wf, mr) wg_swar##rb##_pack_a_##wf##_mr##mr
#define SW_PACK_A(rb, wf, mr) SW_PACK_A_(rb, wf, mr)
#if SW_BINARY
#define WG_K_PACK_A SW_PACK_A(SW_BITS, binary, WG_K_MR)
#else
#define WG_K_PACK_A SW_PACK_A(SW_BITS, ternary, WG_K_MR)
#endif
#if SW_BINARY && SW_MODE == WG_SWAR_MODE_BUFFER
#define WG_K_ELIGIBLE wg_swar_eligible_binary_buffer
#elif SW_BINARY
#define WG_K_ELIGIBLE wg_swar_eligible_binary_exact
#elif SW_MODE == WG_SWAR_MODE_BUFFER
#define WG_K_ELIGIBLE wg_swar_eligible_buffer
#else
#define WG_K_ELIGIBLE wg_swar_eligible_exact
#endif
#if SW_MODE == WG_SWAR_MODE_CARRY
#define WG_K_RUN NULL
#endif

extern const wg_kernel WG_K_CAT(wg_kernel_, WG_K_STEM);
const wg_swar_impl WG_K_CAT(wg_swar_impl_, WG_K_STEM) = {
    .kernel = &WG_K_CAT(wg_kernel_, WG_K_STEM),
    .binary = SW_BINARY,
    .mode = SW_MODE,
    .tile = WG_K_FN(tile),
};

#define WG_K_CPU 0
#define WG_K_KU (SW_BITS / 8) /* one lane per depth */
#define WG_K_KC 2048
#define WG_K_NC 256
#define WG_K_A_GROUP (SW_AREGS * (SW_BITS / 8))
#define WG_K_B_GROUP (2 * WG_K_NR * (SW_BITS / 8))
#include "../core/kernel_def.h"
