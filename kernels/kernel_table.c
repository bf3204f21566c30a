/*
 * Every kernel, listed once, in priority order: automatic dispatch takes the
 * first entry that this CPU can run and whose `eligible` accepts the call;
 * tests and benchmarks iterate the same list.  An ISA's entries exist only
 * in builds for that architecture.  Each .inc lists kernels by stem:
 * WG_KERNEL(stem) names the descriptor wg_kernel_<stem> (kernel_def.h).
 */
#include "core/kernel.h"

#define WG_KERNEL(stem) extern const wg_kernel wg_kernel_##stem;
#if defined(__x86_64__) || defined(__i386__)
#include "avx2/avx2_kernels.inc"
#endif
#if defined(__aarch64__) || defined(__arm__)
#include "neon/neon_kernels.inc"
#endif
#include "portable/portable_kernels.inc"
#include "swar/swar_kernels.inc"
#undef WG_KERNEL

#define WG_KERNEL(stem) &wg_kernel_##stem,
const wg_kernel *const wg_kernels[] = {
#if defined(__x86_64__) || defined(__i386__)
#include "avx2/avx2_kernels.inc"
#endif
#if defined(__aarch64__) || defined(__arm__)
#include "neon/neon_kernels.inc"
#endif
#include "portable/portable_kernels.inc"
#include "swar/swar_kernels.inc"
    NULL};
#undef WG_KERNEL

const int wg_kernel_table_size =
    (int)(sizeof wg_kernels / sizeof wg_kernels[0]) - 1;
