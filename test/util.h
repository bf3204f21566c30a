/* Shared test machinery: random operands, the reference comparison with
 * guard bytes, and the list of kernels to force. */
#ifndef WG_TEST_UTIL_H
#define WG_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"
#include "wrapgemm.h"

enum { WGT_RANDOM = 0, WGT_EXTREME = 1, WGT_EXTREME_MIXED = 2 };

typedef struct wgt_case {
  int64_t m, n, k;
  int64_t ldw_pad, ldx_pad, ldy_pad;   /* extra elements beyond the row */
  wg_weight_format wf;
  int wbits;                           /* INT only */
  int abits, zx;
  int data;                            /* WGT_RANDOM / EXTREME / ... */
  wg_epilogue ep;                      /* per-row arrays filled in here */
  int x_place;                         /* 0: X where malloc puts it; else
                                          x_place - 1 bytes past a 64-byte
                                          boundary                        */
  int packed;                          /* 1: X packed, never read in place */
  const char *method;                  /* the method that must run, or NULL */
  /* wg_gemm_ex / wg_weights_pack_ex (any of them set; 0 keeps wg_gemm): */
  wg_order x_order, y_order;           /* X N x K, Y N x M when COL_MAJOR */
  int wunsigned;                       /* INT weights as uint8 codes      */
  int zw;                              /* the weights' zero point         */
} wgt_case;

/* `off` bytes past the first 64-byte boundary in buf (which needs 63 + off
 * bytes to spare): X where the in-place GEMM's alignment rule sees it. */
static inline uint8_t *wgt_place(uint8_t *buf, int off) {
  return buf + (64 - (uintptr_t)buf % 64) % 64 + off;
}

/* Result of one case. */
enum { WGT_PASS = 1, WGT_FAIL = 0, WGT_CANNOT = -1 };

/* Runs c through the named kernel (NULL: automatic choice) on a context of
 * `threads` threads and compares every output byte with the reference;
 * WGT_CANNOT when the kernel is unavailable or rejects the combination.
 * Failures are reported with kernel, shape, seed, position, values. */
int wgt_gemm_case(const char *kernel, int threads, const wgt_case *c,
                  uint64_t seed);

/* Fills a case's epilogue with output kind `out`, cyclic mode, slope, b. */
void wgt_epilogue(wgt_case *c, wg_output_kind out, wg_cyclic cyc, int slope,
                  int b);

/* Random codes within a format. */
void wgt_fill_weights(wgt_rng *r, int8_t *w, size_t n, wg_weight_format f,
                      int bits, int data);
void wgt_fill_acts(wgt_rng *r, uint8_t *x, size_t n, int abits, int data);

/* Per-row epilogue arrays for M rows, deterministic from the rng. */
typedef struct wgt_epi_data {
  float *scale, *bias;
  int32_t *mult, *shift, *qbias;
} wgt_epi_data;
void wgt_epi_data_make(wgt_epi_data *d, wgt_rng *r, int64_t m);
void wgt_epi_data_free(wgt_epi_data *d);
void wgt_epi_attach(wg_epilogue *ep, const wgt_epi_data *d);

/* A convolution geometry (square stride, padding and dilation) and the
 * direct convolution from the definition: z summed literally, then the
 * reference epilogue.  Filters are OIHW for NCHW and OHWI for NHWC. */
typedef struct wgt_conv_geom {
  int64_t batch, c, h, w, m, kh, kw, s, p, d;
} wgt_conv_geom;
void wgt_direct_conv(const wgt_conv_geom *g, wg_layout lay, const int8_t *w,
                     const uint8_t *x, int zx, const wg_epilogue *ep,
                     unsigned char *y, int64_t oh, int64_t ow);

/* Is the index-th kernel of the table able to run here? (with message) */
int wgt_kernel_runnable(int index);

#endif
