/* aarch64, 16-bit lanes, 4 x 32: 16 accumulators .8h, per k 16 mla by
 * element for 5 loads. */
#define WG_K_STEM acc16_int8_x_u8_4x32__aarch64_neon
#define WG_K_NR 32
#include "neon/ukernel_acc16_neon.h"
