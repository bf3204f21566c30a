/* CPU features, once per process, into a bitmask (isa.h): every feature of
 * the table that this CPU and its OS support.  Each ISA folder detects its
 * own (kernels/<isa>/cpu_<isa>.c). */
#include <stdatomic.h>

#include "isa.h"

static uint32_t detect(void) {
  uint32_t v = 0;
  for (const wg_cpu_feature *const *f = wg_cpu_table; *f; f++)
    if ((*f)->detect()) v |= (*f)->bit;
  return v;
}

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

int wg_cpu_has(uint32_t bits) { return (wg_cpu_features() & bits) == bits; }
