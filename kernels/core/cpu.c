/* CPU feature detection, once per process, into a bitmask (kernel.h). */
#include <stdatomic.h>

#include "kernel.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/* XCR0 through XGETBV, written as bytes-free inline asm so that this file
 * needs no -mxsave. */
static uint64_t xgetbv0(void) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((uint64_t)hi << 32) | lo;
}

static uint32_t detect(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
  if (!(fma && osxsave && avx)) return 0;
  /* The OS must save XMM and YMM state (XCR0 bits 1 and 2), or AVX
   * instructions fault even though CPUID lists them. */
  if ((xgetbv0() & 6) != 6) return 0;
  if (__get_cpuid_max(0, 0) < 7) return 0;
  __cpuid_count(7, 0, a, b, c, d);
  return (b >> 5) & 1 ? WG_CPU_AVX2 : 0;
}
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
static uint32_t detect(void) {
  unsigned long hw = getauxval(AT_HWCAP);
  uint32_t f = 0;
  if (hw & HWCAP_ASIMD) f |= WG_CPU_NEON;
#ifdef HWCAP_ASIMDDP
  if (hw & HWCAP_ASIMDDP) f |= WG_CPU_DOTPROD;
#endif
  return f;
}
#elif defined(__arm__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
static uint32_t detect(void) {
  return (getauxval(AT_HWCAP) & HWCAP_NEON) ? WG_CPU_NEON : 0;
}
#else
static uint32_t detect(void) { return 0; }
#endif

uint32_t wg_cpu_features(void) {
  /* Detection is idempotent, so a benign race between first callers only
   * repeats it; the high bit marks "done". */
  static _Atomic uint32_t cached = 0;
  uint32_t v = atomic_load_explicit(&cached, memory_order_relaxed);
  if (v & 0x80000000u) return v & 0x7fffffffu;
  v = detect();
  atomic_store_explicit(&cached, v | 0x80000000u, memory_order_relaxed);
  return v;
}
