/* armv7, ternary/binary weights, exact 32-bit sums, 4 x 16: 8 int16
 * accumulators, 1 activation vector, 4 broadcast weights (d registers); per
 * k 8 vmlal.s8 (64 MACs), widened every 128 k. */
#define WG_K_STEM acc32_ternary_x_u8_4x16__armv7_neon
#define WG_K_NR 16
#include "neon/ukernel_acc32_ternary_neon.h"
