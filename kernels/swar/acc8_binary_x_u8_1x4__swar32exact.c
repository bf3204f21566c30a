/* SWAR kernel: 32-bit general registers, 4 exact 8-bit lanes (carries
 * cut between lanes), binary weights x uint8 codes, 1 x 4 tile: the exact
 * mode keeps two registers per output, and 4 columns use 8 of the 15
 * registers x86-64 gives, leaving room for the operands. */
#define WG_K_STEM acc8_binary_x_u8_1x4__swar32exact
#define SW_BINARY 1
#define SW_BITS 32
#define WG_K_MR 1
#define WG_K_NR 4
#define SW_MODE WG_SWAR_MODE_EXACT
#include "swar_tile.h"
