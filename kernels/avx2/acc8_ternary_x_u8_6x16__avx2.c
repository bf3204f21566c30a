/* Ternary/binary weights x uint8 activations, 8-bit wrapping lanes: a
 * weight in {-1, 0, +1} multiplies by vpsignb and vpaddb accumulates (32
 * multiply-accumulates per pair of instructions).  Each byte lane sums one
 * column over depths k = 4g+q; maddubs by ones (bytes read as unsigned, at
 * most 2*255: exact) and madd by ones fold a column's four lanes,
 * congruent modulo 2^8.  Serves b <= 8. */
#define WG_AX_NAME wg_acc8_ternary_x_u8_6x16__avx2
#define WG_AX_OP(bx, cx) \
  "vpsignb " WG_AX_AV ", " bx ", " WG_AX_T "\n\t" \
  "vpaddb " WG_AX_T ", " cx ", " cx "\n\t"
#define WG_AX_SUM32(acc) \
  _mm256_madd_epi16(_mm256_maddubs_epi16(acc, _mm256_set1_epi8(1)), _mm256_set1_epi16(1))
#include "ukernel_avx2.h"
#include "eligible_avx2.h"
#include "pack_avx2.h"

static void pack_a(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  wg_avx2_pack_a_quads(w, ldw, rows, k, WG_AX_MR, dst);
}

static void pack_b(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                   int cols, void *dst) {
  wg_avx2_pack_b_quads(src, k0, kgroups, n0, cols, dst);
}

static void pack_b_block(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                         int64_t cols, void *dst) {
  wg_avx2_pack_b_quads(src, k0, kgroups, n0, cols, dst);
}

const wg_kernel wg_kernel_acc8_ternary_x_u8_6x16__avx2 = {
    .name = "acc8_ternary_x_u8_6x16__avx2",
    .cpu = WG_CPU_AVX2,
    .lane_bits = 8,
    .mr = WG_AX_MR, .nr = WG_AX_NR, .ku = 4,
    .kc = WG_AX_KC, .nc = WG_AX_NC,
    .a_group_bytes = 4 * WG_AX_MR, .b_group_bytes = 4 * WG_AX_NR,
    .eligible = wg_avx2_eligible_sign8,
    .pack_a = pack_a,
    .pack_b = pack_b,
    .pack_b_block = pack_b_block,
    .run = wg_acc8_ternary_x_u8_6x16__avx2_run,
};
