/* aarch64, 8-bit lanes, 4 x 64: 16 accumulators, 4 activation vectors and
 * one broadcast weight of the 32 vector registers; per k 16 mla .16b for
 * 4 broadcasts and one 64-byte load. */
#define WG_K_STEM acc8_int8_x_u8_4x64__aarch64_neon
#define WG_K_NR 64
#include "neon/ukernel_acc8_neon.h"
