// Register-only ceilings of the AVX-512 and VNNI paths of issue 17: several
// independent accumulators (more than latency x throughput), sums consumed.
// The loop bodies are inline asm, unlike ceiling.cc's intrinsics: from
// intrinsics GCC 12 merged accumulators that started equal (4 vpdpbusd left
// of 10) and, once they differed, copied every accumulator through another
// register each iteration (20 vmovdqa per 10 vpdpbusd), which would measure
// the front end, not the instruction.  In asm the loop issues exactly the
// instructions listed, and nothing can be folded or hoisted.
//
// The file is compiled without -m flags: each function carries its own target
// attribute (for the register types), so the binary runs everywhere, and
// ceiling.cc calls a loop only where CPUID and XGETBV say the CPU has it
// (cpu_features.h).
//
//   dpbusd zmm / ymm     vpdpbusd: 64 / 32 uint8 x int8 MACs into 32-bit
//                        lanes (exact for every b: wrap in the epilogue)
//   mask add+sub zmm     vpaddb{k} + vpsubb{k}: 64 ternary x uint8 MACs into
//                        wrapping 8-bit lanes (AVX-512 has no vpsignb)
//   mask add zmm         vpaddb{k}: 64 binary MACs, sum over w = +1 only;
//                        the -1s come from a column sum computed once per
//                        column (2 sum_{w=+1} x - sum x)
#include "ceiling.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace wgb {

// a += x (uint8) . w (int8), four products per 32-bit lane (AT&T order).
#define DP(a, w) "vpdpbusd %[" #w "], %[x], %[" #a "]\n\t"
#define DP_VEX(a, w) "%{vex%} vpdpbusd %[" #w "], %[x], %[" #a "]\n\t"
// vpdpbusd: latency 5, up to two per cycle: 10 accumulators.
#define DP_BODY(op)                                                                  \
  op(a0, w0) op(a1, w1) op(a2, w2) op(a3, w3) op(a4, w0) op(a5, w1) op(a6, w2)     \
      op(a7, w3) op(a8, w0) op(a9, w1)
#define DP_OUTS(c)                                                                   \
  [a0] c(a0), [a1] c(a1), [a2] c(a2), [a3] c(a3), [a4] c(a4), [a5] c(a5), [a6] c(a6), \
      [a7] c(a7), [a8] c(a8), [a9] c(a9)
#define DP_INS(c) [x] c(x), [w0] c(w0), [w1] c(w1), [w2] c(w2), [w3] c(w3)
#define DP_LOOP(T, set1, add, body, outc, inc)                                        \
  T x = set1(0x03030303), w0 = set1(0x01ff01ff), w1 = set1(0x7f80017f);             \
  T w2 = set1(0x02fe02fe), w3 = set1(0x017f7f01);                                    \
  T a0 = set1(0), a1 = set1(1), a2 = set1(2), a3 = set1(3), a4 = set1(4), a5 = set1(5), \
    a6 = set1(6), a7 = set1(7), a8 = set1(8), a9 = set1(9);                          \
  for (int64_t i = 0; i < iters; i++) __asm__(body : DP_OUTS(outc) : DP_INS(inc));   \
  T s = add(add(add(a0, a1), add(a2, a3)), add(add(a4, a5), add(a6, a7)));           \
  s = add(s, add(a8, a9));                                                           \
  return uint64_t(s[0])  // GCC 12's _mm512_reduce_add_* warns inside its header

__attribute__((target("avx512f,avx512vnni"))) uint64_t dpbusd_zmm_avx512vnni(int64_t iters) {
  DP_LOOP(__m512i, _mm512_set1_epi32, _mm512_add_epi32, DP_BODY(DP), "+v", "v");
}

__attribute__((target("avx512f,avx512vl,avx512vnni"))) uint64_t dpbusd_ymm_avx512vnni(
    int64_t iters) {
  DP_LOOP(__m256i, _mm256_set1_epi32, _mm256_add_epi32, DP_BODY(DP), "+v", "v");
}

// The VEX form (AVX-VNNI): ymm0-15 only, hence "x".
__attribute__((target("avx2,avxvnni"))) uint64_t dpbusd_ymm_avxvnni(int64_t iters) {
  DP_LOOP(__m256i, _mm256_set1_epi32, _mm256_add_epi32, DP_BODY(DP_VEX), "+x", "x");
}

// Ternary: add x where w = +1 (mask p), subtract it where w = -1 (mask n),
// the two masks disjoint as a ternary weight's are; 8 accumulators, two
// dependent single-cycle ops each.  "Yk": k1-k7 (k0 cannot mask).
#define ADDSUB(a, p, n)                                 \
  "vpaddb %[x], %[" #a "], %[" #a "]%{%[" #p "]%}\n\t" \
  "vpsubb %[x], %[" #a "], %[" #a "]%{%[" #n "]%}\n\t"
#define ADD(a, p) "vpaddb %[x], %[" #a "], %[" #a "]%{%[" #p "]%}\n\t"
#define ACC8_OUTS                                                                    \
  [a0] "+v"(a0), [a1] "+v"(a1), [a2] "+v"(a2), [a3] "+v"(a3), [a4] "+v"(a4),        \
      [a5] "+v"(a5), [a6] "+v"(a6), [a7] "+v"(a7)
#define ACC8_INIT                                                                    \
  __m512i x = _mm512_set1_epi8(3);                                                   \
  __m512i a0 = _mm512_set1_epi8(0), a1 = _mm512_set1_epi8(1), a2 = _mm512_set1_epi8(2), \
          a3 = _mm512_set1_epi8(3), a4 = _mm512_set1_epi8(4), a5 = _mm512_set1_epi8(5), \
          a6 = _mm512_set1_epi8(6), a7 = _mm512_set1_epi8(7)
#define ACC8_SUM                                                                      \
  __m512i s = _mm512_add_epi8(_mm512_add_epi8(_mm512_add_epi8(a0, a1), _mm512_add_epi8(a2, a3)), \
                              _mm512_add_epi8(_mm512_add_epi8(a4, a5), _mm512_add_epi8(a6, a7))); \
  return uint64_t(s[0])

__attribute__((target("avx512f,avx512bw"))) uint64_t mask_add_sub_zmm_avx512bw(int64_t iters) {
  ACC8_INIT;
  const __mmask64 p0 = 0x5555555555555555ull, n0 = 0xaaaaaaaaaaaaaaaaull;
  const __mmask64 p1 = 0x1111111111111111ull, n1 = 0x2222222222222222ull;
  for (int64_t i = 0; i < iters; i++)
    __asm__(ADDSUB(a0, p0, n0) ADDSUB(a1, p1, n1) ADDSUB(a2, n0, p0) ADDSUB(a3, n1, p1)
                ADDSUB(a4, p0, n0) ADDSUB(a5, p1, n1) ADDSUB(a6, n0, p0) ADDSUB(a7, n1, p1)
            : ACC8_OUTS
            : [x] "v"(x), [p0] "Yk"(p0), [n0] "Yk"(n0), [p1] "Yk"(p1), [n1] "Yk"(n1));
  ACC8_SUM;
}

__attribute__((target("avx512f,avx512bw"))) uint64_t mask_add_zmm_avx512bw(int64_t iters) {
  ACC8_INIT;
  const __mmask64 p0 = 0x5555555555555555ull, p1 = 0x3333333333333333ull;
  for (int64_t i = 0; i < iters; i++)
    __asm__(ADD(a0, p0) ADD(a1, p1) ADD(a2, p0) ADD(a3, p1) ADD(a4, p0) ADD(a5, p1)
                ADD(a6, p0) ADD(a7, p1)
            : ACC8_OUTS
            : [x] "v"(x), [p0] "Yk"(p0), [p1] "Yk"(p1));
  ACC8_SUM;
}

}  // namespace wgb
#endif  // __x86_64__
