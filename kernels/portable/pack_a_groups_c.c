/* The grouped weight layouts of pack_a_groups_c.h. */
#include "pack_a_groups_c.h"

#include <string.h>

void wg_pack_a_quads(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                     int8_t *dst) {
  int64_t groups = (k + 3) / 4;
  memset(dst, 0, (size_t)(groups * 4 * mr));
  for (int i = 0; i < rows; i++)
    for (int64_t kk = 0; kk < k; kk++)
      dst[(kk / 4) * 4 * mr + i * 4 + kk % 4] = w[i * ldw + kk];
}

void wg_pack_a_pairs16(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                       int16_t *dst) {
  int64_t groups = (k + 1) / 2;
  memset(dst, 0, (size_t)(groups * 2 * mr) * sizeof *dst);
  for (int i = 0; i < rows; i++)
    for (int64_t kk = 0; kk < k; kk++)
      dst[(kk / 2) * 2 * mr + i * 2 + kk % 2] = w[i * ldw + kk];
}
