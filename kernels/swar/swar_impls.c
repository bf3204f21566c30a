/* The SWAR implementations the API can run, by register width and mode. */
#include "swar.h"

#define WG_SWAR_IMPLS(X)                \
  X(acc8_ternary_x_u8_1x4__swar64exact) \
  X(acc8_ternary_x_u8_1x4__swar32exact) \
  X(acc7_ternary_x_u7_2x4__swar64buf)   \
  X(acc7_ternary_x_u7_2x4__swar32buf)   \
  X(acc8_ternary_x_u8_2x4__swar64carry) \
  X(acc8_ternary_x_u8_2x4__swar32carry) \
  X(acc8_binary_x_u8_1x4__swar64exact)  \
  X(acc8_binary_x_u8_1x4__swar32exact)  \
  X(acc7_binary_x_u7_2x4__swar64buf)    \
  X(acc7_binary_x_u7_2x4__swar32buf)    \
  X(acc8_binary_x_u8_2x4__swar64carry)  \
  X(acc8_binary_x_u8_2x4__swar32carry)

#define WG_SWAR_DECL(stem) extern const wg_swar_impl wg_swar_impl_##stem;
WG_SWAR_IMPLS(WG_SWAR_DECL)
#define WG_SWAR_PTR(stem) &wg_swar_impl_##stem,
static const wg_swar_impl *const impls[] = {WG_SWAR_IMPLS(WG_SWAR_PTR)};

const wg_swar_impl *wg_swar_find_impl(int binary, int reg_bits, int mode) {
  for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++)
    if (impls[i]->binary == binary && impls[i]->reg_bits == reg_bits &&
        impls[i]->mode == mode)
      return impls[i];
  return NULL;
}
