#include "eligible_avx512.h"

/* Masked vpaddb / vpsubb add or subtract the activation byte (any code
 * 0..255) in a byte lane that wraps modulo 2^8; neither saturates, so the
 * lane is the exact sum modulo 2^8 for every activation range.  The masks
 * encode w in {-1, 0, +1} only: ternary and binary formats.  (An INT
 * format with 2-bit codes has -2 and is refused.) */
int wg_avx512_eligible_masks(const wg_problem *p) {
  return p->wformat == WG_WEIGHTS_TERNARY || p->wformat == WG_WEIGHTS_BINARY;
}

/* 2 * sum_{w=+1} x - sum x equals sum w*x only when no weight is 0: the
 * binary format (its codes are validated to be +-1 at packing). */
int wg_avx512_eligible_binary(const wg_problem *p) { return p->wformat == WG_WEIGHTS_BINARY; }
