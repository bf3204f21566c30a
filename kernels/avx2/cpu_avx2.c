/* AVX2 detection (kernels/core/isa.h): CPUID's AVX, FMA and AVX2 bits, and
 * the OS's consent through XGETBV.  Built without -mavx2 (the Makefile
 * leaves cpu_*.c out of the folder's flags): it runs on every x86 CPU. */
#include <cpuid.h>

#include "core/isa.h"

/* XCR0 through XGETBV, written as inline asm so that this file needs no
 * -mxsave. */
static uint64_t xgetbv0(void) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((uint64_t)hi << 32) | lo;
}

/* AVX2 + FMA, with the OS saving YMM state. */
static int has_avx2(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
  if (!(fma && osxsave && avx)) return 0;
  /* The OS must save XMM and YMM state (XCR0 bits 1 and 2), or AVX
   * instructions fault even though CPUID lists them. */
  if ((xgetbv0() & 6) != 6) return 0;
  if (__get_cpuid_max(0, 0) < 7) return 0;
  __cpuid_count(7, 0, a, b, c, d);
  return (b >> 5) & 1;
}

const wg_cpu_feature wg_cpu_avx2 = {"avx2", WG_CPU_AVX2, has_avx2};
