/* The SWAR lookup-table kernels (a `lut` in a SWAR kernel's name:
 * general-register table-row adds, docs/lut.md), forced by name: shapes
 * below, at and above the 4 x 8 tile, K = 1..9 around the group of 3
 * depths, K around the 192-depth block (sums parked as 16-bit fields
 * between blocks, equal blocks of odd group counts), extreme codes
 * whose sums wrap many times, binary weights, the largest zero point,
 * every epilogue and b <= 8, 1 to 3 threads; the binary-only ones
 * (groups of G = ku depths) on binary weights throughout, with K around
 * their G, kc and fold.  wgt_gemm_case checks that the kernel that ran is
 * the one forced (wg_run_info). */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"
#include "util.h"

static int lut_kernels(wgt_kernel *out) {
  wgt_kernel all[WGT_MAX_KERNELS];
  int n = wgt_kernels(0, "swar", all, WGT_MAX_KERNELS), nl = 0;
  for (int i = 0; i < n; i++)
    if (strstr(all[i].name, "lut")) out[nl++] = all[i];
  return nl;
}

static int run(const wgt_kernel *k, int64_t m, int64_t n, int64_t kk, int v, int threads) {
  static const wg_output_kind outs[] = {WG_OUTPUT_INT8,  WG_OUTPUT_UINT8_FLOAT,
                                        WG_OUTPUT_INT32, WG_OUTPUT_FLOAT32,
                                        WG_OUTPUT_INT16, WG_OUTPUT_UINT8_FIXED};
  static const wg_cyclic cycs[] = {WG_CYCLIC_SMOOTH, WG_CYCLIC_NONE, WG_CYCLIC_ABS};
  wgt_case c;
  memset(&c, 0, sizeof c);
  c.m = m;
  c.n = n;
  c.k = kk;
  c.wf = v % 5 == 4 || k->wf == WG_WEIGHTS_BINARY ? WG_WEIGHTS_BINARY : WG_WEIGHTS_TERNARY;
  c.wbits = c.wf == WG_WEIGHTS_BINARY ? 1 : 2;
  c.abits = 8 - v % 3 % 2;
  c.zx = v % 4 == 1 ? (1 << c.abits) - 1 : v % 4 == 3 ? 5 : 0;
  c.data = v % 7 == 5 ? WGT_EXTREME : v % 7 == 6 ? WGT_EXTREME_MIXED : WGT_RANDOM;
  c.ldx_pad = v % 3;
  c.ldy_pad = v % 2;
  wgt_epilogue(&c, outs[v % 6], cycs[v % 3], 1 + v % 3, 2 + v % 7);
  return wgt_gemm_case(k->name, threads, &c, wgt_seed() + (uint64_t)v);
}

TEST(swar_lut_tile_relative_sizes) {
  static const int64_t ms[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 64};
  static const int64_t ns[] = {1, 2, 7, 8, 9, 15, 16, 17, 63, 255, 256, 257, 263};
  static const int64_t ks[] = {1,   2,   3,   4,   5,   6,   7,   8,   9,   191, 192,
                               193, 194, 384, 385, 576, 577, 767, 768, 769, 1153};
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = lut_kernels(list);
  for (int i = 0; i < nk; i++) {
    int v = 0;
    for (int dim = 0; dim < 3; dim++) {
      const int64_t *sizes = dim == 0 ? ms : dim == 1 ? ns : ks;
      int len = dim == 0 ? 10 : dim == 1 ? 13 : 21;
      for (int j = 0; j < len; j++, v++) {
        if (wgt_quick() && j % 2) continue;
        int64_t m = dim == 0 ? sizes[j] : 7, n = dim == 1 ? sizes[j] : 19,
                kk = dim == 2 ? sizes[j] : 50;
        CHECK(run(&list[i], m, n, kk, v, 1) == WGT_PASS, "%s M=%lld N=%lld K=%lld",
              list[i].name, (long long)m, (long long)n, (long long)kk);
      }
    }
    /* a grid of the three, K = 1..9 around the group */
    static const int64_t gm[] = {1, 4, 5}, gn[] = {1, 8, 9};
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++)
        for (int64_t d = 1; d <= 9; d++, v++) {
          if (wgt_quick() && v % 3) continue;
          CHECK(run(&list[i], gm[a], gn[b], d, v, 1) == WGT_PASS, "%s M=%lld N=%lld K=%lld",
                list[i].name, (long long)gm[a], (long long)gn[b], (long long)d);
        }
  }
  if (!nk) SKIP("no SWAR lookup-table kernel in the table");
}

/* Every output kind, cyclic mode and b on a shape with ragged row and
 * column panels and several K blocks (the first one, with whole blocks of
 * 64 groups, parks its fields), on 1 to 3 threads; extreme codes make
 * every field hold sums that wrap a byte many times. */
TEST(swar_lut_epilogues_and_threads) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = lut_kernels(list);
  for (int i = 0; i < nk; i++)
    for (int v = 0; v < 42; v++) {
      if (wgt_quick() && v % 3) continue;
      CHECK(run(&list[i], 23, 301, v % 2 ? 149 : 4099, v, 1 + v % 3) == WGT_PASS,
            "%s variant %d", list[i].name, v);
    }
  if (!nk) SKIP("no SWAR lookup-table kernel in the table");
}

/* The binary-only kernels (lutb_swar.h): K around the group of G = ku
 * depths, the depth block kc (a multiple of G: sums parked as 16-bit
 * fields), several blocks with a ragged last group; M around MR = 4 and
 * N around NR = 8 and the 256-column block; every variant of run() (codes,
 * extreme codes that make every field wrap a byte many times, zero points,
 * epilogues), 1 to 3 threads. */
TEST(swar_lut_binary_groups_and_blocks) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = lut_kernels(list), ran = 0;
  for (int i = 0; i < nk; i++) {
    if (list[i].wf != WG_WEIGHTS_BINARY) continue;
    const int64_t g = list[i].k->ku, kc = list[i].k->kc;
    const int64_t ks[] = {1,      g - 1,      g,      g + 1,      2 * g - 1,  2 * g + 1,
                          kc - 1, kc,         kc + 1, kc + g - 1, kc + g,     2 * kc - 1,
                          2 * kc, 2 * kc + 1, 3 * kc + g + 1, 7 * kc + 2};
    static const int64_t ms[] = {1, 3, 4, 5, 9, 33}, ns[] = {1, 7, 8, 9, 17, 255, 257};
    int v = 0;
    for (int a = 0; a < 6; a++)
      for (int b = 0; b < 7; b++)
        for (int d = 0; d < (int)(sizeof ks / sizeof ks[0]); d++, v++) {
          if (wgt_quick() && v % 4) continue;
          CHECK(run(&list[i], ms[a], ns[b], ks[d], v, 1 + v % 3) == WGT_PASS,
                "%s M=%lld N=%lld K=%lld", list[i].name, (long long)ms[a], (long long)ns[b],
                (long long)ks[d]);
        }
    printf("    %s: G = %lld, kc = %lld, %d cases\n", list[i].name, (long long)g,
           (long long)kc, v);
    ran++;
  }
  if (!ran) SKIP("no SWAR binary lookup-table kernel in the table");
}
