/* armv7, 8-bit lanes, 4 x 32: 8 accumulators, 2 activation vectors and
 * one broadcast weight of the 16 q registers; per k 8 vmla.i8 for 4
 * broadcasts and one 32-byte load. */
#define WG_K_STEM acc8_int8_x_u8_4x32__armv7_neon
#define WG_K_NR 32
#include "neon/ukernel_acc8_neon.h"
