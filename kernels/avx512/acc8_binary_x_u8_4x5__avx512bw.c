/* Binary weights x uint8 activations, 8-bit wrapping lanes: with w in
 * {-1, +1}, sum w*x = 2 * sum_{w=+1} x - sum x, so one masked vpaddb per 64
 * products and, once per column for all four rows, one vpaddb of the
 * column sum.  Exact modulo 2^8 only because the packed activations past K
 * and past N are zeros (pack_avx512.h): those depths have no mask bit but
 * enter the column sum.  Serves b <= 8. */
#define WG_K_STEM acc8_binary_x_u8_4x5__avx512bw
#define WG_K_NR 5
#define WG_K_ELIGIBLE wg_avx512_eligible_binary
#define WG_Z_BINARY 1
#include "ukernel_acc8_avx512.h"
