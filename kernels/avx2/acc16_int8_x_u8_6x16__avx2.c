/* int8 weights x uint8 activations, 16-bit wrapping lanes: vpmaddubsw forms
 * two-depth sums (exact only for the ranges of wg_avx2_eligible_maddubs),
 * vpaddw accumulates them wrapping; madd by ones folds a column's two
 * lanes, congruent modulo 2^16.  Serves b <= 16. */
#define WG_K_STEM acc16_int8_x_u8_6x16__avx2
#define WG_K_LANES 16
#define WG_K_KU 4
#define WG_AX_LAYOUT quads
#define WG_K_ELIGIBLE wg_avx2_eligible_maddubs
#define WG_AX_OP(bx, cx) \
  "vpmaddubsw " WG_AX_AV ", " bx ", " WG_AX_T "\n\t" \
  "vpaddw " WG_AX_T ", " cx ", " cx "\n\t"
/* Direct convolution: the same products with the activations broadcast
 * (unsigned operand) and the weights loaded (signed operand). */
#define WG_AX_OPW(wx, cx) \
  "vpmaddubsw " wx ", " WG_AX_AV ", " WG_AX_T "\n\t" \
  "vpaddw " WG_AX_T ", " cx ", " cx "\n\t"
#define WG_AX_SUM32(acc) _mm256_madd_epi16(acc, _mm256_set1_epi16(1))
#include "ukernel_avx2.h"
