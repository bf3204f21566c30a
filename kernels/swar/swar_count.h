/* Carry accounting of the SWAR carry mode (swar_count.c). */
#ifndef WG_SWAR_COUNT_H
#define WG_SWAR_COUNT_H

#include <stdint.h>

/* Exact per-lane sums (lane l: sum over the groups of (w*x mod 2^8)) of
 * output (i, j) of a packed MR x NR tile; sums has reg_bytes entries. */
void wg_swar_lane_sums(const void *a, const void *b, int64_t groups, int mr,
                       int nr, int reg_bytes, int binary, int i, int j,
                       uint64_t *sums);

/* From the lane sums: Algorithm 1's count (on u = the sum of all lanes)
 * and the carries that entered a neighbouring lane of the register. */
void wg_swar_carry_counts(const uint64_t *sums, int lanes, uint32_t *alg1,
                          uint32_t *lane_carries);

#endif
