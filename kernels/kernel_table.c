/*
 * Every kernel, listed once, in priority order: automatic dispatch takes the
 * first entry that this CPU can run and whose `eligible` accepts the call;
 * tests and benchmarks iterate the same list.  isa_list.inc names the ISA
 * folders in order, each folder's isa.inc its kernels by stem, on the
 * architectures it is built for.
 */
#include "core/kernel.h"

#define WG_KERNEL(stem) extern const wg_kernel wg_kernel_##stem;
#include "isa_list.inc"

#define WG_KERNEL(stem) &wg_kernel_##stem,
const wg_kernel *const wg_kernels[] = {
#include "isa_list.inc"
    NULL};

const int wg_kernel_table_size =
    (int)(sizeof wg_kernels / sizeof wg_kernels[0]) - 1;
