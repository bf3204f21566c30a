/* What is specific to the AVX-512 kernels (docs/avx512.md): each forced by
 * name (and through WRAPGEMM_KERNEL) and asserted to have run, sizes around
 * their tiles, KU, kc and nc (rotating every output kind), vpdpbusd's
 * worst products over long K, the binary kernel's column sums against zero padding, and
 * the dispatch rank on each CPU class the suite sees.  The epilogue's edge
 * values: test_neon_epilogue.c (NEON and AVX-512 kernels); the direct
 * convolution: test_avx2_direct.c (AVX2 and VNNI kernels).  Natively on a CPU
 * without AVX-512 the kernels' tests are SKIPPED; the SIMDe lane
 * (test-avx512-simde) runs them with the features reported present. */
#include <stdlib.h>
#include <string.h>

#include "test_avx2.h"
#include "core/kernel.h"

static const char *const VNNI = "acc32_int8_x_u8_8x32__avx512vnni";
static const char *const BW_TERNARY = "acc8_ternary_x_u8_4x6__avx512bw";
static const char *const BW_BINARY = "acc8_binary_x_u8_4x5__avx512bw";
static const char *const AVX2_TERNARY = "acc8_ternary_x_u8_6x16__avx2";
static const char *const LUT = "acc8_ternary_x_u8_8x128_lut3__avx512bw";
static const char *const LUT_BINARY = "acc8_binary_x_u8_8x128_lut4__avx512bw";

/* The AVX-512 kernels of the table (their names end in __avx512...). */
static int avx512_kernels(wgt_kernel *out) {
  return wgt_kernels(0, "avx512", out, WGT_MAX_KERNELS);
}

/* The table's kernel of that name, or NULL. */
static const wg_kernel *table_kernel(const char *name) {
  for (int i = 0; i < wg_kernel_table_size; i++)
    if (strcmp(wg_kernels[i]->name, name) == 0) return wg_kernels[i];
  return NULL;
}

/* The kernel automatic dispatch picks for M x K weights (M <= 512) of
 * format wf (codes spanning the format) and abits-bit activations at b,
 * or "" if the call is refused. */
static const char *auto_choice_m(int64_t M, wg_weight_format wf, int wbits, int abits, int b) {
  enum { K = 8 };
  static int8_t w[512 * K];
  for (int i = 0; i < M * K; i++)
    w[i] = (int8_t)(wf == WG_WEIGHTS_INT ? (i % 2 ? -(1 << (wbits - 1)) : (1 << (wbits - 1)) - 1)
                    : wf == WG_WEIGHTS_BINARY ? (i % 2 ? -1 : 1)
                                              : i % 3 - 1);
  wg_context *ctx;
  wg_weights *pw;
  const char *name = "";
  if (wg_context_create(1, &ctx) != WG_OK) return "";
  if (wg_weights_pack(ctx, w, M, K, K, wf, wf == WG_WEIGHTS_INT ? wbits : 0, &pw) == WG_OK) {
    uint8_t x[K * 4] = {0};
    wg_epilogue ep = wg_epilogue_default();
    ep.acc_bits = b;
    ep.output = WG_OUTPUT_INT32;
    wg_act_format act = {abits, 0};
    wg_plan plan;
    if (wg_plan_gemm(ctx, pw, x, 4, 4, act, &ep, 4, &plan) == WG_OK) name = plan.kernel;
    wg_weights_destroy(pw);
  }
  wg_context_destroy(ctx);
  return name;
}

static const char *auto_choice(wg_weight_format wf, int wbits, int abits, int b) {
  return auto_choice_m(3, wf, wbits, abits, b);
}

/* The rank (docs/avx512.md): on an AVX-512 VNNI CPU the VNNI kernel takes
 * every call below the lookup-table kernel's auto_min_m rows, the 8-bit
 * ternary contract included (vpdpbusd zmm 330-353 G MAC/s against
 * vpsignb+vpaddb ymm 153, Ice Lake-SP); with AVX-512BW and no VNNI the
 * masked byte kernels take ternary and binary weights at b <= 8 there; on
 * an AVX2-only CPU the choice is what it was before the AVX-512 folder
 * (acc8_ternary_x_u8_6x16__avx2).  From auto_min_m rows ternary and binary
 * weights at b <= 8 go to the AVX-512 ternary lookup-table kernel on both
 * AVX-512 classes, binary weights from the binary one's (lower) auto_min_m (its table-row add 515-656 G MAC/s in the loop, not
 * measured as a kernel); wider b stays as below it.  The SIMDe lane runs
 * this for the three classes (WG_AVX512_SIMDE_CPU); natively it sees this
 * CPU's. */
TEST(avx512_dispatch_rank_per_cpu_class) {
  int vnni = wg_cpu_has(WG_CPU_AVX512VNNI | WG_CPU_AVX512BW), bw = wg_cpu_has(WG_CPU_AVX512BW);
  int avx2 = wg_cpu_has(WG_CPU_AVX2);
  if (!vnni && !bw && !avx2) SKIP("neither AVX-512 nor AVX2 on this CPU");
  const char *cls = vnni ? "avx512 vnni" : bw ? "avx512bw without vnni" : "avx2 only";
  const char *ternary8 = vnni ? VNNI : bw ? BW_TERNARY : AVX2_TERNARY;
  const char *binary8 = vnni ? VNNI : bw ? BW_BINARY : AVX2_TERNARY;
  for (int ab = 1; ab <= 8; ab++)
    for (int b = 2; b <= 8; b++) {
      const char *t = auto_choice(WG_WEIGHTS_TERNARY, 2, ab, b);
      CHECK(strcmp(t, ternary8) == 0, "%s: ternary a%d b%d chose %s, not %s", cls, ab, b, t,
            ternary8);
      const char *bi = auto_choice(WG_WEIGHTS_BINARY, 1, ab, b);
      CHECK(strcmp(bi, binary8) == 0, "%s: binary a%d b%d chose %s, not %s", cls, ab, b, bi,
            binary8);
    }
  /* Beyond 8-bit lanes and for int weights: VNNI on a VNNI CPU, else never
   * an AVX-512 kernel (those have 8-bit lanes and {-1, 0, 1} masks only). */
  static const int bs[] = {9, 12, 15, 16, 32};
  for (int wb = 2; wb <= 8; wb++)
    for (int i = 0; i < 5; i++) {
      const char *c = auto_choice(WG_WEIGHTS_INT, wb, 8, bs[i]);
      const char *t = auto_choice(WG_WEIGHTS_TERNARY, 2, 8, bs[i]);
      CHECK(*c && *t, "%s: int%d or ternary at b%d refused", cls, wb, bs[i]);
      if (vnni)
        CHECK(strcmp(c, VNNI) == 0 && strcmp(t, VNNI) == 0, "%s: b%d chose %s / %s", cls, bs[i],
              c, t);
      else
        CHECK(!strstr(c, "avx512") && !strstr(t, "avx512") && strstr(c, "__avx2"),
              "%s: int%d b%d chose %s, ternary %s", cls, wb, bs[i], c, t);
    }
  /* From the AVX-512 lookup-table kernel's auto_min_m rows (one below: as
   * above).  On an AVX2-only CPU the AVX2 lookup-table kernels decide
   * (test_lut.c: lut_dispatch_by_rows). */
  if (!bw) {
    printf("    %s: ternary/binary b<=8 -> %s / %s\n", cls, ternary8, binary8);
    return;
  }
  const wg_kernel *lut = table_kernel(LUT), *lutb = table_kernel(LUT_BINARY);
  CHECK(lut != NULL && lutb != NULL, "%s or %s not in the table", LUT, LUT_BINARY);
  if (!lut || !lutb) return;
  int64_t m0 = lut->auto_min_m, mb = lutb->auto_min_m;
  CHECK(m0 > 1 && m0 <= 256, "%s: auto_min_m %lld", lut->name, (long long)m0);
  CHECK(mb > 1 && mb < m0, "%s: auto_min_m %lld", lutb->name, (long long)mb);
  for (int ab = 1; ab <= 8; ab += 7)
    for (int b = 2; b <= 8; b += 6) {
      /* Ternary weights: the ternary table from its m0 rows. */
      const char *t = auto_choice_m(m0, WG_WEIGHTS_TERNARY, 2, ab, b);
      CHECK(strcmp(t, lut->name) == 0, "%s: M=%lld a%d b%d ternary chose %s, not %s", cls,
            (long long)m0, ab, b, t, lut->name);
      t = auto_choice_m(m0 - 1, WG_WEIGHTS_TERNARY, 2, ab, b);
      CHECK(strcmp(t, ternary8) == 0, "%s: M=%lld a%d b%d ternary chose %s, not %s", cls,
            (long long)(m0 - 1), ab, b, t, ternary8);
      /* Binary weights: the binary table from its mb rows, also where the
       * ternary table would take them. */
      const int64_t ms[] = {mb, m0 - 1, m0};
      for (int i = 0; i < 3; i++) {
        const char *bi = auto_choice_m(ms[i], WG_WEIGHTS_BINARY, 1, ab, b);
        CHECK(strcmp(bi, lutb->name) == 0, "%s: M=%lld a%d b%d binary chose %s, not %s", cls,
              (long long)ms[i], ab, b, bi, lutb->name);
      }
      const char *bi = auto_choice_m(mb - 1, WG_WEIGHTS_BINARY, 1, ab, b);
      CHECK(strcmp(bi, binary8) == 0, "%s: M=%lld a%d b%d binary chose %s, not %s", cls,
            (long long)(mb - 1), ab, b, bi, binary8);
    }
  for (int i = 0; i < 5; i++) {
    const char *t = auto_choice_m(512, WG_WEIGHTS_TERNARY, 2, 8, bs[i]);
    CHECK(!strstr(t, "lut") && (vnni ? strcmp(t, VNNI) == 0 : strstr(t, "__avx2") != NULL),
          "%s: M=512 ternary b%d chose %s", cls, bs[i], t);
  }
  printf("    %s: ternary/binary b<=8 -> %s / %s, from M = %lld %s, binary from M = %lld %s\n",
         cls, ternary8, binary8, (long long)m0, lut->name, (long long)mb, lutb->name);
}

/* WRAPGEMM_KERNEL names each AVX-512 kernel for the contexts created
 * afterwards: where this CPU runs it, the call runs it (wg_run_info says
 * so) and gives the exact sums; where not, the context is refused with
 * KERNEL_UNAVAILABLE.  (Forcing by wg_context_force_kernel: every
 * wgt_gemm_case below asserts the kernel that ran.) */
TEST(avx512_wrapgemm_kernel_env_forces_each) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int n = avx512_kernels(list), ran = 0;
#if defined(__x86_64__)
  CHECK(n == 5, "%d AVX-512 kernels in the table, expected 5", n);
#else
  /* kernels/avx512/isa.inc lists them on x86-64 only. */
  CHECK(n == 0, "%d AVX-512 kernels in the table off x86-64", n);
  SKIP("the AVX-512 kernels are built on x86-64 only");
#endif
  for (int i = 0; i < n; i++) {
    const wgt_kernel *k = &list[i];
    wg_context *ctx = NULL;
    CHECK(setenv("WRAPGEMM_KERNEL", k->name, 1) == 0, "setenv");
    wg_status st = wg_context_create(1, &ctx);
    unsetenv("WRAPGEMM_KERNEL");
    if (!k->runnable) {
      CHECK(st == WG_ERR_KERNEL_UNAVAILABLE, "WRAPGEMM_KERNEL=%s, not runnable: %s", k->name,
            wg_status_name(st));
      continue;
    }
    CHECK(st == WG_OK, "context with WRAPGEMM_KERNEL=%s: %s", k->name, wg_status_name(st));
    int8_t w[2 * 5] = {1, -1, 1, 1, -1, -1, 1, -1, 1, 1};
    uint8_t x[5 * 3] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    int32_t y[2 * 3] = {0};
    wg_weights *pw;
    st = wg_weights_pack(ctx, w, 2, 5, 5, WG_WEIGHTS_BINARY, 0, &pw);
    wg_run_info info = {0};
    if (st == WG_OK) {
      wg_epilogue ep = wg_epilogue_default();
      ep.acc_bits = 8;
      ep.output = WG_OUTPUT_INT32;
      wg_act_format act = {4, 0};
      st = wg_gemm(ctx, pw, x, 3, 3, act, &ep, y, 3, &info);
      wg_weights_destroy(pw);
    }
    wg_context_destroy(ctx);
    CHECK(st == WG_OK && strcmp(info.kernel, k->name) == 0, "WRAPGEMM_KERNEL=%s: %s, ran %s",
          k->name, wg_status_name(st), st == WG_OK ? info.kernel : "-");
    /* column 0: 1-4+7+10-13 = 1 and -1+4-7+10+13 = 19 */
    CHECK(y[0] == 1 && y[3] == 19, "WRAPGEMM_KERNEL=%s: y = %d, %d", k->name, (int)y[0],
          (int)y[3]);
    ran++;
  }
  printf("    %d AVX-512 kernels ran, %d unavailable on this CPU\n", ran, n - ran);
  if (ran == 0) SKIP("no AVX-512 kernel runs here: %d in the table", n);
}

/* One dimension at a time below, at and above each kernel's MR (8; 4;
 * lookup table 8), NR (32; 6; 128 and its 64-column halves), KU (4; 64;
 * 3), kc (2304; 4608; 24, and twice) and nc (512; 510; 512), rotating the
 * epilogue, strides padded. */
TEST(avx512_tile_relative_sizes) {
  static const int64_t ms[] = {1, 3, 4, 5, 7, 8, 9, 17};
  static const int64_t ns[] = {1,   5,   6,   7,   13,  15,  16,  17,  31,  32,  33,  63,
                               64,  65,  127, 128, 129, 509, 510, 511, 512, 513, 641};
  static const int64_t ks[] = {1,   2,    3,    4,    5,    23,   24,   25,   26,   47,
                               48,  49,   63,   64,   65,   127,  129,  2303, 2304, 2305,
                               4607, 4608, 4609, 4673, 9217};
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = avx512_kernels(list);
  const wgt_dims d = {{ms, ns, ks}, {8, 23, 25}, {9, 33, 67}, 2};
  int ran = wgt_sizes_one_dim(list, nk, &d);
  if (ran < 0) return;
  if (!ran) SKIP("no AVX-512 kernel runs here");
}

/* vpdpbusd's largest products: -128 x 255 and 127 x 255 weights and codes
 * (and the mixed extremes) over K far beyond what 16-bit sums or a
 * saturating vpdpbusds would survive, across depth blocks; int8 weights
 * through the VNNI kernel, ternary/binary through all three; b = 32, 16
 * and 8.  Automatic dispatch gives the same bits. */
TEST(avx512_extreme_codes_long_k) {
  static const int bs[] = {32, 16, 8};
  int ran = 0;
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = avx512_kernels(list);
  for (int i = 0; i < nk; i++) {
    const wgt_kernel *k = &list[i];
    if (!k->runnable) continue;
    for (int data = WGT_EXTREME; data <= WGT_EXTREME_MIXED; data++)
      for (int bi = 0; bi < 3; bi++) {
        if (bs[bi] > k->maxb) continue;
        wgt_case c;
        wgt_avx2_case(&c, k, 9, 35, wgt_quick() ? 4613 : 9221, data);
        c.abits = 8;
        wgt_epilogue(&c, WG_OUTPUT_INT32, WG_CYCLIC_NONE, 1, bs[bi]);
        c.data = data;
        c.zx = bi == 1 ? 255 : 0;
        CHECK(wgt_gemm_case(k->name, 1, &c, wgt_seed() + (uint64_t)data) == WGT_PASS,
              "%s data=%d b=%d", k->name, data, bs[bi]);
        CHECK(wgt_gemm_case(NULL, 1, &c, wgt_seed() + (uint64_t)data) == WGT_PASS,
              "auto after %s data=%d b=%d", k->name, data, bs[bi]);
        ran++;
      }
  }
  if (!ran) SKIP("no AVX-512 kernel runs here");
}

/* The binary kernel's column sums take every packed depth: K just past a
 * multiple of 64 (63 zero depths in the last group), zero points whose code
 * is not 0 (the padding of a convolution is the zero-point code, the depth
 * past K must still be 0), N past a panel (zero columns), on 1 and 3
 * threads. */
TEST(avx512_binary_padding_and_zero_point) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = avx512_kernels(list), ran = 0;
  for (int i = 0; i < nk; i++) {
    const wgt_kernel *k = &list[i];
    if (!k->runnable || strcmp(k->name, BW_BINARY) != 0) continue;
    static const int64_t ks[] = {1, 63, 65, 129, 4609};
    for (int j = 0; j < 5; j++)
      for (int th = 1; th <= 3; th += 2) {
        wgt_case c;
        wgt_avx2_case(&c, k, 5, 7 + j, ks[j], j);
        c.zx = 1 + j * 50;
        c.abits = 8;
        wgt_epilogue(&c, WG_OUTPUT_INT8, WG_CYCLIC_NONE, 1, 8);
        CHECK(wgt_gemm_case(k->name, th, &c, wgt_seed() + (uint64_t)j) == WGT_PASS,
              "%s K=%lld threads=%d", k->name, (long long)ks[j], th);
        ran++;
      }
  }
  if (!ran) SKIP("%s does not run here", BW_BINARY);
}
