/*
 * Packed layouts of the NEON kernels that are not the portable k-major bytes
 * (kernels/portable/pack_rowmajor_c.h, KU = 1, used by the 8-bit kernels).
 *
 * Widened (16- and 32-bit lanes, KU = 1): one k per group, codes as int16,
 * so the inner loop is a multiply-accumulate by vector element with no
 * widening instruction in it:
 *
 *   A group:  w[m0][k] .. w[m0+MR-1][k]            MR int16
 *   B group:  x[k][n0] .. x[k][n0+NR-1]            NR int16 (0..255)
 *
 * Dot-product (KU = 4): four consecutive k of one row or column together,
 * the operand shape of sdot; activations stored as x ^ 0x80 = x - 128 in
 * int8, so that a signed-by-signed dot product is exact (the kernel adds
 * 128 * rowsum[m] back):
 *
 *   A group:  row m0: w[k..k+3] | row m0+1: w[k..k+3] | ...     MR x 4 int8
 *             (the quads of portable/pack_a_groups_c.h, shared with AVX2)
 *   B group:  col n0: x'[k..k+3] | col n0+1: x'[k..k+3] | ...   NR x 4 int8
 *
 * Signed bytes (ternary kernels, KU = 1): weights as the portable k-major
 * int8 layout (pack_rowmajor_c.h), activations k-major as x ^ 0x80:
 *
 *   B group:  x'[k][n0] .. x'[k][n0+NR-1]          NR int8
 *
 * Missing rows and depth past K are zero weights, so whatever the
 * activations hold there adds nothing; missing columns are packed as zero
 * and never reach an output.
 */
#ifndef WG_PACK_NEON_H
#define WG_PACK_NEON_H

#include <stdint.h>

#include "../core/kernel.h"

void wg_neon_pack_a_i16(const int8_t *w, int64_t ldw, int rows, int64_t k,
                        int mr, int16_t *dst);
void wg_neon_pack_b_i16(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                        int64_t n0, int cols, int nr, int16_t *dst);
void wg_neon_pack_b_s8(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                       int64_t n0, int cols, int nr, int8_t *dst);
void wg_neon_pack_b_k4(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                       int64_t n0, int cols, int nr, int8_t *dst);

#endif
