/* The AVX2 depthwise row (wg_kernel.depthwise_row of the AVX2 kernels). */
#ifndef WG_DEPTHWISE_ROW_AVX2_H
#define WG_DEPTHWISE_ROW_AVX2_H

#include "../core/bsrc.h"
#include "../core/kernel.h"

void wg_avx2_depthwise_row(const wg_dwrow *t);

#endif
