/* int8 weights x uint8 activations, 32-bit lanes, full range: operands are
 * packed widened to 16 bits (activations zero-extended, weights
 * sign-extended) and vpmaddwd forms exact two-depth sums, so no operand
 * range can saturate.  The path for 8-bit x 8-bit operands outside the
 * maddubs ranges; serves every b, including 32. */
#define WG_K_STEM acc32_int8_x_u8_6x16_madd16__avx2
#define WG_K_LANES 32
#define WG_K_KU 2
#define WG_AX_LAYOUT pairs16
/* _mm256_madd_epi16 of zero-extended activations (<= 255) and sign-extended
 * weights (>= -128): each product and the pair sum are at most 65280 in
 * magnitude, far inside int32; _mm256_add_epi32 wraps.  Every operand range
 * is safe. */
#define WG_K_ELIGIBLE NULL
/* Half the byte kernels' depth block: the same 72 KiB B panel. */
#define WG_K_KC 2304
#define WG_AX_OP(bx, cx) \
  "vpmaddwd " WG_AX_AV ", " bx ", " WG_AX_T "\n\t" \
  "vpaddd " WG_AX_T ", " cx ", " cx "\n\t"
#define WG_AX_SUM32(acc) (acc)
#include "ukernel_avx2.h"
