/* SWAR kernel: 64-bit general registers, 8 lanes of 7 bits plus a guard
 * bit cleared after every addition, ternary weights x 7-bit codes (0..127,
 * see swar_eligible.c), 2 x 4 tile: one register per output, 8 of them. */
#define SW_STEM wg_acc7_ternary_x_u7_2x4__swar64buf
#define SW_BINARY 0
#define SW_BITS 64
#define SW_MR 2
#define SW_NR 4
#define SW_MODE WG_SWAR_MODE_BUFFER
#include "swar_tile.h"

const wg_kernel wg_kernel_acc7_ternary_x_u7_2x4__swar64buf = {
    .name = "acc7_ternary_x_u7_2x4__swar64buf",
    .cpu = 0,
    .lane_bits = 7,
    .mr = 2, .nr = 4, .ku = 8,
    .kc = 2048, .nc = 256,
    .a_group_bytes = 2 * 2 * 8, .b_group_bytes = 2 * 4 * 8,
    .eligible = wg_swar_eligible_buffer,
    .pack_a = wg_swar64_pack_a_ternary_mr2,
    .pack_b = SW_FN(_pack_b),
    .run = SW_FN(_run),
};

const wg_swar_impl wg_swar_impl_acc7_ternary_x_u7_2x4__swar64buf = {
    .name = "acc7_ternary_x_u7_2x4__swar64buf",
    .apack = &wg_kernel_acc7_ternary_x_u7_2x4__swar64buf,
    .binary = 0, .reg_bits = 64, .mode = WG_SWAR_MODE_BUFFER, .mr = 2, .nr = 4,
    .b_group_bytes = 2 * 4 * 8,
    .pack_b = SW_FN(_pack_b),
    .tile = SW_FN(_tile),
};
