/* SWAR carry mode: 64-bit general registers, 8 8-bit lanes added with
 * plain register additions, so a carry out of a lane enters the next one
 * (as on a core without a vector unit), binary weights, 2 x 4 tile.  Not a
 * table kernel: its result is not the contract's function; wg_swar_gemm
 * runs it, on the weights packed for the buffer kernel of the same tile. */
#define SW_STEM wg_acc8_binary_x_u8_2x4__swar64carry
#define SW_BINARY 1
#define SW_BITS 64
#define SW_MR 2
#define SW_NR 4
#define SW_MODE WG_SWAR_MODE_CARRY
#include "swar_tile.h"

extern const wg_kernel wg_kernel_acc7_binary_x_u7_2x4__swar64buf;

const wg_swar_impl wg_swar_impl_acc8_binary_x_u8_2x4__swar64carry = {
    .name = "acc8_binary_x_u8_2x4__swar64carry",
    .apack = &wg_kernel_acc7_binary_x_u7_2x4__swar64buf,
    .binary = 1, .reg_bits = 64, .mode = WG_SWAR_MODE_CARRY, .mr = 2, .nr = 4,
    .b_group_bytes = 2 * 4 * 8,
    .pack_b = SW_FN(_pack_b),
    .tile = SW_FN(_tile),
};
