/* aarch64, ternary/binary weights, exact 32-bit sums, 4 x 32: 16 int16
 * accumulators, 2 activation vectors, 4 broadcast weights; per k 16
 * smlal/smlal2 (128 MACs), widened every 128 k. */
#define WG_K_STEM acc32_ternary_x_u8_4x32__aarch64_neon
#define WG_K_NR 32
#include "neon/ukernel_acc32_ternary_neon.h"
