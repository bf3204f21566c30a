/* AVX-512 detection (kernels/core/isa.h): CPUID leaf 7's AVX512F, BW and VL
 * (and AVX512_VNNI for the second feature), and the OS's consent through
 * XGETBV: XCR0 must enable the SSE and AVX state (bits 1, 2) and the three
 * AVX-512 states, opmask (5), ZMM_Hi256 (6) and Hi16_ZMM (7), or a kernel
 * touching k1-k7, the upper halves of zmm0-15 or zmm16-31 faults although
 * CPUID lists the instructions.  Built without the folder's flags (the
 * Makefile leaves cpu_*.c out of them): it runs on every x86-64 CPU.  VBMI
 * is not read: no kernel uses it.
 *
 * In the SIMDe test build (WG_AVX512_SIMDE, mk/avx512.mk; never the
 * library) the kernels are portable C, so the features are reported
 * present, or as the CPU class that WG_AVX512_SIMDE_CPU names: "vnni"
 * (default: Ice Lake-SP and later), "bw" (AVX-512BW without VNNI:
 * Skylake-SP) or "none" (AVX2 only), so that one binary sees the dispatch
 * of every class. */
#include <cpuid.h>
#include <stdlib.h>
#include <string.h>

#include "core/isa.h"

#ifndef WG_AVX512_SIMDE
static uint64_t xgetbv0(void) { /* inline asm: this file needs no -mxsave */
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((uint64_t)hi << 32) | lo;
}

/* CPUID.(EAX=7, ECX=0) EBX and ECX where the OS saves the zmm and opmask
 * state; 0 otherwise. */
static int leaf7_with_zmm_state(unsigned *ebx, unsigned *ecx) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !((c >> 27) & 1)) return 0; /* OSXSAVE */
  const uint64_t state = (1u << 1) | (1u << 2) | (1u << 5) | (1u << 6) | (1u << 7);
  if ((xgetbv0() & state) != state) return 0;
  if (__get_cpuid_max(0, 0) < 7) return 0;
  __cpuid_count(7, 0, a, b, c, d);
  *ebx = b;
  *ecx = c;
  return 1;
}

/* AVX512F (EBX 16), AVX512BW (EBX 30), AVX512VL (EBX 31). */
static int has_avx512bw(void) {
  unsigned b, c;
  if (!leaf7_with_zmm_state(&b, &c)) return 0;
  return ((b >> 16) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1);
}

/* The same and AVX512_VNNI (ECX 11). */
static int has_avx512vnni(void) {
  unsigned b, c;
  return has_avx512bw() && leaf7_with_zmm_state(&b, &c) && ((c >> 11) & 1);
}
#else
/* The class the SIMDe test binary pretends to be: 2 VNNI, 1 BW, 0 none. */
static int simde_class(void) {
  const char *e = getenv("WG_AVX512_SIMDE_CPU");
  if (!e || !*e || strcmp(e, "vnni") == 0) return 2;
  return strcmp(e, "bw") == 0 ? 1 : 0;
}
static int has_avx512bw(void) { return simde_class() >= 1; }
static int has_avx512vnni(void) { return simde_class() >= 2; }
#endif

const wg_cpu_feature wg_cpu_avx512bw = {"avx512bw", WG_CPU_AVX512BW, has_avx512bw};
const wg_cpu_feature wg_cpu_avx512vnni = {"avx512vnni", WG_CPU_AVX512VNNI, has_avx512vnni};
