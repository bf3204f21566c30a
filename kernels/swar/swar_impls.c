/* The SWAR implementations the API can run, by register width and mode:
 * every kernel of the folder's isa.inc, the table kernels and the carry
 * ones, but not the lookup-table kernel (WG_SWAR_LUT). */
#include "swar.h"

#define WG_KERNEL(stem) extern const wg_swar_impl wg_swar_impl_##stem;
#define WG_SWAR_CARRY(stem) WG_KERNEL(stem)
#define WG_SWAR_LUT(stem)
#include "isa.inc"
#undef WG_KERNEL

#define WG_KERNEL(stem) &wg_swar_impl_##stem,
#define WG_SWAR_LUT(stem)
static const wg_swar_impl *const impls[] = {
#include "isa.inc"
};
#undef WG_KERNEL
#undef WG_SWAR_CARRY

const wg_swar_impl *wg_swar_find_impl(int binary, int reg_bits, int mode) {
  for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++)
    if (impls[i]->binary == binary && impls[i]->kernel->ku * 8 == reg_bits &&
        impls[i]->mode == mode)
      return impls[i];
  return NULL;
}
