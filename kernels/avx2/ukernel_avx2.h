/*
 * The 6 x 16 AVX2 micro-kernel, instantiated per accumulation scheme (a
 * macro template rather than four copies of the loop).  Before including,
 * define:
 *
 *   WG_K_STEM           the kernel's name, e.g. acc8_ternary_x_u8_6x16__avx2
 *                       (functions are wg_<stem>_*, the descriptor
 *                       wg_kernel_<stem>: kernel_def.h)
 *   WG_K_LANES          lane_bits of kernel.h
 *   WG_K_KU             depths per 32-bit lane: 4 (byte quads) or 2
 *                       (16-bit pairs)
 *   WG_K_KC             optional: the depth block (below)
 *   WG_K_ELIGIBLE       the eligibility function (eligible_avx2.h), or NULL
 *   WG_AX_LAYOUT        quads or pairs16: the pack_avx2.h routines to use
 *   WG_AX_OP(bx, cx)    assembly text of one register product-accumulate:
 *                       accumulator cx += products of B register bx and the
 *                       broadcast A lane WG_AX_AV, in wrapping lanes;
 *                       WG_AX_T is a scratch register, %[ones] sixteen
 *                       int16 1s in memory
 *   WG_AX_SUM32(acc)    the lanes of one column folded into its 32-bit lane,
 *                       congruent to the column's sum modulo 2^lane_bits
 *
 * Why 6 x 16: AVX2 has 16 ymm registers.  12 accumulators (6 rows x 2
 * registers of 8 columns), 2 B registers, 1 broadcast A lane and 1 product
 * fill them exactly; per depth group that is 8 loads (6 of them dword
 * broadcasts, which are pure loads on Zen3) for 12 product-accumulates, so
 * the loop is bound by the vector ALUs, not by loads.  The loop is written
 * in assembly because GCC, given the same loop in intrinsics, spills and
 * shuffles the accumulators through the stack.  The epilogue then runs on
 * the same registers (epilogue_avx2.h).
 */
#include <immintrin.h>

#include "../core/kernel.h"
#include "../core/kernel_name.h"
#include "epilogue_avx2.h"
#include "eligible_avx2.h"
#include "pack_avx2.h"
#include "pack_a_avx2.h"
#include "depthwise_row_avx2.h"

#define WG_K_CPU WG_CPU_AVX2
#define WG_K_MR 6
#define WG_K_NR 16
/* Depth and column blocks (docs/avx2.md).  Every depth block costs each
 * tile a restart of its loop and its operand streams, a fold and a parked
 * partial sum, and that measured more than keeping the B panel in L1:
 * with kc = 4608 (K <= 4608 is one block, a 72 KiB B panel read from L2)
 * the deep Table 7 layers ran 5-12% faster than with kc = 1152 (18 KiB
 * panels in L1), interleaved A/B in one process; deeper blocks gained
 * nothing more (K = 9216, 16384).  A kernel with 16-bit operands defines
 * half the depth (the same bytes).  Column blocks of 512: fewer block
 * restarts of the B packing, and for NCHW convolutions fewer halo rows in
 * the shifted images (a 256-column block of a 56-wide image assembles 6.6
 * rows for 4.6 rows of output): 64x56x56 conv2d +5.5%, GEMM +1.6%
 * against 256 (interleaved A/B, medians). */
#ifndef WG_K_KC
#define WG_K_KC 4608
#endif
#define WG_K_NC 512
#ifdef WG_AX_OPW
_Static_assert(WG_K_KU == 4, "direct convolution: weight panels of channel quads");
#endif
_Static_assert(WG_K_NR == WG_AVX2_NR && WG_K_KC <= WG_AVX2_MAX_KC &&
                   WG_K_NC <= WG_AVX2_MAX_NC,
               "pack_avx2.c's buffers hold one kc x nc block of 16-column panels");
/* Fixed registers for the operands that are not accumulators (an asm
 * statement has at most 30 operands): ymm0-11 are left to the 12
 * accumulators. */
#define WG_AX_AV "%%ymm12"
#define WG_AX_B0 "%%ymm13"
#define WG_AX_B1 "%%ymm14"
#define WG_AX_T "%%ymm15"
/* The twelve accumulators c<row><half> (both tile loops): declared zero, as
 * asm operands, and folded into 32-bit lanes per row and half. */
#define WG_AX_ACC_DECL                                                       \
  __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00,    \
          c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00,  \
          c50 = c00, c51 = c00
#define WG_AX_ACC_OPERANDS                                                   \
  [c00] "+x"(c00), [c01] "+x"(c01), [c10] "+x"(c10), [c11] "+x"(c11),        \
      [c20] "+x"(c20), [c21] "+x"(c21), [c30] "+x"(c30), [c31] "+x"(c31),    \
      [c40] "+x"(c40), [c41] "+x"(c41), [c50] "+x"(c50), [c51] "+x"(c51)
#define WG_AX_ACC_SUMS(sum)                                                  \
  __m256i sum[WG_K_MR][2] = {                                                \
      {WG_AX_SUM32(c00), WG_AX_SUM32(c01)}, {WG_AX_SUM32(c10), WG_AX_SUM32(c11)}, \
      {WG_AX_SUM32(c20), WG_AX_SUM32(c21)}, {WG_AX_SUM32(c30), WG_AX_SUM32(c31)}, \
      {WG_AX_SUM32(c40), WG_AX_SUM32(c41)}, {WG_AX_SUM32(c50), WG_AX_SUM32(c51)}}
/* Row i of the depth group at byte offsets oa (A) and ob (B). */
#define WG_AX_ROW(oa, i)                                                     \
  "vpbroadcastd " #oa "+" #i "*4(%[a]), " WG_AX_AV "\n\t"                   \
      WG_AX_OP(WG_AX_B0, "%[c" #i "0]") WG_AX_OP(WG_AX_B1, "%[c" #i "1]")
#define WG_AX_GROUP(oa, ob)                                                  \
  "vmovdqa " #ob "(%[b]), " WG_AX_B0 "\n\t"                                 \
  "vmovdqa " #ob "+32(%[b]), " WG_AX_B1 "\n\t"                              \
  WG_AX_ROW(oa, 0) WG_AX_ROW(oa, 1) WG_AX_ROW(oa, 2) WG_AX_ROW(oa, 3)         \
  WG_AX_ROW(oa, 4) WG_AX_ROW(oa, 5)
/* The last row panel of M = 64 or 256 has 4 rows, of M = 128 or 512 has
 * 2: they run only their rows' product-accumulates (a third and two thirds
 * less ALU work on that panel). */
#define WG_AX_GROUP4(oa, ob)                                                 \
  "vmovdqa " #ob "(%[b]), " WG_AX_B0 "\n\t"                                 \
  "vmovdqa " #ob "+32(%[b]), " WG_AX_B1 "\n\t"                              \
  WG_AX_ROW(oa, 0) WG_AX_ROW(oa, 1) WG_AX_ROW(oa, 2) WG_AX_ROW(oa, 3)
#define WG_AX_GROUP2(oa, ob)                                                 \
  "vmovdqa " #ob "(%[b]), " WG_AX_B0 "\n\t"                                 \
  "vmovdqa " #ob "+32(%[b]), " WG_AX_B1 "\n\t"                              \
  WG_AX_ROW(oa, 0) WG_AX_ROW(oa, 1)
/* Four groups per iteration, after one and then two groups as K needs:
 * the loop runs near the core's 6-wide dispatch limit, so its counter
 * updates count (32.75 instructions per group instead of 33.5 with two
 * groups per iteration).  Against two groups per iteration: +3.0 to +4.7%
 * on every Table 7 layer (in-process A/B, 31 pairs). */
#define WG_AX_LOOP(GROUP)                                                    \
  __asm__ volatile(                                                          \
      "mov %[bend], %%r11\n\t"                                              \
      "sub %[b], %%r11\n\t"                                                 \
      "test $64, %%r11\n\t"                                                 \
      "jz 2f\n\t"                                                           \
      GROUP(0, 0)                                                            \
      "add $24, %[a]\n\t"                                                   \
      "add $64, %[b]\n\t"                                                   \
      "2:\n\t"                                                              \
      "test $128, %%r11\n\t"                                                \
      "jz 4f\n\t"                                                           \
      GROUP(0, 0)                                                            \
      GROUP(24, 64)                                                          \
      "add $48, %[a]\n\t"                                                   \
      "add $128, %[b]\n\t"                                                  \
      "4:\n\t"                                                              \
      "cmp %[bend], %[b]\n\t"                                               \
      "je 3f\n\t"                                                           \
      "1:\n\t"                                                              \
      GROUP(0, 0)                                                            \
      GROUP(24, 64)                                                          \
      GROUP(48, 128)                                                         \
      GROUP(72, 192)                                                         \
      "add $96, %[a]\n\t"                                                   \
      "add $256, %[b]\n\t"                                                  \
      "cmp %[bend], %[b]\n\t"                                               \
      "jne 1b\n\t"                                                          \
      "3:\n\t"                                                              \
      : WG_AX_ACC_OPERANDS,                                                  \
        [a] "+r"(a), [b] "+r"(b)                                             \
      : [bend] "r"(bend), [ones] "m"(*(const int16_t(*)[16])ones16)          \
      : "r11", "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory")
/* The left half only (columns 0-7), for a panel of at most 8 columns: the
 * ragged last panel of N = 49 (49 = 3*16 + 1) or N = 196 costs half. */
#define WG_AX_ROW_HALF(i)                                                    \
  "vpbroadcastd " #i "*4(%[a]), " WG_AX_AV "\n\t" WG_AX_OP(WG_AX_B0, "%[c" #i "0]")

/* A panel of at most 4 columns (N = 49 leaves 1, N = 196 leaves 4) runs
 * transposed: the group's six A row quads are one register (a 32-byte load;
 * lanes 6-7 get the next group's bytes, whose sums are never used, and the
 * weights carry 64 bytes of slack past the last panel), each column's B quad
 * is broadcast, and one product-accumulate covers six rows of a column.
 * The ALU work per group is then 1 operation pair per column (1 to 4)
 * instead of the half-width loop's 6, and the scheme's instructions are the
 * same, since the operand roles of vpsignb, vpmaddubsw and vpmaddwd stay as
 * they were (weights in WG_AX_AV, activations in the other operand).  Lane
 * i of column j's accumulator holds row i's sum.  B is dense there (cw
 * columns per group, pack_avx2.h); one and two columns run two groups per
 * iteration into two sets of accumulators, so that the loop is not bound by
 * its counter updates or by one accumulator's add chain (the 1-column
 * panel of 512 x 49 x 4608 cost 12% of the call before). */
#define WG_AX_COL(ob, j, cx) \
  "vpbroadcastd " #ob "+" #j "*4(%[b]), " WG_AX_B0 "\n\t" WG_AX_OP(WG_AX_B0, cx)
#define WG_AX_A(oa) "vmovdqu " #oa "(%[a]), " WG_AX_AV "\n\t"
#define WG_AX_NARROW(body, astep, bstep)                                     \
  __asm__ volatile(                                                          \
      "1:\n\t" body                                                          \
      "add $" #astep ", %[a]\n\t"                                            \
      "add $" #bstep ", %[b]\n\t"                                            \
      "cmp %[bend], %[b]\n\t"                                               \
      "jne 1b\n\t"                                                          \
      : [n0] "+x"(n0), [n1] "+x"(n1), [n2] "+x"(n2), [n3] "+x"(n3),          \
        [a] "+r"(a), [b] "+r"(b)                                             \
      : [bend] "r"(bend), [ones] "m"(*(const int16_t(*)[16])ones16)          \
      : "xmm12", "xmm13", "xmm15", "cc", "memory")

static void WG_K_FN(narrow)(const wg_tile *t) {
  static const int16_t ones16[16] __attribute__((aligned(32))) = {
      1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  __m256i n0 = _mm256_setzero_si256(), n1 = n0, n2 = n0, n3 = n0;
  const char *a = (const char *)t->a;
  const char *b = (const char *)t->b;
  int cw = wg_avx2_tail_width(t->cols);
  const char *bend = b + 4 * cw * (t->kgroups & 1);
  _Alignas(32) int32_t col[4][8];
  if (cw == 4) {
    bend = b + 16 * t->kgroups;
    WG_AX_NARROW(WG_AX_A(0) WG_AX_COL(0, 0, "%[n0]") WG_AX_COL(0, 1, "%[n1]")
                     WG_AX_COL(0, 2, "%[n2]") WG_AX_COL(0, 3, "%[n3]"), 24, 16);
  } else {
    /* An odd group first, then pairs of groups: columns j and j + cw of
     * n0..n3 hold the two groups' sums of column j. */
    if (cw == 1) {
      if (b != bend) WG_AX_NARROW(WG_AX_A(0) WG_AX_COL(0, 0, "%[n0]"), 24, 4);
      bend = b + 4 * (t->kgroups & ~(int64_t)1);
      if (b != bend)
        WG_AX_NARROW(WG_AX_A(0) WG_AX_COL(0, 0, "%[n0]") WG_AX_A(24) WG_AX_COL(4, 0, "%[n1]"),
                     48, 8);
    } else {
      if (b != bend)
        WG_AX_NARROW(WG_AX_A(0) WG_AX_COL(0, 0, "%[n0]") WG_AX_COL(0, 1, "%[n1]"), 24, 8);
      bend = b + 8 * (t->kgroups & ~(int64_t)1);
      if (b != bend)
        WG_AX_NARROW(WG_AX_A(0) WG_AX_COL(0, 0, "%[n0]") WG_AX_COL(0, 1, "%[n1]")
                         WG_AX_A(24) WG_AX_COL(8, 0, "%[n2]") WG_AX_COL(8, 1, "%[n3]"),
                     48, 16);
    }
  }
  __m256i f[4] = {WG_AX_SUM32(n0), WG_AX_SUM32(n1), WG_AX_SUM32(n2), WG_AX_SUM32(n3)};
  if (cw < 4) /* fold the second group's set into the first (32-bit sums) */
    for (int j = 0; j < cw; j++) f[j] = _mm256_add_epi32(f[j], f[j + cw]);
  for (int j = 0; j < 4; j++) _mm256_store_si256((__m256i *)col[j], f[j]);
  __m256i sum[WG_K_MR][2];
  for (int i = 0; i < WG_K_MR; i++) {
    sum[i][0] = _mm256_setr_epi32(col[0][i], cw > 1 ? col[1][i] : 0, cw > 2 ? col[2][i] : 0,
                                  cw > 3 ? col[3][i] : 0, 0, 0, 0, 0);
    sum[i][1] = _mm256_setzero_si256();
  }
  wg_avx2_finish_tile(t, WG_K_MR, sum);
}

static void WG_K_FN(run)(const wg_tile *t) {
  if (t->kgroups > 0 && t->cols <= 4) {
    WG_K_FN(narrow)(t);
    return;
  }
  WG_AX_ACC_DECL;
  static const int16_t ones16[16] __attribute__((aligned(32))) = {
      1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  const char *a = (const char *)t->a;
  const char *b = (const char *)t->b;
  const char *bend = b + t->kgroups * 4 * WG_K_NR;
  if (t->kgroups > 0 && t->cols <= 8)
    __asm__ volatile(
        "1:\n\t"
        "vmovdqa (%[b]), " WG_AX_B0 "\n\t"
        WG_AX_ROW_HALF(0) WG_AX_ROW_HALF(1) WG_AX_ROW_HALF(2)
        WG_AX_ROW_HALF(3) WG_AX_ROW_HALF(4) WG_AX_ROW_HALF(5)
        "add $24, %[a]\n\t"
        "add $64, %[b]\n\t"
        "cmp %[bend], %[b]\n\t"
        "jne 1b\n\t"
        : [c00] "+x"(c00), [c10] "+x"(c10), [c20] "+x"(c20), [c30] "+x"(c30),
          [c40] "+x"(c40), [c50] "+x"(c50), [a] "+r"(a), [b] "+r"(b)
        : [bend] "r"(bend), [ones] "m"(*(const int16_t(*)[16])ones16)
        : "xmm12", "xmm13", "xmm15", "cc", "memory");
  else if (t->kgroups > 0 && t->rows <= 2)
    WG_AX_LOOP(WG_AX_GROUP2);
  else if (t->kgroups > 0 && t->rows <= 4)
    WG_AX_LOOP(WG_AX_GROUP4);
  else if (t->kgroups > 0)
    WG_AX_LOOP(WG_AX_GROUP);
  WG_AX_ACC_SUMS(sum);
  wg_avx2_finish_tile(t, WG_K_MR, sum);
}

/* The packing wrappers.  Both layouts hold 4 bytes per row (A) or column
 * (B) per depth group. */
static void WG_K_FN(pack_a)(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  WG_K_CAT(wg_avx2_pack_a_, WG_AX_LAYOUT)(w, ldw, rows, k, WG_K_MR, dst);
}

static void WG_K_FN(pack_b)(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                            int cols, void *dst) {
  WG_K_CAT(wg_avx2_pack_b_, WG_AX_LAYOUT)(src, k0, kgroups, n0, cols, dst);
}

static void WG_K_FN(pack_b_block)(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                                  int64_t n0, int64_t cols, void *dst) {
  WG_K_CAT(wg_avx2_pack_b_, WG_AX_LAYOUT)(src, k0, kgroups, n0, cols, dst);
}
#define WG_K_A_GROUP (4 * WG_K_MR)
#define WG_K_B_GROUP (4 * WG_K_NR)
#define WG_K_PACK_B_BLOCK WG_K_FN(pack_b_block)

#ifdef WG_AX_OPW
/* Direct convolution (kernel.h wg_dtile), for schemes that define
 * WG_AX_OPW(wx, cx): cx += products of the broadcast activations in
 * WG_AX_AV and the weights in wx (the operand roles swapped: here the
 * weights are the vector operand).  Rows are six output pixels, the two
 * registers of a row sixteen output channels; per depth group the six
 * broadcasts read pixel i's four channels straight from the input through
 * its pointer for the current tap (in r8 + i, base + index addressing, one
 * index for all six: an asm statement has too few operands for six more
 * pointers), and the weights come from the channel panel.  Same loads, same
 * product-accumulates, same four-group iterations as the GEMM loop; the
 * channels of one tap are the loop, the taps its outer loop. */
#define WG_AX_DROW(og, i, reg)                                               \
  "vpbroadcastd " #og "(%%" #reg ",%[ix]), " WG_AX_AV "\n\t"               \
      WG_AX_OPW(WG_AX_B0, "%[c" #i "0]") WG_AX_OPW(WG_AX_B1, "%[c" #i "1]")
#define WG_AX_DW(ob)                                                         \
  "vmovdqa " #ob "(%[b]), " WG_AX_B0 "\n\t"                                 \
  "vmovdqa " #ob "+32(%[b]), " WG_AX_B1 "\n\t"
#define WG_AX_DGROUP(og, ob)                                                 \
  WG_AX_DW(ob) WG_AX_DROW(og, 0, r8) WG_AX_DROW(og, 1, r9)                   \
      WG_AX_DROW(og, 2, r10) WG_AX_DROW(og, 3, r11) WG_AX_DROW(og, 4, r12)   \
      WG_AX_DROW(og, 5, r13)
/* The last pixel panel (3136 = 522*6 + 4, 49 = 8*6 + 1) runs only its
 * rows, as the GEMM loop does for its last row panel. */
#define WG_AX_DGROUP4(og, ob)                                                \
  WG_AX_DW(ob) WG_AX_DROW(og, 0, r8) WG_AX_DROW(og, 1, r9)                   \
      WG_AX_DROW(og, 2, r10) WG_AX_DROW(og, 3, r11)
#define WG_AX_DGROUP2(og, ob) WG_AX_DW(ob) WG_AX_DROW(og, 0, r8) WG_AX_DROW(og, 1, r9)
/* One tap: C/4 depth groups, one and two first as C needs, then four per
 * iteration. */
#define WG_AX_DTAP(GROUP, p)                                                 \
  __asm__ volatile(                                                          \
      "mov (%[pt]), %%r8\n\t"                                               \
      "mov 8(%[pt]), %%r9\n\t"                                              \
      "mov 16(%[pt]), %%r10\n\t"                                            \
      "mov 24(%[pt]), %%r11\n\t"                                            \
      "mov 32(%[pt]), %%r12\n\t"                                            \
      "mov 40(%[pt]), %%r13\n\t"                                            \
      "xor %[ix], %[ix]\n\t"                                                \
      "test $4, %[cb]\n\t"                                                  \
      "jz 2f\n\t"                                                           \
      GROUP(0, 0)                                                            \
      "add $4, %[ix]\n\t"                                                   \
      "add $64, %[b]\n\t"                                                   \
      "2:\n\t"                                                              \
      "test $8, %[cb]\n\t"                                                  \
      "jz 4f\n\t"                                                           \
      GROUP(0, 0)                                                            \
      GROUP(4, 64)                                                           \
      "add $8, %[ix]\n\t"                                                   \
      "add $128, %[b]\n\t"                                                  \
      "4:\n\t"                                                              \
      "cmp %[cb], %[ix]\n\t"                                                \
      "je 3f\n\t"                                                           \
      "1:\n\t"                                                              \
      GROUP(0, 0)                                                            \
      GROUP(4, 64)                                                           \
      GROUP(8, 128)                                                          \
      GROUP(12, 192)                                                         \
      "add $16, %[ix]\n\t"                                                  \
      "add $256, %[b]\n\t"                                                  \
      "cmp %[cb], %[ix]\n\t"                                                \
      "jne 1b\n\t"                                                          \
      "3:\n\t"                                                              \
      : WG_AX_ACC_OPERANDS,                                                  \
        [b] "+r"(b), [ix] "=&r"(ix)                                          \
      : [pt] "r"(p), [cb] "r"(cb),                                           \
        [ones] "m"(*(const int16_t(*)[16])ones16)                            \
      : "r8", "r9", "r10", "r11", "r12", "r13", "xmm12", "xmm13", "xmm14",    \
        "xmm15", "cc", "memory")
#define WG_AX_DTAPS(GROUP)                                                   \
  for (int64_t tap = 0; tap < t->taps; tap++) {                              \
    const uint8_t *const *p = t->pix + tap * WG_K_MR;                        \
    int64_t ix;                                                              \
    WG_AX_DTAP(GROUP, p);                                                    \
  }

static void WG_K_FN(direct_run)(const wg_dtile *t) {
  static const int16_t ones16[16] __attribute__((aligned(32))) = {
      1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  WG_AX_ACC_DECL;
  const char *b = (const char *)t->w;
  int64_t cb = t->channels;
  if (t->pixels <= 2)
    WG_AX_DTAPS(WG_AX_DGROUP2)
  else if (t->pixels <= 4)
    WG_AX_DTAPS(WG_AX_DGROUP4)
  else
    WG_AX_DTAPS(WG_AX_DGROUP)
  WG_AX_ACC_SUMS(sum);
  wg_avx2_finish_direct(t, sum);
}

static const wg_direct WG_K_FN(direct) = {
    .mr = WG_K_MR, .nr = WG_K_NR, .ku = 4,
    .w_group_bytes = 4 * WG_K_NR,
    .max_depth = WG_K_KC,
    .pack_w = wg_avx2_pack_w_quads16,
    .epi_ok = wg_avx2_direct_epi_ok,
    .run = WG_K_FN(direct_run),
    .to_pixels = wg_avx2_channels_to_pixels,
    .to_channels = wg_avx2_pixels_to_channels,
};
#define WG_K_DIRECT &WG_K_FN(direct)
#endif

#ifdef WG_AX_ROWS
/* The in-place GEMM (kernel.h wg_rtile), for schemes whose product-
 * accumulate works on single bytes (WG_AX_OP with one depth per lane):
 * per depth k the two B registers are 64 columns of row k, loaded where
 * they lie, and each row's weight byte is broadcast from the packed
 * panel (group k/4, row i, byte k%4; vpbroadcastb from memory measured as
 * fast as vpbroadcastd here, so the panels need no widening).  The same 8
 * loads and 12 product-accumulates per depth as the packed loop, with no
 * B packing (13% of the 64 x 3136 x 576 call) and B's rows read once per
 * tile from L1/L2.  Four depths per iteration (row k+3 at 3*ldb in r11),
 * then the K % 4 last ones. */
#define WG_AX_RROW(od, i)                                                    \
  "vpbroadcastb " #od "+" #i "*4(%[a]), " WG_AX_AV "\n\t"                   \
      WG_AX_OP(WG_AX_B0, "%[c" #i "0]") WG_AX_OP(WG_AX_B1, "%[c" #i "1]")
#define WG_AX_RLOAD(row)                                                     \
  "vmovdqu " row ", " WG_AX_B0 "\n\t"                                       \
  "vmovdqu 32" row ", " WG_AX_B1 "\n\t"
#define WG_AX_RSTEP6(od, row)                                                \
  WG_AX_RLOAD(row) WG_AX_RROW(od, 0) WG_AX_RROW(od, 1) WG_AX_RROW(od, 2)    \
      WG_AX_RROW(od, 3) WG_AX_RROW(od, 4) WG_AX_RROW(od, 5)
#define WG_AX_RSTEP4(od, row)                                                \
  WG_AX_RLOAD(row) WG_AX_RROW(od, 0) WG_AX_RROW(od, 1) WG_AX_RROW(od, 2)    \
      WG_AX_RROW(od, 3)
#define WG_AX_RSTEP2(od, row) WG_AX_RLOAD(row) WG_AX_RROW(od, 0) WG_AX_RROW(od, 1)
#define WG_AX_RLOOPS(STEP)                                                   \
  do {                                                                       \
    if (a != a4)                                                             \
      __asm__ volatile(                                                      \
          "lea (%[l],%[l],2), %%r11\n\t"                                    \
          "1:\n\t"                                                          \
          STEP(0, "(%[b])") STEP(1, "(%[b],%[l])") STEP(2, "(%[b],%[l],2)")  \
          STEP(3, "(%[b],%%r11)")                                            \
          "add $24, %[a]\n\t"                                               \
          "lea (%[b],%[l],4), %[b]\n\t"                                     \
          "cmp %[aend], %[a]\n\t"                                           \
          "jne 1b\n\t"                                                      \
          : WG_AX_ACC_OPERANDS, [a] "+r"(a), [b] "+r"(b)                     \
          : [l] "r"(ldb), [aend] "r"(a4)                                     \
          : "r11", "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory");      \
    if (a != aend)                                                           \
      __asm__ volatile(                                                      \
          "1:\n\t"                                                          \
          STEP(0, "(%[b])")                                                  \
          "add $1, %[a]\n\t"                                                \
          "add %[l], %[b]\n\t"                                              \
          "cmp %[aend], %[a]\n\t"                                           \
          "jne 1b\n\t"                                                      \
          : WG_AX_ACC_OPERANDS, [a] "+r"(a), [b] "+r"(b)                     \
          : [l] "r"(ldb), [aend] "r"(aend)                                   \
          : "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory");             \
  } while (0)

static void WG_K_FN(run_rows)(const wg_rtile *t) {
  WG_AX_ACC_DECL;
  const char *a = (const char *)t->a;
  const uint8_t *b = t->b;
  int64_t ldb = t->ldb;
  const char *a4 = a + (t->k / 4) * 4 * WG_K_MR, *aend = a4 + t->k % 4;
  if (t->rows <= 2)
    WG_AX_RLOOPS(WG_AX_RSTEP2);
  else if (t->rows <= 4)
    WG_AX_RLOOPS(WG_AX_RSTEP4);
  else
    WG_AX_RLOOPS(WG_AX_RSTEP6);
  __m256i c[WG_K_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                           {c30, c31}, {c40, c41}, {c50, c51}};
  wg_avx2_finish_rows(t, c);
}
#define WG_K_ROWS_NR 64
#define WG_K_ROWS_MAX_DEPTH WG_K_KC
#define WG_K_RUN_ROWS WG_K_FN(run_rows)
#endif

#undef WG_AX_RROW
#undef WG_AX_RLOAD
#undef WG_AX_RSTEP6
#undef WG_AX_RSTEP4
#undef WG_AX_RSTEP2
#undef WG_AX_RLOOPS
#undef WG_AX_ACC_DECL
#undef WG_AX_ACC_OPERANDS
#undef WG_AX_ACC_SUMS
#undef WG_AX_DROW
#undef WG_AX_DW
#undef WG_AX_DGROUP
#undef WG_AX_DGROUP4
#undef WG_AX_DGROUP2
#undef WG_AX_DTAP
#undef WG_AX_DTAPS
#undef WG_AX_ROW
#undef WG_AX_GROUP
#undef WG_AX_GROUP4
#undef WG_AX_GROUP2
#undef WG_AX_LOOP
#undef WG_AX_ROW_HALF
#undef WG_AX_COL
#undef WG_AX_A
#undef WG_AX_NARROW
#undef WG_AX_AV
#undef WG_AX_B0
#undef WG_AX_B1
#undef WG_AX_T

/* Every AVX2 kernel's depthwise row: its sums are the contract's whatever
 * the kernel's lanes (kernel.h, wg_dwrow). */
#define WG_K_DEPTHWISE_ROW wg_avx2_depthwise_row
#define WG_K_NCHW_IMAGES 0 /* the AVX2 row source's own shifted images (pack_avx2.c) */
#include "../core/kernel_def.h"
