/* Weight packing of the SWAR kernels: sign masks (layout in swar.h); the
 * activation side is in swar_pack_b.h. */
#include <string.h>

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
                    void *dst, int mr, int reg_bytes, int binary) {
  int lanes = reg_bytes, aregs = binary ? mr : 2 * mr;
  int64_t groups = (k + lanes - 1) / lanes;
  uint8_t *out = dst;
  for (int64_t g = 0; g < groups; g++, out += aregs * reg_bytes)
    for (int i = 0; i < mr; i++) {
      uint64_t pos = 0, neg = 0;
      for (int l = 0; l < lanes && i < rows; l++) {
        int64_t kk = g * lanes + l;
        if (kk >= k) break;
        int c = w[i * ldw + kk];
        if (c > 0) pos |= (uint64_t)0xFF << (8 * l);
        if (c < 0) neg |= (uint64_t)0xFF << (8 * l);
      }
      if (binary) {
        put_reg(out + i * reg_bytes, reg_bytes, neg);
      } else {
        put_reg(out + i * reg_bytes, reg_bytes, pos);
        put_reg(out + (mr + i) * reg_bytes, reg_bytes, neg);
      }
    }
}

/* One function per layout, width and MR: weights.c shares a packed copy
 * between kernels by pack_a pointer. */
#define WG_SWAR_PACK_A_DEF(wf, binary, rb, mr)                               \
  void wg_swar##rb##_pack_a_##wf##_mr##mr(const int8_t *w, int64_t ldw,     \
                                          int rows, int64_t k, void *dst) { \
    wg_swar_pack_a(w, ldw, rows, k, dst, mr, rb / 8, binary);                \
  }
WG_SWAR_PACK_A_DEF(ternary, 0, 32, 1)
WG_SWAR_PACK_A_DEF(ternary, 0, 32, 2)
WG_SWAR_PACK_A_DEF(ternary, 0, 64, 1)
WG_SWAR_PACK_A_DEF(ternary, 0, 64, 2)
WG_SWAR_PACK_A_DEF(binary, 1, 32, 1)
WG_SWAR_PACK_A_DEF(binary, 1, 32, 2)
WG_SWAR_PACK_A_DEF(binary, 1, 64, 1)
WG_SWAR_PACK_A_DEF(binary, 1, 64, 2)
