/* Typed outputs and per-row arrays not aligned to their element size:
 * WG_ERR_MISALIGNED, nothing written, and no misaligned access made (the
 * ASan+UBSan runner runs these too).  Byte outputs and x need no
 * alignment. */
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "util.h"

#define CAN 0x3C
enum { M = 4, K = 10, N = 6 };

typedef struct env {
  wg_context *ctx;
  wg_weights *w, *tern;
  int8_t wc[M * K];
  uint8_t x[K * N + 1];
  _Alignas(64) unsigned char y[M * N * 4 + 64];
  _Alignas(64) unsigned char arrays[5][64];
} env;

static int env_make(env *e) {
  memset(e, 0, sizeof *e);
  for (int i = 0; i < M * K; i++) e->wc[i] = (int8_t)(i % 3 - 1);
  for (int i = 0; i < K * N + 1; i++) e->x[i] = (uint8_t)(i % 4);
  return wg_context_create(1, &e->ctx) == WG_OK &&
         wg_weights_pack(e->ctx, e->wc, M, K, K, WG_WEIGHTS_INT, 3, &e->w) == WG_OK &&
         wg_weights_pack(e->ctx, e->wc, M, K, K, WG_WEIGHTS_TERNARY, 0, &e->tern) == WG_OK;
}

static void env_free(env *e) {
  wg_weights_destroy(e->w);
  wg_weights_destroy(e->tern);
  wg_context_destroy(e->ctx);
}

static int untouched(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != CAN) return 0;
  return 1;
}

/* The per-row arrays, each `mis` bytes past a 64-byte boundary, holding
 * valid values (scale 0.5, bias 1, multiplier 2^30, shift 0, qbias 3). */
static void arrays_at(env *e, wg_epilogue *ep, const int mis[5]) {
  const float f[2] = {0.5f, 1.0f};
  const int32_t v[3] = {1 << 30, 0, 3};
  for (int a = 0; a < 5; a++)
    for (int i = 0; i < M; i++)
      memcpy(e->arrays[a] + mis[a] + 4 * i, a < 2 ? (const void *)&f[a] : (const void *)&v[a - 2],
             4);
  ep->scale = (const float *)(const void *)(e->arrays[0] + mis[0]);
  ep->bias = (const float *)(const void *)(e->arrays[1] + mis[1]);
  ep->multiplier = (const int32_t *)(const void *)(e->arrays[2] + mis[2]);
  ep->shift = (const int32_t *)(const void *)(e->arrays[3] + mis[3]);
  ep->qbias = (const int32_t *)(const void *)(e->arrays[4] + mis[4]);
}

/* Every output kind at every offset 0..3 from alignment, through wg_gemm,
 * wg_conv2d (both layouts), wg_swar_gemm and wg_swar_naive_gemm. */
TEST(misaligned_outputs_rejected) {
  env *e = malloc(sizeof *e);
  CHECK(e && env_make(e), "setup");
  static const wg_output_kind outs[] = {WG_OUTPUT_INT8,        WG_OUTPUT_INT16,
                                        WG_OUTPUT_INT32,       WG_OUTPUT_UINT8_FLOAT,
                                        WG_OUTPUT_UINT8_FIXED, WG_OUTPUT_FLOAT32};
  const int aligned[5] = {0, 0, 0, 0, 0};
  /* NHWC/NCHW 1 x 2 x 5 x 1 input, 5 x 1 filters with K = 10: one pixel. */
  wg_conv2d_desc d = {WG_NCHW, 1, 2, 5, 1, 5, 1, 1, 1, 0, 0, 0, 0, 1, 1};
  for (int o = 0; o < 6; o++)
    for (int off = 0; off < 4; off++) {
      wg_epilogue ep = wg_epilogue_default();
      ep.acc_bits = 7;
      ep.output = outs[o];
      arrays_at(e, &ep, aligned);
      size_t es = wg_output_size(outs[o]);
      wg_status want = off % es ? WG_ERR_MISALIGNED : WG_OK;
      for (int call = 0; call < 5; call++) {
        memset(e->y, CAN, sizeof e->y);
        unsigned char *y = e->y + 16 + off;
        wg_act_format act = {2, 1};
        wg_swar_options so = wg_swar_options_default();
        wg_status st;
        if (call == 0) {
          st = wg_gemm(e->ctx, e->w, e->x + 1, N, N, act, &ep, y, N, NULL);
        } else if (call <= 2) {
          d.layout = call == 1 ? WG_NCHW : WG_NHWC;
          st = wg_conv2d(e->ctx, e->w, &d, e->x + 1, act, &ep, y, NULL);
        } else if (call == 3) {
          st = wg_swar_gemm(e->tern, e->x + 1, N, N, act, &ep, &so, y, N);
        } else {
          st = wg_swar_naive_gemm(e->wc, M, K, K, e->x + 1, N, N, act, &ep, y, N);
        }
        CHECK(st == want, "out=%d y+%d call %d: %s, want %s", (int)outs[o], off, call,
              wg_status_name(st), wg_status_name(want));
        if (st != WG_OK)
          CHECK(untouched(e->y, sizeof e->y), "out=%d y+%d call %d: wrote", (int)outs[o], off,
                call);
        wgt_count_check(1);
      }
    }
  env_free(e);
  free(e);
}

/* scale, bias, multiplier, shift, qbias: a misaligned one is rejected
 * before any of its values is read (the finiteness check reads scale and
 * bias), whichever it is. */
TEST(misaligned_epilogue_arrays_rejected) {
  env *e = malloc(sizeof *e);
  CHECK(e && env_make(e), "setup");
  wg_swar_options so = wg_swar_options_default();
  for (int a = 0; a < 5; a++)
    for (int off = 1; off < 4; off++) {
      int mis[5] = {0, 0, 0, 0, 0};
      mis[a] = off;
      wg_epilogue ep = wg_epilogue_default();
      ep.acc_bits = 7;
      ep.output = a < 2 ? (off % 2 ? WG_OUTPUT_FLOAT32 : WG_OUTPUT_UINT8_FLOAT)
                        : WG_OUTPUT_UINT8_FIXED;
      arrays_at(e, &ep, mis);
      wg_act_format act = {2, 0};
      wg_conv2d_desc d = {WG_NHWC, 1, 2, 5, 1, 5, 1, 1, 1, 0, 0, 0, 0, 1, 1};
      for (int call = 0; call < 3; call++) {
        memset(e->y, CAN, sizeof e->y);
        wg_status st = call == 0   ? wg_gemm(e->ctx, e->w, e->x, N, N, act, &ep, e->y, N, NULL)
                       : call == 1 ? wg_conv2d(e->ctx, e->w, &d, e->x, act, &ep, e->y, NULL)
                                   : wg_swar_gemm(e->tern, e->x, N, N, act, &ep, &so, e->y, N);
        CHECK(st == WG_ERR_MISALIGNED, "array %d +%d call %d: %s", a, off, call,
              wg_status_name(st));
        CHECK(untouched(e->y, sizeof e->y), "array %d +%d call %d: wrote", a, off, call);
        wgt_count_check(1);
      }
    }
  env_free(e);
  free(e);
}

/* The SWAR count arrays, the carry correction and the statistics' arrays
 * are typed too. */
TEST(misaligned_swar_arrays_rejected) {
  env *e = malloc(sizeof *e);
  CHECK(e && env_make(e), "setup");
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 8;
  _Alignas(64) unsigned char side[3][M * N * 4 + 8];
  for (int which = 0; which < 3; which++)
    for (int off = 0; off < 4; off++) {
      wg_swar_options o = wg_swar_options_default();
      o.mode = WG_SWAR_CARRY;
      memset(side, 0, sizeof side);
      memset(e->y, CAN, sizeof e->y);
      uint32_t *p[3];
      for (int s = 0; s < 3; s++)
        p[s] = (uint32_t *)(void *)(side[s] + (s == which ? off : 0));
      o.carries = p[0];
      o.lane_carries = p[1];
      o.carry_correction = (const int32_t *)p[2];
      o.ld_carries = o.ld_lane_carries = o.ld_correction = N;
      wg_status st =
          wg_swar_gemm(e->tern, e->x, N, N, (wg_act_format){2, 0}, &ep, &o, e->y, N);
      wg_status want = off ? WG_ERR_MISALIGNED : WG_OK;
      CHECK(st == want, "array %d +%d: %s", which, off, wg_status_name(st));
      if (off)
        for (int s = 0; s < 2; s++)
          for (size_t i = 0; i < sizeof side[s]; i++)
            CHECK(side[s][i] == 0 && untouched(e->y, sizeof e->y), "array %d +%d: wrote",
                  which, off);
      wgt_count_check(1);
    }
  /* wg_swar_carry_stats: counts (uint32), mean and std (uint64), correction (int32). */
  _Alignas(64) unsigned char st4[4][64];
  for (int which = 0; which < 4; which++) {
    size_t need = which == 1 || which == 2 ? _Alignof(uint64_t) : 4;
    for (size_t off = 1; off < need; off++) {
      memset(st4, 0, sizeof st4);
      unsigned char *p[4];
      for (int s = 0; s < 4; s++) p[s] = st4[s] + (s == which ? off : 0);
      wg_status st = wg_swar_carry_stats((const uint32_t *)(const void *)p[0], 2, 3, 3,
                                         (uint64_t *)(void *)p[1], (uint64_t *)(void *)p[2],
                                         (int32_t *)(void *)p[3]);
      CHECK(st == WG_ERR_MISALIGNED, "stats array %d +%zu: %s", which, off, wg_status_name(st));
      for (int s = 1; s < 4; s++)
        for (size_t i = 0; i < 64; i++) CHECK(st4[s][i] == 0, "stats array %d: wrote", which);
      wgt_count_check(1);
    }
  }
  env_free(e);
  free(e);
}

/* The argument structs the calls read (ep, d, opt) and the wg_run_info they
 * write: a copy one byte off its alignment is MISALIGNED before any field
 * of it is read or written. */
TEST(misaligned_argument_structs_rejected) {
  env *e = malloc(sizeof *e);
  CHECK(e && env_make(e), "setup");
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 7;
  wg_conv2d_desc d = {WG_NHWC, 1, 2, 5, 1, 5, 1, 1, 1, 0, 0, 0, 0, 1, 1};
  wg_swar_options so = wg_swar_options_default();
  wg_run_info info = {"untouched", "untouched"};
  _Alignas(64) unsigned char buf[4][sizeof(wg_epilogue) + sizeof(wg_conv2d_desc) + 64];
  wg_act_format act = {2, 0};
  for (int which = 0; which < 4; which++) {
    memset(buf, 0, sizeof buf);
    /* one byte past an aligned slot: misaligned for every struct with a
     * pointer or an int64_t in it */
    unsigned char *p = buf[which] + 1;
    const wg_epilogue *pe = &ep;
    const wg_conv2d_desc *pd = &d;
    const wg_swar_options *po = &so;
    wg_run_info *pi = &info;
    if (which == 0) {
      memcpy(p, &ep, sizeof ep);
      pe = (const wg_epilogue *)(const void *)p;
    } else if (which == 1) {
      memcpy(p, &d, sizeof d);
      pd = (const wg_conv2d_desc *)(const void *)p;
    } else if (which == 2) {
      memcpy(p, &so, sizeof so);
      po = (const wg_swar_options *)(const void *)p;
    } else {
      pi = (wg_run_info *)(void *)p;
    }
    memset(e->y, CAN, sizeof e->y);
    wg_status st[4] = {
        wg_gemm(e->ctx, e->w, e->x, N, N, act, pe, e->y, N, pi),
        wg_conv2d(e->ctx, e->w, pd, e->x, act, pe, e->y, pi),
        wg_swar_gemm(e->tern, e->x, N, N, act, pe, po, e->y, N),
        wg_swar_naive_gemm(e->wc, M, K, K, e->x, N, N, act, pe, e->y, N),
    };
    int64_t oh = wg_conv2d_out_h(pd);
    /* which call reads which struct: ep all four, d conv2d and out_h, opt
     * the SWAR gemm, info gemm and conv2d */
    static const int reads[4][5] = {
        {1, 1, 1, 1, 0}, {0, 1, 0, 0, 1}, {0, 0, 1, 0, 0}, {1, 1, 0, 0, 0}};
    for (int c = 0; c < 4; c++)
      CHECK(st[c] == (reads[which][c] ? WG_ERR_MISALIGNED : WG_OK), "struct %d call %d: %s",
            which, c, wg_status_name(st[c]));
    CHECK(oh == (reads[which][4] ? 0 : 1), "struct %d: wg_conv2d_out_h %lld", which,
          (long long)oh);
    for (size_t b = 0; which == 3 && b < sizeof buf[3]; b++)
      CHECK(buf[3][b] == 0, "info written through a misaligned pointer");
    wgt_count_check(1);
  }
  env_free(e);
  free(e);
}
