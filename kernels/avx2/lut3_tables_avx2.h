/*
 * The table pack of the x86 lookup-table kernels (kernels/core/lut3.h;
 * acc8_ternary_x_u8_8x64_lut3__avx2 and acc8_ternary_x_u8_8x128_lut3__avx512bw):
 * everything but the table build itself, which is the ISA's.  Per depth
 * group, the group's three activation rows over a block of columns are
 * fetched once (plain rows in place, NCHW rows from shifted images through
 * wg_avx2_rows_apply; sources read by columns, NHWC convolutions and X
 * stored N x K, gathered as column runs and transposed), then each panel's
 * 27-row table is built from them.  Built with the AVX2 folder's flags:
 * only kernels that need AVX2 (an AVX-512 CPU has it) call it.
 */
#ifndef WG_LUT3_TABLES_AVX2_H
#define WG_LUT3_TABLES_AVX2_H

#include <stddef.h>
#include <stdint.h>

#include "../core/kernel.h"
#include "pack_avx2.h" /* WG_AVX2_MAX_NC */

/* The largest panel (nr) and block (depth x columns) the tables take. */
#define WG_LUT3_MAX_NR 128
#define WG_LUT3_MAX_BLOCK (48 * 256)

/* Builds one group's table at t from the group's depth rows x0, x1, x2
 * (nr readable bytes each, zero past cols) for the panel's first cols
 * columns (1..nr); the layout of t is the kernel's. */
typedef void (*wg_lut3_build_fn)(const uint8_t *x0, const uint8_t *x1, const uint8_t *x2,
                                 int cols, uint8_t *t);

/* The tables of groups [0, kgroups) from depth k0 for columns n0 ..
 * n0+cols, as the ceil(cols / nr) consecutive panels of kgroups groups of
 * group_bytes each that the kernel's pack_b_block writes (kernel.h), each
 * group by build.  Needs nr <= WG_LUT3_MAX_NR, cols <= WG_AVX2_MAX_NC and
 * 3 * kgroups * cols <= WG_LUT3_MAX_BLOCK.  Depth past K reads as what
 * the source gives there (zero rows from the row sources): its weights are
 * 0, so no selected table row holds it.  For plain matrices each group
 * prefetches the next group's rows (the next block's first after the
 * last: wg_avx2_prefetch_rows). */
void wg_avx2_lut3_tables(const wg_bsrc *src, int64_t k0, int64_t kgroups, int64_t n0,
                         int64_t cols, int nr, size_t group_bytes, wg_lut3_build_fn build,
                         uint8_t *dst);

#endif /* WG_LUT3_TABLES_AVX2_H */
