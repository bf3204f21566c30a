/*
 * Activation packing of the SWAR kernels (layout in swar.h), inlined into
 * each kernel so that register width, NR and lane width are constants: B
 * is packed on every call, so for small M this is a visible share of the
 * time next to the kernel itself.
 */
#ifndef WG_SWAR_PACK_B_H
#define WG_SWAR_PACK_B_H

#include <string.h>

#include "../core/bsrc.h"

/* Lane-wise (2^lb - x) mod 2^lb of eight lanes, no carry across lanes:
 * ~x & low7 is 127 - x's low 7 bits, +1 stays inside the byte. */
static inline uint64_t wg_swar_negate_lanes(uint64_t x, int lane_bits) {
  const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full, ones = 0x0101010101010101ull;
  uint64_t t = ((~x & low7) + ones);
  return lane_bits == 7 ? t & low7 : t ^ (~x & ~low7);
}

/* Four rows of four bytes (r[l] byte j = row l, column j) to four columns
 * of four lanes (c[j] byte l), by swapping bytes then 16-bit halves. */
static inline void wg_swar_transpose4(const uint32_t r[4], uint32_t c[4]) {
  const uint32_t lo8 = 0x00FF00FFu, hi8 = 0xFF00FF00u;
  uint32_t t0 = (r[0] & lo8) | ((r[1] & lo8) << 8);  /* r0c0 r1c0 r0c2 r1c2 */
  uint32_t t1 = ((r[0] >> 8) & lo8) | (r[1] & hi8);  /* r0c1 r1c1 r0c3 r1c3 */
  uint32_t t2 = (r[2] & lo8) | ((r[3] & lo8) << 8);
  uint32_t t3 = ((r[2] >> 8) & lo8) | (r[3] & hi8);
  c[0] = (t0 & 0xFFFFu) | (t2 << 16);
  c[1] = (t1 & 0xFFFFu) | (t3 << 16);
  c[2] = (t0 >> 16) | (t2 & 0xFFFF0000u);
  c[3] = (t1 >> 16) | (t3 & 0xFFFF0000u);
}

/* Four bytes with byte j in bits [8j, 8j+8), whatever the byte order: the
 * lanes are defined by bit positions, never by memory order.  A memcpy into
 * a uint32_t would put byte 0 in the top bits on a big-endian core and
 * reverse the columns of every group.  gcc and clang merge the shifts into
 * one plain load on little-endian targets (one byte-reversing load on
 * big-endian ones), so this costs nothing where memcpy was right. */
static inline uint32_t wg_swar_load32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* A whole register as a native integer, as the kernels load it through a
 * uint32_t / uint64_t pointer: same value on either byte order. */
static inline void wg_swar_store(uint8_t *dst, int reg_bytes, uint64_t v) {
  if (reg_bytes == 8) {
    memcpy(dst, &v, 8);
  } else {
    uint32_t v32 = (uint32_t)v;
    memcpy(dst, &v32, 4);
  }
}

/* One group of NR = 4 full columns of a plain matrix, rows in place: lanes
 * by 4x4 byte transposes instead of one byte at a time. */
/* The second register of a column: NX for ternary kernels, D = X ^ NX for
 * binary ones (swar.h). */
static inline uint64_t wg_swar_second(uint64_t xs, int lane_bits, int binary) {
  uint64_t nx = wg_swar_negate_lanes(xs, lane_bits);
  return binary ? xs ^ nx : nx;
}

static inline void wg_swar_pack_group4(const uint8_t *x, int64_t ldx,
                                       int reg_bytes, int lane_bits,
                                       int binary, uint8_t *out) {
  uint32_t r[4], lo[4], hi[4] = {0, 0, 0, 0};
  for (int l = 0; l < 4; l++) r[l] = wg_swar_load32(x + l * ldx);
  wg_swar_transpose4(r, lo);
  if (reg_bytes == 8) {
    for (int l = 0; l < 4; l++) r[l] = wg_swar_load32(x + (4 + l) * ldx);
    wg_swar_transpose4(r, hi);
  }
  for (int j = 0; j < 4; j++) {
    uint64_t xs = lo[j] | (uint64_t)hi[j] << 32;
    wg_swar_store(out + j * reg_bytes, reg_bytes, xs);
    wg_swar_store(out + (4 + j) * reg_bytes, reg_bytes,
                  wg_swar_second(xs, lane_bits, binary));
  }
}

static inline void wg_swar_pack_b(const wg_bsrc *src, int64_t k0,
                                  int64_t kgroups, int64_t n0, int cols,
                                  void *dst, int nr, int reg_bytes,
                                  int lane_bits, int binary) {
  uint8_t tmp[8][16]; /* lanes x columns: reg_bytes <= 8, nr <= 16 */
  const uint8_t *rows[8];
  uint8_t *out = dst;
  for (int64_t g = 0; g < kgroups; g++, out += 2 * nr * reg_bytes) {
    int64_t k = k0 + g * reg_bytes;
    if (nr == 4 && cols == 4 && wg_bsrc_plain(src) && k + reg_bytes <= src->k) {
      wg_swar_pack_group4(src->x + k * src->ldx + n0, src->ldx, reg_bytes,
                          lane_bits, binary, out);
      continue;
    }
    /* Depth past K must pack as 0: binary kernels have no zero weight to
     * mask it with (their padding weights act as +1). */
    for (int l = 0; l < reg_bytes; l++) {
      if (k + l < src->k) {
        rows[l] = wg_bsrc_row(src, k + l, n0, cols, tmp[l]);
      } else {
        memset(tmp[l], 0, sizeof tmp[l]);
        rows[l] = tmp[l];
      }
    }
    for (int j = 0; j < nr; j++) {
      uint64_t xs = 0;
      if (j < cols)
        for (int l = 0; l < reg_bytes; l++) xs |= (uint64_t)rows[l][j] << (8 * l);
      wg_swar_store(out + j * reg_bytes, reg_bytes, xs);
      wg_swar_store(out + (nr + j) * reg_bytes, reg_bytes,
                    wg_swar_second(xs, lane_bits, binary));
    }
  }
}

#endif
