/* SWAR kernel: 32-bit general registers, 4 lanes of 7 bits plus a guard
 * bit cleared after every addition, ternary weights x 7-bit codes (0..127,
 * see swar_eligible.c), 2 x 4 tile: one register per output, 8 of them. */
#define WG_K_STEM acc7_ternary_x_u7_2x4__swar32buf
#define SW_BINARY 0
#define SW_BITS 32
#define WG_K_MR 2
#define WG_K_NR 4
#define SW_MODE WG_SWAR_MODE_BUFFER
#include "swar_tile.h"
