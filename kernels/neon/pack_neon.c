#include "pack_neon.h"

#include <string.h>

#include "../core/bsrc.h"

/* The kernels' NR is at most 64: one gathered row fits here. */
enum { WG_NEON_MAX_NR = 64 };

void wg_neon_pack_a_i16(const int8_t *w, int64_t ldw, int rows, int64_t k,
                        int mr, int16_t *dst) {
  memset(dst, 0, (size_t)(k * mr) * sizeof *dst);
  for (int i = 0; i < rows; i++)
    for (int64_t kk = 0; kk < k; kk++) dst[kk * mr + i] = w[i * ldw + kk];
}

void wg_neon_pack_b_i16(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                        int64_t n0, int cols, int nr, int16_t *dst) {
  uint8_t tmp[WG_NEON_MAX_NR];
  for (int64_t kk = 0; kk < kgroups; kk++, dst += nr) {
    const uint8_t *row = wg_bsrc_row(src, k0 + kk, n0, cols, tmp);
    for (int j = 0; j < cols; j++) dst[j] = row[j];
    for (int j = cols; j < nr; j++) dst[j] = 0;
  }
}

void wg_neon_pack_b_s8(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                       int64_t n0, int cols, int nr, int8_t *dst) {
  uint8_t tmp[WG_NEON_MAX_NR];
  for (int64_t kk = 0; kk < kgroups; kk++, dst += nr) {
    const uint8_t *row = wg_bsrc_row(src, k0 + kk, n0, cols, tmp);
    for (int j = 0; j < cols; j++) dst[j] = (int8_t)(row[j] ^ 0x80u);
    for (int j = cols; j < nr; j++) dst[j] = 0;
  }
}

void wg_neon_pack_b_k4(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                       int64_t n0, int cols, int nr, int8_t *dst) {
  uint8_t tmp[WG_NEON_MAX_NR];
  for (int64_t g = 0; g < kgroups; g++, dst += 4 * nr) {
    for (int kk = 0; kk < 4; kk++) {
      const uint8_t *row = wg_bsrc_row(src, k0 + 4 * g + kk, n0, cols, tmp);
      for (int j = 0; j < cols; j++) dst[j * 4 + kk] = (int8_t)(row[j] ^ 0x80u);
      for (int j = cols; j < nr; j++) dst[j * 4 + kk] = 0;
    }
  }
}
