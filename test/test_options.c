/* Every weight format x accumulator width x activation x output kind, through
 * the automatic choice (which picks the fastest eligible kernel for each) and
 * through the always-available portable 32-bit kernel. */
#include <string.h>

#include "util.h"

static int output_fits(wg_output_kind out, wg_cyclic cyc, int b) {
  int need = cyc == WG_CYCLIC_ABS ? b + 1 : b;
  if (cyc == WG_CYCLIC_ABS && b > 16) return 0;
  return out == WG_OUTPUT_INT8 ? need <= 8 : out == WG_OUTPUT_INT16 ? need <= 16 : 1;
}

TEST(options_every_format_width_activation_output) {
  static const int bs[] = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 32};
  static const struct {
    wg_cyclic c;
    int k;
  } acts[] = {{WG_CYCLIC_NONE, 1}, {WG_CYCLIC_SMOOTH, 1}, {WG_CYCLIC_SMOOTH, 2},
              {WG_CYCLIC_SMOOTH, 7}, {WG_CYCLIC_ABS, 1}};
  long n = 0;
  int quick = wgt_quick();
  for (int f = 0; f < 9; f++) {
    wg_weight_format wf = f < 7 ? WG_WEIGHTS_INT : f == 7 ? WG_WEIGHTS_TERNARY : WG_WEIGHTS_BINARY;
    int wbits = f < 7 ? f + 2 : 0;
    for (size_t bi = 0; bi < sizeof bs / sizeof bs[0]; bi++)
      for (size_t ai = 0; ai < sizeof acts / sizeof acts[0]; ai++)
        for (int out = 0; out <= WG_OUTPUT_FLOAT32; out++) {
          if (quick && (bi + ai + (size_t)out + (size_t)f) % 4) continue;
          wgt_case c;
          memset(&c, 0, sizeof c);
          c.m = 5;
          c.n = 11;
          c.k = 43 + f;
          c.wf = wf;
          c.wbits = wbits;
          c.abits = 1 + (int)((bi + ai) % 8);
          c.zx = (int)(ai % 2) * (1 << (c.abits - 1));
          c.data = (int)(out % 3);
          wgt_epilogue(&c, (wg_output_kind)out, acts[ai].c, acts[ai].k, bs[bi]);
          uint64_t seed = wgt_seed() + (uint64_t)n;
          if (!output_fits((wg_output_kind)out, acts[ai].c, bs[bi])) continue;
          CHECK(wgt_gemm_case(NULL, 1, &c, seed) == WGT_PASS, "auto");
          CHECK(wgt_gemm_case("acc32_int8_x_u8_4x8__c", 1, &c, seed) == WGT_PASS, "c32");
          n++;
        }
  }
  printf("    %ld combinations\n", n);
}
