/* Kernel selection: a loop over the table in priority order. */
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

static int usable(const wg_kernel *k, const wg_weights *w, const wg_problem *p) {
  return wg_kernel_runnable(k) && k->lane_bits >= p->acc_bits &&
         k->eligible(p) && wg_weights_find(w, k) != NULL;
}

const wg_kernel *wg_choose_kernel(const wg_context *ctx, const wg_weights *w,
                                  const wg_problem *p) {
  if (ctx->forced) return usable(ctx->forced, w, p) ? ctx->forced : NULL;
  for (int i = 0; i < wg_kernel_table_size; i++)
    if (usable(wg_kernels[i], w, p)) return wg_kernels[i];
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
