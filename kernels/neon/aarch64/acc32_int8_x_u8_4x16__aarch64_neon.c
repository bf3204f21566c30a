/* aarch64 without dotprod, 32-bit lanes, 4 x 16: 16 accumulators .4s,
 * per k 16 smlal/smlal2 by element for 3 loads. */
#define WG_K_STEM acc32_int8_x_u8_4x16__aarch64_neon
#define WG_K_NR 16
#include "neon/ukernel_acc32_neon.h"
