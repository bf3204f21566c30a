/* Portable kernel: 32-bit wrapping lanes, any weight format x uint8
 * activations, 4 x 8 register tile, no intrinsics. */
#define WG_UK_NAME wg_acc32_int8_x_u8_4x8__c
#define WG_UK_LANE uint32_t
#define WG_UK_MR 4
#define WG_UK_NR 8
#include "ukernel_kmajor_c.h"
#include "eligible_c.h"

const wg_kernel wg_kernel_acc32_int8_x_u8_4x8__c = {
    .name = "acc32_int8_x_u8_4x8__c",
    .cpu = 0,
    .lane_bits = 32,
    .mr = 4, .nr = 8, .ku = 1,
    .kc = 256, .nc = 64,
    .a_group_bytes = 4, .b_group_bytes = 8,
    .eligible = wg_eligible_lanes32,
    .pack_a = wg_acc32_int8_x_u8_4x8__c_pack_a,
    .pack_b = wg_acc32_int8_x_u8_4x8__c_pack_b,
    .run = wg_acc32_int8_x_u8_4x8__c_run,
};
