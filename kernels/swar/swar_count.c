/* Carry accounting of the carry mode, from the same packed panels the
 * kernels read (docs/swar.md). */
#include <string.h>

#include "swar.h"
#include "swar_count.h"

static uint64_t get_reg(const uint8_t *p, int reg_bytes) {
  if (reg_bytes == 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
  }
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

void wg_swar_lane_sums(const void *a, const void *b, int64_t groups, int mr,
                       int nr, int reg_bytes, int binary, int i, int j,
                       uint64_t *sums) {
  const uint64_t e = 0x00FF00FF00FF00FFull;
  const uint8_t *pa = a, *pb = b;
  size_t rb = (size_t)reg_bytes;
  size_t sa = (size_t)((binary ? 1 : 2) * mr) * rb, sb = (size_t)(2 * nr) * rb;
  for (int l = 0; l < reg_bytes; l++) sums[l] = 0;
  while (groups > 0) {
    /* Even and odd lanes in 16-bit fields: 256 additions of <= 255 fit. */
    int64_t chunk = groups < WG_SWAR_EXACT_CHUNK ? groups : WG_SWAR_EXACT_CHUNK;
    uint64_t fe = 0, fo = 0;
    for (int64_t g = 0; g < chunk; g++, pa += sa, pb += sb) {
      uint64_t x = get_reg(pb + (size_t)j * rb, reg_bytes);
      uint64_t x2 = get_reg(pb + (size_t)(nr + j) * rb, reg_bytes);
      uint64_t m1 = get_reg(pa + (size_t)i * rb, reg_bytes);
      uint64_t v = binary ? x ^ (x2 & m1)
                          : (x & m1) | (x2 & get_reg(pa + (size_t)(mr + i) * rb, reg_bytes));
      fe += v & e;
      fo += (v >> 8) & e;
    }
    for (int l = 0; l < reg_bytes; l++)
      sums[l] += ((l & 1 ? fo : fe) >> (16 * (l / 2))) & 0xFFFFu;
    groups -= chunk;
  }
}

void wg_swar_carry_counts(const uint64_t *sums, int lanes, uint32_t *alg1,
                          uint32_t *lane_carries) {
  uint64_t u = 0;
  for (int l = 0; l < lanes; l++) u += sums[l];
  /* Algorithm 1 removes 2^8 and adds back 1 per carry until the value is
   * below 2^8 (or is 2^8 - 1 after a carry): u = r + 255 c, r in 1..255
   * for u > 0, hence c = (u - 1) / 255. */
  *alg1 = (uint32_t)(u ? (u - 1) / 255 : 0);
  /* Carry into lane l+1 over the whole accumulation: the integer part of
   * (lane l's sum + the carry into it) / 2^8. */
  uint64_t c = 0, total = 0;
  for (int l = 0; l + 1 < lanes; l++) {
    c = (sums[l] + c) >> 8;
    total += c;
  }
  *lane_carries = (uint32_t)total;
}
