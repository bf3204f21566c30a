/* Pixel-major (NHWC) stores of 8 rows of bytes, shared by the x86 byte
 * finishes (no ISA code: the vector steps are the caller's intrinsics).
 * Rows r[0..7] of a vector's lanes (lane j: column j) are transposed into
 * 8-byte pixel runs by three rounds of unpacks within 128-bit lanes (bytes,
 * then 16-bit, then 32-bit pairs), which leave pixel 16L + 2K + e of
 * 128-bit lane L in qword 2L + e of result K; the runs are then stored one
 * per pixel.  A strided byte store per element cost more (docs/lut.md,
 * "NHWC through shifted images"). */
#ifndef WG_PIXELS8_H
#define WG_PIXELS8_H

#include <stdint.h>
#include <string.h>

/* The transposition of V r[8] into px (8 vectors of qwords, STORE(px_row,
 * vector) writing one), with the ISA's unpacks LO8 / HI8 / LO16 / HI16 /
 * LO32 / HI32. */
#define WG_PIXELS8_TRANSPOSE(V, r, px, LO8, HI8, LO16, HI16, LO32, HI32, STORE)   \
  do {                                                                          \
    V a_[8], b_[8];                                                             \
    for (int i_ = 0; i_ < 4; i_++) {                                            \
      a_[2 * i_] = LO8((r)[2 * i_], (r)[2 * i_ + 1]);                          \
      a_[2 * i_ + 1] = HI8((r)[2 * i_], (r)[2 * i_ + 1]);                      \
    }                                                                           \
    /* a_[0], a_[1]: rows 0-1 of pixels 0-7 and 8-15 of each lane; a_[2],     \
     * a_[3] rows 2-3; a_[4] .. a_[7] rows 4-7. */                            \
    for (int h_ = 0; h_ < 2; h_++) {                                            \
      b_[4 * h_ + 0] = LO16(a_[4 * h_ + 0], a_[4 * h_ + 2]);                   \
      b_[4 * h_ + 1] = HI16(a_[4 * h_ + 0], a_[4 * h_ + 2]);                   \
      b_[4 * h_ + 2] = LO16(a_[4 * h_ + 1], a_[4 * h_ + 3]);                   \
      b_[4 * h_ + 3] = HI16(a_[4 * h_ + 1], a_[4 * h_ + 3]);                   \
    }                                                                           \
    /* b_[q] (q < 4): rows 0-3 of pixels 4q .. 4q+3 of each lane; b_[4 + q]   \
     * rows 4-7. */                                                            \
    for (int q_ = 0; q_ < 4; q_++) {                                            \
      STORE((px)[2 * q_], LO32(b_[q_], b_[4 + q_]));                           \
      STORE((px)[2 * q_ + 1], HI32(b_[q_], b_[4 + q_]));                       \
    }                                                                           \
  } while (0)

/* px as WG_PIXELS8_TRANSPOSE left it, 8 vectors of q qwords: pixel p
 * (p < n) is qword 2*(p/16) + p%2 of vector (p%16)/2; each pixel's first
 * nrows bytes go to y + p*ys_n. */
static inline void wg_store_pixel_runs(const uint64_t *px, int q, int n, int nrows, char *y,
                                       int64_t ys_n) {
  for (int p = 0; p < n; p++) {
    const uint64_t *v = px + ((p & 15) >> 1) * q + 2 * (p >> 4) + (p & 1);
    char *dst = y + (size_t)(p * ys_n);
    if (nrows == 8)
      memcpy(dst, v, 8);
    else
      memcpy(dst, v, (size_t)nrows);
  }
}

#endif /* WG_PIXELS8_H */
