/* What the NEON templates share.  Names derived from WG_NK_STEM: the
 * kernel symbol wg_kernel_<stem>, its name string "<stem>", and static
 * helpers wg_<stem>_<part>; the kernel's descriptor; the aarch64 broadcast
 * of a k step's four weights. */
#ifndef WG_UKERNEL_NAME_NEON_H
#define WG_UKERNEL_NAME_NEON_H
#define WG_NK_CAT3_(a, b, c) a##b##c
#define WG_NK_CAT3(a, b, c) WG_NK_CAT3_(a, b, c)
#define WG_NK_STR_(s) #s
#define WG_NK_STR(s) WG_NK_STR_(s)
#define WG_NK_FN(part) WG_NK_CAT3(wg_, WG_NK_STEM, _##part)
#define WG_NK_SYM WG_NK_CAT3(wg_kernel_, WG_NK_STEM, )

/* The descriptor (kernel.h) of a template that defined WG_NK_MR, WG_NK_NR
 * and the static functions pack_a, pack_b and run (WG_NK_FN). */
#define WG_NK_DESCRIPTOR(lanes, kc_, nc_, a_bytes, b_bytes, eligible_)   \
  const wg_kernel WG_NK_SYM = {                                          \
      .name = WG_NK_STR(WG_NK_STEM),                                     \
      .cpu = WG_CPU_NEON,                                                \
      .lane_bits = (lanes),                                              \
      .mr = WG_NK_MR, .nr = WG_NK_NR, .ku = 1,                           \
      .kc = (kc_), .nc = (nc_),                                          \
      .a_group_bytes = (a_bytes), .b_group_bytes = (b_bytes),            \
      .eligible = (eligible_),                                           \
      .pack_a = WG_NK_FN(pack_a),                                        \
      .pack_b = WG_NK_FN(pack_b),                                        \
      .run = WG_NK_FN(run),                                              \
  }

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
