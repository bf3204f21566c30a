/* Shared by the NEON tests (test_neon*.c). */
#ifndef WG_TEST_NEON_H
#define WG_TEST_NEON_H

#include <stddef.h>
#include <stdint.h>

#include "core/kernel.h"
#include "kernels.h"
#include "wrapgemm.h"

/* This architecture's NEON kernels, the table's kernels that need
 * WG_CPU_NEON (none on x86), in table order into out[0..WGT_MAX_KERNELS);
 * returns how many.  A kernel's wf is WG_WEIGHTS_INT, or
 * WG_WEIGHTS_TERNARY where it takes weights in {-1, 0, 1} only (the weights
 * its tests must use). */
int wgt_neon_kernels(wgt_kernel *out);

/* One call on caller-made buffers (any alignment), forced to `kernel`:
 * y is placed y_offset bytes past a 64-byte boundary, between guard bytes;
 * every output byte is compared with the reference.  The epilogue's
 * per-row arrays are the caller's.  WGT_PASS / WGT_FAIL (reported, naming
 * `what`) / WGT_CANNOT (kernel unavailable). */
typedef struct wgt_neon_call {
  const char *kernel;
  int64_t m, n, k, ldw, ldx, ldy;
  const int8_t *w;
  wg_weight_format wf;
  int wbits;
  const uint8_t *x;
  wg_act_format act;
  const wg_epilogue *ep;
  size_t y_offset;
} wgt_neon_call;
int wgt_neon_check(const wgt_neon_call *c, const char *what);

#endif
