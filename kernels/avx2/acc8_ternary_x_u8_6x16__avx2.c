/* Ternary/binary weights x uint8 activations, 8-bit wrapping lanes: a
 * weight in {-1, 0, +1} multiplies by vpsignb and vpaddb accumulates (32
 * multiply-accumulates per pair of instructions).  Each byte lane sums one
 * column over depths k = 4g+q; maddubs by ones (bytes read as unsigned, at
 * most 2*255: exact) and madd by ones fold a column's four lanes,
 * congruent modulo 2^8.  Serves b <= 8. */
#define WG_K_STEM acc8_ternary_x_u8_6x16__avx2
#define WG_K_LANES 8
#define WG_K_KU 4
#define WG_AX_LAYOUT quads
#define WG_K_ELIGIBLE wg_avx2_eligible_sign8
#define WG_AX_OP(bx, cx) \
  "vpsignb " WG_AX_AV ", " bx ", " WG_AX_T "\n\t" \
  "vpaddb " WG_AX_T ", " cx ", " cx "\n\t"
/* Direct convolution: activations broadcast, the weights' signs applied. */
#define WG_AX_OPW(wx, cx) \
  "vpsignb " wx ", " WG_AX_AV ", " WG_AX_T "\n\t" \
  "vpaddb " WG_AX_T ", " cx ", " cx "\n\t"
#define WG_AX_SUM32(acc) \
  _mm256_madd_epi16(_mm256_maddubs_epi16(acc, _mm256_set1_epi8(1)), _mm256_set1_epi16(1))
/* One depth per byte lane: the in-place GEMM (ukernel_avx2.h) applies. */
#define WG_AX_ROWS
#include "ukernel_avx2.h"
