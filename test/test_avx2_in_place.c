/* The in-place GEMM of the AVX2 ternary kernel (gemm_rows.c, ukernel_avx2.h
 * run_rows: 6 x 64 tiles reading X's rows where they lie, the columns
 * before the first aligned one and after the last whole tile packed):
 * shapes below, at and above the tile along M, N and K (K % 4 from 0 to 3
 * for the single-depth tail loop, row panels of 1 to 6), every alignment of
 * X and both kinds of stride it takes, the strides and depths it leaves to
 * packing, extreme codes, every epilogue, thread counts and an engine's
 * parallel-for.  Each case states the method that must run, so that a
 * fallback to packing cannot pass for the in-place path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "test_avx2.h"

static int has_in_place(const wgt_kernel *k) { return k->runnable && k->k->run_rows != NULL; }

/* The AVX2 kernel with an in-place GEMM (run_rows) that this CPU runs, or
 * NULL: every test below that calls it skips without one. */
static const wgt_kernel *in_place(void) {
  static wgt_kernel list[WGT_MAX_KERNELS];
  return wgt_avx2_find(list, wgt_avx2_kernels(list), has_in_place);
}
#define NO_IN_PLACE "no AVX2 kernel with an in-place GEMM runs here"

/* The method the library must report for X placed `off` bytes past a
 * 64-byte boundary (the rule of wg_gemm_rows_span). */
static const char *expected(int64_t n, int64_t k, int64_t ldx, int off) {
  const wg_kernel *kern = in_place()->k;
  if (k > kern->rows_max_depth || ldx % 32 != 0 || ldx % 4096 == 0) return "gemm";
  int64_t mask = ldx % 64 == 0 ? 63 : 31;
  int64_t head = (64 - off) & mask;
  return n - head >= kern->rows_nr ? "gemm_in_place" : "gemm";
}

static int run(int64_t m, int64_t n, int64_t k, int64_t ldx, int off, int variant,
               int threads, uint64_t seed) {
  const wgt_kernel *kern = in_place();
  wgt_case c;
  wgt_avx2_case(&c, kern, m, n, k, variant);
  if (variant % 5 == 4) c.wf = WG_WEIGHTS_BINARY, c.wbits = 1;
  c.data = variant % 7 == 5 ? WGT_EXTREME : variant % 7 == 6 ? WGT_EXTREME_MIXED : WGT_RANDOM;
  c.ldx_pad = ldx - n;
  c.ldy_pad = variant % 3;
  c.x_place = off + 1;
  c.method = expected(n, k, ldx, off);
  return wgt_gemm_case(kern->name, threads, &c, seed);
}

static int64_t round32(int64_t n) { return (n + 31) / 32 * 32; }

/* One dimension at a time around the 6 x 64 tile and the 4-deep loop, then
 * a small grid of all three. */
TEST(avx2_in_place_tile_relative_sizes) {
  if (!in_place()) SKIP(NO_IN_PLACE);
  static const int64_t ms[] = {1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 64};
  static const int64_t ns[] = {63, 64, 65, 96, 127, 128, 129, 191, 192, 193, 257, 3136};
  static const int64_t ks[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 63, 64, 65, 576, 4607, 4608, 4609};
  int v = 0;
  for (int dim = 0; dim < 3; dim++) {
    const int64_t *list = dim == 0 ? ms : dim == 1 ? ns : ks;
    int len = dim == 0 ? 11 : dim == 1 ? 12 : 16;
    for (int j = 0; j < len; j++, v++) {
      if (wgt_quick() && j % 3) continue;
      int64_t m = dim == 0 ? list[j] : 7, n = dim == 1 ? list[j] : 129,
              k = dim == 2 ? list[j] : 37;
      int64_t ldx = round32(n) + 32 * (v % 2);
      CHECK(run(m, n, k, ldx, 0, v, 1, wgt_seed() + (uint64_t)v) == WGT_PASS,
            "M=%lld N=%lld K=%lld", (long long)m, (long long)n, (long long)k);
    }
  }
  static const int64_t gm[] = {1, 4, 6, 7, 13}, gn[] = {64, 127, 193}, gk[] = {1, 3, 4, 5, 65};
  for (int a = 0; a < 5; a++)
    for (int b = 0; b < 3; b++)
      for (int d = 0; d < 5; d++, v++) {
        if (wgt_quick() && v % 3) continue;
        int64_t ldx = round32(gn[b]);
        CHECK(run(gm[a], gn[b], gk[d], ldx, 0, v, 1, wgt_seed() + (uint64_t)v) == WGT_PASS,
              "M=%lld N=%lld K=%lld", (long long)gm[a], (long long)gn[b], (long long)gk[d]);
      }
}

/* Every placement of X modulo 64 with strides that are multiples of 64 and
 * odd multiples of 32 (the packed head then has 0..63 or 0..31 columns, and
 * the tiles may leave no room at all), and the strides it leaves to
 * packing: not a multiple of 32, a multiple of 4096. */
TEST(avx2_in_place_alignment_and_strides) {
  if (!in_place()) SKIP(NO_IN_PLACE);
  static const int64_t ns[] = {64, 100, 130, 200};
  int v = 0;
  for (int off = 0; off < 64; off += wgt_quick() ? 16 : 4)
    for (int s = 0; s < 4; s++)
      for (int kind = 0; kind < 2; kind++, v++) {
        int64_t n = ns[s], ldx = kind ? (n + 63) / 64 * 64 : (n + 63) / 64 * 64 + 32;
        CHECK(run(5 + v % 3, n, 9 + v % 4, ldx, off, v, 1, wgt_seed() + (uint64_t)v) ==
                  WGT_PASS,
              "N=%lld ldx=%lld offset %d", (long long)n, (long long)ldx, off);
      }
  static const int64_t odd_ld[] = {200, 210, 228, 4096, 8192};
  for (int i = 0; i < 5; i++, v++)
    for (int off = 0; off < 64; off += 32)
      CHECK(run(7, 200, 11, odd_ld[i], off, v, 1, wgt_seed() + (uint64_t)v) == WGT_PASS,
            "ldx=%lld offset %d", (long long)odd_ld[i], off);
}

/* Every output kind, cyclic mode, slope and b <= 8, with and without a
 * zero point, through tiles of full and short row panels. */
TEST(avx2_in_place_every_epilogue) {
  if (!in_place()) SKIP(NO_IN_PLACE);
  static const wg_output_kind outs[] = {WG_OUTPUT_INT8,  WG_OUTPUT_UINT8_FLOAT,
                                        WG_OUTPUT_INT32, WG_OUTPUT_FLOAT32,
                                        WG_OUTPUT_INT16, WG_OUTPUT_UINT8_FIXED};
  static const wg_cyclic cycs[] = {WG_CYCLIC_NONE, WG_CYCLIC_ABS, WG_CYCLIC_SMOOTH};
  int v = 0;
  for (int o = 0; o < 6; o++)
    for (int cy = 0; cy < 3; cy++)
      for (int b = 2; b <= 8; b++, v++) {
        if (wgt_quick() && v % 4) continue;
        /* |c| = 128 has no int8 (the API refuses it: checks.c). */
        if (outs[o] == WG_OUTPUT_INT8 && cycs[cy] == WG_CYCLIC_ABS && b == 8) continue;
        wgt_case c;
        wgt_avx2_case(&c, in_place(), 6 + v % 5, 131, 70 + v % 4, v);
        wgt_epilogue(&c, outs[o], cycs[cy], 1 + v % 4, b);
        c.ep.relu = v % 2;
        c.zx = v % 3 == 0 ? 9 : 0;
        c.ldx_pad = 160 - 131;
        c.x_place = 1;
        c.method = "gemm_in_place";
        int r = wgt_gemm_case(in_place()->name, 1, &c, wgt_seed() + (uint64_t)v);
        CHECK(r == WGT_PASS, "output %d cyclic %d b %d", (int)outs[o], (int)cycs[cy], b);
      }
}

/* Long K wraps every 8-bit lane many times; all-extreme codes make every
 * partial sum hit the lane's edges. */
TEST(avx2_in_place_long_k_and_extreme_codes) {
  if (!in_place()) SKIP(NO_IN_PLACE);
  for (int data = 0; data < 3; data++) {
    wgt_case c;
    wgt_avx2_case(&c, in_place(), 13, 200, 4608, data);
    wgt_epilogue(&c, WG_OUTPUT_INT32, WG_CYCLIC_NONE, 1, 8);
    c.abits = 8;
    c.data = data;
    c.ldx_pad = 256 - 200;
    c.x_place = 1 + 16 * data;
    c.method = "gemm_in_place";
    CHECK(wgt_gemm_case(in_place()->name, 1, &c, wgt_seed() + (uint64_t)data) == WGT_PASS,
          "data %d", data);
  }
}

/* A serial parallel-for that claims parallelism 3 and runs tasks in
 * reverse. */
static void reverse_runner(void *user, wg_task_fn task, void *task_ctx, int64_t count) {
  (void)user;
  for (int64_t i = count - 1; i >= 0; i--) task(task_ctx, i);
}

/* Threads 1, 2, 3 and 7 and an engine's parallel-for, on shapes that split
 * by columns (many tiles) and by row panels (one to three tiles), each
 * against the reference and bit-identical to the packed path. */
TEST(threads_avx2_in_place_counts_and_runner) {
  if (!in_place()) SKIP(NO_IN_PLACE);
  static const int64_t shapes[][3] = {{64, 3136, 27}, {37, 64, 50}, {256, 192, 23}, {7, 1000, 9}};
  static const int threads[] = {1, 2, 3, 7};
  int v = 0;
  for (int s = 0; s < 4; s++)
    for (int t = 0; t < 4; t++, v++) {
      int64_t n = shapes[s][1], ldx = round32(n);
      CHECK(run(shapes[s][0], n, shapes[s][2], ldx, 16 * (v % 4), v, threads[t],
                wgt_seed() + (uint64_t)v) == WGT_PASS,
            "M=%lld N=%lld threads %d", (long long)shapes[s][0], (long long)n, threads[t]);
    }
  /* The parallel-for, and the same bytes as the packing path. */
  int64_t m = 64, n = 1000, k = 41, ldx = 1024;
  wgt_rng r = {wgt_seed()};
  int8_t *w = malloc((size_t)(m * k));
  uint8_t *x = malloc((size_t)(k * ldx) + 64);
  uint8_t *xa = wgt_place(x, 0);
  int8_t *y0 = malloc((size_t)(m * n)), *y1 = malloc((size_t)(m * n));
  wgt_fill_weights(&r, w, (size_t)(m * k), WG_WEIGHTS_TERNARY, 2, WGT_RANDOM);
  wgt_fill_acts(&r, xa, (size_t)(k * ldx), 4, WGT_RANDOM);
  wg_context *ce = NULL, *cp = NULL;
  wg_weights *pw = NULL;
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 6;
  ep.output = WG_OUTPUT_INT8;
  ep.cyclic = WG_CYCLIC_SMOOTH;
  wg_act_format act = {4, 0};
  wg_run_info ie = {0}, ip = {0};
  CHECK(wg_context_create(1, &ce) == WG_OK && wg_context_create(2, &cp) == WG_OK &&
            wg_context_set_parallel_for(ce, reverse_runner, NULL, 3) == WG_OK &&
            wg_context_set_gemm_in_place(cp, 0) == WG_OK &&
            /* named: on an AVX-512 VNNI CPU automatic choice ranks the
             * VNNI kernel first (docs/avx512.md) */
            wg_context_force_kernel(ce, in_place()->name) == WG_OK &&
            wg_context_force_kernel(cp, in_place()->name) == WG_OK &&
            wg_weights_pack(ce, w, m, k, k, WG_WEIGHTS_TERNARY, 2, &pw) == WG_OK,
        "set-up");
  CHECK(wg_gemm(ce, pw, xa, n, ldx, act, &ep, y0, n, &ie) == WG_OK &&
            wg_gemm(cp, pw, xa, n, ldx, act, &ep, y1, n, &ip) == WG_OK,
        "calls");
  CHECK(strcmp(ie.method, "gemm_in_place") == 0 && strcmp(ip.method, "gemm") == 0,
        "methods %s, %s", ie.method, ip.method);
  CHECK(memcmp(y0, y1, (size_t)(m * n)) == 0, "in place and packed differ");
  wg_weights_destroy(pw);
  wg_context_destroy(ce);
  wg_context_destroy(cp);
  free(w);
  free(x);
  free(y0);
  free(y1);
}

/* The switch: argument errors, and packing forced when it is off. */
TEST(avx2_in_place_switch) {
  wg_context *ctx = NULL;
  CHECK(wg_context_set_gemm_in_place(NULL, 1) == WG_ERR_NULL_POINTER, "NULL context");
  CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
  CHECK(wg_context_set_gemm_in_place(ctx, 2) == WG_ERR_BAD_OPTION, "allow 2");
  CHECK(wg_context_set_gemm_in_place(ctx, -1) == WG_ERR_BAD_OPTION, "allow -1");
  CHECK(wg_context_set_gemm_in_place(ctx, 0) == WG_OK, "allow 0");
  wg_context_destroy(ctx);
  if (!in_place()) SKIP(NO_IN_PLACE);
  wgt_case c;
  wgt_avx2_case(&c, in_place(), 13, 300, 40, 1);
  c.ldx_pad = 320 - 300;
  c.x_place = 1;
  c.packed = 1;
  c.method = "gemm";
  CHECK(wgt_gemm_case(in_place()->name, 2, &c, wgt_seed()) == WGT_PASS, "packed when off");
}

/* X of 256 KiB and more on the in-place path: clean calls give the
 * reference's bits (outputs of 1 and 4 bytes, one row panel or several),
 * and one bad code in the packed head or tail columns or in a tile, in its
 * first, a middle or its last row, returns BAD_CODE with nothing written:
 * 1, 2 and 3 threads and an engine's parallel-for, X at three alignments. */
TEST(avx2_in_place_large_x_bad_codes) {
  if (!in_place()) SKIP(NO_IN_PLACE);
  static const int64_t shapes[][4] = {{13, 1100, 300, 1120}, {5, 700, 400, 704}};
  int v = 0;
  for (int s = 0; s < 2; s++)
    for (int off = 0; off < 64; off += 24)
      for (int threads = 1; threads <= 3; threads++, v++) {
        const int64_t *sh = shapes[s];
        CHECK(run(sh[0], sh[1], sh[2], sh[3], off, v, threads, wgt_seed() + (uint64_t)v) ==
                  WGT_PASS,
              "clean: M=%lld N=%lld offset %d, %d threads", (long long)sh[0], (long long)sh[1],
              off, threads);
      }
  for (int s = 0; s < 2; s++) {
    int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], ldx = shapes[s][3];
    wgt_rng r = {wgt_seed() + 7 + (uint64_t)s};
    int8_t *w = malloc((size_t)(m * k));
    uint8_t *buf = malloc((size_t)(k * ldx) + 128), *y = malloc((size_t)(m * n));
    wgt_fill_weights(&r, w, (size_t)(m * k), WG_WEIGHTS_TERNARY, 2, WGT_RANDOM);
    wg_epilogue ep = wg_epilogue_default();
    ep.acc_bits = 8;
    ep.output = WG_OUTPUT_INT8;
    wg_act_format act = {3, 0};
    for (int off = 16; off < 64; off += 16) {
      uint8_t *x = wgt_place(buf, off);
      wgt_fill_acts(&r, x, (size_t)(k * ldx), 3, WGT_RANDOM);
      int64_t head = (64 - off) % 64, tiles = (n - head) / 64 * 64;
      /* column in the head, in the first and in the last tile, in the tail */
      const int64_t cols[] = {0, head, head + tiles - 1, n - 1};
      const int64_t rows[] = {0, k / 2, k - 1};
      for (int mode = 0; mode < 4; mode++) { /* 1, 2, 3 threads, a parallel-for */
        wg_context *ctx = NULL;
        wg_weights *pw = NULL;
        wg_run_info info = {0};
        CHECK(wg_context_create(mode < 3 ? mode + 1 : 1, &ctx) == WG_OK &&
                  (mode < 3 || wg_context_set_parallel_for(ctx, reverse_runner, NULL, 3) ==
                                   WG_OK) &&
                  wg_context_force_kernel(ctx, in_place()->name) == WG_OK &&
                  wg_weights_pack(ctx, w, m, k, k, WG_WEIGHTS_TERNARY, 2, &pw) == WG_OK &&
                  wg_gemm(ctx, pw, x, n, ldx, act, &ep, y, n, &info) == WG_OK &&
                  strcmp(info.method, "gemm_in_place") == 0,
              "set-up, M=%lld offset %d mode %d", (long long)m, off, mode);
        for (int c = 0; c < 4; c++)
          for (int q = 0; q < 3; q++) {
            uint8_t *at = x + rows[q] * ldx + cols[c], keep = *at;
            *at = 8; /* codes are 3-bit */
            memset(y, 0x5A, (size_t)(m * n));
            wg_status st = wg_gemm(ctx, pw, x, n, ldx, act, &ep, y, n, NULL);
            int untouched = 1;
            for (int64_t b = 0; b < m * n; b++) untouched &= y[b] == 0x5A;
            CHECK(st == WG_ERR_BAD_CODE && untouched,
                  "M=%lld offset %d mode %d: bad code at row %lld column %lld: %s%s",
                  (long long)m, off, mode, (long long)rows[q], (long long)cols[c],
                  wg_status_name(st), untouched ? "" : ", Y written");
            *at = keep;
          }
        wgt_count_check(12);
        wg_weights_destroy(pw);
        wg_context_destroy(ctx);
      }
    }
    free(w);
    free(buf);
    free(y);
  }
}
