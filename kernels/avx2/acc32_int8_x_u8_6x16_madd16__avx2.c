/* int8 weights x uint8 activations, 32-bit lanes, full range: operands are
 * packed widened to 16 bits (activations zero-extended, weights
 * sign-extended) and vpmaddwd forms exact two-depth sums, so no operand
 * range can saturate.  The path for 8-bit x 8-bit operands outside the
 * maddubs ranges; serves every b, including 32. */
#define WG_AX_NAME wg_acc32_int8_x_u8_6x16_madd16__avx2
/* 16 x 640 16-bit pairs: a 20 KiB B panel, inside L1 with its A panel. */
#define WG_AX_KC 640
#define WG_AX_OP(bx, cx) \
  "vpmaddwd " WG_AX_AV ", " bx ", " WG_AX_T "\n\t" \
  "vpaddd " WG_AX_T ", " cx ", " cx "\n\t"
#define WG_AX_SUM32(acc) (acc)
#include "ukernel_avx2.h"
#include "eligible_avx2.h"
#include "pack_avx2.h"

static void pack_a(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst) {
  wg_avx2_pack_a_pairs16(w, ldw, rows, k, WG_AX_MR, dst);
}

static void pack_b(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                   int cols, void *dst) {
  wg_avx2_pack_b_pairs16(src, k0, kgroups, n0, cols, dst);
}

static void pack_b_block(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                         int64_t cols, void *dst) {
  wg_avx2_pack_b_pairs16(src, k0, kgroups, n0, cols, dst);
}

const wg_kernel wg_kernel_acc32_int8_x_u8_6x16_madd16__avx2 = {
    .name = "acc32_int8_x_u8_6x16_madd16__avx2",
    .cpu = WG_CPU_AVX2,
    .lane_bits = 32,
    .mr = WG_AX_MR, .nr = WG_AX_NR, .ku = 2,
    .kc = WG_AX_KC, .nc = WG_AX_NC,
    .a_group_bytes = 4 * WG_AX_MR, .b_group_bytes = 4 * WG_AX_NR,
    .eligible = wg_avx2_eligible_madd16,
    .pack_a = pack_a,
    .pack_b = pack_b,
    .pack_b_block = pack_b_block,
    .run = wg_acc32_int8_x_u8_6x16_madd16__avx2_run,
};
