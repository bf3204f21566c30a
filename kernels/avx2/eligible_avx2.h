#ifndef WG_ELIGIBLE_AVX2_H
#define WG_ELIGIBLE_AVX2_H
#include "../core/kernel.h"
/* Operand ranges for which each AVX2 scheme provably cannot saturate
 * (eligible_avx2.c states the proofs; dispatch.c adds b <= lane_bits).  The
 * madd16 scheme saturates on no range: its eligible is NULL. */
int wg_avx2_eligible_sign8(const wg_problem *p);
int wg_avx2_eligible_maddubs(const wg_problem *p);
#endif
