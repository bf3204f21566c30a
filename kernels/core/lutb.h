/*
 * What every binary lookup-table kernel (acc8_binary_..._lut<G>, G depths
 * per row add; docs/lut.md, "Binary weights on AVX2") shares, whatever its
 * ISA: which problems it takes, the numbering of a group's 2^G table rows,
 * and the order in which they are built.
 *
 * A group is G depths k..k+G-1 of weights in {-1, +1}; its 2^G rows hold,
 * per column j,
 *
 *   T[r][j] = sum_q s_q x[k+q][j]   (mod 2^8),  s_q = +1 if bit q of r is
 *                                               set, else -1
 *
 * Every row is some signed sum: there is no zero row, and none is needed.
 * Depth past K builds from zero rows (the kernel passes them), so every
 * sign of it gives the same sum and pack_a gives it bit 0; rows past M
 * select row 0, whose sums are computed and never stored.
 *
 * The build: the 2^lo signed sums of the low lo = G/2 rows and the 2^hi of
 * the other hi = G - lo (each by doubling: start from -x0 and +x0, then
 * every sum so far splits into s - x_q and s + x_q), then the 2^G rows as
 * T[a + 2^lo b] = L[a] + H[b]: one add and one store per row, which is the
 * least a table of 2^G distinct rows can cost, plus 2^lo + 2^hi sums.
 */
#ifndef WG_LUTB_H
#define WG_LUTB_H

#include <stdint.h>

#include "kernel.h"

/* Only weights in {-1, +1} select a row (a ternary zero has none); every
 * step is a wrapping byte add, so nothing saturates on any activation. */
static inline int wg_lutb_eligible(const wg_problem *p) {
  return p->wformat == WG_WEIGHTS_BINARY;
}

/* The row index of weights row i (< rows, else 0) of a panel in group g of
 * G depths; depth past k counts as bit 0 (its activations are zero). */
static inline int wg_lutb_row(const int8_t *w, int64_t ldw, int i, int rows, int64_t g,
                              int64_t k, int G) {
  int r = 0;
  if (i < rows)
    for (int q = 0; q < G && G * g + q < k; q++)
      if (w[i * ldw + G * g + q] > 0) r |= 1 << q;
  return r;
}

/* s[0 .. 2^n) = the signed sums of d[0 .. n) in wg_lutb_row's numbering
 * (bit q of the index: +d[q], else -d[q]); 2^(n+1) - 3 adds or subtracts.
 * ADD, SUB: the ISA's wrapping byte add and subtract; zero a zero vector. */
#define WG_LUTB_SUMS(s, d, n, ADD, SUB, zero)                   \
  do {                                                          \
    (s)[0] = SUB(zero, (d)[0]);                                 \
    (s)[1] = (d)[0];                                            \
    for (int q_ = 1; q_ < (n); q_++)                            \
      for (int i_ = 0; i_ < 1 << q_; i_++) {                    \
        (s)[i_ + (1 << q_)] = ADD((s)[i_], (d)[q_]);            \
        (s)[i_] = SUB((s)[i_], (d)[q_]);                        \
      }                                                         \
  } while (0)

#endif /* WG_LUTB_H */
