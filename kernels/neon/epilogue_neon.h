#ifndef WG_EPILOGUE_NEON_H
#define WG_EPILOGUE_NEON_H

#include <stdint.h>

#include "../core/kernel.h"

/* wg_tile_finish with the same arguments and the same bits: the last depth
 * block's epilogue runs four outputs at a time in NEON registers wherever
 * every step is provably the contract's (epilogue_neon.c), and through the
 * scalar epilogue otherwise (parking partial sums; float outputs on armv7,
 * whose NEON flushes denormals and has no fused multiply-add in the armv7-a
 * baseline). */
void wg_neon_tile_finish(const wg_tile *t, const uint32_t *acc, int nr);

/* For kernels that multiply x - 128 instead of x (sdot): adds
 * 128 * rowsum[m] (mod 2^32) to each valid row of acc, once per output. */
void wg_neon_add_rowsum128(const wg_tile *t, uint32_t *acc, int nr);

/* sums[e] += part[e] sign-extended, mod 2^32, for e < n (a multiple of 8):
 * the ternary kernels' int16 partial sums into their 32-bit sums. */
void wg_neon_add_i16(uint32_t *sums, const int16_t *part, int n);

#endif
