/* armv7, 16-bit lanes, 4 x 16: 8 accumulators, per k 8 vmla.i16 by
 * scalar for 3 loads. */
#define WG_K_STEM acc16_int8_x_u8_4x16__armv7_neon
#define WG_K_NR 16
#include "neon/ukernel_acc16_neon.h"
