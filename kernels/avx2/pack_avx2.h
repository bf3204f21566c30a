/*
 * Packed layouts of the AVX2 kernels.  A register holds eight output
 * columns, one 32-bit lane per column; inside a lane sit the KU depth
 * steps that one instruction combines.
 *
 * Byte quads (KU = 4; sign+add, maddubs kernels):
 *
 *   A group, MR rows:   w[i][k] w[i][k+1] w[i][k+2] w[i][k+3]  for i = 0..MR-1
 *                       (4*MR int8; one row's quad is broadcast to 8 lanes)
 *   B group, NR cols:   x[k][j] x[k+1][j] x[k+2][j] x[k+3][j]  for j = 0..NR-1
 *                       (4*NR uint8; eight columns per 32-byte register)
 *
 * 16-bit pairs (KU = 2; full-range madd kernel):
 *
 *   A group:  (int16) w[i][k], w[i][k+1]       for i = 0..MR-1
 *   B group:  (uint16) x[k][j], x[k+1][j]      for j = 0..NR-1
 *
 * The A layouts are packed by portable/pack_a_groups_c.h.  Rows past M and
 * depth past K are zero weights; columns past N are zero activations.  B
 * comes straight from the source (implicit im2col: row
 * runs for plain matrices and NCHW convolutions, wg_bsrc_col column runs for
 * NHWC convolutions, whose channels are contiguous), a block of up to
 * WG_AVX2_MAX_NC columns, that is ceil(cols / 16) consecutive panels of
 * kgroups groups each, at a time (pack_b_block of kernel.h).
 *
 * A last panel of 1 to 4 columns is packed dense: each group holds the
 * 4-byte quads (or pairs) of cw = wg_avx2_tail_width(cols) columns, 4*cw
 * bytes, the columns past cols zero.  Its kernel loop reads one B dword per
 * column and group, and at 64 bytes per group nearly every one of those
 * was a new cache line.
 */
#ifndef WG_PACK_AVX2_H
#define WG_PACK_AVX2_H

#include <stdint.h>

#include "../core/bsrc.h"
#include "../core/kernel.h"
#include "../portable/pack_a_groups_c.h"

/* Panel width of every AVX2 kernel, and the largest depth block (kc) and
 * column block (nc) any of them packs at once. */
#define WG_AVX2_NR 16
#define WG_AVX2_MAX_KC 4608
#define WG_AVX2_MAX_NC 512

/* Columns per group of a dense last panel of `cols` columns (1-4), 16 for
 * a panel packed at full width. */
static inline int wg_avx2_tail_width(int64_t cols) {
  return cols <= 1 ? 1 : cols <= 2 ? 2 : cols <= 4 ? 4 : WG_AVX2_NR;
}

/* B[k0 .. k0+kgroups*KU) x [n0 .. n0+cols), cols <= WG_AVX2_MAX_NC, into
 * ceil(cols / 16) consecutive panels. */
void wg_avx2_pack_b_quads(const wg_bsrc *s, int64_t k0, int64_t kgroups,
                          int64_t n0, int64_t cols, uint8_t *dst);
void wg_avx2_pack_b_pairs16(const wg_bsrc *s, int64_t k0, int64_t kgroups,
                            int64_t n0, int64_t cols, uint16_t *dst);

/* Rows k0 .. k0+steps*per of B over columns [n0, n0+cols), cols <=
 * WG_AVX2_MAX_NC, through the row sources of pack_avx2.c (NCHW rows from
 * shifted images, plain rows in place), handed to use(r, i, arg) per at a
 * time (per <= 4), r[q] row k0 + i*per + q with cols readable bytes: the
 * lookup-table kernel builds its tables from them. */
typedef void (*wg_avx2_rows_fn)(const uint8_t *const r[4], int64_t i, void *arg);
void wg_avx2_rows_apply(const wg_bsrc *s, int64_t k0, int64_t steps, int per, int64_t n0,
                        int64_t cols, wg_avx2_rows_fn use, void *arg);

/* Rows [k, kend) of a plain B (wg_bsrc_plain; rows at or past K skipped)
 * over columns [n0, n0+cols) into L1, both ends of each row (one not
 * 64-byte aligned straddles a line more).  The lookup-table builds call it
 * a group ahead: their tables' stores pass through L1 and evict rows
 * fetched any earlier (docs/lut.md, "Where the time goes (perf, second
 * pass)"). */
void wg_avx2_prefetch_rows(const wg_bsrc *s, int64_t k, int64_t kend, int64_t n0, int64_t cols);

/* Whether wg_avx2_rows_apply serves depth rows [k0, k0 + len) of a source
 * well: plain rows, NCHW convolutions, and NHWC ones whose shifted images
 * (bsrc.h) are built for those rows, which are then pointers; other sources,
 * and NHWC blocks whose images another task is still building, are read by
 * columns (wg_bsrc_cols): row by row they would be gathered byte by byte
 * (2 threads ran the AVX-512 LUT's NHWC 256x14x14 at 0.43x the VNNI
 * kernel's speed that way, docs/lut.md). */
static inline int wg_avx2_by_rows(const wg_bsrc *s, int64_t k0, int64_t len) {
  if (wg_bsrc_plain(s) || (s->is_conv && s->layout == WG_NCHW)) return 1;
  return s->is_conv && s->imgs && wg_bsrc_images_ready(s, k0, len);
}

/* Direct-convolution weight panels (kernel.h wg_direct.pack_w): sixteen
 * output channels' depth quads per group, the quads A layout with MR = 16.
 * One function for every kernel that uses the layout, so that they share
 * one packing of the weights. */
void wg_avx2_pack_w_quads16(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst);

/* wg_direct.to_pixels: dst[p*c + ch] = x[ch*cstride + p]. */
void wg_avx2_channels_to_pixels(const uint8_t *x, int64_t cstride, int64_t c, int64_t len,
                                uint8_t *dst);
/* wg_direct.to_channels: dst[ch*dstride + p] = x[p*pstride + ch]. */
void wg_avx2_pixels_to_channels(const uint8_t *x, int64_t pstride, int64_t len, int64_t c,
                                uint8_t *dst, int64_t dstride);

#endif /* WG_PACK_AVX2_H */
