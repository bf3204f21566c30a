/* The lookup-table kernels of every ISA (a `lut` in the name: table-row
 * adds, docs/lut.md), forced by name: shapes below, at and above their
 * tiles (AVX2 8 x 64 with panels of at most 32 columns adding half rows,
 * AVX-512 8 x 128 with panels of at most 64 columns adding half rows,
 * NEON 6 x 64 (armv7 3 x 64), SWAR 4 x 8; blocks of 4 panels), K from 1 to 9 around the
 * group of 3 depths (the AVX2 loop's odd
 * group counts run one group before the two-group loop), K around the
 * 24- and 48-depth blocks (sums parked between blocks as bytes, blocks of
 * odd group counts: K = 50 runs as 27 + 24 at kc = 48),
 * extreme codes whose sums wrap many times, binary weights, zero points,
 * every epilogue, and several threads.  wgt_gemm_case checks that the
 * kernel that ran is the one forced (wg_run_info).  And the dispatch rank:
 * chosen from its auto_min_m rows, forced through WRAPGEMM_KERNEL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "test_avx2.h" /* wgt_avx2_case: a case within a kernel's ranges, any ISA */

static int is_lut(const wgt_kernel *k) { return k->runnable && strstr(k->name, "lut") != NULL; }

/* The table's kernels, this CPU's and others' (is_lut keeps the runnable). */
static int all_kernels(wgt_kernel *out) { return wgt_kernels(0, NULL, out, WGT_MAX_KERNELS); }

static int run(const wgt_kernel *k, int64_t m, int64_t n, int64_t kk, int v, int threads) {
  wgt_case c;
  wgt_avx2_case(&c, k, m, n, kk, v);
  if (v % 5 == 4) c.wf = WG_WEIGHTS_BINARY, c.wbits = 1;
  c.data = v % 7 == 5 ? WGT_EXTREME : v % 7 == 6 ? WGT_EXTREME_MIXED : WGT_RANDOM;
  if (v % 4 == 1) c.zx = (1 << c.abits) - 1; /* the largest zero point */
  c.ldx_pad = v % 3;
  c.ldy_pad = v % 2;
  return wgt_gemm_case(k->name, threads, &c, wgt_seed() + (uint64_t)v);
}

TEST(lut_tile_relative_sizes) {
  static const int64_t ms[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 16, 17, 64};
  static const int64_t ns[] = {1,   2,   4,   31,  32,  33,  63,  64,  65,  96,
                               127, 128, 129, 196, 255, 256, 257, 289, 3136};
  static const int64_t ks[] = {1,  2,  3,  4,  5,  6,  7,  8,   9,   23,  24,  25, 47,
                               48, 49, 50, 51, 95, 96, 97, 145, 576, 577, 578, 1153};
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = all_kernels(list), ran = 0;
  for (int i = 0; i < nk; i++) {
    if (!is_lut(&list[i])) continue;
    int v = 0;
    for (int dim = 0; dim < 3; dim++) {
      const int64_t *sizes = dim == 0 ? ms : dim == 1 ? ns : ks;
      int len = dim == 0 ? 14 : dim == 1 ? 19 : 25;
      for (int j = 0; j < len; j++, v++) {
        if (wgt_quick() && j % 2) continue;
        int64_t m = dim == 0 ? sizes[j] : 7, n = dim == 1 ? sizes[j] : 97,
                kk = dim == 2 ? sizes[j] : 50;
        CHECK(run(&list[i], m, n, kk, v, 1) == WGT_PASS, "%s M=%lld N=%lld K=%lld",
              list[i].name, (long long)m, (long long)n, (long long)kk);
      }
    }
    /* a grid of the three, K = 1..4 around the group */
    static const int64_t gm[] = {1, 6, 7, 8, 9}, gn[] = {1, 32, 33, 65}, gk[] = {1, 2, 3, 4, 49};
    for (int a = 0; a < 5; a++)
      for (int b = 0; b < 4; b++)
        for (int d = 0; d < 5; d++, v++) {
          if (wgt_quick() && v % 3) continue;
          CHECK(run(&list[i], gm[a], gn[b], gk[d], v, 1) == WGT_PASS, "%s M=%lld N=%lld K=%lld",
                list[i].name, (long long)gm[a], (long long)gn[b], (long long)gk[d]);
        }
    printf("    %s: %d cases ran and matched\n", list[i].name, v);
    ran++;
  }
  if (!ran) SKIP("no lookup-table kernel runs here");
}

/* Every output kind, cyclic mode and b <= 8 on a shape with a ragged row
 * panel, a ragged column panel over 32 columns and several K blocks, on
 * 1 to 3 threads. */
TEST(lut_epilogues_and_threads) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = all_kernels(list), ran = 0;
  for (int i = 0; i < nk; i++) {
    if (!is_lut(&list[i])) continue;
    for (int v = 0; v < 36; v++) {
      if (wgt_quick() && v % 3) continue;
      CHECK(run(&list[i], 23, 301, 149, v, 1 + v % 3) == WGT_PASS, "%s variant %d",
            list[i].name, v);
    }
    ran++;
  }
  if (!ran) SKIP("no lookup-table kernel runs here");
}

/* The weight format choice_for packs (ternary unless a test sets binary). */
static wg_weight_format choice_wf = WG_WEIGHTS_TERNARY;

/* The kernel the library picks for ternary (choice_wf) weights of M rows
 * (b = 8, 8-bit activations), by wg_plan_gemm (the same decision as a
 * call), or by wg_plan_conv2d for a 1x1 convolution in `layout` when conv
 * is set; "" if none; `env` set: as WRAPGEMM_KERNEL for the context. */
static const char *choice_for(int64_t m, const char *env, int conv, wg_layout layout) {
  enum { K = 7, N = 5 };
  static int8_t w[1024 * K];
  static const char *name;
  int binary = choice_wf == WG_WEIGHTS_BINARY;
  for (int i = 0; i < m * K; i++) w[i] = (int8_t)(binary ? 1 - 2 * (i % 2) : i % 3 - 1);
  wg_context *ctx;
  if (env && setenv("WRAPGEMM_KERNEL", env, 1) != 0) return "";
  wg_status st = wg_context_create(1, &ctx);
  if (env) unsetenv("WRAPGEMM_KERNEL");
  if (st != WG_OK) return "";
  wg_weights *pw;
  name = "";
  if (wg_weights_pack(ctx, w, m, K, K, choice_wf, 0, &pw) == WG_OK) {
    uint8_t x[K * N] = {0};
    wg_epilogue ep = wg_epilogue_default();
    ep.acc_bits = 8;
    ep.output = WG_OUTPUT_INT8;
    wg_act_format act = {8, 0};
    wg_plan plan;
    wg_conv2d_desc d = {layout, 1, K, 1, N, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1};
    wg_status ps = conv ? wg_plan_conv2d(ctx, pw, &d, act, &ep, &plan)
                        : wg_plan_gemm(ctx, pw, x, N, N, act, &ep, N, &plan);
    if (ps == WG_OK) name = plan.kernel;
    wg_weights_destroy(pw);
  }
  wg_context_destroy(ctx);
  return name;
}

static const char *choice(int64_t m, const char *env) { return choice_for(m, env, 0, WG_NCHW); }

/* Ranked by measured speed (docs/lut.md) or, on ARM, by instruction count
 * (docs/arm.md): where a LUT kernel is the table's first for ternary b <= 8
 * on this CPU (AVX2 without AVX-512; aarch64), it
 * is chosen from auto_min_m rows and the next kernel below; WRAPGEMM_KERNEL
 * forces it at any M. */
TEST(lut_dispatch_by_rows) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int n = wgt_kernels(0, NULL, list, WGT_MAX_KERNELS), first = -1, next = -1;
  for (int i = 0; i < n; i++)
    if (list[i].runnable && wgt_kernel_accepts(list[i].k, WG_WEIGHTS_TERNARY, 2, 8, 8)) {
      if (first < 0)
        first = i;
      else if (next < 0)
        next = i;
    }
  if (first < 0 || !is_lut(&list[first]) || next < 0)
    SKIP("the table's first kernel for ternary b = 8 here is not a lookup-table kernel");
  const wgt_kernel *lut = &list[first];
  int64_t m0 = lut->k->auto_min_m;
  CHECK(m0 > 1 && m0 <= 256, "%s: auto_min_m %lld", lut->name, (long long)m0);
  CHECK(strcmp(choice(m0, NULL), lut->name) == 0, "M = %lld chose %s", (long long)m0,
        choice(m0, NULL));
  CHECK(strcmp(choice(m0 - 1, NULL), list[next].name) == 0, "M = %lld chose %s, not %s",
        (long long)(m0 - 1), choice(m0 - 1, NULL), list[next].name);
  CHECK(strcmp(choice(1, lut->name), lut->name) == 0, "WRAPGEMM_KERNEL at M = 1 chose %s",
        choice(1, lut->name));
  /* NCHW convolutions follow auto_min_m; NHWC ones auto_min_m_nhwc, where
   * the next kernel's direct path loses (docs/lut.md). */
  CHECK(strcmp(choice_for(m0, NULL, 1, WG_NCHW), lut->name) == 0, "NCHW M = %lld chose %s",
        (long long)m0, choice_for(m0, NULL, 1, WG_NCHW));
  int64_t m1 = lut->k->auto_min_m_nhwc ? lut->k->auto_min_m_nhwc : m0;
  CHECK(m1 >= m0 && m1 <= 1024, "%s: auto_min_m_nhwc %lld", lut->name, (long long)m1);
  CHECK(strcmp(choice_for(m1, NULL, 1, WG_NHWC), lut->name) == 0, "NHWC M = %lld chose %s",
        (long long)m1, choice_for(m1, NULL, 1, WG_NHWC));
  CHECK(strcmp(choice_for(m1 - 1, NULL, 1, WG_NHWC), list[next].name) == 0,
        "NHWC M = %lld chose %s, not %s", (long long)(m1 - 1),
        choice_for(m1 - 1, NULL, 1, WG_NHWC), list[next].name);
}

/* The binary-only kernels (lutb.h: groups of G = ku depths, 2^G rows):
 * depth tails around the group and the depth block (groups never straddle
 * a block: kc is a multiple of G; depth past K builds from zero rows, so
 * its sign bit adds nothing), one and odd rows and columns, extreme codes
 * whose sums wrap many times, the largest zero point, 1 to 3 threads. */
TEST(lut_binary_groups_and_blocks) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = all_kernels(list), ran = 0;
  for (int i = 0; i < nk; i++) {
    if (!is_lut(&list[i]) || list[i].wf != WG_WEIGHTS_BINARY) continue;
    const int64_t g = list[i].k->ku, kc = list[i].k->kc;
    const int64_t ks[] = {1,      g - 1,      g,      g + 1,      2 * g + 1, kc - 1, kc,
                          kc + 1, kc + g - 1, kc + g, 2 * kc + 1, 3 * kc - g + 1};
    static const int64_t ms[] = {1, 8, 9, 41}, ns[] = {1, 33, 65, 257};
    int v = 0;
    for (int a = 0; a < 4; a++)
      for (int b = 0; b < 4; b++)
        for (int d = 0; d < (int)(sizeof ks / sizeof ks[0]); d++, v++) {
          if (ks[d] < 1 || (wgt_quick() && v % 4)) continue;
          wgt_case c;
          wgt_avx2_case(&c, &list[i], ms[a], ns[b], ks[d], v);
          c.data = v % 3 == 0 ? WGT_EXTREME : v % 3 == 1 ? WGT_EXTREME_MIXED : WGT_RANDOM;
          if (v % 4 == 1) c.zx = (1 << c.abits) - 1;
          c.ldx_pad = v % 3;
          CHECK(wgt_gemm_case(list[i].name, 1 + v % 3, &c, wgt_seed() + (uint64_t)v) == WGT_PASS,
                "%s M=%lld N=%lld K=%lld", list[i].name, (long long)ms[a], (long long)ns[b],
                (long long)ks[d]);
        }
    printf("    %s: G = %lld, kc = %lld, %d cases\n", list[i].name, (long long)g, (long long)kc,
           v);
    ran++;
  }
  if (!ran) SKIP("no binary lookup-table kernel runs here");
}

/* The kernel below `first` in the table that automatic choice takes for
 * binary b = 8 weights of m rows (NHWC convolutions: auto_min_m_nhwc). */
static const wgt_kernel *binary_next(const wgt_kernel *list, int n, int first, int64_t m,
                                     int nhwc) {
  for (int i = first + 1; i < n; i++) {
    const wg_kernel *k = list[i].k;
    int64_t min_m = nhwc && k->auto_min_m_nhwc ? k->auto_min_m_nhwc : k->auto_min_m;
    if (list[i].runnable && wgt_kernel_accepts(k, WG_WEIGHTS_BINARY, 1, 8, 8) && m >= min_m)
      return &list[i];
  }
  return NULL;
}

/* Binary weights, ranked by measured speed (docs/lut.md, "Binary
 * weights"): where the table's first kernel for binary b = 8 is a LUT
 * kernel, it is chosen from its auto_min_m rows (NHWC convolutions:
 * auto_min_m_nhwc), and one row fewer goes to the next kernel that takes
 * that many rows; WRAPGEMM_KERNEL forces it at M = 1.  A threshold of 0
 * or 1 (armv7: fewer instructions than the mla kernel from one row) has
 * no row below it: chosen at M = 1 without forcing. */
TEST(lut_binary_dispatch_by_rows) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int n = wgt_kernels(0, NULL, list, WGT_MAX_KERNELS), first = -1;
  for (int i = 0; i < n && first < 0; i++)
    if (list[i].runnable && wgt_kernel_accepts(list[i].k, WG_WEIGHTS_BINARY, 1, 8, 8)) first = i;
  if (first < 0 || !is_lut(&list[first]))
    SKIP("the table's first kernel for binary b = 8 here is not a lookup-table kernel");
  const wgt_kernel *lut = &list[first];
  int64_t m0 = lut->k->auto_min_m > 1 ? lut->k->auto_min_m : 1;
  int64_t m1 = lut->k->auto_min_m_nhwc > m0 ? lut->k->auto_min_m_nhwc : m0;
  const wgt_kernel *below = m0 > 1 ? binary_next(list, n, first, m0 - 1, 0) : lut;
  const wgt_kernel *below_nhwc = m1 > 1 ? binary_next(list, n, first, m1 - 1, 1) : lut;
  CHECK(m1 <= 1024 && below && below_nhwc &&
            (!lut->k->auto_min_m_nhwc || lut->k->auto_min_m_nhwc >= lut->k->auto_min_m),
        "%s: auto_min_m %lld, %lld", lut->name, (long long)m0, (long long)m1);
  choice_wf = WG_WEIGHTS_BINARY;
  const char *got[6] = {choice(m0, NULL),
                        m0 > 1 ? choice(m0 - 1, NULL) : lut->name,
                        choice(1, lut->name),
                        choice_for(m0, NULL, 1, WG_NCHW),
                        choice_for(m1, NULL, 1, WG_NHWC),
                        m1 > 1 ? choice_for(m1 - 1, NULL, 1, WG_NHWC) : lut->name};
  const char *want[6] = {lut->name, below->name,  lut->name,
                         lut->name, lut->name, below_nhwc->name};
  choice_wf = WG_WEIGHTS_TERNARY;
  for (int i = 0; i < 6; i++)
    CHECK(strcmp(got[i], want[i]) == 0, "case %d (M = %lld / %lld / 1): chose %s, not %s", i,
          (long long)m0, (long long)m1, got[i], want[i]);
}
