#ifndef WG_ELIGIBLE_NEON_H
#define WG_ELIGIBLE_NEON_H
#include "../core/kernel.h"
/* Every NEON kernel multiplies and accumulates with non-saturating
 * instructions only (mla, mla by element, smlal by element, sdot on
 * x - 128), so any format, code width and activation width is exact: only
 * the accumulator width b limits a kernel, to b <= its lane width. */
int wg_neon_eligible_lanes8(const wg_problem *p);
int wg_neon_eligible_lanes16(const wg_problem *p);
int wg_neon_eligible_lanes32(const wg_problem *p);
#endif
