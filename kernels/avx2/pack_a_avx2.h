/* The A panel layouts of pack_a_groups_c.h (quads, pairs16), packed eight
 * depth groups at a time with AVX2: the same bytes as wg_pack_a_quads and
 * wg_pack_a_pairs16, which pack the tail.  The AVX2 kernels' pack_a;
 * wg_gemmlowp_gemm packs on every call (docs/gemmlowp.md). */
#ifndef WG_PACK_A_AVX2_H
#define WG_PACK_A_AVX2_H

#include <stdint.h>

void wg_avx2_pack_a_quads(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                          int8_t *dst);
void wg_avx2_pack_a_pairs16(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                            int16_t *dst);

#endif
