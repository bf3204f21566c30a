/* Which calls the SWAR kernels can compute bit-exactly, besides b <=
 * lane_bits (dispatch.c): the lanes of every mode hold w*x modulo 2^8 (2^7
 * for buffer), so only what the packing can represent limits them. */
#include "swar.h"

/* Masking multiplies only by -1, 0, +1: any format whose codes stay there
 * (ternary, binary, or INT weights that happen to) is accepted. */
int wg_swar_eligible_exact(const wg_problem *p) { return p->wmin >= -1 && p->wmax <= 1; }

/* The packing stores an activation code as it is in the lane's 7 data
 * bits; a code >= 128 would occupy the guard bit, so activations are
 * limited to 7 bits (codes 0..127).  Products w*x are then -127..127, kept
 * modulo 2^7 in the lane. */
int wg_swar_eligible_buffer(const wg_problem *p) {
  return wg_swar_eligible_exact(p) && p->abits <= WG_SWAR_BUFFER_LANE_BITS;
}

/* The binary layout has no zero weight: only weights that promise none. */
int wg_swar_eligible_binary_exact(const wg_problem *p) {
  return p->wformat == WG_WEIGHTS_BINARY && wg_swar_eligible_exact(p);
}

int wg_swar_eligible_binary_buffer(const wg_problem *p) {
  return p->wformat == WG_WEIGHTS_BINARY && wg_swar_eligible_buffer(p);
}
