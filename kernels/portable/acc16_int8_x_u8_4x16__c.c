/* Portable kernel: 16-bit wrapping lanes, any weight format x uint8
 * activations, 4 x 16 register tile, no intrinsics. */
#define WG_UK_NAME wg_acc16_int8_x_u8_4x16__c
#define WG_UK_LANE uint16_t
#define WG_UK_MR 4
#define WG_UK_NR 16
#include "ukernel_kmajor_c.h"
#include "eligible_c.h"

const wg_kernel wg_kernel_acc16_int8_x_u8_4x16__c = {
    .name = "acc16_int8_x_u8_4x16__c",
    .cpu = 0,
    .lane_bits = 16,
    .mr = 4, .nr = 16, .ku = 1,
    .kc = 256, .nc = 128,
    .a_group_bytes = 4, .b_group_bytes = 16,
    .eligible = wg_eligible_lanes16,
    .pack_a = wg_acc16_int8_x_u8_4x16__c_pack_a,
    .pack_b = wg_acc16_int8_x_u8_4x16__c_pack_b,
    .run = wg_acc16_int8_x_u8_4x16__c_run,
};
