/* armv7, 32-bit lanes, 4 x 8: 8 accumulators, per k 8 vmlal.s16 by
 * scalar for 2 loads. */
#define WG_K_STEM acc32_int8_x_u8_4x8__armv7_neon
#define WG_K_NR 8
#include "neon/ukernel_acc32_neon.h"
