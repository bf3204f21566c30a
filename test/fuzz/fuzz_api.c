/* libFuzzer harness: one wg_gemm call chosen by the input's header bytes,
 * on tensors the input's seed fills (fuzz_input.h), compared bit for bit
 * with the reference oracle; the whole output buffer (guards, the gaps
 * between rows) and X must hold nothing else.  A planted fault (bad zero
 * point, code, scale, output zero point, misaligned or overlapping output)
 * must return its status and write nothing.  N reaches 150 and X may have a
 * stride that is a multiple of 32 and any placement modulo 64, so that the
 * in-place GEMM (6 x 64 tiles, packed head and tail) runs too; K reaches
 * past the portable (256) and AVX2 (2304, 4608) depth blocks, and one rare
 * "big" depth byte gives weights larger than L2 (the driver's row-first
 * split and its B packed once for all threads). */
#include <stdlib.h>
#include <string.h>

#include "core/kernel.h"
#include "core/reference.h"
#include "fuzz_input.h"
#include "wrapgemm.h"

/* Depth: short mostly, sometimes across the depth blocks.  One byte value,
 * not 0xFF (libFuzzer writes many of those), means "big" (see below). */
#define BIG_DEPTH_BYTE 183
static int64_t depth_of(unsigned b) {
  static const int64_t deep[6] = {1152, 2304, 2305, 4608, 4609, 4700};
  if (b == BIG_DEPTH_BYTE) return 4608;
  if (b < 200) return 1 + b % 72;
  if (b < 250) return 72 + (b - 200) * 12;
  return deep[b - 250];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cursor c = {data, size};
  unsigned mb = take(&c);
  int64_t m = mb < 240 ? 1 + mb % 19 : 19 + (mb - 240) * 3;
  unsigned nb = take(&c), kb = take(&c);
  int64_t n = 1 + nb % 150, k = depth_of(kb);
  int big = kb == BIG_DEPTH_BYTE;
  if (big) { /* weights beyond L2 in one AVX2 depth block: the shared B split */
    m = 64 - mb % 8;
    n = 96 + nb % 55;
  } else if (k > 700) { /* keep the reference's m*n*k small */
    m = m < 7 ? m : 7;
    n = n < 70 ? n : 70;
  }
  unsigned strides = take(&c);
  unsigned xpad = strides % 4;
  int64_t ldw = k + strides / 4 % 4, ldy = n + strides / 16 % 4;
  int64_t ldx = xpad < 3 ? n + xpad : (n + 31) / 32 * 32;
  unsigned xoff = take(&c) % 64, yoff = take(&c) % 64;
  unsigned fb = take(&c);
  wg_weight_format wf = (wg_weight_format)(fb % 3);
  int wbits = 2 + (int)(fb / 3 % 7);
  wg_act_format act = {1 + (int)(take(&c) % 8), 0};
  act.zero_point = fuzz_zero_point(take(&c), act.bits);
  wg_epilogue ep = wg_epilogue_default();
  ep.acc_bits = fuzz_acc_bits(take(&c));
  unsigned cb = take(&c);
  ep.cyclic = (wg_cyclic)(cb % 3);
  ep.slope = fuzz_slope(cb / 3);
  unsigned ob = take(&c);
  ep.output = (wg_output_kind)(ob % 6);
  ep.relu = (int)(ob / 6 % 2);
  ep.out_bits = 1 + (int)(ob / 12 % 8);
  int kernel = (int)(take(&c) % (unsigned)(wg_kernel_count() + 1)) - 1;
  unsigned tb = take(&c);
  int in_place = tb % 4 != 0;
  fuzz_fault fault = fuzz_fault_of(take(&c));
  fuzz_mix wmix = fuzz_mix_of(take(&c)), xmix = fuzz_mix_of(take(&c));
  unsigned emix = take(&c);
  fuzz_rng rng = fuzz_seed(&c);

  size_t es = wg_output_size(ep.output);
  int fits = fuzz_output_fits(&ep);
  if (!fuzz_fault_fits(fault, &ep)) fault = FUZZ_NONE;

  /* Weights, with a bad code planted if that is the fault. */
  int8_t *w = malloc((size_t)(m * ldw));
  if (!w) abort();
  fuzz_fill_weights(&rng, wmix, wf, wbits, w, m, k, ldw);
  if (fault == FUZZ_BAD_WCODE && !fuzz_plant_bad_weight(&rng, wf, wbits, w, m, k, ldw))
    fault = FUZZ_NONE;

  /* X ends at the end of its allocation (a read past it is AddressSanitizer's),
   * with room on both sides for an overlapping output if that is the fault;
   * the gaps between its rows hold 0xFF, which no code check may read. */
  size_t ybytes = (size_t)((m - 1) * ldy + n) * es;
  size_t slack = fault == FUZZ_ALIASING ? (ybytes + 127) & ~(size_t)63 : 0;
  size_t xspan = (size_t)((k - 1) * ldx + n);
  fuzz_x xb = fuzz_x_alloc(slack, xoff, xspan);
  uint8_t *x = xb.x;
  for (int64_t i = 0; i < k; i++) fuzz_fill_acts(&rng, xmix, act.bits, act.zero_point,
                                                 x + i * ldx, (size_t)n);
  if (fault == FUZZ_BAD_XCODE && !fuzz_plant_bad_act(&rng, act.bits, x, k, n, ldx))
    fault = FUZZ_NONE;
  if (fault == FUZZ_BAD_ZX) act.zero_point = fuzz_bad_zero_point(&rng, act.bits);
  fuzz_stats("weights", w, m, k, ldw);
  fuzz_stats("activations", x, k, n, ldx);

  fuzz_epi_rows rows;
  fuzz_epilogue_with_faults(&rng, emix, &rows, &ep, m, fault);

  unsigned char misbuf[4 * FUZZ_MAX_ROWS + 4];
  fuzz_out out = fuzz_place_output(&rng, &ep, fault, es, yoff, ybytes, misbuf);
  unsigned char *y = out.y;
  if (fault == FUZZ_ALIASING) { /* over a byte of X or of a per-row array the call reads */
    const uint8_t *t = rng_below(&rng, 2) ? fuzz_row_byte(&rng, &ep, m) : NULL;
    if (!t) t = x + (int64_t)rng_below(&rng, (uint32_t)k) * ldx + rng_below(&rng, (uint32_t)n);
    int64_t e = (int64_t)rng_below(&rng, (uint32_t)m) * ldy + rng_below(&rng, (uint32_t)n);
    y = fuzz_alias_y(t, e, es);
  }
  fuzz_epi_rows rows_copy = rows;
  fuzz_x_snapshot(&xb);

  wg_context *ctx = fuzz_context(tb / 4);
  wg_weights *pw = NULL;
  if (wg_context_set_gemm_in_place(ctx, in_place) != WG_OK) abort();
  int forced = kernel >= 0 && wg_kernel_available(kernel);
  /* Big problems only on kernels with a depth block that deep (AVX2): a
   * portable kernel spent a second on each under the coverage hooks. */
  if (big && forced && !strstr(wg_kernel_name(kernel), "__avx2")) forced = 0;
  if (forced && wg_context_force_kernel(ctx, wg_kernel_name(kernel)) != WG_OK) abort();
  wg_status st = wg_weights_pack(ctx, w, m, k, ldw, wf, wbits, &pw);
  if (fault == FUZZ_BAD_WCODE) {
    if (st != WG_ERR_BAD_CODE) abort(); /* a weight outside its format packed */
  } else {
    if (st != WG_OK) abort();
    wg_run_info info = {"unset", "unset"};
    st = wg_gemm(ctx, pw, x, n, ldx, act, &ep, y, ldy, &info);
    fuzz_trace("gemm m=%lld n=%lld k=%lld ldx=%lld w=%d/%d act=%d zx=%d b=%d cyc=%d/%d out=%d "
               "kernel=%s fault=%d threads=%u: %s %s %s\n", (long long)m, (long long)n,
               (long long)k, (long long)ldx, wf, wbits, act.bits, act.zero_point, ep.acc_bits,
               ep.cyclic, ep.slope, ep.output, forced ? wg_kernel_name(kernel) : "auto", fault,
               tb / 4 % 8, wg_status_name(st), info.kernel, info.method);
    fuzz_check_status(st, fuzz_fault_status(fault), fits, forced);
    if (st == WG_OK) {
      wg_ref_gemm(w, ldw, m, k, x, ldx, n, act.zero_point, &ep, out.want + (y - out.buf),
                  ldy, 1);
      if (forced && strcmp(info.kernel, wg_kernel_name(kernel)) != 0) abort();
      if (strcmp(info.method, "gemm") != 0 && (strcmp(info.method, "gemm_in_place") != 0 ||
                                               !in_place))
        abort(); /* in place although switched off, or no method */
    } else if (strcmp(info.kernel, "unset") != 0 || strcmp(info.method, "unset") != 0) {
      abort(); /* info written on error */
    }
  }
  /* Every byte of the output buffer: the results, and FUZZ_FILL elsewhere
   * (guards, gaps, everything on error).  X unchanged. */
  if (memcmp(out.buf, out.want, out.total) != 0) abort();
  if (!fuzz_x_unchanged(&xb)) abort();
  if (memcmp(&rows, &rows_copy, sizeof rows) != 0) abort();
  wg_weights_destroy(pw);
  wg_context_destroy(ctx);
  free(w);
  fuzz_x_free(&xb);
  fuzz_out_free(&out);
  return 0;
}
