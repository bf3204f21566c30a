/* SWAR carry mode: 32-bit general registers, 4 8-bit lanes added with
 * plain register additions, so a carry out of a lane enters the next one
 * (as on a core without a vector unit), ternary weights, 2 x 4 tile.  Not a
 * table kernel: its result is not the contract's function; wg_swar_gemm
 * runs it, on the weights packed for the buffer kernel of the same tile. */
#define WG_K_STEM acc8_ternary_x_u8_2x4__swar32carry
#define SW_BINARY 0
#define SW_BITS 32
#define WG_K_MR 2
#define WG_K_NR 4
#define SW_MODE WG_SWAR_MODE_CARRY
#include "swar_tile.h"
