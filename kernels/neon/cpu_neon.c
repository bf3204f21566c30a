/* NEON detection (kernels/core/isa.h, docs/arm.md): the kernel's HWCAP
 * bits, never /proc/cpuinfo.  aarch64: ASIMD, and the dot product (sdot /
 * udot) where the headers know its bit; armv7: NEON.  Built without the
 * folder's NEON flags (the Makefile leaves cpu_*.c out of them). */
#include <asm/hwcap.h>
#include <sys/auxv.h>

#include "core/isa.h"

#if defined(__aarch64__)
static int has_neon(void) { return (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0; }
static int has_dotprod(void) {
#ifdef HWCAP_ASIMDDP
  return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#else
  return 0;
#endif
}
const wg_cpu_feature wg_cpu_dotprod = {"dotprod", WG_CPU_DOTPROD, has_dotprod};
#else
static int has_neon(void) { return (getauxval(AT_HWCAP) & HWCAP_NEON) != 0; }
#endif

const wg_cpu_feature wg_cpu_neon = {"neon", WG_CPU_NEON, has_neon};
