/* Portable kernel: 8-bit wrapping lanes, any weight format x uint8
 * activations, 4 x 32 register tile, no intrinsics. */
#define WG_K_STEM acc8_int8_x_u8_4x32__c
#define WG_UK_LANE uint8_t
#define WG_K_MR 4
#define WG_K_NR 32
#include "ukernel_kmajor_c.h"
