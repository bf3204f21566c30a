/* What is specific to the AVX2 kernels (docs/avx2.md): each forced by name
 * and asserted to have run, sizes around their 6 x 16 tile, KU, kc and nc,
 * every epilogue output fused in registers, maddubs worst cases and routing,
 * long wrapping K.  Threads and convolutions: test_avx2_threads.c,
 * test_avx2_conv.c.  On a CPU without AVX2 every test here is SKIPPED. */
#include <string.h>

#include "test_avx2.h"
#include "core/kernel.h"

int wgt_avx2_kernels(wgt_kernel *out) {
  return wgt_kernels(WG_CPU_AVX2, NULL, out, WGT_MAX_KERNELS);
}

const wgt_kernel *wgt_avx2_find(wgt_kernel *list, int n, int (*has)(const wgt_kernel *)) {
  for (int i = 0; i < n; i++)
    if (has(&list[i])) return &list[i];
  return NULL;
}

int wgt_avx2_runs_ternary(const wgt_kernel *k) {
  return k->runnable && k->wf == WG_WEIGHTS_TERNARY;
}

void wgt_avx2_case(wgt_case *c, const wgt_kernel *k, int64_t m, int64_t n, int64_t kk,
                   int variant) {
  static const wg_output_kind outs[] = {WG_OUTPUT_INT8, WG_OUTPUT_UINT8_FLOAT,
                                        WG_OUTPUT_INT32, WG_OUTPUT_FLOAT32,
                                        WG_OUTPUT_INT16, WG_OUTPUT_UINT8_FIXED};
  static const wg_cyclic cycs[] = {WG_CYCLIC_SMOOTH, WG_CYCLIC_NONE, WG_CYCLIC_ABS};
  memset(c, 0, sizeof *c);
  c->m = m;
  c->n = n;
  c->k = kk;
  c->wf = k->wf;
  c->wbits = k->wbits;
  c->abits = k->abits - variant % 3 % 2; /* the widest codes, sometimes one less */
  c->zx = variant % 4 == 3 ? 5 : 0;
  int b = k->maxb > 8 && variant % 2 ? k->maxb : (k->maxb > 8 ? 12 : 8);
  wg_cyclic cyc = cycs[variant % 3];
  wg_output_kind out = outs[variant % 6];
  if (out == WG_OUTPUT_INT8 || (out == WG_OUTPUT_INT16 && b > 16)) b = 7;
  if (cyc == WG_CYCLIC_ABS && b > 15) cyc = WG_CYCLIC_SMOOTH;
  wgt_epilogue(c, out, cyc, 1 + variant % 3, b);
}

/* Every AVX2 kernel of the table, forced by name, ran (wgt_gemm_case
 * asserts the name reported back) and matched the reference; those this
 * CPU lacks are skipped, and forcing them is refused. */
TEST(avx2_each_kernel_forced_and_ran) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int n = wgt_avx2_kernels(list), ran = 0, unavailable = 0;
  for (int i = 0; i < n; i++) {
    const wgt_kernel *k = &list[i];
    wg_context *ctx;
    CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
    wg_status st = wg_context_force_kernel(ctx, k->name);
    wg_context_destroy(ctx);
    if (!k->runnable) {
      CHECK(st == WG_ERR_KERNEL_UNAVAILABLE, "%s: unavailable but forcing gave %s", k->name,
            wg_status_name(st));
      unavailable++;
      continue;
    }
    CHECK(st == WG_OK, "%s: force: %s", k->name, wg_status_name(st));
    wgt_case c;
    wgt_avx2_case(&c, k, 13, 37, 77, 1);
    int r = wgt_gemm_case(k->name, 1, &c, wgt_seed() + (uint64_t)i);
    CHECK(r == WGT_PASS, "%s: %s", k->name, r == WGT_CANNOT ? "refused its own operands" : "wrong");
    ran++;
  }
  printf("    %d AVX2 kernels ran, %d unavailable on this CPU\n", ran, unavailable);
  if (ran == 0) SKIP("no AVX2 kernel runs here: %d in the table", n);
}

int wgt_sizes_one_dim(const wgt_kernel *list, int nk, const wgt_dims *d) {
  int ran = 0;
  for (int i = 0; i < nk; i++) {
    const wgt_kernel *k = &list[i];
    if (!k->runnable) continue;
    int v = 0;
    for (int dim = 0; dim < 3; dim++)
      for (int j = 0; j < d->len[dim]; j++, v++) {
        if (wgt_quick() && j % d->quick_step) continue;
        int64_t mnk[3] = {d->base[0], d->base[1], d->base[2]};
        mnk[dim] = d->sizes[dim][j];
        wgt_case c;
        wgt_avx2_case(&c, k, mnk[0], mnk[1], mnk[2], v);
        c.ldx_pad = v % 3;
        c.ldy_pad = v % 2;
        c.ldw_pad = v % 5;
        int r = wgt_gemm_case(k->name, 1, &c, wgt_seed() + (uint64_t)(100 * i + v));
        if (r != WGT_PASS) {
          wgt_fail(__FILE__, __LINE__, "%s: M=%lld N=%lld K=%lld", k->name, (long long)mnk[0],
                   (long long)mnk[1], (long long)mnk[2]);
          return -1;
        }
        ran++;
      }
  }
  return ran;
}

/* One dimension at a time below, at and above MR = 6, NR = 16, KU (4 or 2),
 * kc (4608; 2304 for the 16-bit-operand kernel, and twice each) and
 * nc = 512, every kernel, rotating the
 * epilogue. */
TEST(avx2_tile_relative_sizes) {
  static const int64_t ms[] = {1, 5, 6, 7, 12, 13, 19};
  static const int64_t ns[] = {1, 7, 8, 9, 15, 16, 17, 31, 33, 511, 512, 513, 1025};
  static const int64_t ks[] = {1,   2,    3,    4,    5,    7,    8,   9,
                               2303, 2304, 2305, 4607, 4608, 4609, 4611, 9217};
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = wgt_avx2_kernels(list);
  const wgt_dims d = {{ms, ns, ks}, {7, 13, 16}, {7, 17, 37}, 3};
  int ran = wgt_sizes_one_dim(list, nk, &d);
  if (ran < 0) return;
  if (!ran) SKIP("no AVX2 kernel available");
}

/* Last panels of 1 to 4 columns run a transposed loop (rows in lanes,
 * columns broadcast), last row panels of 1-2 and 3-4 rows a loop over
 * their rows only: every narrow width and short height, alone and after
 * full panels, in one depth block and across several (parked partial
 * sums), every kernel, rotating the epilogue. */
TEST(avx2_narrow_last_panels_and_short_row_panels) {
  static const int64_t ns[] = {1, 2, 3, 4, 5, 18, 19, 20, 36, 49, 196};
  static const int64_t ms[] = {2, 3, 4, 6, 8, 10, 13};
  static const int64_t ks[] = {37, 4611};
  int ran = 0;
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = wgt_avx2_kernels(list);
  for (int i = 0; i < nk; i++) {
    const wgt_kernel *k = &list[i];
    if (!k->runnable) continue;
    int v = 0;
    for (int a = 0; a < 11; a++)
      for (int b = 0; b < 7; b++)
        for (int c2 = 0; c2 < 2; c2++, v++) {
          if (wgt_quick() && v % 3) continue;
          wgt_case c;
          wgt_avx2_case(&c, k, ms[b], ns[a], ks[c2], v);
          c.ldx_pad = v % 3;
          c.ldy_pad = v % 2;
          int r = wgt_gemm_case(k->name, 1, &c, wgt_seed() + (uint64_t)(1000 * i + v));
          CHECK(r == WGT_PASS, "%s: M=%lld N=%lld K=%lld", k->name, (long long)ms[b],
                (long long)ns[a], (long long)ks[c2]);
          ran++;
        }
  }
  if (!ran) SKIP("no AVX2 kernel available");
}

/* Every output kind x cyclic mode x accumulator width a kernel serves,
 * fused in its registers, with and without a zero point. */
TEST(avx2_epilogue_every_output_fused) {
  static const wg_output_kind outs[] = {WG_OUTPUT_INT8, WG_OUTPUT_INT16, WG_OUTPUT_INT32,
                                        WG_OUTPUT_UINT8_FLOAT, WG_OUTPUT_UINT8_FIXED,
                                        WG_OUTPUT_FLOAT32};
  static const int bs[] = {2, 5, 8, 11, 16, 32};
  int ran = 0;
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = wgt_avx2_kernels(list);
  for (int i = 0; i < nk; i++) {
    const wgt_kernel *k = &list[i];
    if (!k->runnable) continue;
    for (int o = 0; o < 6; o++)
      for (int cyc = 0; cyc < 3; cyc++)
        for (int bi = 0; bi < 6; bi++) {
          int b = bs[bi];
          if (b > k->maxb) continue;
          int need = cyc == WG_CYCLIC_ABS ? b + 1 : b;
          if ((outs[o] == WG_OUTPUT_INT8 && need > 8) ||
              (outs[o] == WG_OUTPUT_INT16 && need > 16) || (cyc == WG_CYCLIC_ABS && b > 16))
            continue;
          wgt_case c;
          wgt_avx2_case(&c, k, 7, 21, 45, 0);
          c.zx = (o + bi) % 2 ? 3 : 0;
          wgt_epilogue(&c, outs[o], (wg_cyclic)cyc, 1 + (bi % 3) * 2, b);
          c.ep.relu = (o + cyc) % 2;
          int r = wgt_gemm_case(k->name, 1, &c, wgt_seed() + (uint64_t)(o * 100 + cyc * 10 + bi));
          CHECK(r == WGT_PASS, "%s: out=%d cyc=%d b=%d", k->name, o, cyc, b);
          ran++;
        }
  }
  if (!ran) SKIP("no AVX2 kernel available");
}

/* The smooth activation as min(|a|, k*(h - |a|)) with a's sign, and the
 * float requantization clamped at 0 by the packs: every slope up to the
 * largest (k*(h - |a|) reaches 2^31 at b = 16, k = 65536), every b a kernel
 * serves up to 16, both byte outputs and int16, codes at the extremes (sums
 * at +-h and beyond) and random, in the byte fast path (full 16-column
 * tiles) and the general one. */
TEST(avx2_smooth_every_slope_and_width) {
  static const int slopes[] = {1, 2, 3, 7, 65535, 65536};
  static const int bs[] = {2, 3, 4, 7, 8, 9, 12, 15, 16};
  static const wg_output_kind outs[] = {WG_OUTPUT_INT8, WG_OUTPUT_INT16,
                                        WG_OUTPUT_UINT8_FLOAT};
  int ran = 0;
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = wgt_avx2_kernels(list);
  for (int i = 0; i < nk; i++) {
    const wgt_kernel *k = &list[i];
    if (!k->runnable) continue;
    for (int bi = 0; bi < 9; bi++)
      for (int si = 0; si < 6; si++)
        for (int o = 0; o < 3; o++) {
          int b = bs[bi];
          if (b > k->maxb || (outs[o] == WG_OUTPUT_INT8 && b > 8)) continue;
          if (wgt_quick() && (bi + si + o) % 3) continue;
          wgt_case c;
          wgt_avx2_case(&c, k, 13, 40, 301, 0);
          c.data = (bi + si) % 3 == 0 ? WGT_RANDOM : (bi + si) % 3 == 1 ? WGT_EXTREME
                                                                        : WGT_EXTREME_MIXED;
          c.zx = o == 2 ? 1 : 0;
          wgt_epilogue(&c, outs[o], WG_CYCLIC_SMOOTH, slopes[si], b);
          c.ep.relu = si % 2;
          c.ep.out_bits = 1 + (bi + o) % 8;
          uint64_t seed = wgt_seed() + (uint64_t)(1000 * i + 100 * bi + 10 * si + o);
          int r = wgt_gemm_case(k->name, 1, &c, seed);
          CHECK(r == WGT_PASS, "%s: b=%d k=%d out=%d", k->name, b, slopes[si], (int)outs[o]);
          ran++;
        }
  }
  if (!ran) SKIP("no AVX2 kernel available");
}

static int int8_by_int8(const wgt_kernel *k) {
  return k->runnable && k->wf == WG_WEIGHTS_INT && k->wbits == 8 && k->abits == 8;
}

/* maddubs saturates x0*w0 + x1*w1 to int16: the largest magnitudes its
 * eligible ranges allow must come out exact, and 8-bit x 8-bit operands
 * outside them must be refused by the maddubs kernels (int8 weights with
 * 7-bit codes at most) and routed to the full-range kernel by automatic
 * choice. */
TEST(avx2_maddubs_worst_cases_and_routing) {
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = wgt_avx2_kernels(list), maddubs = 0;
  const wgt_kernel *full = wgt_avx2_find(list, nk, int8_by_int8);
  if (!full) SKIP("no AVX2 kernel runs here");
  for (int i = 0; i < nk; i++) {
    const wgt_kernel *k = &list[i];
    if (!k->runnable || k->wf != WG_WEIGHTS_INT || k->wbits != 8 || k->abits != 7) continue;
    maddubs++;
    for (int data = WGT_EXTREME; data <= WGT_EXTREME_MIXED; data++) {
      /* int8 weights (-128 / 127) x 7-bit codes (127): 2*127*128 = 32512. */
      wgt_case c;
      wgt_avx2_case(&c, k, 11, 35, 301, 0);
      wgt_epilogue(&c, WG_OUTPUT_INT32, WG_CYCLIC_NONE, 1, k->maxb);
      c.data = data;
      c.abits = 7;
      CHECK(wgt_gemm_case(k->name, 1, &c, wgt_seed()) == WGT_PASS, "%s 8x7", k->name);
      /* 7-bit weights (-64 / 63) x 8-bit codes (255): 2*255*64 = 32640. */
      c.wbits = 7;
      c.abits = 8;
      CHECK(wgt_gemm_case(k->name, 1, &c, wgt_seed()) == WGT_PASS, "%s 7x8", k->name);
      /* int8 x 8-bit: refused, never computed wrong; the full-range kernel
       * and automatic choice give the exact answer. */
      c.wbits = 8;
      CHECK(wgt_gemm_case(k->name, 1, &c, wgt_seed()) == WGT_CANNOT,
            "%s accepted 8-bit x 8-bit operands", k->name);
      CHECK(wgt_gemm_case(full->name, 1, &c, wgt_seed()) == WGT_PASS, "%s 8x8", full->name);
      CHECK(wgt_gemm_case(NULL, 1, &c, wgt_seed()) == WGT_PASS, "auto 8x8");
    }
  }
  CHECK(maddubs > 0, "no AVX2 kernel takes int8 weights with 7-bit codes only");
  /* Automatic choice for -128 x 255 names the full-range kernel. */
  wg_context *ctx;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
  int8_t w[8];
  uint8_t x[8];
  memset(w, -128, sizeof w);
  memset(x, 255, sizeof x);
  wg_weights *pw;
  CHECK(wg_weights_pack(ctx, w, 1, 8, 8, WG_WEIGHTS_INT, 8, &pw) == WG_OK, "pack");
  wg_epilogue ep = wg_epilogue_default();
  wg_act_format act = {8, 0};
  int32_t y = 0;
  wg_run_info info = {0};
  wg_status st = wg_gemm(ctx, pw, x, 1, 1, act, &ep, &y, 1, &info);
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  CHECK(st == WG_OK && y == -128 * 255 * 8, "auto 8x8: %s y=%d", wg_status_name(st), (int)y);
  /* The full-range AVX2 kernel, unless a kernel ranked before the AVX2
   * folder takes 8-bit x 8-bit operands on this CPU (the AVX-512 VNNI
   * kernel: docs/avx512.md). */
  const char *want = full->name;
  for (int i = 0; i < wg_kernel_table_size; i++)
    if (wg_cpu_has(wg_kernels[i]->cpu) &&
        wgt_kernel_accepts(wg_kernels[i], WG_WEIGHTS_INT, 8, 8, 32)) {
      if (strstr(wg_kernels[i]->name, "__avx512")) want = wg_kernels[i]->name;
      break;
    }
  CHECK(strcmp(info.kernel, want) == 0, "auto 8x8 ran %s, not %s", info.kernel, want);
}

/* K far beyond 2^b / (largest product): the lanes wrap many times, across
 * several kc blocks whose partial sums are parked between blocks. */
TEST(avx2_long_k_wraps_many_times) {
  int ran = 0;
  wgt_kernel list[WGT_MAX_KERNELS];
  int nk = wgt_avx2_kernels(list);
  for (int i = 0; i < nk; i++) {
    const wgt_kernel *k = &list[i];
    if (!k->runnable) continue;
    for (int data = WGT_RANDOM; data <= WGT_EXTREME_MIXED; data++) {
      wgt_case c;
      wgt_avx2_case(&c, k, 7, 19, wgt_quick() ? 4613 : 9221, data);
      wgt_epilogue(&c, WG_OUTPUT_INT32, WG_CYCLIC_NONE, 1, k->maxb);
      c.data = data;
      int r = wgt_gemm_case(k->name, 1, &c, wgt_seed() + (uint64_t)data);
      CHECK(r == WGT_PASS, "%s data=%d", k->name, data);
      ran++;
    }
  }
  if (!ran) SKIP("no AVX2 kernel available");
}
