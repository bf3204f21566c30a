/* SWAR kernel: 32-bit general registers, 4 exact 8-bit lanes (carries
 * cut between lanes), ternary weights x uint8 codes, 1 x 4 tile: the exact
 * mode keeps two registers per output, and 4 columns use 8 of the 15
 * registers x86-64 gives, leaving room for the operands. */
#define SW_STEM wg_acc8_ternary_x_u8_1x4__swar32exact
#define SW_BINARY 0
#define SW_BITS 32
#define SW_MR 1
#define SW_NR 4
#define SW_MODE WG_SWAR_MODE_EXACT
#include "swar_tile.h"

const wg_kernel wg_kernel_acc8_ternary_x_u8_1x4__swar32exact = {
    .name = "acc8_ternary_x_u8_1x4__swar32exact",
    .cpu = 0,
    .lane_bits = 8,
    .mr = 1, .nr = 4, .ku = 4,
    .kc = 2048, .nc = 256,
    .a_group_bytes = 2 * 1 * 4, .b_group_bytes = 2 * 4 * 4,
    .eligible = wg_swar_eligible_exact,
    .pack_a = wg_swar32_pack_a_ternary_mr1,
    .pack_b = SW_FN(_pack_b),
    .run = SW_FN(_run),
};

const wg_swar_impl wg_swar_impl_acc8_ternary_x_u8_1x4__swar32exact = {
    .name = "acc8_ternary_x_u8_1x4__swar32exact",
    .apack = &wg_kernel_acc8_ternary_x_u8_1x4__swar32exact,
    .binary = 0, .reg_bits = 32, .mode = WG_SWAR_MODE_EXACT, .mr = 1, .nr = 4,
    .b_group_bytes = 2 * 4 * 4,
    .pack_b = SW_FN(_pack_b),
    .tile = SW_FN(_tile),
};
