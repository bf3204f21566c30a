/* Portable kernel: 32-bit wrapping lanes, any weight format x uint8
 * activations, 4 x 8 register tile, no intrinsics. */
#define WG_K_STEM acc32_int8_x_u8_4x8__c
#define WG_UK_LANE uint32_t
#define WG_K_MR 4
#define WG_K_NR 8
#include "ukernel_kmajor_c.h"
