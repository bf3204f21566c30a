#ifndef WG_ELIGIBLE_AVX512_H
#define WG_ELIGIBLE_AVX512_H
#include "../core/kernel.h"
/* Operand ranges of the AVX-512BW byte kernels (eligible_avx512.c states
 * why; dispatch.c adds b <= lane_bits).  The VNNI kernel serves every range:
 * its eligible is NULL (acc32_int8_x_u8_8x32__avx512vnni.c). */
int wg_avx512_eligible_masks(const wg_problem *p);
int wg_avx512_eligible_binary(const wg_problem *p);
#endif
