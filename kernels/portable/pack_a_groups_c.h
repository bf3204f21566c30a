/*
 * Weight panels with KU depths per row and group, the A operand layout that
 * the AVX2 kernels and the aarch64 sdot kernel share (ISA-neutral C: it runs
 * once, when the weights are packed):
 *
 *   quads:    w[i][k] w[i][k+1] w[i][k+2] w[i][k+3]   for i = 0..MR-1 (int8)
 *   pairs16:  (int16) w[i][k], w[i][k+1]              for i = 0..MR-1
 *
 * Rows past `rows` and depth past K are zero weights.
 */
#ifndef WG_PACK_A_GROUPS_C_H
#define WG_PACK_A_GROUPS_C_H

#include <stdint.h>

void wg_pack_a_quads(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                     int8_t *dst);
void wg_pack_a_pairs16(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                       int16_t *dst);

#endif
