/* The AVX2 kernels as the AVX2 tests see them (test_avx2*.c): the table's
 * kernels that need WG_CPU_AVX2, with the operands each takes. */
#ifndef WG_TEST_AVX2_H
#define WG_TEST_AVX2_H

#include "kernels.h"
#include "util.h"

/* Fills out[0..WGT_MAX_KERNELS) with the AVX2 kernels of the table, in
 * table order, those this CPU cannot run included (none on other
 * architectures); returns how many. */
int wgt_avx2_kernels(wgt_kernel *out);

/* The first of list[0..n) with property `has`, or NULL. */
const wgt_kernel *wgt_avx2_find(wgt_kernel *list, int n, int (*has)(const wgt_kernel *));
/* A property: this CPU runs it, and it takes ternary weights (its widest
 * format). */
int wgt_avx2_runs_ternary(const wgt_kernel *k);

/* A case of M x N x K within kernel k's operand ranges; `variant` rotates
 * the output kind, cyclic mode, b, zero point and activation width. */
void wgt_avx2_case(wgt_case *c, const wgt_kernel *k, int64_t m, int64_t n, int64_t kk,
                   int variant);

/* Sizes below, at and above a kernel's tile, KU, kc and nc, one
 * dimension at a time: M, N, K = sizes[dim][j] in dimension dim, base in
 * the other two (every quick_step-th size under WG_TEST_QUICK), rotating
 * the epilogue (wgt_avx2_case) and the strides' padding. */
typedef struct wgt_dims {
  const int64_t *sizes[3];
  int len[3];
  int64_t base[3];
  int quick_step;
} wgt_dims;
/* Runs them for list[0..n)'s runnable kernels; returns the cases run, or
 * -1 after reporting the first failure. */
int wgt_sizes_one_dim(const wgt_kernel *list, int n, const wgt_dims *d);

#endif
