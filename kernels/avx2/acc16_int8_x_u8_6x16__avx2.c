/* int8 weights x uint8 activations, 16-bit wrapping lanes: vpmaddubsw forms
 * two-depth sums (exact only for the ranges of wg_avx2_eligible_maddubs),
 * vpaddw accumulates them wrapping; madd by ones folds a column's two
 * lanes, congruent modulo 2^16.  Serves b <= 16. */
#define WG_AX_NAME wg_acc16_int8_x_u8_6x16__avx2
#define WG_AX_OP(bx, cx) \
  "vpmaddubsw " WG_AX_AV ", " bx ", " WG_AX_T "\n\t" \
  "vpaddw " WG_AX_T ", " cx ", " cx "\n\t"
#define WG_AX_SUM32(acc) _mm256_madd_epi16(acc, _mm256_set1_epi16(1))
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

const wg_kernel wg_kernel_acc16_int8_x_u8_6x16__avx2 = {
    .name = "acc16_int8_x_u8_6x16__avx2",
    .cpu = WG_CPU_AVX2,
    .lane_bits = 16,
    .mr = WG_AX_MR, .nr = WG_AX_NR, .ku = 4,
    .kc = WG_AX_KC, .nc = WG_AX_NC,
    .a_group_bytes = 4 * WG_AX_MR, .b_group_bytes = 4 * WG_AX_NR,
    .eligible = wg_avx2_eligible_maddubs,
    .pack_a = pack_a,
    .pack_b = pack_b,
    .pack_b_block = pack_b_block,
    .run = wg_acc16_int8_x_u8_6x16__avx2_run,
};
