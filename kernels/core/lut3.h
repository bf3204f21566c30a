/*
 * What every ternary lookup-table kernel (a `lut3` in the name, docs/lut.md)
 * shares, whatever its ISA: the numbering of a group's 27 table rows and the
 * order in which they are built.
 *
 * A group is 3 depths k..k+2; its 27 rows hold, per column j,
 *
 *   T[r][j] = w0 x[k][j] + w1 x[k+1][j] + w2 x[k+2][j]   (mod 2^8)
 *   r = (w0+1) + 3(w1+1) + 9(w2+1),  w in {-1, 0, +1}^3
 *
 * so row 13 (0, 0, 0) is zero: rows past M and depth past K select it.
 */
#ifndef WG_LUT3_H
#define WG_LUT3_H

#include <stdint.h>

#define WG_LUT3_ZERO_ROW 13

/* The row index of weights row i (< rows, else 13) of a panel in group g;
 * depth past k counts as weight 0. */
static inline int wg_lut3_row(const int8_t *w, int64_t ldw, int i, int rows, int64_t g,
                              int64_t k) {
  int r = WG_LUT3_ZERO_ROW;
  if (i < rows)
    for (int j = 0, p = 1; j < 3; j++, p *= 3)
      if (3 * g + j < k) r += p * w[i * ldw + 3 * g + j];
  return r;
}

/* pack_a of every lut3 kernel: per group, the row indices of the panel's
 * mr weight rows (wg_lut3_row), one byte each, times `scale` (the byte
 * offset unit the kernel's addressing wants: 8 where a table row is 64
 * bytes and the address scales the index by 8; 1 where the kernel shifts
 * it itself).  26 * scale must fit a byte. */
static inline void wg_lut3_pack_a(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                                  int scale, uint8_t *dst) {
  for (int64_t g = 0; g < (k + 2) / 3; g++)
    for (int i = 0; i < mr; i++) *dst++ = (uint8_t)(wg_lut3_row(w, ldw, i, rows, g, k) * scale);
}

/* The nine sums of -/0/+ x0 and -/0/+ x1 (rows i = (w0+1) + 3(w1+1) with
 * w2 = -1), each given to LEVEL(i, v), which stores v - x2, v and v + x2 as
 * rows i, 9 + i, 18 + i.  ADD and SUB are the ISA's wrapping byte add and
 * subtract; n0 = -x0.  26 adds or subtracts in all with LEVEL's. */
#define WG_LUT3_NINE(LEVEL, ADD, SUB, zero, d0, d1, n0) \
  LEVEL(0, SUB(n0, d1));                                \
  LEVEL(1, SUB(zero, d1));                              \
  LEVEL(2, SUB(d0, d1));                                \
  LEVEL(3, n0);                                         \
  LEVEL(4, zero);                                       \
  LEVEL(5, d0);                                         \
  LEVEL(6, ADD(n0, d1));                                \
  LEVEL(7, d1);                                         \
  LEVEL(8, ADD(d0, d1))

#endif /* WG_LUT3_H */
