/* The grouped weight layouts of pack_a_groups_c.h.  Written out group by
 * group, so the panel is stored once, in order, and only its padding is
 * zeroed: wg_gemmlowp_gemm packs weights on every call (docs/gemmlowp.md). */
#include "pack_a_groups_c.h"

/* Groups of `ku` depths; row i's codes of group g at (g*mr + i)*ku, int8 or
 * (wide) int16.  Inlined with constant ku and wide. */
static inline void pack_groups(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                               int ku, int wide, void *dst) {
  int8_t *d8 = dst;
  int16_t *d16 = dst;
  int64_t groups = (k + ku - 1) / ku;
  for (int64_t g = 0; g < groups; g++) {
    int64_t k0 = g * ku, at = g * mr * ku;
    int n = k - k0 < ku ? (int)(k - k0) : ku;
    for (int i = 0; i < mr; i++, at += ku) {
      const int8_t *src = w + i * ldw + k0;
      if (i < rows && n == ku)
        for (int t = 0; t < ku; t++) {
          if (wide)
            d16[at + t] = src[t];
          else
            d8[at + t] = src[t];
        }
      else
        for (int t = 0; t < ku; t++) {
          int8_t v = i < rows && t < n ? src[t] : 0;
          if (wide)
            d16[at + t] = v;
          else
            d8[at + t] = v;
        }
    }
  }
}

void wg_pack_a_quads(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                     int8_t *dst) {
  pack_groups(w, ldw, rows, k, mr, 4, 0, dst);
}

void wg_pack_a_pairs16(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                       int16_t *dst) {
  pack_groups(w, ldw, rows, k, mr, 2, 1, dst);
}
