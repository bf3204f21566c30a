/*
 * Prototype of the "table-row add" GEMM of issue 18 (docs/lut.md): ternary
 * weights, 8-bit wrapping sums, AVX2.  Not part of the library: a measured
 * design step, built by this folder's Makefile against libwrapgemm.a only
 * for its tests and benchmark.
 *
 *   y[m,n] = wrap_8( sum_k W[m,k] * (X[k,n] - zx) )      (raw int8, b = 8)
 *
 * Weights are packed once into, per output channel and per group of 3
 * depths, the index 0..26 of the signed-sum row that the group's three
 * weights select; per call and per block of 64 pixels (columns of X) the 27
 * rows of every depth group are built in L1, and each output channel adds
 * its selected rows with vpaddb.
 */
#ifndef LUT_GEMM_H
#define LUT_GEMM_H

#include <stdint.h>

/* Pixels per block (bytes per table row) and the largest depth block. */
#define LUT_NB 64
#define LUT_ROWS 27
#define LUT_GROUP_BYTES (LUT_ROWS * LUT_NB) /* 1728: one group's table */

typedef struct lut_weights {
  int64_t m, k;
  int64_t groups;  /* ceil(k / 3)                                   */
  int64_t kg;      /* groups per depth block (multiple of 8)        */
  int64_t nkb;     /* depth blocks: ceil(groups / kg)               */
  int64_t quads;   /* ceil(m / 4)                                   */
  uint8_t *idx;    /* [kb][quad][chunk of 8 groups][channel 0..3][8]: row
                      index * 8 (a byte; the scaled address index)   */
} lut_weights;

typedef struct lut_workspace {
  int64_t kg, quads;
  uint8_t *table;  /* 2 x kg * 1728 bytes (the pipelined schedule's
                      double buffer), 64-aligned; row 13 of every group
                      (all three weights zero) is zero, never written */
  uint8_t *acc;    /* quads * 4 * 64 bytes: sums between depth blocks   */
} lut_workspace;

/* 0 on success, -1 on a code outside {-1, 0, 1} or no memory.  kg: groups
 * per depth block, a multiple of 8 (0: whole depth). */
int lut_pack(const int8_t *w, int64_t m, int64_t k, int64_t ldw, int64_t kg, lut_weights *out);
void lut_weights_free(lut_weights *w);

int lut_workspace_init(lut_workspace *ws, const lut_weights *w);
void lut_workspace_free(lut_workspace *ws);

/* y (M x N int8, row stride ldy) = wrap_8(W * (X - zx)); X is K x N bytes,
 * row stride ldx, any byte values (codes of any width). */
void lut_gemm(const lut_weights *w, lut_workspace *ws, const uint8_t *x, int64_t n,
              int64_t ldx, uint8_t zx, int8_t *y, int64_t ldy);

/* The same result, software-pipelined: the next block's tables are built
 * between the current block's quads (docs/lut.md: slower on Zen 3). */
void lut_gemm_pipelined(const lut_weights *w, lut_workspace *ws, const uint8_t *x, int64_t n,
                     int64_t ldx, uint8_t zx, int8_t *y, int64_t ldy);

/* Profiling only (the results are then wrong): 1 builds the tables and
 * skips the adds, 2 skips the builds; 0 (default) runs both. */
void lut_set_debug(int mode);

#endif
