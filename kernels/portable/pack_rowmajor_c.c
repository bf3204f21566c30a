#include "pack_rowmajor_c.h"

#include <string.h>

#include "../core/bsrc.h"

void wg_pack_a_kmajor(const int8_t *w, int64_t ldw, int rows, int64_t k,
                      int mr, int8_t *dst) {
  memset(dst, 0, (size_t)(k * mr));
  for (int i = 0; i < rows; i++)
    for (int64_t kk = 0; kk < k; kk++) dst[kk * mr + i] = w[i * ldw + kk];
}

void wg_pack_b_kmajor(const wg_bsrc *src, int64_t k0, int64_t kc, int64_t n0,
                      int cols, int nr, uint8_t *dst) {
  uint8_t tmp[256];
  for (int64_t kk = 0; kk < kc; kk++, dst += nr) {
    memcpy(dst, wg_bsrc_row(src, k0 + kk, n0, cols, tmp), (size_t)cols);
    if (cols < nr) memset(dst + cols, 0, (size_t)(nr - cols));
  }
}
