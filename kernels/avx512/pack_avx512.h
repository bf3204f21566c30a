/*
 * Packed layouts of the AVX-512 kernels.
 *
 * VNNI (acc32_*__avx512vnni, KU = 4, NR = 32): vpdpbusd adds, in each
 * 32-bit lane, the four products of a byte quad of its first operand
 * (unsigned) and of its second (signed).  The activations are the
 * unsigned operand, 16 columns a register; a weight quad is broadcast.
 *
 *   A group, MR rows:   w[i][k] w[i][k+1] w[i][k+2] w[i][k+3]   i = 0..MR-1
 *                       (4*MR int8: portable/pack_a_groups_c.h's quads)
 *   B group, 32 cols:   x[k][j] x[k+1][j] x[k+2][j] x[k+3][j]   j = 0..31
 *                       (128 uint8, two registers)
 *
 * Masked bytes (acc8_*__avx512bw, KU = 64): a register holds 64 depths of
 * one column, one byte lane each, and a weight row's 64 codes are two
 * opmasks, so that w*x is a masked vpaddb (w = +1) and a masked vpsubb
 * (w = -1) on the lanes the masks select.
 *
 *   A group, MR rows:   plus[i], minus[i]   i = 0..MR-1, uint64 each: bit q
 *                       set where w[i][k+q] = +1 (plus) or -1 (minus)
 *                       (16*MR bytes)
 *   B group, NR cols:   x[k..k+63][j]       j = 0..NR-1 (64*NR uint8)
 *
 * Rows past M and depth past K are zero weights (no mask bit); columns past
 * N and depth past K are zero activations, which the binary kernel's column
 * sums rely on (acc8_binary_x_u8_4x5__avx512bw.c).  B comes through
 * wg_bsrc_row / wg_bsrc_col (kernels/core/bsrc.h), so convolutions are
 * implicit im2col.
 */
#ifndef WG_PACK_AVX512_H
#define WG_PACK_AVX512_H

#include <stdint.h>

#include "../core/kernel.h"

/* The VNNI B panel and the largest depth block it packs at once. */
#define WG_AVX512_QUAD_NR 32
#define WG_AVX512_QUAD_MAX_KC 2304
/* The byte kernels' group depth and largest depth block. */
#define WG_AVX512_RUN 64
#define WG_AVX512_RUN_MAX_KC 4608

/* B[k0 .. k0+4*kgroups) x [n0 .. n0+cols), cols <= 32, one VNNI panel. */
void wg_avx512_pack_b_quads32(const wg_bsrc *s, int64_t k0, int64_t kgroups, int64_t n0,
                              int cols, uint8_t *dst);

/* Direct-convolution weight panels of the VNNI kernel (kernel.h
 * wg_direct.pack_w): 32 output channels' depth quads per group, the quads
 * A layout with MR = 32 (the order wg_weights_tap_major reads). */
void wg_avx512_pack_w_quads32(const int8_t *w, int64_t ldw, int rows, int64_t k, void *dst);
/* wg_direct.to_pixels / to_channels: byte transposes (kernel.h), plain C. */
void wg_avx512_channels_to_pixels(const uint8_t *x, int64_t cstride, int64_t c, int64_t len,
                                  uint8_t *dst);
void wg_avx512_pixels_to_channels(const uint8_t *x, int64_t pstride, int64_t len, int64_t c,
                                  uint8_t *dst, int64_t dstride);

/* One panel of `mr` rows of opmask pairs, depth [0, k) (kernel.h pack_a). */
void wg_avx512_pack_a_masks(const int8_t *w, int64_t ldw, int rows, int64_t k, int mr,
                            uint64_t *dst);
/* B[k0 .. k0+64*kgroups) x [n0 .. n0+cols), cols <= nr, one byte-kernel
 * panel of `nr` columns. */
void wg_avx512_pack_b_runs64(const wg_bsrc *s, int64_t k0, int64_t kgroups, int64_t n0,
                             int cols, int nr, uint8_t *dst);

#endif /* WG_PACK_AVX512_H */
