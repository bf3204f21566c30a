/* int8 weights x uint8 activations, 32-bit lanes, the int8 GEMM scheme of
 * gemmlowp and oneDNN on AVX2: vpmaddubsw (exact for the ranges of
 * wg_avx2_eligible_maddubs), vpmaddwd by ones to one 32-bit sum of four
 * products, vpaddd.  Serves every b, including 32. */
#define WG_K_STEM acc32_int8_x_u8_6x16__avx2
#define WG_K_LANES 32
#define WG_K_KU 4
#define WG_AX_LAYOUT quads
#define WG_K_ELIGIBLE wg_avx2_eligible_maddubs
#define WG_AX_OP(bx, cx) \
  "vpmaddubsw " WG_AX_AV ", " bx ", " WG_AX_T "\n\t" \
  "vpmaddwd %[ones], " WG_AX_T ", " WG_AX_T "\n\t" \
  "vpaddd " WG_AX_T ", " cx ", " cx "\n\t"
/* Direct convolution: the same products with the activations broadcast
 * (unsigned operand) and the weights loaded (signed operand). */
#define WG_AX_OPW(wx, cx) \
  "vpmaddubsw " wx ", " WG_AX_AV ", " WG_AX_T "\n\t" \
  "vpmaddwd %[ones], " WG_AX_T ", " WG_AX_T "\n\t" \
  "vpaddd " WG_AX_T ", " cx ", " cx "\n\t"
#define WG_AX_SUM32(acc) (acc)
#include "ukernel_avx2.h"
