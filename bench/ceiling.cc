// Register-only ceilings: the inner loop of a kernel with every load taken
// away, so a kernel's MAC rate can be read as a fraction of what the core's
// arithmetic allows.  Each loop keeps several independent accumulators (more
// than the adds' latency times their throughput) and launders its operands
// through an empty asm each iteration, so the compiler can neither hoist the
// work out of the loop nor fold it; the sums are returned and consumed.
//
//   acc8_sign_add__avx2       vpsignb + vpaddb: 32 ternary x uint8 MACs into
//                             wrapping 8-bit lanes (WrapNet's 8-bit path)
//   acc32_maddubs_madd__avx2  vpmaddubsw + vpmaddwd + vpaddd: 32 uint8 x int8
//                             MACs into 32-bit lanes (the path gemmlowp and
//                             oneDNN take on AVX2 without VNNI)
//   acc8_mla__neon            vmlaq_u8: 16 MACs into wrapping 8-bit lanes
//   acc32_umull_uadalp__neon  umull + uadalp: 8 MACs into 32-bit lanes
//   swar64_add                one 64-bit add: 8 packed 8-bit lanes, general
//                             registers only (Table 8's ceiling)
// and, in ceiling_avx512.cc, vpdpbusd zmm/ymm and masked vpaddb/vpsubb zmm,
// registered here only where the CPU has them (cpu_features.h): on any other
// CPU the report lists them as not on this CPU, and they never run.
#include "ceiling.h"

#include <cstdint>
#include <memory>

#include "case.h"
#include "cpu_features.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace wgb {
namespace {

constexpr int64_t kIters = 1 << 16;

#if defined(__x86_64__)
#define WGB_AVX2 __attribute__((target("avx2")))
#define LAUNDER_YMM(v) __asm__ volatile("" : "+x"(v))

// 6 accumulators x 32 lanes per iteration.
WGB_AVX2 uint64_t sign_add_avx2(int64_t iters) {
  __m256i x = _mm256_set1_epi8(3);
  __m256i w0 = _mm256_set1_epi8(1), w1 = _mm256_set1_epi8(-1), w2 = _mm256_set1_epi8(0);
  __m256i w3 = _mm256_set1_epi8(1), w4 = _mm256_set1_epi8(-1), w5 = _mm256_set1_epi8(1);
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
  for (int64_t i = 0; i < iters; i++) {
    /* Every operand is laundered, not only x: equal weight registers would
     * otherwise share one vpsignb, and a zero weight folds away. */
    LAUNDER_YMM(x);
    LAUNDER_YMM(w0);
    LAUNDER_YMM(w1);
    LAUNDER_YMM(w2);
    LAUNDER_YMM(w3);
    LAUNDER_YMM(w4);
    LAUNDER_YMM(w5);
    a0 = _mm256_add_epi8(a0, _mm256_sign_epi8(x, w0));
    a1 = _mm256_add_epi8(a1, _mm256_sign_epi8(x, w1));
    a2 = _mm256_add_epi8(a2, _mm256_sign_epi8(x, w2));
    a3 = _mm256_add_epi8(a3, _mm256_sign_epi8(x, w3));
    a4 = _mm256_add_epi8(a4, _mm256_sign_epi8(x, w4));
    a5 = _mm256_add_epi8(a5, _mm256_sign_epi8(x, w5));
  }
  __m256i s = _mm256_add_epi8(_mm256_add_epi8(a0, a1), _mm256_add_epi8(a2, a3));
  s = _mm256_add_epi8(s, _mm256_add_epi8(a4, a5));
  return uint64_t(_mm256_extract_epi64(s, 0));
}

// 4 accumulators x 32 MACs per iteration.
WGB_AVX2 uint64_t maddubs_madd_avx2(int64_t iters) {
  __m256i x = _mm256_set1_epi8(3), ones = _mm256_set1_epi16(1);
  __m256i w0 = _mm256_set1_epi8(1), w1 = _mm256_set1_epi8(-2), w2 = _mm256_set1_epi8(3);
  __m256i w3 = _mm256_set1_epi8(-4);
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  for (int64_t i = 0; i < iters; i++) {
    LAUNDER_YMM(x);
    LAUNDER_YMM(w0);
    LAUNDER_YMM(w1);
    LAUNDER_YMM(w2);
    LAUNDER_YMM(w3);
    a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w0), ones));
    a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w1), ones));
    a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w2), ones));
    a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w3), ones));
  }
  __m256i s = _mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3));
  return uint64_t(_mm256_extract_epi64(s, 0));
}
#endif

#if defined(__aarch64__)
#define LAUNDER_Q(v) __asm__ volatile("" : "+w"(v))
uint64_t mla_neon(int64_t iters) {
  uint8x16_t x = vdupq_n_u8(3), w0 = vdupq_n_u8(1), w1 = vdupq_n_u8(255),
             w2 = vdupq_n_u8(0), w3 = vdupq_n_u8(2);
  uint8x16_t a0 = vdupq_n_u8(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  for (int64_t i = 0; i < iters; i++) {
    /* All operands laundered: a zero or repeated weight could otherwise be
     * folded or share one multiply. */
    LAUNDER_Q(x);
    LAUNDER_Q(w0);
    LAUNDER_Q(w1);
    LAUNDER_Q(w2);
    LAUNDER_Q(w3);
    a0 = vmlaq_u8(a0, x, w0);
    a1 = vmlaq_u8(a1, x, w1);
    a2 = vmlaq_u8(a2, x, w2);
    a3 = vmlaq_u8(a3, x, w3);
    a4 = vmlaq_u8(a4, x, w0);
    a5 = vmlaq_u8(a5, x, w1);
    a6 = vmlaq_u8(a6, x, w2);
    a7 = vmlaq_u8(a7, x, w3);
  }
  uint8x16_t s = vaddq_u8(vaddq_u8(vaddq_u8(a0, a1), vaddq_u8(a2, a3)),
                          vaddq_u8(vaddq_u8(a4, a5), vaddq_u8(a6, a7)));
  return vgetq_lane_u64(vreinterpretq_u64_u8(s), 0);
}

uint64_t umull_uadalp_neon(int64_t iters) {
  uint8x8_t x = vdup_n_u8(3), w0 = vdup_n_u8(1), w1 = vdup_n_u8(2), w2 = vdup_n_u8(3),
            w3 = vdup_n_u8(4);
  uint32x4_t a0 = vdupq_n_u32(0), a1 = a0, a2 = a0, a3 = a0;
  for (int64_t i = 0; i < iters; i++) {
    __asm__ volatile("" : "+w"(x));
    a0 = vpadalq_u16(a0, vmull_u8(x, w0));
    a1 = vpadalq_u16(a1, vmull_u8(x, w1));
    a2 = vpadalq_u16(a2, vmull_u8(x, w2));
    a3 = vpadalq_u16(a3, vmull_u8(x, w3));
  }
  uint32x4_t s = vaddq_u32(vaddq_u32(a0, a1), vaddq_u32(a2, a3));
  return vgetq_lane_u64(vreinterpretq_u64_u32(s), 0);
}
#endif

// 4 accumulators x 8 lanes per iteration; the "r" constraints keep the
// operands in general registers.
uint64_t swar64_add(int64_t iters) {
  uint64_t x0 = 0x0102030405060708ull, x1 = x0 << 1, x2 = x0 << 2, x3 = x0 << 3;
  uint64_t a0 = 0, a1 = 1, a2 = 2, a3 = 3;
  for (int64_t i = 0; i < iters; i++) {
    __asm__ volatile("" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3));
    a0 += x0;
    a1 += x1;
    a2 += x2;
    a3 += x3;
  }
  return a0 ^ a1 ^ a2 ^ a3;
}

// One thread, whatever the run's thread count: a threaded run's shares are
// of that many times one core's ceiling (report.cc).  Running the loop on
// every thread at once measured the host instead: a thread started per call
// begins on its creator's vCPU, and on this VM two such loops overlapped so
// little that the 2-thread ceiling came out at 101-120 G MAC/s, below one
// thread's 150-165, and the 8-bit conv2d at 202-233% of it.
void add(std::vector<Case> &out, const char *when, const char *name, uint64_t (*f)(int64_t),
         int lanes) {
  auto sink = std::make_shared<uint64_t>(0);
  out.push_back(Case{std::string("ceiling/") + when + "/" + name, Lib::ceiling,
                     double(kIters) * lanes, nullptr, [f, sink](std::string *) {
                       *sink = *sink + f(kIters);
                       return true;
                     }});
}

}  // namespace

const std::vector<CeilingSpec> &ceiling_specs() {
  static const std::vector<CeilingSpec> specs = [] {
    std::vector<CeilingSpec> v;
#if defined(__x86_64__)
    const CpuFeatures &f = cpu_features();
    const bool vnni512 = f.avx512f && f.avx512vnni, bw = f.avx512f && f.avx512bw;
    v.push_back({"acc32_dpbusd_zmm__avx512vnni", "vpdpbusd zmm (uint8 x int8 into 32-bit lanes)",
                 64, true, "avx512f + avx512vnni", vnni512, dpbusd_zmm_avx512vnni,
                 kDpbusdZmmMacs});
    v.push_back({"acc32_dpbusd_ymm__avx512vnni", "vpdpbusd ymm (EVEX)", 32, true,
                 "avx512vl + avx512vnni", vnni512 && f.avx512vl, dpbusd_ymm_avx512vnni,
                 kDpbusdYmmMacs});
    v.push_back({"acc32_dpbusd_ymm__avxvnni", "{vex} vpdpbusd ymm (AVX-VNNI)", 32, true,
                 "avx_vnni", f.avx2 && f.avx_vnni, dpbusd_ymm_avxvnni, kDpbusdYmmMacs});
    v.push_back({"acc8_mask_add_sub__avx512bw",
                 "vpaddb{k} + vpsubb{k} zmm (ternary x uint8, wrapping 8-bit lanes)", 64, true,
                 "avx512bw", bw, mask_add_sub_zmm_avx512bw, kMaskAddSubMacs});
    v.push_back({"acc8_mask_add__avx512bw",
                 "vpaddb{k} zmm (binary: the w = +1 lanes; -1s from a column sum)", 64, false,
                 "avx512bw", bw, mask_add_zmm_avx512bw, kMaskAddMacs});
    v.push_back({"acc8_sign_add__avx2",
                 "vpsignb + vpaddb ymm (ternary x uint8, wrapping 8-bit lanes)", 32, true, "avx2",
                 f.avx2, sign_add_avx2, 6 * 32});
    // Exact for ternary weights (a pair of products stays within int16);
    // full-range int8 weights can saturate vpmaddubsw.
    v.push_back({"acc32_maddubs_madd__avx2",
                 "vpmaddubsw + vpmaddwd + vpaddd ymm (uint8 x int8 into 32-bit lanes)", 32, true,
                 "avx2", f.avx2, maddubs_madd_avx2, 4 * 32});
#elif defined(__aarch64__)
    // ASIMD is part of every aarch64 core.  mla wraps mod 2^8 (a -1 weight is
    // 255); umull + uadalp take unsigned weights only.
    v.push_back({"acc8_mla__neon", "mla 16 x 8-bit", 16, true, "asimd", true, mla_neon, 8 * 16});
    v.push_back({"acc32_umull_uadalp__neon", "umull + uadalp (uint8 x uint8 into 32-bit lanes)",
                 8, false, "asimd", true, umull_uadalp_neon, 4 * 8});
#endif
    v.push_back({"swar64_add", "one 64-bit add of eight 8-bit lanes, general registers", 8,
                 false, "", true, swar64_add, 4 * 8});
    return v;
  }();
  return specs;
}

int add_ceiling_cases(std::vector<Case> &out, Notes &notes, const char *when) {
  const size_t before = out.size();
  const bool first = std::string(when) == "first";
  for (const CeilingSpec &c : ceiling_specs()) {
    if (c.available)
      add(out, when, c.name, c.loop, c.macs_per_iter);
    else if (first)
      notes.push_back(std::string("left out: ceiling ") + c.name + " (not on this CPU: needs " +
                      c.needs + ")");
  }
#if !defined(__x86_64__) && !defined(__aarch64__)
  if (first) notes.push_back("left out: vector ceilings (none written for " WGB_TARGET ")");
#endif
  return int(out.size() - before);
}

}  // namespace wgb
