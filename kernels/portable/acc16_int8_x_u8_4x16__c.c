/* Portable kernel: 16-bit wrapping lanes, any weight format x uint8
 * activations, 4 x 16 register tile, no intrinsics. */
#define WG_K_STEM acc16_int8_x_u8_4x16__c
#define WG_UK_LANE uint16_t
#define WG_K_MR 4
#define WG_K_NR 16
#include "ukernel_kmajor_c.h"
