/*
 * The descriptor of a kernel written as template parameters.  Every kernel
 * template includes this header last; it emits
 *
 *   const wg_kernel wg_kernel_<stem> = {.name = "<stem>", ...};
 *
 * (kernel.h) from the parameters below and then undefines them, so that a
 * kernel file states each fact once.  Every family takes the same names;
 * a template sets those its family fixes, the kernel file the rest.
 *
 *   WG_K_STEM                the kernel's name (kernel_name.h)
 *   WG_K_CPU                 WG_CPU_* bits it needs, 0 for none
 *   WG_K_LANES               lane_bits
 *   WG_K_MR, WG_K_NR         register tile
 *   WG_K_KU, WG_K_KC, WG_K_NC
 *                            depth unroll, depth block, column block
 *   WG_K_A_GROUP, WG_K_B_GROUP
 *                            bytes of one depth group of an A / B panel
 *   WG_K_ELIGIBLE            the operand ranges it cannot saturate on, or
 *                            NULL: every range (dispatch.c adds lanes >= b)
 *
 * and, where the default does not fit:
 *
 *   WG_K_PACK_A, WG_K_PACK_B, WG_K_RUN
 *                            the template's static wg_<stem>_pack_a,
 *                            _pack_b, _run
 *   WG_K_PACK_B_BLOCK, WG_K_DIRECT, WG_K_RUN_ROWS
 *                            NULL: the optional paths of kernel.h, off
 *   WG_K_ROWS_NR, WG_K_ROWS_MAX_DEPTH
 *                            0
 *   WG_K_AUTO_MIN_M          0: chosen automatically for any M
 *   WG_K_TABLES_B            0: pack_b builds no lookup tables
 *   WG_K_NCHW_IMAGES         1: NCHW rows come through wg_bsrc_row
 *   WG_K_NHWC_IMAGES         0: NHWC pixels are read by columns
 *   WG_K_DEPTHWISE_ROW       NULL: depthwise convolutions go through
 *                            grouped implicit im2col
 */
#include "kernel.h"
#include "kernel_name.h"

#if !defined(WG_K_STEM) || !defined(WG_K_CPU) || !defined(WG_K_LANES) ||          \
    !defined(WG_K_MR) || !defined(WG_K_NR) || !defined(WG_K_KU) || !defined(WG_K_KC) || \
    !defined(WG_K_NC) || !defined(WG_K_A_GROUP) || !defined(WG_K_B_GROUP) ||       \
    !defined(WG_K_ELIGIBLE)
#error "kernel_def.h: define every required WG_K_ parameter before including it"
#endif
#ifndef WG_K_PACK_A
#define WG_K_PACK_A WG_K_FN(pack_a)
#endif
#ifndef WG_K_PACK_B
#define WG_K_PACK_B WG_K_FN(pack_b)
#endif
#ifndef WG_K_RUN
#define WG_K_RUN WG_K_FN(run)
#endif
#ifndef WG_K_PACK_B_BLOCK
#define WG_K_PACK_B_BLOCK NULL
#endif
#ifndef WG_K_DIRECT
#define WG_K_DIRECT NULL
#endif
#ifndef WG_K_ROWS_NR
#define WG_K_ROWS_NR 0
#endif
#ifndef WG_K_ROWS_MAX_DEPTH
#define WG_K_ROWS_MAX_DEPTH 0
#endif
#ifndef WG_K_RUN_ROWS
#define WG_K_RUN_ROWS NULL
#endif
#ifndef WG_K_AUTO_MIN_M
#define WG_K_AUTO_MIN_M 0
#endif
#ifndef WG_K_TABLES_B
#define WG_K_TABLES_B 0
#endif
#ifndef WG_K_NCHW_IMAGES
#define WG_K_NCHW_IMAGES 1
#endif
#ifndef WG_K_NHWC_IMAGES
#define WG_K_NHWC_IMAGES 0
#endif
#ifndef WG_K_AUTO_MIN_M_NHWC
#define WG_K_AUTO_MIN_M_NHWC 0
#endif
#ifndef WG_K_DEPTHWISE_ROW
#define WG_K_DEPTHWISE_ROW NULL
#endif

const wg_kernel WG_K_CAT(wg_kernel_, WG_K_STEM) = {
    .name = WG_K_STR(WG_K_STEM),
    .cpu = WG_K_CPU,
    .lane_bits = WG_K_LANES,
    .mr = WG_K_MR, .nr = WG_K_NR, .ku = WG_K_KU,
    .kc = WG_K_KC, .nc = WG_K_NC,
    .a_group_bytes = WG_K_A_GROUP, .b_group_bytes = WG_K_B_GROUP,
    .eligible = WG_K_ELIGIBLE,
    .pack_a = WG_K_PACK_A,
    .pack_b = WG_K_PACK_B,
    .run = WG_K_RUN,
    .pack_b_block = WG_K_PACK_B_BLOCK,
    .direct = WG_K_DIRECT,
    .rows_nr = WG_K_ROWS_NR,
    .rows_max_depth = WG_K_ROWS_MAX_DEPTH,
    .run_rows = WG_K_RUN_ROWS,
    .auto_min_m = WG_K_AUTO_MIN_M,
    .auto_min_m_nhwc = WG_K_AUTO_MIN_M_NHWC,
    .tables_b = WG_K_TABLES_B,
    .nchw_images = WG_K_NCHW_IMAGES,
    .nhwc_images = WG_K_NHWC_IMAGES,
    .depthwise_row = WG_K_DEPTHWISE_ROW,
};

#undef WG_K_STEM
#undef WG_K_CPU
#undef WG_K_LANES
#undef WG_K_MR
#undef WG_K_NR
#undef WG_K_KU
#undef WG_K_KC
#undef WG_K_NC
#undef WG_K_A_GROUP
#undef WG_K_B_GROUP
#undef WG_K_ELIGIBLE
#undef WG_K_PACK_A
#undef WG_K_PACK_B
#undef WG_K_RUN
#undef WG_K_PACK_B_BLOCK
#undef WG_K_DIRECT
#undef WG_K_ROWS_NR
#undef WG_K_ROWS_MAX_DEPTH
#undef WG_K_RUN_ROWS
#undef WG_K_AUTO_MIN_M
#undef WG_K_AUTO_MIN_M_NHWC
#undef WG_K_TABLES_B
#undef WG_K_NCHW_IMAGES
#undef WG_K_NHWC_IMAGES
#undef WG_K_DEPTHWISE_ROW
