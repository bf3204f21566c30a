/*
 * The 6 x 16 AVX2 micro-kernel, instantiated per accumulation scheme (a
 * macro template rather than four copies of the loop).  Before including,
 * define:
 *
 *   WG_AX_NAME          function-name stem, e.g. wg_acc8_ternary_x_u8_6x16__avx2
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
#include "epilogue_avx2.h"
#include "pack_avx2.h"

#define WG_AX_MR 6
#define WG_AX_NR 16
/* Depth and column blocks (docs/avx2.md): a B panel of 16 x 640 bytes
 * (10 KiB; 20 KiB as 16-bit pairs) stays in the 32 KiB L1, a B block of
 * 640 x 256 in the 512 KiB L2. */
#define WG_AX_KC 640
#define WG_AX_NC 256
_Static_assert(WG_AX_NR == WG_AVX2_NR && WG_AX_KC <= WG_AVX2_MAX_KC &&
                   WG_AX_NC <= WG_AVX2_MAX_NC,
               "pack_avx2.c's buffers hold one kc x nc block of 16-column panels");
#define WG_AX_CAT2(a, b) a##b
#define WG_AX_CAT(a, b) WG_AX_CAT2(a, b)
/* Fixed registers for the operands that are not accumulators (an asm
 * statement has at most 30 operands): ymm0-11 are left to the 12
 * accumulators. */
#define WG_AX_AV "%%ymm12"
#define WG_AX_B0 "%%ymm13"
#define WG_AX_B1 "%%ymm14"
#define WG_AX_T "%%ymm15"
/* Row i of the depth group at byte offsets oa (A) and ob (B). */
#define WG_AX_ROW(oa, i)                                                     \
  "vpbroadcastd " #oa "+" #i "*4(%[a]), " WG_AX_AV "\n\t"                   \
      WG_AX_OP(WG_AX_B0, "%[c" #i "0]") WG_AX_OP(WG_AX_B1, "%[c" #i "1]")
#define WG_AX_GROUP(oa, ob)                                                  \
  "vmovdqa " #ob "(%[b]), " WG_AX_B0 "\n\t"                                 \
  "vmovdqa " #ob "+32(%[b]), " WG_AX_B1 "\n\t"                              \
  WG_AX_ROW(oa, 0) WG_AX_ROW(oa, 1) WG_AX_ROW(oa, 2) WG_AX_ROW(oa, 3)         \
  WG_AX_ROW(oa, 4) WG_AX_ROW(oa, 5)
/* The left half only (columns 0-7), for a panel of at most 8 columns: the
 * ragged last panel of N = 49 (49 = 3*16 + 1) or N = 196 costs half. */
#define WG_AX_ROW_HALF(i)                                                    \
  "vpbroadcastd " #i "*4(%[a]), " WG_AX_AV "\n\t" WG_AX_OP(WG_AX_B0, "%[c" #i "0]")

static void WG_AX_CAT(WG_AX_NAME, _run)(const wg_tile *t) {
  __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00,
          c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00,
          c50 = c00, c51 = c00;
  static const int16_t ones16[16] __attribute__((aligned(32))) = {
      1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  const char *a = (const char *)t->a;
  const char *b = (const char *)t->b;
  const char *bend = b + t->kgroups * 4 * WG_AX_NR;
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
  else if (t->kgroups > 0)
    /* Two groups per iteration (the loop runs near the core's 6-wide
     * dispatch limit, so its counter updates count); an odd group first. */
    __asm__ volatile(
        "mov %[bend], %%r11\n\t"
        "sub %[b], %%r11\n\t"
        "test $64, %%r11\n\t"
        "jz 2f\n\t"
        WG_AX_GROUP(0, 0)
        "add $24, %[a]\n\t"
        "add $64, %[b]\n\t"
        "2:\n\t"
        "cmp %[bend], %[b]\n\t"
        "je 3f\n\t"
        "1:\n\t"
        WG_AX_GROUP(0, 0)
        WG_AX_GROUP(24, 64)
        "add $48, %[a]\n\t"
        "add $128, %[b]\n\t"
        "cmp %[bend], %[b]\n\t"
        "jne 1b\n\t"
        "3:\n\t"
        : [c00] "+x"(c00), [c01] "+x"(c01), [c10] "+x"(c10), [c11] "+x"(c11),
          [c20] "+x"(c20), [c21] "+x"(c21), [c30] "+x"(c30), [c31] "+x"(c31),
          [c40] "+x"(c40), [c41] "+x"(c41), [c50] "+x"(c50), [c51] "+x"(c51),
          [a] "+r"(a), [b] "+r"(b)
        : [bend] "r"(bend), [ones] "m"(*(const int16_t(*)[16])ones16)
        : "r11", "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory");
  __m256i sum[WG_AX_MR][2] = {
      {WG_AX_SUM32(c00), WG_AX_SUM32(c01)}, {WG_AX_SUM32(c10), WG_AX_SUM32(c11)},
      {WG_AX_SUM32(c20), WG_AX_SUM32(c21)}, {WG_AX_SUM32(c30), WG_AX_SUM32(c31)},
      {WG_AX_SUM32(c40), WG_AX_SUM32(c41)}, {WG_AX_SUM32(c50), WG_AX_SUM32(c51)}};
  wg_avx2_finish_tile(t, WG_AX_MR, sum);
}

#undef WG_AX_ROW
#undef WG_AX_GROUP
#undef WG_AX_ROW_HALF
#undef WG_AX_AV
#undef WG_AX_B0
#undef WG_AX_B1
#undef WG_AX_T
#undef WG_AX_CAT
#undef WG_AX_CAT2
