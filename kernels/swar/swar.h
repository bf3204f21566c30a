/*
 * Bit-packed general-register (SWAR) kernels: ternary / binary weights x
 * unsigned activation codes, L lanes of 8 bits packed along K in one 32-bit
 * (L = 4) or 64-bit (L = 8) register, so KU = L.  Multiplication is masking;
 * only additions remain, and how a carry out of a lane is treated is the
 * mode (docs/swar.md):
 *
 *   exact   carries cut between 8-bit lanes          sum == z mod 2^8
 *   buffer  7-bit lanes, guard bit cleared after
 *           every addition                           sum == z mod 2^7
 *   carry   plain register addition: a carry enters the next lane, the one
 *           out of the top lane is lost              defined by the registers
 *
 * Packed layout, one k-group = L consecutive depths k0 .. k0+L-1, lane l
 * holding depth k0+l in bits [8l, 8l+8) (R = register of 32 or 64 bits).
 * Lanes are bit positions, not memory bytes: packing composes registers
 * with shifts and stores them as native integers, which the kernels load
 * as such, so the byte order of the machine never enters (on big-endian
 * s390x, lane 0 is the last byte of a stored register):
 *
 *   A group (rows i = 0..MR-1)           B group (columns j = 0..NR-1)
 *   +------+-----+--------+------+---    +------+-----+--------+------+---
 *   | P[0] | ... | P[MR-1]| N[0] | ...   | X[0] | ... | X[NR-1]| NX[0]| ...
 *   +------+-----+--------+------+---    +------+-----+--------+------+---
 *   P lane = 0xFF where w = +1           X lane  = x
 *   N lane = 0xFF where w = -1           NX lane = (2^lb - x) mod 2^lb,
 *   (both 0 for w = 0 and past K)                  lb = 8 (7 for buffer)
 *
 * so the packed product register is V = (X & P) | (NX & N): every lane
 * holds w*x mod 2^lb, the two's-complement byte a processor would pack
 * (the negation is done once per activation at packing time, not per MAC).
 * Binary weights (no zero) need one mask and one operation less:
 *
 *   A group: N[0] .. N[MR-1]             B group: X[0..NR-1], D[0..NR-1]
 *                                        D = X ^ NX
 *
 * and V = X ^ (D & N), the same register (past K, N = 0 and X = 0).
 * The sum of the lanes of sum(V) is what each mode computes.
 */
#ifndef WG_SWAR_H
#define WG_SWAR_H

#include <stdint.h>

#include "../core/kernel.h"

/* Macros rather than an enum: swar_tile.h selects code with #if on them.
 * Same values as the public wg_swar_mode. */
#define WG_SWAR_MODE_EXACT 0
#define WG_SWAR_MODE_BUFFER 1
#define WG_SWAR_MODE_CARRY 2

/* Groups per exact-mode chunk: the even-lane partial sums live in 16-bit
 * fields, each adding at most 255 per group, so 257 groups cannot overflow
 * a field; 256 keeps the chunk a power of two. */
#define WG_SWAR_EXACT_CHUNK 256

/* Lane width of the buffer mode: 7 data bits under a guard bit. */
#define WG_SWAR_BUFFER_LANE_BITS 7

/* What the SWAR API needs beyond a kernel's descriptor to run one mode at
 * one register width (swar_tile.h defines both).  The kernel gives the
 * name, tile, lanes per register (ku), pack_a, pack_b and b_group_bytes;
 * its pack_a names the packed copy of the weights the tile reads. */
typedef struct wg_swar_impl {
  const wg_kernel *kernel;
  int binary;              /* weights: 0 ternary (P, N), 1 binary (N)     */
  int mode;
  /* exact / buffer: adds the tile's lane sums (congruent to z modulo 2^8 or
   * 2^7) into state, uint32_t[MR*NR].  carry: state is the MR*NR registers
   * themselves (uint32_t or uint64_t), carried on across calls. */
  void (*tile)(const void *a, const void *b, int64_t groups, void *state);
} wg_swar_impl;

/* Lookup by weight layout, register width and mode among the kernels of
 * isa.inc; NULL for anything else. */
const wg_swar_impl *wg_swar_find_impl(int binary, int reg_bits, int mode);

/* Packing shared by every kernel of one register width and tile: pack_a
 * per (width, MR) so that the modes share one packed copy of the weights,
 * pack_b per kernel (swar_pack_b.h). */
void wg_swar_pack_a(const int8_t *w, int64_t ldw, int rows, int64_t k,
                    void *dst, int mr, int reg_bytes, int binary);

#define WG_SWAR_PACK_A_DECL(wf, rb, mr)                                   \
  void wg_swar##rb##_pack_a_##wf##_mr##mr(const int8_t *w, int64_t ldw,  \
                                          int rows, int64_t k, void *dst);
WG_SWAR_PACK_A_DECL(ternary, 32, 1)
WG_SWAR_PACK_A_DECL(ternary, 32, 2)
WG_SWAR_PACK_A_DECL(ternary, 64, 1)
WG_SWAR_PACK_A_DECL(ternary, 64, 2)
WG_SWAR_PACK_A_DECL(binary, 32, 1)
WG_SWAR_PACK_A_DECL(binary, 32, 2)
WG_SWAR_PACK_A_DECL(binary, 64, 1)
WG_SWAR_PACK_A_DECL(binary, 64, 2)

/* Sum of the 16-bit fields of t (each <= 4096), exact in the low 16 bits. */
static inline uint32_t wg_swar_fold64(uint64_t t) {
  t += t >> 32;
  t += t >> 16;
  return (uint32_t)t & 0xFFFFu;
}
static inline uint32_t wg_swar_fold32(uint32_t t) {
  t += t >> 16;
  return t & 0xFFFFu;
}

/* Sum of the byte lanes of a register, exact (<= 2040). */
static inline uint32_t wg_swar_hsum64(uint64_t r) {
  const uint64_t e = 0x00FF00FF00FF00FFull;
  return wg_swar_fold64((r & e) + ((r >> 8) & e));
}
static inline uint32_t wg_swar_hsum32(uint32_t r) {
  const uint32_t e = 0x00FF00FFu;
  return wg_swar_fold32((r & e) + ((r >> 8) & e));
}

/* Eligibility of the SWAR kernels (swar_eligible.c); dispatch.c adds
 * b <= lane_bits. */
int wg_swar_eligible_exact(const wg_problem *p);
int wg_swar_eligible_buffer(const wg_problem *p);
int wg_swar_eligible_binary_exact(const wg_problem *p);
int wg_swar_eligible_binary_buffer(const wg_problem *p);

#endif /* WG_SWAR_H */
