/* int8 weights x uint8 activations, 32-bit lanes, the int8 GEMM scheme of
 * gemmlowp and oneDNN on AVX2: maddubs (exact for the ranges of
 * wg_avx2_eligible_maddubs), madd by ones to one 32-bit sum of four
 * products, _mm256_add_epi32.  Serves every b, including 32. */
#define WG_AX_NAME wg_acc32_int8_x_u8_4x16__avx2
#define WG_AX_MR 4
#define WG_AX_NV 2
#define WG_AX_ACC(acc, b, a) _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(b, a), _mm256_set1_epi16(1)))
#define WG_AX_SUM32(acc) acc
#include "ukernel_avx2.h"
#include "eligible_avx2.h"
#include "pack_avx2.h"

static void pack_a(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  wg_avx2_pack_a_quads(w, ldw, rows, k, WG_AX_MR, dst);
}

static void pack_b(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                   int cols, void *dst) {
  wg_avx2_pack_b_quads(src, k0, kgroups, n0, cols, 8 * WG_AX_NV, dst);
}

const wg_kernel wg_kernel_acc32_int8_x_u8_4x16__avx2 = {
    .name = "acc32_int8_x_u8_4x16__avx2",
    .cpu = WG_CPU_AVX2,
    .lane_bits = 32,
    .mr = WG_AX_MR, .nr = 8 * WG_AX_NV, .ku = 4,
    .kc = 1024, .nc = 256,
    .a_group_bytes = 4 * WG_AX_MR, .b_group_bytes = 32 * WG_AX_NV,
    .eligible = wg_avx2_eligible_maddubs,
    .pack_a = pack_a,
    .pack_b = pack_b,
    .run = wg_acc32_int8_x_u8_4x16__avx2_run,
};
