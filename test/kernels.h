/* The kernel table as tests see it: kernels chosen by their properties
 * (CPU features, ISA, lane bits, the operands they accept), so that a
 * kernel added to a folder's list is tested without a line of test code. */
#ifndef WG_TEST_KERNELS_H
#define WG_TEST_KERNELS_H

#include <stdint.h>

#include "core/kernel.h"

/* A kernel of the table with the widest operands it computes exactly at
 * b = its lane bits: the widest weight format it takes (INT, then ternary,
 * then binary) and code width, then the widest activation codes with
 * those. */
typedef struct wgt_kernel {
  const wg_kernel *k;
  const char *name;
  wg_weight_format wf;
  int wbits, abits;
  int maxb;       /* lane_bits */
  int runnable;   /* this CPU has every feature it needs */
} wgt_kernel;

/* The ISA of k's name (<...>__<isa>, kernel.h), e.g. "avx2", "swar64buf". */
const char *wgt_kernel_isa(const wg_kernel *k);

/* The table's kernels that need every CPU feature of `cpu` and whose ISA
 * starts with `isa` (NULL: any), in table order, into out[0..cap); returns
 * how many. */
int wgt_kernels(uint32_t cpu, const char *isa, wgt_kernel *out, int cap);

/* 1 if k computes the call exactly (dispatch.c's rule). */
int wgt_kernel_accepts(const wg_kernel *k, wg_weight_format wf, int wbits, int abits, int b);

enum { WGT_MAX_KERNELS = 64 };

#endif
