#include "eligible_neon.h"
int wg_neon_eligible_lanes8(const wg_problem *p) { return p->acc_bits <= 8; }
int wg_neon_eligible_lanes16(const wg_problem *p) { return p->acc_bits <= 16; }
int wg_neon_eligible_lanes32(const wg_problem *p) { return p->acc_bits <= 32; }
int wg_neon_eligible_unit_weights(const wg_problem *p) {
  return p->wmin >= -1 && p->wmax <= 1;
}
