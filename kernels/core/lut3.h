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

/* The 27 rows of one group from the depth vectors d0, d1, d2 (one vector
 * width of columns), in wg_lut3_row's numbering: the nine sums of -/0/+ x0
 * and -/0/+ x1 (rows i = (w0+1) + 3(w1+1) with w2 = -1), each stored as
 * v - x2, v and v + x2 in rows i, 9 + i and 18 + i.  T is the ISA's vector
 * type, ST(i, v) its store of row i, ADD and SUB its wrapping byte add and
 * subtract; zero a zero vector.  26 adds or subtracts (n0 = -x0 among them)
 * and 27 stores. */
#define WG_LUT3_LEVEL3_(T, ST, ADD, SUB, d2, i, v) \
  do {                                             \
    T v_ = (v);                                    \
    ST(i, SUB(v_, d2));                            \
    ST(9 + (i), v_);                               \
    ST(18 + (i), ADD(v_, d2));                     \
  } while (0)
#define WG_LUT3_ROWS(T, ST, ADD, SUB, zero, d0, d1, d2)                \
  do {                                                                 \
    T n0_ = SUB(zero, d0);                                             \
    WG_LUT3_LEVEL3_(T, ST, ADD, SUB, d2, 0, SUB(n0_, d1));             \
    WG_LUT3_LEVEL3_(T, ST, ADD, SUB, d2, 1, SUB(zero, d1));            \
    WG_LUT3_LEVEL3_(T, ST, ADD, SUB, d2, 2, SUB(d0, d1));              \
    WG_LUT3_LEVEL3_(T, ST, ADD, SUB, d2, 3, n0_);                      \
    WG_LUT3_LEVEL3_(T, ST, ADD, SUB, d2, 4, zero);                     \
    WG_LUT3_LEVEL3_(T, ST, ADD, SUB, d2, 5, d0);                       \
    WG_LUT3_LEVEL3_(T, ST, ADD, SUB, d2, 6, ADD(n0_, d1));             \
    WG_LUT3_LEVEL3_(T, ST, ADD, SUB, d2, 7, d1);                       \
    WG_LUT3_LEVEL3_(T, ST, ADD, SUB, d2, 8, ADD(d0, d1));              \
  } while (0)

#endif /* WG_LUT3_H */
