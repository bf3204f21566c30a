/* The AVX2 kernels as the AVX2 tests see them (test_avx2*.c). */
#ifndef WG_TEST_AVX2_H
#define WG_TEST_AVX2_H

#include "util.h"

typedef struct wgt_avx2_kernel {
  const char *name;
  wg_weight_format wf;  /* operands it is eligible for ... */
  int wbits, abits;
  int maxb;             /* ... and the widest b it serves */
} wgt_avx2_kernel;

extern const wgt_avx2_kernel wgt_avx2_kernels[];
extern const int wgt_avx2_nkernels;

/* Compiled in and runnable on this CPU. */
int wgt_avx2_available(const char *name);

/* A case of M x N x K within kernel k's operand ranges; `variant` rotates
 * the output kind, cyclic mode, b, zero point and activation width. */
void wgt_avx2_case(wgt_case *c, const wgt_avx2_kernel *k, int64_t m, int64_t n,
                   int64_t kk, int variant);

#endif
