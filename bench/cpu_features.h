// What this CPU can run, read from CPUID and XGETBV (x86-64), so that the
// ceilings run only the loops the CPU has and the report's header names the
// ISA features next to the CPU's model name.
#ifndef WGBENCH_CPU_FEATURES_H
#define WGBENCH_CPU_FEATURES_H

#include <string>

namespace wgb {

struct CpuFeatures {
  // Each true only where the CPU reports it AND the OS saves the registers
  // it needs (XGETBV: YMM state for AVX*, opmask + ZMM state for AVX-512).
  bool avx2 = false, fma = false;
  bool avx512f = false, avx512bw = false, avx512vl = false, avx512vnni = false,
       avx512vbmi = false;
  bool avx_vnni = false;  // the VEX encoding of vpdpbusd (ymm, no AVX-512)
  bool gfni = false;
};

// Detected once; all false on other architectures.
const CpuFeatures &cpu_features();

// "avx2 fma -avx512f ... gfni": every feature above, absent ones with a '-'
// (x86-64); elsewhere the kernel's own list (/proc/cpuinfo "Features").
std::string cpu_feature_list();

}  // namespace wgb

#endif
