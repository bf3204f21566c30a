#include "util.h"

TEST(gemm_smoke_all_kernels) {
  int ran = 0;
  for (int i = 0; i < wg_kernel_count(); i++) {
    wgt_case c = {.m = 7, .n = 13, .k = 29, .wf = WG_WEIGHTS_INT, .wbits = 4, .abits = 3};
    wgt_epilogue(&c, WG_OUTPUT_INT32, WG_CYCLIC_SMOOTH, 2, 8);
    int r = wgt_gemm_case(wg_kernel_name(i), 1, &c, wgt_seed());
    CHECK(r != WGT_FAIL, "kernel %s", wg_kernel_name(i));
    ran += r == WGT_PASS;
  }
  CHECK(ran > 0, "no kernel ran");
}
