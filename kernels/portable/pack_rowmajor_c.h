/*
 * The plain packed layout of the portable kernels (KU = 1):
 *
 *   A group (one k):  w[m0][k] w[m0+1][k] ... w[m0+MR-1][k]     MR int8
 *   B group (one k):  x[k][n0] x[k][n0+1] ... x[k][n0+NR-1]     NR uint8
 *
 * so that the micro-kernel's inner loop is an outer product of one A group
 * and one B group.  Missing rows / columns are zero.
 */
#ifndef WG_PACK_ROWMAJOR_C_H
#define WG_PACK_ROWMAJOR_C_H

#include <stdint.h>

#include "../core/kernel.h"

void wg_pack_a_kmajor(const int8_t *w, int64_t ldw, int rows, int64_t k,
                      int mr, int8_t *dst);
void wg_pack_b_kmajor(const wg_bsrc *src, int64_t k0, int64_t kc, int64_t n0,
                      int cols, int nr, uint8_t *dst);

#endif
