#include "eligible_neon.h"

int wg_neon_eligible_unit_weights(const wg_problem *p) {
  return p->wmin >= -1 && p->wmax <= 1;
}
