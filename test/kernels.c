#include "kernels.h"

#include <string.h>

#include "core/internal.h"

const char *wgt_kernel_isa(const wg_kernel *k) {
  const char *s = strstr(k->name, "__");
  return s ? s + 2 : "";
}

int wgt_kernel_accepts(const wg_kernel *k, wg_weight_format wf, int wbits, int abits, int b) {
  /* The format's widest codes: INT wbits wide, else {-1, 0, 1}. */
  int lo = wf == WG_WEIGHTS_INT ? -(1 << (wbits - 1)) : -1;
  int hi = wf == WG_WEIGHTS_INT ? (1 << (wbits - 1)) - 1 : 1;
  wg_problem p = {wf, wbits, lo, hi, abits, b, 0};
  return wg_kernel_accepts(k, &p);
}

/* INT from 8 bits down, then ternary, then binary; for the first that k
 * takes, the widest activations. */
static wgt_kernel widest(const wg_kernel *k) {
  static const wg_weight_format formats[] = {WG_WEIGHTS_INT, WG_WEIGHTS_TERNARY,
                                             WG_WEIGHTS_BINARY};
  wgt_kernel d = {k, k->name, WG_WEIGHTS_INT, 0, 0, k->lane_bits, wg_kernel_runnable(k)};
  for (int f = 0; f < 3 && !d.abits; f++) {
    int top = formats[f] == WG_WEIGHTS_INT ? 8 : formats[f] == WG_WEIGHTS_TERNARY ? 2 : 1;
    int bottom = formats[f] == WG_WEIGHTS_INT ? 2 : top;
    for (int wb = top; wb >= bottom && !d.abits; wb--)
      for (int ab = 8; ab >= 1 && !d.abits; ab--)
        if (wgt_kernel_accepts(k, formats[f], wb, ab, k->lane_bits)) {
          d.wf = formats[f];
          d.wbits = wb;
          d.abits = ab;
        }
  }
  return d;
}

int wgt_kernels(uint32_t cpu, const char *isa, wgt_kernel *out, int cap) {
  int n = 0;
  for (int i = 0; i < wg_kernel_table_size && n < cap; i++) {
    const wg_kernel *k = wg_kernels[i];
    if ((k->cpu & cpu) != cpu) continue;
    if (isa && strncmp(wgt_kernel_isa(k), isa, strlen(isa)) != 0) continue;
    out[n++] = widest(k);
  }
  return n;
}
