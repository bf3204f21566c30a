// CPUID leaf 1 (OSXSAVE, AVX, FMA), leaf 7 subleaf 0 (AVX2, AVX-512 F/BW/VL/
// VNNI/VBMI, GFNI) and subleaf 1 (AVX-VNNI), and XGETBV's XCR0: a feature
// counts only if the OS has enabled the state its registers live in, as a
// CPU can have AVX-512 that the kernel does not save across a context switch.
#include "cpu_features.h"

#include <fstream>
#include <utility>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace wgb {

#if defined(__x86_64__)
static CpuFeatures detect() {
  CpuFeatures f;
  unsigned a, b, c, d;
  if (__get_cpuid_max(0, nullptr) < 7 || !__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = c & (1u << 27), avx = c & (1u << 28), fma = c & (1u << 12);
  __cpuid_count(7, 0, a, b, c, d);
  const unsigned max_sub = a, b7 = b, c7 = c;
  f.gfni = c7 & (1u << 8);  // the SSE form needs no OS state; the VEX/EVEX
                            // forms come with AVX/AVX-512, checked below
  if (!osxsave || !avx) return f;
  unsigned xlo, xhi;
  __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
  (void)xhi;
  const bool ymm_state = (xlo & 0x6) == 0x6;    // SSE + AVX (upper YMM halves)
  const bool zmm_state = (xlo & 0xe6) == 0xe6;  // plus opmask, ZMM_Hi256, Hi16_ZMM
  if (!ymm_state) return f;
  f.fma = fma;
  f.avx2 = b7 & (1u << 5);
  if (zmm_state) {
    f.avx512f = b7 & (1u << 16);
    f.avx512bw = f.avx512f && (b7 & (1u << 30));
    f.avx512vl = f.avx512f && (b7 & (1u << 31));
    f.avx512vbmi = f.avx512f && (c7 & (1u << 1));
    f.avx512vnni = f.avx512f && (c7 & (1u << 11));
  }
  if (max_sub >= 1) {
    __cpuid_count(7, 1, a, b, c, d);
    f.avx_vnni = a & (1u << 4);
  }
  return f;
}
#else
static CpuFeatures detect() { return CpuFeatures(); }
#endif

const CpuFeatures &cpu_features() {
  static const CpuFeatures f = detect();
  return f;
}

std::string cpu_feature_list() {
#if defined(__x86_64__)
  const CpuFeatures &f = cpu_features();
  const std::pair<const char *, bool> all[] = {
      {"avx2", f.avx2},         {"fma", f.fma},           {"avx512f", f.avx512f},
      {"avx512bw", f.avx512bw}, {"avx512vl", f.avx512vl}, {"avx512vnni", f.avx512vnni},
      {"avx512vbmi", f.avx512vbmi}, {"avx_vnni", f.avx_vnni}, {"gfni", f.gfni}};
  std::string s;
  for (const auto &p : all) s += std::string(s.empty() ? "" : " ") + (p.second ? "" : "-") + p.first;
  return s;
#else
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, 8, "Features") == 0) {
      const size_t c = line.find(':');
      return c == std::string::npos ? line : line.substr(c + 2);
    }
  return "(not read on this architecture)";
#endif
}

}  // namespace wgb
