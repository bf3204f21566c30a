/* Kernel selection: a loop over the table in priority order, and the one
 * place that decides whether a kernel may compute a call. */
#include <string.h>

#include "internal.h"

int wg_kernel_runnable(const wg_kernel *k) {
  return (wg_cpu_features() & k->cpu) == k->cpu;
}

wg_status wg_find_kernel(const char *name, const wg_kernel **out) {
  for (int i = 0; i < wg_kernel_table_size; i++)
    if (strcmp(wg_kernels[i]->name, name) == 0) {
      if (!wg_kernel_runnable(wg_kernels[i])) return WG_ERR_KERNEL_UNAVAILABLE;
      *out = wg_kernels[i];
      return WG_OK;
    }
  return WG_ERR_UNKNOWN_KERNEL;
}

wg_problem wg_make_problem(const wg_weights *w, wg_act_format act,
                           const wg_epilogue *ep) {
  wg_problem p = {w->format, w->bits, w->wmin, w->wmax, act.bits, ep->acc_bits, 0};
  return p;
}

/* Lanes wrap, so sums modulo 2^lane_bits serve every b <= lane_bits
 * (kernel.h); `eligible` adds only the kernel's own saturation bounds. */
int wg_kernel_accepts(const wg_kernel *k, const wg_problem *p) {
  return k->lane_bits >= p->acc_bits && (!k->eligible || k->eligible(p));
}

/* Eligibility only narrows as activations widen (every bound is an upper
 * bound on abits) and no b is below 2, so a kernel that rejects the
 * weights with 1-bit activations and b = 2 rejects every call on them. */
int wg_kernel_serves_weights(const wg_kernel *k, const wg_weights *w) {
  wg_problem easiest = {w->format, w->bits, w->wmin, w->wmax, 1, 2, 0};
  return wg_kernel_runnable(k) && wg_kernel_accepts(k, &easiest);
}

/* A kernel that serves the weights has its packed copy of them (weights.c
 * packs for exactly those), so the choice needs no lookup of the packs. */
static int usable(const wg_kernel *k, const wg_weights *w, const wg_problem *p) {
  return wg_kernel_serves_weights(k, w) && wg_kernel_accepts(k, p);
}

const wg_kernel *wg_choose_kernel(const wg_context *ctx, const wg_weights *w,
                                  const wg_problem *p) {
  if (ctx->forced) return usable(ctx->forced, w, p) ? ctx->forced : NULL;
  for (int i = 0; i < wg_kernel_table_size; i++) {
    const wg_kernel *k = wg_kernels[i];
    int64_t min_m = p->conv_nhwc && k->auto_min_m_nhwc ? k->auto_min_m_nhwc : k->auto_min_m;
    if (usable(k, w, p) && w->m >= min_m) return k;
  }
  return NULL;
}

int wg_kernel_count(void) { return wg_kernel_table_size; }

const char *wg_kernel_name(int index) {
  return index >= 0 && index < wg_kernel_table_size ? wg_kernels[index]->name
                                                    : NULL;
}

int wg_kernel_available(int index) {
  return index >= 0 && index < wg_kernel_table_size &&
         wg_kernel_runnable(wg_kernels[index]);
}
