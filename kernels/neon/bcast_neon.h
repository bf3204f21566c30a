/* The aarch64 broadcast of a k step's four int8 weights, shared by the NEON
 * templates that broadcast one weight per row. */
#ifndef WG_BCAST_NEON_H
#define WG_BCAST_NEON_H
#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

#if defined(__aarch64__)
/* The four int8 weights at a, each broadcast to a q register, from one
 * 4-byte load kept in a register (the empty asm): otherwise GCC reloads
 * each byte for its broadcast (ldrsb + dup, 2 instructions).  armv7 has
 * vld1.8 {d[]}, a broadcast straight from memory, instead. */
#define WG_NK_BCAST4_S8(a, w0, w1, w2, w3)                 \
  do {                                                     \
    uint32_t four_;                                        \
    memcpy(&four_, (a), 4);                                \
    int8x8_t w_ = vreinterpret_s8_u32(vdup_n_u32(four_));  \
    __asm__("" : "+w"(w_));                                \
    (w0) = vdupq_lane_s8(w_, 0);                           \
    (w1) = vdupq_lane_s8(w_, 1);                           \
    (w2) = vdupq_lane_s8(w_, 2);                           \
    (w3) = vdupq_lane_s8(w_, 3);                           \
  } while (0)
#endif
#endif
