#ifndef WG_ELIGIBLE_NEON_H
#define WG_ELIGIBLE_NEON_H
#include "../core/kernel.h"
/* Every NEON kernel multiplies and accumulates with non-saturating
 * instructions only (mla, mla by element, smlal by element, sdot on
 * x - 128), so any format, code width and activation width is exact: their
 * eligible is NULL, and only b <= lane_bits limits them (dispatch.c).  The
 * ternary kernels' int16 intermediates also need |w| <= 1 (below). */
/* Weights in {-1, 0, +1} (ternary, binary, or int codes that happen to be):
 * times x - 128 in [-128, 127], each product is in [-128, 128], so 128 of
 * them sum to at most 2^14 in magnitude and an int16 lane cannot wrap
 * before it is widened (ukernel_acc32_ternary_neon.h). */
int wg_neon_eligible_unit_weights(const wg_problem *p);
#endif
