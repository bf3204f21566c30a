/* Ternary (and binary) weights x uint8 activations, 8-bit wrapping lanes:
 * masked vpaddb where w = +1, masked vpsubb where w = -1, 64 products per
 * pair of instructions.  Serves b <= 8 on AVX-512BW CPUs without VNNI
 * (docs/avx512.md, "Rank"). */
#define WG_K_STEM acc8_ternary_x_u8_4x6__avx512bw
#define WG_K_NR 6
#define WG_K_ELIGIBLE wg_avx512_eligible_masks
#define WG_Z_BINARY 0
#include "ukernel_acc8_avx512.h"
