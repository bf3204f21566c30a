/* Packing of the SWAR kernels: sign masks for weights, activations and
 * their lane negations for the B panels (layout in swar.h). */
#include <string.h>

#include "../core/bsrc.h"
#include "swar.h"

/* Registers are stored as native integers; lane l is bits [8l, 8l+8). */
static void put_reg(uint8_t *dst, int reg_bytes, uint64_t v) {
  if (reg_bytes == 8) {
    memcpy(dst, &v, 8);
  } else {
    uint32_t v32 = (uint32_t)v;
    memcpy(dst, &v32, 4);
  }
}

void wg_swar_pack_a(const int8_t *w, int64_t ldw, int rows, int64_t k,
                    void *dst, int mr, int reg_bytes) {
  int lanes = reg_bytes;
  int64_t groups = (k + lanes - 1) / lanes;
  uint8_t *out = dst;
  for (int64_t g = 0; g < groups; g++, out += 2 * mr * reg_bytes)
    for (int i = 0; i < mr; i++) {
      uint64_t pos = 0, neg = 0;
      for (int l = 0; l < lanes && i < rows; l++) {
        int64_t kk = g * lanes + l;
        if (kk >= k) break;
        int c = w[i * ldw + kk];
        if (c > 0) pos |= (uint64_t)0xFF << (8 * l);
        if (c < 0) neg |= (uint64_t)0xFF << (8 * l);
      }
      put_reg(out + i * reg_bytes, reg_bytes, pos);
      put_reg(out + (mr + i) * reg_bytes, reg_bytes, neg);
    }
}

void wg_swar_pack_b(const wg_bsrc *src, int64_t k0, int64_t kgroups,
                    int64_t n0, int cols, void *dst, int nr, int reg_bytes,
                    int lane_bits) {
  enum { MAXNR = 16 };
  uint8_t tmp[MAXNR];
  int lanes = reg_bytes;
  unsigned lmask = (1u << lane_bits) - 1u;
  uint8_t *out = dst;
  for (int64_t g = 0; g < kgroups; g++, out += 2 * nr * reg_bytes) {
    uint64_t xs[MAXNR] = {0}, ns[MAXNR] = {0};
    for (int l = 0; l < lanes; l++) {
      const uint8_t *row = wg_bsrc_row(src, k0 + g * lanes + l, n0, cols, tmp);
      for (int j = 0; j < cols; j++) {
        xs[j] |= (uint64_t)row[j] << (8 * l);
        ns[j] |= (uint64_t)((0u - row[j]) & lmask) << (8 * l);
      }
    }
    for (int j = 0; j < nr; j++) {
      put_reg(out + j * reg_bytes, reg_bytes, xs[j]);
      put_reg(out + (nr + j) * reg_bytes, reg_bytes, ns[j]);
    }
  }
}

#define WG_SWAR_PACK_A_DEF(rb, mr)                                           \
  void wg_swar##rb##_pack_a_mr##mr(const int8_t *w, int64_t ldw, int rows, \
                                   int64_t k, void *dst) {                 \
    wg_swar_pack_a(w, ldw, rows, k, dst, mr, rb / 8);                      \
  }
WG_SWAR_PACK_A_DEF(32, 1)
WG_SWAR_PACK_A_DEF(32, 2)
WG_SWAR_PACK_A_DEF(64, 1)
WG_SWAR_PACK_A_DEF(64, 2)
