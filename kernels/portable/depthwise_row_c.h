/* The portable depthwise row (wg_kernel.depthwise_row, kernel.h): plain C
 * that any family may name until it has its own. */
#ifndef WG_DEPTHWISE_ROW_C_H
#define WG_DEPTHWISE_ROW_C_H

#include "../core/bsrc.h"
#include "../core/kernel.h"

void wg_depthwise_row_c(const wg_dwrow *t);

#endif
