/* Portable kernel: 8-bit wrapping lanes, any weight format x uint8
 * activations, 4 x 32 register tile, no intrinsics. */
#define WG_UK_NAME wg_acc8_int8_x_u8_4x32__c
#define WG_UK_LANE uint8_t
#define WG_UK_MR 4
#define WG_UK_NR 32
#include "ukernel_kmajor_c.h"
#include "eligible_c.h"

const wg_kernel wg_kernel_acc8_int8_x_u8_4x32__c = {
    .name = "acc8_int8_x_u8_4x32__c",
    .cpu = 0,
    .lane_bits = 8,
    .mr = 4, .nr = 32, .ku = 1,
    .kc = 256, .nc = 256,
    .a_group_bytes = 4, .b_group_bytes = 32,
    .eligible = wg_eligible_lanes8,
    .pack_a = wg_acc8_int8_x_u8_4x32__c_pack_a,
    .pack_b = wg_acc8_int8_x_u8_4x32__c_pack_b,
    .run = wg_acc8_int8_x_u8_4x32__c_run,
};
