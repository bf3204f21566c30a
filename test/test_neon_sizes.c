/* 32-bit size arithmetic (armhf): sizes whose byte counts reach 2^31 or
 * wrap 2^32 must return WG_ERR_SIZE_OVERFLOW before any buffer is read or
 * written.  The buffers passed are tiny: had a check wrapped, the call
 * would read or write far outside them (a crash or a guard-byte change),
 * not return the status. */
#include <stdint.h>
#include <string.h>

#include "util.h"

#if SIZE_MAX <= UINT32_MAX

TEST(neon_size_overflow_32bit_weights) {
  int8_t w[64] = {0};
  wg_context *ctx = NULL;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
  static const struct {
    int64_t m, k, ldw;
  } cases[] = {
      {(1 << 16) + 1, 1 << 16, 1 << 16}, /* (m-1)*ldw + k = 2^32 + 2^16: wraps to 2^16 */
      {2, 1, ((int64_t)1 << 31) - 1},    /* 2^31 bytes: past PTRDIFF_MAX */
      {((int64_t)1 << 30) + 1, 1, 1},    /* rowsum: 4m = 2^32 + 4 */
      {1, ((int64_t)1 << 32) + 8, ((int64_t)1 << 32) + 8}, /* K itself past 2^32 */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wg_weights *pw = (wg_weights *)(uintptr_t)1;
    wg_status st = wg_weights_pack(ctx, w, cases[i].m, cases[i].k, cases[i].ldw,
                                   WG_WEIGHTS_INT, 8, &pw);
    CHECK(st == WG_ERR_SIZE_OVERFLOW, "case %zu: m=%lld k=%lld ldw=%lld: %s", i,
          (long long)cases[i].m, (long long)cases[i].k, (long long)cases[i].ldw,
          wg_status_name(st));
    CHECK(pw == (wg_weights *)(uintptr_t)1, "case %zu: *out written on error", i);
  }
  wg_context_destroy(ctx);
}

TEST(neon_size_overflow_32bit_gemm) {
  int8_t w[9] = {1, -1, 0, 2, 3, -4, 5, 6, 7};
  uint8_t x[64] = {0};
  unsigned char y[64];
  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
  CHECK(wg_weights_pack(ctx, w, 3, 3, 3, WG_WEIGHTS_INT, 8, &pw) == WG_OK, "pack");
  static const struct {
    int64_t n, ldx, ldy;
    wg_output_kind out;
  } cases[] = {
      {1, ((int64_t)1 << 31), 1, WG_OUTPUT_INT8},         /* x: 2*ldx + n = 2^32 + 1 */
      {1, ((int64_t)1 << 30), 1, WG_OUTPUT_INT8},         /* x: 2^31 + 1 bytes */
      {1, 1, ((int64_t)1 << 29), WG_OUTPUT_INT32},        /* y: (2^30 + 1) * 4 bytes */
      {1, 1, ((int64_t)1 << 28) + 1, WG_OUTPUT_FLOAT32},  /* y: just over 2^31 bytes */
      {((int64_t)1 << 32) + 1, ((int64_t)1 << 32) + 1, ((int64_t)1 << 32) + 1,
       WG_OUTPUT_INT8},                                   /* n itself past 2^32 */
  };
  float s[3] = {1, 1, 1}, b[3] = {0, 0, 0};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wg_epilogue ep = wg_epilogue_default();
    ep.acc_bits = 8;
    ep.output = cases[i].out;
    ep.scale = s;
    ep.bias = b;
    memset(y, 0x77, sizeof y);
    wg_status st = wg_gemm(ctx, pw, x, cases[i].n, cases[i].ldx, (wg_act_format){8, 0}, &ep,
                           y, cases[i].ldy, NULL);
    CHECK(st == WG_ERR_SIZE_OVERFLOW, "case %zu: n=%lld ldx=%lld ldy=%lld: %s", i,
          (long long)cases[i].n, (long long)cases[i].ldx, (long long)cases[i].ldy,
          wg_status_name(st));
    for (size_t j = 0; j < sizeof y; j++)
      CHECK(y[j] == 0x77, "case %zu: y written on error", i);
  }
  /* Just inside: the same shapes with small strides still run. */
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 8;
  ep.output = WG_OUTPUT_INT8;
  CHECK(wg_gemm(ctx, pw, x, 1, 1, (wg_act_format){8, 0}, &ep, y, 1, NULL) == WG_OK,
        "small call");
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
}

TEST(neon_size_overflow_32bit_conv) {
  int8_t w[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  uint8_t x[64] = {0};
  unsigned char y[64];
  wg_context *ctx = NULL;
  wg_weights *pw = NULL;
  CHECK(wg_context_create(1, &ctx) == WG_OK, "context");
  CHECK(wg_weights_pack(ctx, w, 2, 4, 4, WG_WEIGHTS_INT, 8, &pw) == WG_OK, "pack");
  /* 4 channels, 1x1 filter: input 4 * 2^15 * 2^14 = 2^31 bytes. */
  wg_conv2d_desc d = {WG_NHWC, 1, 4, (int64_t)1 << 15, (int64_t)1 << 14, 1, 1, 1, 1,
                      0, 0, 0, 0, 1, 1};
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = 8;
  ep.output = WG_OUTPUT_INT8;
  memset(y, 0x77, sizeof y);
  wg_status st = wg_conv2d(ctx, pw, &d, x, (wg_act_format){8, 0}, &ep, y, NULL);
  CHECK(st == WG_ERR_SIZE_OVERFLOW, "conv 4 x 2^15 x 2^14 NHWC: %s", wg_status_name(st));
  d.batch = (int64_t)1 << 20; /* batch * pixels wraps 2^32 */
  d.height = d.width = 1 << 6;
  st = wg_conv2d(ctx, pw, &d, x, (wg_act_format){8, 0}, &ep, y, NULL);
  CHECK(st == WG_ERR_SIZE_OVERFLOW, "conv batch 2^20 of 64x64x4: %s", wg_status_name(st));
  for (size_t j = 0; j < sizeof y; j++) CHECK(y[j] == 0x77, "y written on error");
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
}
#else
TEST(neon_size_overflow_32bit) { SKIP("size_t is 64-bit here (armhf runs these)"); }
#endif
